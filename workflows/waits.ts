/**
 * The webinar's waits for its deadlines (provisioning, start, end) with the meeting check beside them. The
 * deadline rules are workflows/deadlines.ts: a timer that fired means the deadline has come.
 */
import { condition, patched, workflowInfo } from '@temporalio/workflow';
import type { Webinar } from './context';
import { deadlineFired, deadlineFiredOnTime, startPeriodic } from './deadlines';
import { HEALTH_CHECK_INTERVAL_MS, checkMeetings } from './generations';

/**
 * Patch: deadlines and meeting checks follow the timers that fired, not a clock read (workflows/deadlines.ts).
 * Runs that began before it keep the clock-read wait, so their histories replay.
 */
export const DEADLINES_FOLLOW_TIMERS = 'deadlines-follow-timers';
/**
 * Patch: a deadline's last timer is set FINAL_APPROACH_MS before it (deadlineFiredOnTime), so it fires on time.
 * Runs that began before it wait with one timer.
 */
export const DEADLINES_ON_TIME = 'deadlines-on-time';

export type Wake = 'deadline' | 'changed' | 'end' | 'continue';

/**
 * Waits for a deadline, waking early when a message changes something ('changed'), when the webinar is ended
 * ('end') or when history is long enough to continue as new ('continue'). With `watchMeetings`, checks the
 * primary meeting every HEALTH_CHECK_INTERVAL_MS on the way.
 *
 * The deadline has come when its timer fired; the meeting check runs when its own timer fired. Neither is
 * decided by reading the clock, which may be stale (workflows/deadlines.ts says when), so no query, in any
 * timing, changes what the webinar does.
 */
export async function waitUntil(w: Webinar, deadline: () => number, watchMeetings: boolean): Promise<Wake> {
  if (!patched(DEADLINES_FOLLOW_TIMERS)) return waitUntilByClock(w, deadline, watchMeetings);
  const onTime = patched(DEADLINES_ON_TIME);
  const seen = w.changes;
  const interruption = (): Exclude<Wake, 'deadline'> | undefined => {
    if (w.state.endReason !== undefined) return 'end';
    if (w.changes !== seen) return 'changed';
    if (workflowInfo().continueAsNewSuggested) return 'continue';
    return undefined;
  };
  const before = interruption();
  if (before) return before;
  const watcher = watchMeetings
    ? startPeriodic(
        () => w.lastHealthCheck + HEALTH_CHECK_INTERVAL_MS,
        () => checkMeetings(w),
      )
    : undefined;
  let fired: boolean;
  try {
    const wait = onTime ? deadlineFiredOnTime : deadlineFired;
    fired = await wait(deadline(), () => interruption() !== undefined || !!watcher?.failed());
  } finally {
    // An in-flight meeting check finishes first; its error, if any, is the webinar's.
    await watcher?.stop();
  }
  return fired ? 'deadline' : (interruption() ?? 'changed');
}

/** The wait of runs that began before DEADLINES_FOLLOW_TIMERS; kept so their histories replay. */
async function waitUntilByClock(w: Webinar, deadline: () => number, watchMeetings: boolean): Promise<Wake> {
  const seen = w.changes;
  for (;;) {
    if (w.state.endReason !== undefined) return 'end';
    if (w.changes !== seen) return 'changed';
    if (workflowInfo().continueAsNewSuggested) return 'continue';
    const now = Date.now();
    const remaining = deadline() - now;
    if (remaining <= 0) return 'deadline';
    const untilCheck = watchMeetings ? w.lastHealthCheck + HEALTH_CHECK_INTERVAL_MS - now : remaining;
    if (watchMeetings && untilCheck <= 0) {
      await checkMeetings(w);
      continue;
    }
    await condition(
      () => w.changes !== seen || w.state.endReason !== undefined || workflowInfo().continueAsNewSuggested,
      Math.min(remaining, untilCheck),
    );
  }
}
