/**
 * The webinar's state: one serializable object, which is also the continue-as-new payload. Everything a new run
 * needs is here and nowhere else; `status` and `attendee` are views computed from it (views.ts).
 */
import type { RejectedAction, TranscriptionSettings } from '../domain/types';
import type { WebinarPhase } from '../domain/phases';
import type { NormalizedWebinarSpec } from '../domain/validation/spec';
import { Attendance, type PackedAttendance } from './attendance';
import { Roster, type MeetingKey, type PackedRoster } from './roster';

export interface MeetingState {
  key: MeetingKey;
  meetingId: string;
  region: string;
  meetingArn?: string;
}

/** A teardown whose DeleteMeeting calls failed past their schedule-to-close. */
export interface TeardownFailure {
  /** The teardown's own error (the webinar's original error stays in `lastError`). */
  error: string;
  attempts: number;
  /** The phase the webinar takes once a retried teardown succeeds. */
  finalPhase: 'ENDED' | 'FAILED' | 'CANCELLED';
  /** Workflow time (ISO-8601) of the last failed attempt. */
  at: string;
}

export interface WebinarState {
  phase: WebinarPhase;
  generation: number;
  startAt: string;
  endAt: string;
  /** This generation's meetings, in creation order (the primary first). */
  meetings: MeetingState[];
  /** Workflow time (ms) the meetings were created or last checked; the next check is one interval after it. */
  meetingsCheckedAt: number;
  roster: Roster;
  /** Who joined and left, from Chime's meeting events (attendance.ts). */
  attendance: Attendance;
  transcription: 'ON' | 'OFF';
  transcriptionSettings?: TranscriptionSettings;
  /** Rejections of signals, newest last; reasons name attendees by roster position only. */
  rejected: RejectedAction[];
  lastError?: string;
  endReason?: string;
  teardownFailure?: TeardownFailure;
}

/**
 * The state as continue-as-new carries it (the roster packed, without its removed attendees; `rejected` is
 * bounded by MAX_REJECTIONS_KEPT). Runs started by older code hand over the same shape without the fields added
 * since, which are optional, and a roster with its removed attendees.
 */
export type CarriedState = Omit<WebinarState, 'roster' | 'attendance'> & {
  roster: PackedRoster;
  attendance?: PackedAttendance;
};

export function initialState(spec: NormalizedWebinarSpec): WebinarState {
  return {
    phase: 'SCHEDULED',
    generation: 1,
    startAt: spec.startAt,
    endAt: spec.endAt,
    meetings: [],
    meetingsCheckedAt: 0,
    roster: Roster.fromSpecs(spec.attendees),
    attendance: new Attendance(),
    transcription: 'OFF',
    transcriptionSettings: spec.transcription,
    rejected: [],
  };
}

export function restoreState(carried: CarriedState): WebinarState {
  const roster = Roster.decode(carried.roster);
  const ids = roster.idsByPosition();
  return {
    ...carried,
    meetings: [...carried.meetings],
    roster,
    attendance: Attendance.decode(carried.attendance, (position) => ids.get(position)),
  };
}

export function carryState(state: WebinarState): CarriedState {
  const { roster, attendance } = state;
  const { attendance: _, ...rest } = state;
  return {
    ...rest,
    roster: roster.encode(),
    // A webinar that never received a meeting event carries nothing for it.
    ...(attendance.received ? { attendance: attendance.encode((id) => roster.position(id)) } : {}),
  };
}

// ---- meetings (a list, so the state stays plain JSON; order is creation order, as the service saw it)

export function meetingOf(state: WebinarState, key: MeetingKey): MeetingState | undefined {
  return state.meetings.find((m) => m.key === key);
}

export function putMeeting(state: WebinarState, meeting: MeetingState): void {
  const at = state.meetings.findIndex((m) => m.key === meeting.key);
  if (at >= 0) state.meetings[at] = meeting;
  else state.meetings.push(meeting);
}

export function dropMeeting(state: WebinarState, key: MeetingKey): void {
  state.meetings = state.meetings.filter((m) => m.key !== key);
}
