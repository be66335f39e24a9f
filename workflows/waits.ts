/**
 * The webinar's waits for its deadlines (provisioning, start, end) with the meeting check beside them. The
 * deadline rules are workflows/deadlines.ts: a timer that fired means the deadline has come.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { Webinar } from './context';
import { watchHandOver } from './continuation';
import { deadlineFiredOnTime, startPeriodic } from './deadlines';
import { HEALTH_CHECK_INTERVAL_MS, primaryStillExists } from './generations';
import { primaryEndedByService } from './meeting-events';

export type Wake = 'deadline' | 'changed' | 'end' | 'continue' | 'primary-ended';

/**
 * Waits for a deadline, waking early when a message changes something ('changed'), when the webinar is ended
 * ('end') or when it is time to continue as new ('continue': continuation.ts says when). With `watchMeetings`, wakes
 * when the service ended the primary ('primary-ended': the caller provisions a new generation): at once when a
 * meeting event says so, otherwise at the latest at the meeting check every HEALTH_CHECK_INTERVAL_MS (events
 * are delivered on a best-effort basis).
 *
 * The deadline has come when its timer fired; the meeting check runs when its own timer fired. Neither is
 * decided by reading the clock, which may be stale (workflows/deadlines.ts says when), so no query, in any
 * timing, changes what the webinar does.
 */
export async function waitUntil(w: Webinar, deadline: () => number, watchMeetings: boolean): Promise<Wake> {
  const seen = w.local.wakes;
  let primaryEnded = false;
  const messaged = (): Exclude<Wake, 'deadline' | 'continue'> | undefined => {
    if (w.state.endReason !== undefined) return 'end';
    if (primaryEnded || (watchMeetings && primaryEndedByService(w))) return 'primary-ended';
    if (w.local.wakes !== seen) return 'changed';
    return undefined;
  };
  // Runs recorded before the hand-over waited for operators continued at the suggestion itself.
  const handOver = w.local.handOverWaitsForOperators ? watchHandOver(w) : undefined;
  const interruption = (): Exclude<Wake, 'deadline'> | undefined => {
    const handOverDue = handOver ? handOver.due() : workflowInfo().continueAsNewSuggested;
    return messaged() ?? (handOverDue ? 'continue' : undefined);
  };
  const before = interruption();
  if (before) {
    await handOver?.stop();
    return before;
  }
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
    await handOver?.stop();
    // An in-flight meeting check finishes first; its error, if any, is the webinar's.
    await watcher?.stop();
  }
  return fired ? 'deadline' : (interruption() ?? 'changed');
}
