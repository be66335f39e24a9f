/** What the attendance benchmark reads from a webinar's history: its Signals and its calls after a moment. */
import type { temporal } from '@temporalio/proto';

type Event = temporal.api.history.v1.IHistoryEvent;

const timeOf = (e: Event): number =>
  Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);

export interface SignalFacts {
  /** meetingEvents Signals received. */
  signals: number;
  /** The shortest time between two of them, ms (Infinity with fewer than two). */
  closestMs: number;
}

export function meetingEventSignals(events: Event[], sinceMs = 0): SignalFacts {
  const times = events
    .filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'meetingEvents')
    .map(timeOf)
    .filter((t) => t >= sinceMs);
  let closestMs = Number.POSITIVE_INFINITY;
  for (let i = 1; i < times.length; i++)
    closestMs = Math.min(closestMs, (times[i] ?? 0) - (times[i - 1] ?? 0));
  return { signals: times.length, closestMs };
}

const RE_PROVISIONING = new Set(['deleteMeeting', 'createMeeting', 'createMeetingWithAttendees']);

/** When the first teardown or re-provisioning call after `afterMs` was scheduled (server time), if any. */
export function firstReprovisioningCallAfter(events: Event[], afterMs: number): number | undefined {
  for (const e of events) {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    if (name && RE_PROVISIONING.has(name) && timeOf(e) >= afterMs) return timeOf(e);
  }
  return undefined;
}
