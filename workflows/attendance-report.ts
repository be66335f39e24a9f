/**
 * The attendance report at the end: the per-attendee records go to the store (`storeAttendance`, on the
 * webinar task queue) in chunks that keep every activity input small, and the workflow's result carries only
 * the totals. Written only when the webinar received meeting events: without them there is nothing to report.
 * A failure to store is logged and counted in the totals (`stored`), never the webinar's failure: its meetings
 * are already gone.
 */
import { CancellationScope, log, proxyActivities } from '@temporalio/workflow';
import {
  ATTENDANCE_RECORDS_PER_CALL,
  type AttendanceActivities,
  type AttendanceTotals,
} from '../domain/attendance';
import type { Webinar } from './context';
import { errorMessage } from './last-error';

const { storeAttendance } = proxyActivities<AttendanceActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '10 seconds', maximumAttempts: 6 },
});

/** Stores the records (when there are any) and returns the totals, open connections counted up to now. */
export async function finishAttendance(w: Webinar): Promise<AttendanceTotals> {
  const attendance = w.state.attendance;
  const now = Date.now();
  let stored = 0;
  // Only runs whose Signal handler applied events (the `meeting-events` change) have any.
  if (attendance.received) {
    const everyone = w.roster.active().map((e) => ({ externalUserId: e.externalUserId, role: e.role }));
    const rows = attendance.reportRows(everyone, now);
    await CancellationScope.nonCancellable(async () => {
      for (let i = 0; i < rows.length; i += ATTENDANCE_RECORDS_PER_CALL) {
        // A chunk that fails does not keep the next ones from the store.
        try {
          stored += await storeAttendance({
            webinarId: w.spec.webinarId,
            generation: w.state.generation,
            records: rows.slice(i, i + ATTENDANCE_RECORDS_PER_CALL),
          });
        } catch (err) {
          log.error('Attendance records not stored', {
            webinarId: w.spec.webinarId,
            from: i,
            records: Math.min(ATTENDANCE_RECORDS_PER_CALL, rows.length - i),
            error: errorMessage(err),
          });
        }
      }
    });
  }
  return attendance.totals(now, w.roster.counts().requested, stored);
}
