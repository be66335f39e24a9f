/**
 * The webinar's phases (the contract's list, in lifecycle order) and the groups the workflow and its operator
 * actions use. Clients, the CLI and the metrics derive their phase lists from here.
 */
export const WEBINAR_PHASES = [
  'SCHEDULED',
  'PROVISIONING',
  'READY',
  'LIVE',
  'TEARING_DOWN',
  /** A teardown whose DeleteMeeting calls kept failing: meetings may be left; an operator's retry tries again. */
  'TEARDOWN_FAILED',
  'ENDED',
  'FAILED',
  'CANCELLED',
] as const;

export type WebinarPhase = (typeof WEBINAR_PHASES)[number];

/** Phases in which the webinar has not started tearing down: most operator actions are allowed here. */
export const OPEN_PHASES: readonly WebinarPhase[] = ['SCHEDULED', 'PROVISIONING', 'READY', 'LIVE'];
/** Phases in which meetings exist or are being created. */
export const MEETING_PHASES: readonly WebinarPhase[] = ['PROVISIONING', 'READY', 'LIVE'];
/** Phases after which nothing changes any more. */
export const FINAL_PHASES: readonly WebinarPhase[] = ['ENDED', 'FAILED', 'CANCELLED'];

export function isWebinarPhase(value: unknown): value is WebinarPhase {
  return typeof value === 'string' && (WEBINAR_PHASES as readonly string[]).includes(value);
}
