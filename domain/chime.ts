/**
 * The seam between the webinar workflow and the Chime activities: the activity interface, the idempotency
 * tokens, and the retries and timeouts of every call. The queues, priorities and options that carry the API
 * budget are domain/budget/. Pure; workflow code imports it.
 */
import type {
  AttendeeCapabilities,
  MeetingFeaturesConfiguration,
  Tag,
  TranscriptionConfiguration,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { RetryPolicy } from '@temporalio/common';

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

// ---- Retries and timeouts of every Chime call (the budget's activity options use them: domain/budget/) ----

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
