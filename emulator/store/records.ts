/** The records the store keeps for each meeting and attendee, and how the service writes them on the wire. */
import { randomBytes } from 'node:crypto';
import { regionCode, type Capabilities, type MeetingFeatures } from '../rules';

export type Input = Record<string, unknown>;

export interface AttendeeRecord {
  attendeeId: string;
  externalUserId: string;
  joinToken: string;
  capabilities: Capabilities;
  /** Creation order within the meeting: ListAttendees pages by it. */
  seq: number;
}

export interface MeetingRecord {
  meetingId: string;
  controlRegion: string;
  arn: string;
  mediaRegion: string;
  externalMeetingId: string;
  meetingHostId?: string;
  features?: MeetingFeatures;
  primaryMeetingId?: string;
  tenantIds?: string[];
  mediaPlacement: Record<string, string>;
  /** `${controlRegion}\n${ClientRequestToken}`: tokens are per control Region. */
  tokenKey: string;
  /** The creation parameters a token reuse must match. */
  fingerprint: string;
  createdAt: number;
  idleSince: number;
  attendees: Map<string, AttendeeRecord>;
  byExternalUserId: Map<string, AttendeeRecord>;
  connected: Set<string>;
  replicas: Set<string>;
  tags: Map<string, string>;
  transcription?: unknown;
  nextSeq: number;
  /** CreateMeeting's NotificationsConfiguration: events go to the SqsQueueArn's queue if this emulator has it. */
  notifications?: { SqsQueueArn?: string; SnsTopicArn?: string; LambdaFunctionArn?: string };
  /** Whether an attendee has connected yet: the first one starts the meeting (chime:MeetingStarted). */
  started: boolean;
}

/** MediaPlacement URLs in the service's shape (they point nowhere). */
export function mediaPlacement(meetingId: string, region: string): Record<string, string> {
  const code = regionCode(region);
  const cell = `m3.${code}.app.chime.aws`;
  return {
    AudioHostUrl: `${randomBytes(4).toString('hex')}.k.${cell}:3478`,
    AudioFallbackUrl: `wss://haxrp.${cell}:443/calls/${meetingId}`,
    SignalingUrl: `wss://signal.${cell}/control/${meetingId}`,
    TurnControlUrl: `https://2713.cell.${region}.meetings.chime.aws/v2/turn_sessions`,
    ScreenDataUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
    ScreenViewingUrl: `wss://bitpw.${cell}:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=${meetingId}`,
    ScreenSharingUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
    EventIngestionUrl: `https://data.svc.${code}.ingest.chime.aws/v1/client-events`,
  };
}

export function attendeeOut(a: AttendeeRecord): Input {
  return {
    ExternalUserId: a.externalUserId,
    AttendeeId: a.attendeeId,
    JoinToken: a.joinToken,
    Capabilities: { ...a.capabilities },
  };
}

export function meetingOut(m: MeetingRecord): Input {
  return {
    MeetingId: m.meetingId,
    MeetingHostId: m.meetingHostId,
    ExternalMeetingId: m.externalMeetingId,
    MediaRegion: m.mediaRegion,
    MediaPlacement: m.mediaPlacement,
    MeetingFeatures: m.features,
    PrimaryMeetingId: m.primaryMeetingId,
    TenantIds: m.tenantIds,
    MeetingArn: m.arn,
  };
}
