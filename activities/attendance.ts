/**
 * The attendance activity (domain/attendance.ts): the webinar workflow writes its per-attendee records with it at
 * the end, in chunks, on its own task queue (the webinar worker registers it). Bad input fails it for good, with
 * every bad field named (a retry would send the same input); a store failure fails it retryably, with a fixed
 * message (a driver's error text never reaches history), as the credential writes do.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AttendanceActivities, AttendanceStore } from '../domain/attendance';
import { summarizeFieldErrors } from '../domain/validation/fields';
import { checkStoreAttendanceInput } from '../domain/validation/attendance';
import { STORE_FAILURE_TYPE } from './credentials/writes';

export const ATTENDANCE_INPUT_FAILURE_TYPE = 'InvalidAttendanceInput';

export interface AttendanceActivityDeps {
  /** Unset: nothing is kept, and every call returns 0. */
  store?: AttendanceStore;
}

function logWarning(message: string, attributes: Record<string, unknown>): void {
  try {
    Context.current().log.warn(message, attributes);
  } catch {
    // Called outside an activity (a unit test): nothing to log to.
  }
}

export function createAttendanceActivities(deps: AttendanceActivityDeps = {}): AttendanceActivities {
  return {
    async storeAttendance(input) {
      const checked = checkStoreAttendanceInput(input);
      if (!checked.ok) {
        throw ApplicationFailure.create({
          type: ATTENDANCE_INPUT_FAILURE_TYPE,
          nonRetryable: true,
          message: summarizeFieldErrors(checked.errors, 'storeAttendance input'),
          details: [checked.errors],
        });
      }
      const { store } = deps;
      if (!store || checked.value.records.length === 0) return 0;
      try {
        return await store.putAttendance(checked.value);
      } catch (err) {
        const kind = err instanceof Error ? ((err as { code?: string }).code ?? err.name) : 'unknown';
        logWarning('attendance store: storing attendance failed', { errorKind: kind });
        throw ApplicationFailure.create({
          message: `attendance store: storing attendance failed (${kind})`,
          type: STORE_FAILURE_TYPE,
          nonRetryable: false,
        });
      }
    },
  };
}
