/**
 * The `meetingEvents` Signal: batches of Chime's meeting events from the events bridge. Attendee events update
 * attendance (attendance.ts); a meeting's end closes its connections, and the primary's end wakes the
 * lifecycle at once to provision a new generation (waits.ts), without waiting for the next meeting check.
 * The handler makes no Chime call and takes no lock: it only changes state, then publishes the status memo.
 */
import { log, setHandler } from '@temporalio/workflow';
import { readMeetingEventBatch, type MeetingEvent } from '../domain/meeting-events';
import type { Webinar } from './context';
import { meetingEventsSignal } from './definitions';
import { changeApplies } from './patches';
import { publishStatus } from './status-memo';
import type { MeetingState } from './state';

export function registerMeetingEventsHandler(w: Webinar): void {
  setHandler(meetingEventsSignal, (batch) => {
    // Runs recorded before the Signal was handled ignored it (and so published nothing for it).
    if (changeApplies('meeting-events')) applyMeetingEvents(w, batch);
  });
}

export function applyMeetingEvents(w: Webinar, input: unknown): void {
  const { events, invalid } = readMeetingEventBatch(input);
  const attendance = w.state.attendance;
  attendance.countInvalid(invalid);
  // Within a batch, in the order they happened (the source may deliver out of order).
  const ordered = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at - b.e.at || a.i - b.i);
  let changed = false;
  for (const { e } of ordered) {
    const meeting = w.state.meetings.find((m) => m.meetingId === e.meetingId);
    if (e.type === 'MeetingStarted') attendance.meetingEvent(e);
    else if (e.type === 'MeetingEnded') {
      if (attendance.meetingEvent(e) && meeting) {
        meetingEnded(w, meeting, e.at);
        changed = true;
      }
    } else changed = applyAttendeeEvent(w, meeting, e) || changed;
  }
  if (changed) publishStatus(w);
}

function applyAttendeeEvent(w: Webinar, meeting: MeetingState | undefined, e: MeetingEvent): boolean {
  const entry = e.externalUserId !== undefined ? w.roster.get(e.externalUserId) : undefined;
  // A removed attendee's leave still closes its connection; it cannot join again.
  const usable = entry && (entry.state !== 'removed' || e.type !== 'AttendeeJoined');
  const slot =
    !meeting || !entry
      ? undefined
      : meeting.key === entry.meeting
        ? 'seat'
        : meeting.key === 'primary'
          ? 'promoted'
          : undefined;
  if (!usable || !slot || !entry) {
    w.state.attendance.ignore(e);
    return false;
  }
  return w.state.attendance.apply(e, { externalUserId: entry.externalUserId, role: entry.role, slot });
}

/** The service ended a meeting: its connections close; the primary's end ends every meeting of the generation. */
function meetingEnded(w: Webinar, meeting: MeetingState, at: number): void {
  if (meeting.key === 'primary') {
    w.state.attendance.closeWhere(at, () => true);
    if (w.local.primaryEndedByService !== meeting.meetingId) {
      log.warn('Meeting event: the primary meeting ended', {
        webinarId: w.spec.webinarId,
        generation: w.state.generation,
      });
    }
    w.local.primaryEndedByService = meeting.meetingId;
    return;
  }
  w.state.attendance.closeWhere(
    at,
    (externalUserId, slot) => slot === 'seat' && w.roster.get(externalUserId)?.meeting === meeting.key,
  );
}

/** Whether a meeting event said the service ended this generation's primary. */
export function primaryEndedByService(w: Webinar): boolean {
  const primary = w.primary();
  return primary !== undefined && w.local.primaryEndedByService === primary.meetingId;
}
