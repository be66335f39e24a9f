/**
 * The public shapes of the contract (../shared/contract.md): workflow input, operator actions, queries.
 * Pure types only; workflow code imports them.
 */
import type {
  AttendeeCapabilities,
  EngineTranscribeMedicalSettings,
  EngineTranscribeSettings,
  MeetingFeaturesConfiguration,
  Tag,
} from '@aws-sdk/client-chime-sdk-meetings';

export type AttendeeRole = 'host' | 'speaker' | 'viewer';

export interface AttendeeSpec {
  externalUserId: string;
  role: AttendeeRole;
  /** The attendee's own Region; viewers go to a replica in this Region when it is listed. */
  region?: string;
}

export type TranscriptionSettings = EngineTranscribeSettings | EngineTranscribeMedicalSettings;

export interface WebinarSpec {
  webinarId: string;
  title?: string;
  startAt: string;
  endAt: string;
  controlRegion?: string;
  primaryRegion: string;
  replicaRegions?: string[];
  attendees: AttendeeSpec[];
  transcription?: TranscriptionSettings;
  meetingFeatures?: MeetingFeaturesConfiguration;
  tags?: Tag[];
  tenantIds?: string[];
  provisionLeadSeconds?: number;
  /** Replicas the account may create per primary (the service quota; default 4, at most 40). */
  maxReplicas?: number;
  /** Seats the primary keeps free for promoting replica viewers (default 10; 0 keeps none). */
  promotionReserve?: number;
}

import type { WebinarPhase } from './phases';
export type { WebinarPhase };

export type { AttendeeCapabilities };

// ---- Operator actions (Update and Signal of the same name) ----
export interface SpeakerArgs {
  externalUserId: string;
}
export interface MuteAllExceptArgs {
  externalUserIds: string[];
}
export interface AddAttendeesArgs {
  attendees: AttendeeSpec[];
}
export interface RemoveAttendeeArgs {
  externalUserId: string;
}
export interface RescheduleArgs {
  startAt?: string;
  endAt?: string;
}
export type StartTranscriptionArgs = TranscriptionSettings;
export type StopTranscriptionArgs = Record<string, never>;
export interface EndWebinarArgs {
  reason?: string;
}

export interface OperatorActionResult {
  ok: true;
  /** What the action did, for the operator (no personal data beyond what they sent). */
  detail: string;
}

export interface RejectedAction {
  action: string;
  /** Why; as recorded (and carried by continue-as-new), attendees are named by roster position only. */
  reason: string;
  /** Workflow time (ISO-8601) when the signal was rejected. */
  at: string;
}

// ---- Queries ----
export interface MeetingRef {
  meetingId: string;
  region: string;
}

export interface ReplicaStatus extends MeetingRef {
  attendees: number;
}

/** Live attendance counts, from Chime's meeting events (domain/attendance.ts). */
export interface AttendanceCounts {
  /** Attendees connected now (to any meeting of the webinar). */
  connected: number;
  /** Attendees who joined at least once. */
  joined: number;
  /** Connections the service saw dropped (lost rather than closed), in all. */
  dropped: number;
}

export interface WebinarStatus {
  webinarId: string;
  phase: WebinarPhase;
  startAt: string;
  endAt: string;
  generation: number;
  primary: MeetingRef | null;
  replicas: ReplicaStatus[];
  attendees: { requested: number; registered: number; failed: number };
  /** The hosts and speakers of the roster (promoted viewers are not counted here; they are in `speakers`). */
  presenters: { requested: number; registered: number; failed: number };
  /**
   * The webinar can start: its primary meeting exists and every host and speaker is registered in it. Their
   * registration is provisioning's first step, at the critical call priority, ahead of replicas and viewers.
   */
  presentersReady: boolean;
  speakers: string[];
  transcription: 'OFF' | 'ON';
  rejected: RejectedAction[];
  lastError?: string;
  /** Only after a teardown whose DeleteMeeting calls failed (phase TEARDOWN_FAILED): what may be left. */
  teardownFailure?: TeardownFailureStatus;
  /** From Chime's meeting events, when they reach the webinar (domain/attendance.ts); zeros otherwise. */
  attendance: AttendanceCounts;
}

export interface TeardownFailureStatus {
  /** The teardown's error; the webinar's own error, if any, stays in lastError. */
  error: string;
  attempts: number;
  /** Workflow time (ISO-8601) of the last failed attempt. */
  at: string;
  /** Meetings that may still exist in the service. */
  meetingsLeft: MeetingRef[];
}

export interface AttendeeQueryArgs {
  externalUserId: string;
}

export interface AttendeeLocation {
  meetingId: string;
  attendeeId: string;
  region: string;
  role: AttendeeRole;
}
