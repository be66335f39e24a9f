/**
 * The `storeAttendance` activity's input (domain/attendance.ts): one webinar's chunk of at most
 * ATTENDANCE_RECORDS_PER_CALL records, each field checked for its type and range. Only shapes are checked, not
 * how the fields relate: delivery of meeting events is best effort, so a record whose join was lost (a leave
 * without a first join) is still the best account there is, and is stored as it is.
 */
import {
  ATTENDANCE_RECORD_FIELDS,
  ATTENDANCE_RECORDS_PER_CALL,
  type StoreAttendanceInput,
} from '../attendance';
import type { AttendeeRole } from '../types';
import {
  checkArray,
  checkEnum,
  checkInteger,
  checkKnownKeys,
  Errors,
  isAbsent,
  requireObject,
  result,
  type Validated,
} from './fields';
import { checkExternalUserId, checkWebinarId } from './identifiers';
import { checkInstant } from './schedule';

const ROLES: readonly AttendeeRole[] = ['host', 'speaker', 'viewer'];
const INPUT_FIELDS = ['webinarId', 'generation', 'records'] as const;
const RECORD_FIELDS = ATTENDANCE_RECORD_FIELDS;
/** Bounds that only catch nonsense: a webinar lasts at most a day, its generations a little longer. */
const MAX_CONNECTED_SECONDS = 7 * 24 * 3600;
const MAX_CONNECTIONS = 1_000_000;
const MAX_GENERATION = 1_000_000;

function checkTime(value: unknown, path: string, errors: Errors): void {
  if (value !== null) checkInstant(value, path, errors);
}

function checkRecord(item: unknown, at: string, errors: Errors, seen: Map<string, number>, i: number): void {
  if (!requireObject(item, at, errors, 'an attendance record {externalUserId, role, firstJoinAt, ...}'))
    return;
  checkKnownKeys(item, RECORD_FIELDS, at, errors);
  if (isAbsent(item.externalUserId)) errors.add(`${at}.externalUserId`, 'is required');
  else if (checkExternalUserId(item.externalUserId, `${at}.externalUserId`, errors)) {
    const first = seen.get(item.externalUserId);
    if (first !== undefined)
      errors.add(`${at}.externalUserId`, `duplicates records[${first}].externalUserId; one record each`);
    else seen.set(item.externalUserId, i);
  }
  checkEnum(item.role, ROLES, `${at}.role`, errors);
  // Null is a value here (never joined, never left), so absent is not: the workflow always says which.
  for (const field of ['firstJoinAt', 'lastLeaveAt'] as const) {
    if (item[field] === undefined) errors.add(`${at}.${field}`, 'is required (null: none)');
    else checkTime(item[field], `${at}.${field}`, errors);
  }
  checkInteger(item.connectedSeconds, `${at}.connectedSeconds`, errors, 0, MAX_CONNECTED_SECONDS, 'seconds');
  checkInteger(item.joins, `${at}.joins`, errors, 0, MAX_CONNECTIONS, 'connections opened');
  checkInteger(item.drops, `${at}.drops`, errors, 0, MAX_CONNECTIONS, 'connections dropped');
}

export function checkStoreAttendanceInput(input: unknown): Validated<StoreAttendanceInput> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {webinarId, generation, records}'))
    return errors.failure();
  checkKnownKeys(input, INPUT_FIELDS, '', errors);
  if (isAbsent(input.webinarId)) errors.add('webinarId', 'is required');
  else checkWebinarId(input.webinarId, 'webinarId', errors);
  checkInteger(input.generation, 'generation', errors, 0, MAX_GENERATION, "the webinar's generation");
  const { records } = input;
  if (checkArray(records, 'records', errors, 'attendance records')) {
    if (records.length > ATTENDANCE_RECORDS_PER_CALL) {
      errors.add(
        'records',
        `holds ${records.length} records; at most ${ATTENDANCE_RECORDS_PER_CALL} per call (write them in chunks)`,
      );
    } else {
      const seen = new Map<string, number>();
      records.forEach((item, i) => checkRecord(item, `records[${i}]`, errors, seen, i));
    }
  }
  return result(errors, () => input as unknown as StoreAttendanceInput);
}
