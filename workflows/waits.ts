/**
 * The webinar's waits for its deadlines (provisioning, start, end) with the meeting check beside them. The
 * deadline rules are workflows/deadlines.ts: a timer that fired means the deadline has come.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { Webinar } from './context';
import { deadlineFiredOnTime, startPeriodic } from './deadlines';
import { HEALTH_CHECK_INTERVAL_MS, primaryStillExists } from './generations';

export type Wake = 'deadline' | 'changed' | 'end' | 'continue' | 'primary-ended';

/**
 * Waits for a deadline, waking early when a message changes something ('changed'), when the webinar is ended
 * ('end') or when history is long enough to continue as new ('continue'). With `watchMeetings`, checks the
 * primary meeting every HEALTH_CHECK_INTERVAL_MS on the way, and wakes when the service ended it
 * ('primary-ended': the caller provisions a new generation).
 *
 * The deadline has come when its timer fired; the meeting check runs when its own timer fired. Neither is
 * decided by reading the clock, which may be stale (workflows/deadlines.ts says when), so no query, in any
 * timing, changes what the webinar does.
 */
export async function waitUntil(w: Webinar, deadline: () => number, watchMeetings: boolean): Promise<Wake> {
  const seen = w.local.wakes;
  let primaryEnded = false;
  const interruption = (): Exclude<Wake, 'deadline'> | undefined => {
    if (w.state.endReason !== undefined) return 'end';
    if (primaryEnded) return 'primary-ended';
    if (w.local.wakes !== seen) return 'changed';
    if (workflowInfo().continueAsNewSuggested) return 'continue';
    return undefined;
  };
  const before = interruption();
  if (before) return before;
  const watcher = watchMeetings
    ? startPeriodic(
        () => w.state.meetingsCheckedAt + HEALTH_CHECK_INTERVAL_MS,
        async () => {
          if (!primaryEnded && !(await primaryStillExists(w))) primaryEnded = true;
        },
      )
    : undefined;
  let fired: boolean;
  try {
    fired = await deadlineFiredOnTime(deadline(), () => interruption() !== undefined || !!watcher?.failed());
  } finally {
    // An in-flight meeting check finishes first; its error, if any, is the webinar's.
    await watcher?.stop();
  }
  return fired ? 'deadline' : (interruption() ?? 'changed');
}
