/**
 * Fairness within a priority tier: each webinar's calls carry its own key, weighted by how soon it starts. The
 * server honours them when it runs with fairness on (`matching.enableFairness`); without it, only the priority
 * applies.
 */
import { MAX_PROVISION_LEAD_SECONDS } from '../limits';

/** Fairness keys are limited to 64 bytes by the server. */
const FAIRNESS_KEY_MAX_BYTES = 64;

/**
 * The fairness key of a webinar's Chime calls: within one priority tier the server dispatches tasks of each key
 * in proportion to its weight, so a 300-attendee webinar's calls are not queued behind all of a 10,000-attendee
 * one's. A webinar ID is at most 48 ASCII characters (domain/validation), well inside the limit; the cut only
 * guards a caller that skipped validation.
 */
export function webinarFairnessKey(webinarId: string): string {
  return `webinar-${webinarId}`.slice(0, FAIRNESS_KEY_MAX_BYTES);
}

/** Over how many seconds a webinar's fairness weight doubles as its start nears. */
export const START_WEIGHT_DOUBLING_SECONDS = 30;

/**
 * The fairness weight of a webinar's calls, by how soon it starts, so earlier starts go first: 1 at the longest
 * provisioning lead or further, doubling every START_WEIGHT_DOUBLING_SECONDS closer, 256 from the start on.
 * Within a tier the server dispatches each key's tasks in proportion to its weight, so of two webinars
 * provisioning together, the one starting 60 s earlier gets 4 calls for each of the other's, and neither is
 * starved. The ratio depends only on the difference of the starts, not on the clock.
 */
export function startWeight(secondsToStart: number): number {
  const s = Math.min(Math.max(secondsToStart, 0), MAX_PROVISION_LEAD_SECONDS);
  return 2 ** ((MAX_PROVISION_LEAD_SECONDS - s) / START_WEIGHT_DOUBLING_SECONDS);
}
