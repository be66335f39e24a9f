/**
 * Attendance: who came, from Chime's meeting events (domain/meeting-events.ts). The webinar workflow keeps
 * one record per roster attendee, whatever the number of events; live counts go into `status` and the status
 * memo, the totals into the workflow's result, and the per-attendee records into the store at the end (the
 * `storeAttendance` activity), where `report <webinarId>` reads them. Pure types and rules.
 */
import type { AttendanceCounts, AttendeeRole } from './types';

/** Live counts: in `status().attendance`, the status memo and the result (declared with the status). */
export type { AttendanceCounts };

/** The webinar's attendance when it ended: the workflow's result carries this, never the records. */
export interface AttendanceTotals extends AttendanceCounts {
  /** Attendees on the roster at the end. */
  invited: number;
  /** Time connected, summed over every attendee, in seconds. */
  connectedSeconds: number;
  /** Events applied, and dropped as duplicates, stale (older than what was known) or invalid. */
  events: { applied: number; duplicate: number; stale: number; invalid: number };
  /** Records written to the store by `storeAttendance` (0 when the worker has no store). */
  stored: number;
}

/** One attendee's attendance: a row of the report. Times are ISO-8601, service time. */
export interface AttendanceRecord {
  externalUserId: string;
  role: AttendeeRole;
  /** Null: never joined. */
  firstJoinAt: string | null;
  /** Null: never left (still connected when its meeting ended counts as leaving then). */
  lastLeaveAt: string | null;
  /** Time connected to any meeting of the webinar, in whole seconds (overlapping connections count once). */
  connectedSeconds: number;
  /** Connections opened. */
  joins: number;
  /** Connections dropped. */
  drops: number;
}

/** A record's fields, in the report's column order: what the activity checks and the CSV writes. */
export const ATTENDANCE_RECORD_FIELDS = [
  'externalUserId',
  'role',
  'firstJoinAt',
  'lastLeaveAt',
  'connectedSeconds',
  'joins',
  'drops',
] as const satisfies readonly (keyof AttendanceRecord)[];

/** Records per `storeAttendance` call: a call's input stays near 150 KB, far under Temporal's limits. */
export const ATTENDANCE_RECORDS_PER_CALL = 1_000;

export interface StoreAttendanceInput {
  webinarId: string;
  /** The webinar's generation of meetings at the end, recorded with the rows. */
  generation: number;
  records: AttendanceRecord[];
}

/** The activity the webinar workflow writes its records with (on the webinar task queue). */
export interface AttendanceActivities {
  /** Upserts the records (by webinar and externalUserId); returns how many were written, 0 without a store. */
  storeAttendance(input: StoreAttendanceInput): Promise<number>;
}

/**
 * Where the records are kept: the credential store's database (activities/credentials/), the `attendance` table.
 * The CredentialStore seam extends this one, so whatever keeps a worker's credentials keeps its attendance.
 */
export interface AttendanceStore {
  /** Upserts in one statement (a record written again replaces the row); returns the rows written. */
  putAttendance(input: StoreAttendanceInput): Promise<number>;
  /** Every record of one webinar, by externalUserId; empty when none was written. */
  readAttendance(webinarId: string): Promise<AttendanceRecord[]>;
}
