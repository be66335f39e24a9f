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
}

export type WebinarPhase =
  'SCHEDULED' | 'PROVISIONING' | 'READY' | 'LIVE' | 'TEARING_DOWN' | 'ENDED' | 'FAILED' | 'CANCELLED';

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

export interface WebinarStatus {
  webinarId: string;
  phase: WebinarPhase;
  startAt: string;
  endAt: string;
  generation: number;
  primary: MeetingRef | null;
  replicas: ReplicaStatus[];
  attendees: { requested: number; registered: number; failed: number };
  speakers: string[];
  transcription: 'OFF' | 'ON';
  rejected: RejectedAction[];
  lastError?: string;
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
