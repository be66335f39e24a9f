/**
 * The storeAttendance activity: it writes what it is given through the store and returns the count; input that
 * is not a chunk of records fails for good, naming each bad field; without a store it keeps nothing; a store
 * failure is retryable and says nothing of the driver's text.
 */
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  ATTENDANCE_INPUT_FAILURE_TYPE,
  createAttendanceActivities,
  type AttendanceActivityDeps,
} from '../../activities';
import { STORE_FAILURE_TYPE } from '../../activities/credentials/writes';
import {
  ATTENDANCE_RECORDS_PER_CALL,
  type AttendanceRecord,
  type AttendanceStore,
  type StoreAttendanceInput,
} from '../../domain/attendance';
import { attendanceRecord } from '../support/attendance-store-cases';

class MemoryStore implements AttendanceStore {
  readonly calls: StoreAttendanceInput[] = [];
  async putAttendance(input: StoreAttendanceInput): Promise<number> {
    this.calls.push(input);
    return input.records.length;
  }
  async readAttendance(): Promise<AttendanceRecord[]> {
    return [];
  }
}

const input = (fields: Partial<StoreAttendanceInput> = {}): StoreAttendanceInput => ({
  webinarId: 'w42',
  generation: 1,
  records: [attendanceRecord('alice@example.com', { role: 'host' }), attendanceRecord('Doe, "JD"')],
  ...fields,
});

/** The failure a call ends with (it must fail). */
async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const err: unknown = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const env = new MockActivityEnvironment();

/** Runs storeAttendance of activities built with `deps` as a worker would. */
function storeAttendance(input: StoreAttendanceInput, deps: AttendanceActivityDeps = {}): Promise<number> {
  const activities = createAttendanceActivities(deps);
  return env.run((i: StoreAttendanceInput) => activities.storeAttendance(i), input);
}

it('writes the records through the store and returns how many it wrote', async () => {
  const store = new MemoryStore();
  expect(await storeAttendance(input(), { store })).toBe(2);
  expect(store.calls).toEqual([input()]);
  const full = input({
    records: Array.from({ length: ATTENDANCE_RECORDS_PER_CALL }, (_, i) => attendanceRecord(`v-${i}`)),
  });
  expect(await storeAttendance(full, { store })).toBe(ATTENDANCE_RECORDS_PER_CALL);
});

it('returns 0 without a store, or for no records, and writes nothing', async () => {
  expect(await storeAttendance(input())).toBe(0);
  const store = new MemoryStore();
  expect(await storeAttendance(input({ records: [] }), { store })).toBe(0);
  expect(store.calls).toEqual([]);
});

it.each<[string, unknown, RegExp]>([
  ['no object', 'w42', /^Invalid storeAttendance input: input: must be an object/],
  ['a bad webinarId', input({ webinarId: 'w 42' }), /webinarId: has a character/],
  ['a fractional generation', { ...input(), generation: 1.5 }, /generation: must be a whole number/],
  [
    'too many records',
    input({
      records: Array.from({ length: ATTENDANCE_RECORDS_PER_CALL + 1 }, (_, i) => attendanceRecord(`v-${i}`)),
    }),
    /records: holds 1001 records; at most 1000 per call/,
  ],
  [
    'an unknown role',
    input({ records: [{ ...attendanceRecord('a1'), role: 'guest' as never }] }),
    /records\[0\]\.role: must be one of: host, speaker, viewer/,
  ],
  [
    'a time without a zone',
    input({ records: [attendanceRecord('a1', { firstJoinAt: '2030-05-01T15:00:00' })] }),
    /records\[0\]\.firstJoinAt: '2030-05-01T15:00:00' has no timezone/,
  ],
  [
    'a missing lastLeaveAt',
    input({ records: [{ ...attendanceRecord('a1'), lastLeaveAt: undefined as never }] }),
    /records\[0\]\.lastLeaveAt: is required \(null: none\)/,
  ],
  [
    'negative seconds',
    input({ records: [attendanceRecord('a1', { connectedSeconds: -1 })] }),
    /records\[0\]\.connectedSeconds: must be a whole number from 0/,
  ],
  [
    'fractional seconds',
    input({ records: [attendanceRecord('a1', { connectedSeconds: 1.5 })] }),
    /records\[0\]\.connectedSeconds: must be a whole number/,
  ],
  [
    'a string count',
    input({ records: [{ ...attendanceRecord('a1'), drops: '1' as never }] }),
    /records\[0\]\.drops: must be a number/,
  ],
  [
    'an unknown field',
    input({ records: [{ ...attendanceRecord('a1'), email: 'x' } as AttendanceRecord] }),
    /records\[0\]\.email: unknown field/,
  ],
  [
    'a duplicate attendee',
    input({ records: [attendanceRecord('a1'), attendanceRecord('a1')] }),
    /records\[1\]\.externalUserId: duplicates records\[0\]\.externalUserId/,
  ],
])('fails for good on %s, naming the field', async (_, bad, message) => {
  const store = new MemoryStore();
  const failure = await failureOf(storeAttendance(bad as StoreAttendanceInput, { store }));
  expect(failure.type).toBe(ATTENDANCE_INPUT_FAILURE_TYPE);
  expect(failure.nonRetryable).toBe(true);
  expect(failure.message).toMatch(message);
  expect(store.calls).toEqual([]);
});

it('never echoes an externalUserId it refuses', async () => {
  const secret = `aws:${'x'.repeat(10)}-private`;
  const failure = await failureOf(storeAttendance(input({ records: [attendanceRecord(secret)] })));
  expect(failure.message).toMatch(/records\[0\]\.externalUserId: must not start with 'aws:'/);
  expect(JSON.stringify([failure.message, failure.details])).not.toContain(secret);
});

it('fails retryably when the store does, without the driver text', async () => {
  const store = new MemoryStore();
  store.putAttendance = () =>
    Promise.reject(
      Object.assign(new Error('password authentication failed for user "x"'), { code: '28P01' }),
    );
  const failure = await failureOf(storeAttendance(input(), { store }));
  expect(failure.type).toBe(STORE_FAILURE_TYPE);
  expect(failure.nonRetryable).toBe(false);
  expect(failure.message).toBe('attendance store: storing attendance failed (28P01)');
});
