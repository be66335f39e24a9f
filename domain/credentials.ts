/**
 * The credential store's seam: what the Chime activities write when the service returns an attendee (its
 * JoinToken included) and what a join answer is built from. It lives outside Temporal, so no token reaches
 * workflow history; the implementation is activities/credentials/. Pure types and rules.
 */
import type { Attendee, AttendeeCapabilities, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import type { AttendanceStore } from './attendance';

/** One attendee's join information, in the Chime API's own shapes (what amazon-chime-sdk-js is built from). */
export interface JoinCredentials {
  meeting: Meeting;
  attendee: Attendee;
}

/** One webinar's rows as read at one moment: answers without another query. */
export interface WebinarCredentials {
  rows: number;
  /** What `getAll` answered for this attendee at that moment. */
  getAll(externalUserId: string): JoinCredentials[];
}

/** The attendees of a meeting that a capability update reached. */
export type CapabilityTarget = { attendeeId: string } | { allExcept: readonly string[] };

/** The store also keeps the webinars' attendance (domain/attendance.ts): one database, one set of keys. */
export interface CredentialStore extends AttendanceStore {
  /** Stores a meeting as CreateMeeting returned it (upsert), before any of its attendees. */
  putMeeting(webinarId: string, meeting: Meeting): Promise<void>;
  /**
   * Stores attendees of a stored meeting (upsert by webinar, externalUserId and meeting). Returns how many rows
   * were written: 0 when the meeting is not stored (deleted meanwhile, or created before the store existed).
   */
  putAttendees(webinarId: string, meetingId: string, attendees: Attendee[]): Promise<number>;
  /** One attendee's credentials in one meeting, or undefined. */
  get(webinarId: string, externalUserId: string, meetingId: string): Promise<JoinCredentials | undefined>;
  /** Every meeting's credentials of one attendee (a promoted replica viewer has two). */
  getAll(webinarId: string, externalUserId: string): Promise<JoinCredentials[]>;
  /**
   * Records capabilities that an update gave attendees after creation (UpdateAttendeeCapabilities, or
   * BatchUpdateAttendeeCapabilitiesExcept for every stored attendee of the meeting but the excepted); a read
   * answers them instead of those the Attendee was created with. Returns the rows updated.
   */
  setCapabilities(
    meetingId: string,
    attendees: CapabilityTarget,
    capabilities: AttendeeCapabilities,
  ): Promise<number>;
  /**
   * A value that changes whenever the webinar's attendee rows do (a write, an update, a deletion): what a
   * reader of snapshots checks before it trusts the one it holds.
   */
  webinarVersion(webinarId: string): Promise<string>;
  /** Every row of one webinar, read at once and opened on demand. */
  readWebinar(webinarId: string): Promise<WebinarCredentials>;
  /** Deletes one attendee's row (DeleteAttendee); returns the rows deleted. */
  deleteAttendee(meetingId: string, attendeeId: string): Promise<number>;
  /** Deletes a meeting, its replicas (they go with a primary) and every attendee row of them. */
  deleteMeeting(meetingId: string): Promise<number>;
  close(): Promise<void>;
}

const WEBINAR_WORKFLOW_PREFIX = 'webinar-';

/**
 * The webinar a workflow ID names (the contract's `webinar-<webinarId>`); any other workflow ID stands for
 * itself. Activities learn their webinar this way, so their inputs (and the workflow's commands) stay as they are.
 */
export function webinarIdOfWorkflow(workflowId: string): string {
  return workflowId.startsWith(WEBINAR_WORKFLOW_PREFIX) && workflowId.length > WEBINAR_WORKFLOW_PREFIX.length
    ? workflowId.slice(WEBINAR_WORKFLOW_PREFIX.length)
    : workflowId;
}

/** A key of the payload keys (PAYLOAD_ENCRYPTION_KEYS): its ID and 32 bytes of material. */
export interface StoreKey {
  id: string;
  key: Uint8Array;
}
