/**
 * The queries: `status` and `attendee`, computed from the state object. A query never changes the state.
 */
import type { AttendeeLocation, AttendeeQueryArgs, WebinarSpec, WebinarStatus } from '../domain/types';
import type { Webinar } from './context';
import { meetingOf } from './state';

export function statusView(w: Webinar): WebinarStatus {
  const { state, roster } = w;
  const primary = w.primary();
  const failure = state.teardownFailure;
  const presenters = roster.counts('presenters');
  return {
    webinarId: w.spec.webinarId,
    phase: state.phase,
    startAt: state.startAt,
    endAt: state.endAt,
    generation: state.generation,
    primary: primary ? { meetingId: primary.meetingId, region: primary.region } : null,
    replicas: state.meetings
      .filter((m) => m.key !== 'primary')
      .map((m) => ({ meetingId: m.meetingId, region: m.region, attendees: roster.seatsTaken(m.key) })),
    attendees: roster.counts(),
    presenters,
    presentersReady: primary !== undefined && presenters.registered === presenters.requested,
    speakers: roster.speakers(),
    transcription: state.transcription,
    // Queries are not written to history: the caller sees the reason as it was given.
    rejected: state.rejected.map((r) => ({ ...r, reason: w.local.plainReasons.get(r) ?? r.reason })),
    attendance: state.attendance.counts(),
    ...(state.lastError !== undefined ? { lastError: state.lastError } : {}),
    ...(failure
      ? {
          teardownFailure: {
            error: failure.error,
            attempts: failure.attempts,
            at: failure.at,
            meetingsLeft: state.meetings.map((m) => ({ meetingId: m.meetingId, region: m.region })),
          },
        }
      : {}),
  };
}

export function attendeeView(w: Webinar, { externalUserId }: AttendeeQueryArgs): AttendeeLocation {
  const entry = w.roster.get(externalUserId);
  if (!entry || entry.state === 'removed') throw new Error(`No attendee ${externalUserId} in this webinar`);
  const primary = w.primary();
  if (entry.promotedAttendeeId && primary) {
    return {
      meetingId: primary.meetingId,
      attendeeId: entry.promotedAttendeeId,
      region: primary.region,
      role: entry.role,
    };
  }
  const meeting = entry.meeting ? meetingOf(w.state, entry.meeting) : undefined;
  if (entry.state !== 'registered' || !entry.attendeeId || !meeting) {
    throw new Error(
      `Attendee ${externalUserId} is not registered yet (${entry.state}${entry.error ? `: ${entry.error}` : ''})`,
    );
  }
  return {
    meetingId: meeting.meetingId,
    attendeeId: entry.attendeeId,
    region: meeting.region,
    role: entry.role,
  };
}

/** The status of a run whose input failed validation: FAILED from the start, with the reason. */
export function invalidInputStatus(input: unknown, lastError: string): WebinarStatus {
  const given = (typeof input === 'object' && input !== null ? input : {}) as Partial<
    Record<keyof WebinarSpec, unknown>
  >;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    webinarId: text(given.webinarId),
    phase: 'FAILED',
    startAt: text(given.startAt),
    endAt: text(given.endAt),
    generation: 1,
    primary: null,
    replicas: [],
    attendees: { requested: 0, registered: 0, failed: 0 },
    presenters: { requested: 0, registered: 0, failed: 0 },
    presentersReady: false,
    speakers: [],
    transcription: 'OFF',
    rejected: [],
    attendance: { connected: 0, joined: 0, dropped: 0 },
    lastError,
  };
}
