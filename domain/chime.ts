/**
 * The seam between the webinar workflow and the Chime activities: the activity interface, the task queues
 * that carry the account's API budget, and the idempotency tokens. Pure; workflow code imports it.
 */
import type {
  AttendeeCapabilities,
  MeetingFeaturesConfiguration,
  Tag,
  TranscriptionConfiguration,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { ActivityOptions, Duration, RetryPolicy } from '@temporalio/common';
import { MAX_PROVISION_LEAD_SECONDS } from './limits';

/** Every call names its control Region (the API endpoint); undefined means the worker's configured Region. */
export interface ControlScope {
  controlRegion?: string;
}

export interface MeetingInfo {
  meetingId: string;
  mediaRegion: string;
  meetingArn?: string;
  primaryMeetingId?: string;
  externalMeetingId?: string;
}

/** An attendee as activities return it: never with a JoinToken, so no token reaches workflow history. */
export interface AttendeeInfo {
  attendeeId: string;
  externalUserId: string;
  capabilities?: AttendeeCapabilities;
}

export interface AttendeeError {
  externalUserId: string;
  errorCode: string;
  errorMessage: string;
}

export interface CreateMeetingInput extends ControlScope {
  clientRequestToken: string;
  externalMeetingId: string;
  mediaRegion: string;
  primaryMeetingId?: string;
  meetingFeatures?: MeetingFeaturesConfiguration;
  tags?: Tag[];
  tenantIds?: string[];
}

export interface NewAttendee {
  externalUserId: string;
  capabilities?: AttendeeCapabilities;
}

export interface ChimeActivities {
  createMeeting(input: CreateMeetingInput): Promise<MeetingInfo>;
  createMeetingWithAttendees(
    input: CreateMeetingInput & { attendees: NewAttendee[] },
  ): Promise<{ meeting: MeetingInfo; attendees: AttendeeInfo[]; errors: AttendeeError[] }>;
  /** null when the service no longer knows the meeting (NotFound): it ended or was deleted. */
  getMeeting(input: ControlScope & { meetingId: string }): Promise<MeetingInfo | null>;
  /** deleted=false when it was already gone (NotFound), so teardown is idempotent. */
  deleteMeeting(input: ControlScope & { meetingId: string }): Promise<{ deleted: boolean }>;
  createAttendee(input: ControlScope & { meetingId: string } & NewAttendee): Promise<AttendeeInfo>;
  /** Per-attendee errors come back as data, not as a failure of the batch. */
  batchCreateAttendee(
    input: ControlScope & { meetingId: string; attendees: NewAttendee[] },
  ): Promise<{ attendees: AttendeeInfo[]; errors: AttendeeError[] }>;
  getAttendee(input: ControlScope & { meetingId: string; attendeeId: string }): Promise<AttendeeInfo | null>;
  /** Every page, heartbeating between pages. */
  listAttendees(input: ControlScope & { meetingId: string }): Promise<AttendeeInfo[]>;
  deleteAttendee(
    input: ControlScope & { meetingId: string; attendeeId: string },
  ): Promise<{ deleted: boolean }>;
  updateAttendeeCapabilities(
    input: ControlScope & { meetingId: string; attendeeId: string; capabilities: AttendeeCapabilities },
  ): Promise<AttendeeInfo>;
  batchUpdateAttendeeCapabilitiesExcept(
    input: ControlScope & {
      meetingId: string;
      excludedAttendeeIds: string[];
      capabilities: AttendeeCapabilities;
    },
  ): Promise<void>;
  startMeetingTranscription(
    input: ControlScope & { meetingId: string; transcriptionConfiguration: TranscriptionConfiguration },
  ): Promise<void>;
  /** stopped=false when the meeting or its transcription was already gone. */
  stopMeetingTranscription(input: ControlScope & { meetingId: string }): Promise<{ stopped: boolean }>;
  tagResource(input: ControlScope & { resourceArn: string; tags: Tag[] }): Promise<void>;
  untagResource(input: ControlScope & { resourceArn: string; tagKeys: string[] }): Promise<void>;
  listTagsForResource(input: ControlScope & { resourceArn: string }): Promise<Tag[]>;
}

export type ChimeOperation = keyof ChimeActivities;

/**
 * Classes of call, by how much a webinar's start depends on them (issue #15, "critical path first"). All share
 * one task queue per control Region, whose server-side rate limit is the Region's whole API budget; the class
 * sets the task priority, so a backlog is dispatched tier by tier while every tier still gets the full budget
 * whenever no higher tier waits:
 * - `operator`: promote, demote, mute, remove, an operator's transcription: a person is waiting;
 * - `critical`: what a webinar cannot start without: its primary meeting and its presenters' (hosts' and
 *   speakers') registration, and a promoted viewer's primary credentials restored after a new generation;
 * - `bulk`: replicas, viewers' registration, late attendees, meeting checks, transcription at the start;
 *   within it, each webinar's calls carry its fairness key, weighted by how soon it starts (startWeight);
 * - `teardown`: DeleteMeeting and the StopMeetingTranscription before it: nobody waits for a meeting to end,
 *   and teardowns at :00 must not delay the provisioning of the webinars starting at :00.
 */
export type CallClass = 'operator' | 'critical' | 'bulk' | 'teardown';

/** Temporal task priority per class: lower runs first (the server's default range is 1–5, default 3). */
export const CALL_PRIORITY: Readonly<Record<CallClass, number>> = {
  operator: 1,
  critical: 2,
  bulk: 3,
  teardown: 4,
};

/** Fairness keys are limited to 64 bytes by the server. */
const FAIRNESS_KEY_MAX_BYTES = 64;

/**
 * The fairness key of a webinar's Chime calls: within one priority tier the server dispatches tasks of each key
 * in proportion to its weight, so a 300-attendee webinar's calls are not queued behind all of a 10,000-attendee
 * one's (when the server runs with fairness on: `matching.enableFairness`). A webinar ID is at most 48 ASCII
 * characters (domain/validation), well inside the limit; the cut only guards a caller that skipped validation.
 */
export function webinarFairnessKey(webinarId: string): string {
  return `webinar-${webinarId}`.slice(0, FAIRNESS_KEY_MAX_BYTES);
}

/** Over how many seconds a webinar's fairness weight doubles as its start nears. */
export const START_WEIGHT_DOUBLING_SECONDS = 30;

/**
 * The fairness weight of a webinar's calls, by how soon it starts ("earlier starts go first", issue #15): 1 at
 * the longest provisioning lead or further, doubling every START_WEIGHT_DOUBLING_SECONDS closer, 256 from the
 * start on. Within a tier the server dispatches each key's tasks in proportion to its weight, so of two
 * webinars provisioning together, the one starting 60 s earlier gets 4 calls for each of the other's, and
 * neither is starved. The ratio depends only on the difference of the starts, not on the clock.
 */
export function startWeight(secondsToStart: number): number {
  const s = Math.min(Math.max(secondsToStart, 0), MAX_PROVISION_LEAD_SECONDS);
  return 2 ** ((MAX_PROVISION_LEAD_SECONDS - s) / START_WEIGHT_DOUBLING_SECONDS);
}

export const DEFAULT_CONTROL_REGION_KEY = 'default';

/** The activity task queue of a control Region, e.g. `chime.us-east-1` (`chime.default`: the worker's Region). */
export function chimeTaskQueue(controlRegion: string | undefined): string {
  return `chime.${controlRegion ?? DEFAULT_CONTROL_REGION_KEY}`;
}

const TOKEN_ALPHABET = /[^-_a-zA-Z0-9]/g;

/**
 * ClientRequestToken for a meeting: stable across retries and crashes for the same webinar, meeting role and
 * generation, so CreateMeeting is idempotent; at most 64 characters of [-_a-zA-Z0-9].
 */
export function meetingRequestToken(
  webinarId: string,
  role: 'primary' | `replica-${number}`,
  generation: number,
): string {
  const suffix = `-g${generation}-${role}`;
  const head = webinarId.replace(TOKEN_ALPHABET, '_').slice(0, 64 - suffix.length);
  return `${head}${suffix}`;
}

// ---- Shared activity options (pure; workflow code proxies the Chime activities with these) ----

const RETRY_INITIAL_MS = 500;
const RETRY_BACKOFF = 2;
const RETRY_MAXIMUM_MS = 20_000;

/** Temporal owns every retry of a Chime call (the AWS client makes one attempt): see docs/activities.md. */
export const CHIME_RETRY_POLICY: RetryPolicy = {
  initialInterval: RETRY_INITIAL_MS,
  backoffCoefficient: RETRY_BACKOFF,
  maximumInterval: RETRY_MAXIMUM_MS,
  // No maximumAttempts: unlimited attempts, bounded by scheduleToCloseTimeout; non-retryable errors stop at once.
};

/**
 * The delay before retry `attempt + 1` of a failed Chime call that the service gave no Retry-After for: the
 * retry policy's exponential envelope with "equal jitter" (half fixed, half random). Temporal's own backoff has
 * no jitter, so calls throttled together would otherwise retry together, at every step, and throttle again.
 */
export function jitteredRetryDelayMs(attempt: number, random: () => number = Math.random): number {
  const step = Math.max(0, Math.floor(attempt) - 1);
  const ceiling = Math.min(RETRY_MAXIMUM_MS, RETRY_INITIAL_MS * RETRY_BACKOFF ** step);
  return Math.round(ceiling / 2 + (ceiling / 2) * Math.min(Math.max(random(), 0), 1));
}

export const CHIME_START_TO_CLOSE = '30s';
/** listAttendees reads every page in one attempt and heartbeats between pages. */
export const CHIME_PAGED_START_TO_CLOSE = '2m';
export const CHIME_PAGED_HEARTBEAT = '20s';
export const CHIME_SCHEDULE_TO_CLOSE = '10m';

export interface ChimeActivityOptionsExtra {
  /** The webinar whose calls these are: its fairness key (webinarFairnessKey). */
  webinarId?: string;
  /** The key's fairness weight (startWeight); unset: the server's default, 1. */
  fairnessWeight?: number;
  /** For listAttendees (many pages in one activity): longer start-to-close and a heartbeat timeout. */
  paged?: boolean;
  /** Overall bound on the retries, default 10 minutes (an operator action may want less). */
  scheduleToCloseTimeout?: Duration;
}

/**
 * Options for `proxyActivities<ChimeActivities>()`: the task queue of the control Region (whose server-side
 * rate limit is the API budget), the class's priority, the webinar's fairness key, timeouts and the retry policy.
 */
export function chimeActivityOptions(
  callClass: CallClass,
  controlRegion?: string,
  extra: ChimeActivityOptionsExtra = {},
): ActivityOptions {
  return {
    taskQueue: chimeTaskQueue(controlRegion),
    priority: {
      priorityKey: CALL_PRIORITY[callClass],
      ...(extra.webinarId !== undefined ? { fairnessKey: webinarFairnessKey(extra.webinarId) } : {}),
      ...(extra.fairnessWeight !== undefined ? { fairnessWeight: extra.fairnessWeight } : {}),
    },
    startToCloseTimeout: extra.paged ? CHIME_PAGED_START_TO_CLOSE : CHIME_START_TO_CLOSE,
    ...(extra.paged ? { heartbeatTimeout: CHIME_PAGED_HEARTBEAT } : {}),
    scheduleToCloseTimeout: extra.scheduleToCloseTimeout ?? CHIME_SCHEDULE_TO_CLOSE,
    retry: CHIME_RETRY_POLICY,
  };
}
