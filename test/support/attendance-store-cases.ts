/**
 * The attendance rows of the credential store (activities/credentials/attendance.ts), written once and run on
 * each engine: PGlite in the default suite (test/store/attendance-store.test.ts), PostgreSQL in the cluster suite
 * (test/cluster/credential-store.cluster.ts).
 */
import { randomBytes } from 'node:crypto';
import {
  CredentialDecryptionError,
  KeyRing,
  MIGRATIONS,
  SqlCredentialStore,
  migrate,
  type Sql,
} from '../../activities/credentials';
import { ATTENDANCE_RECORDS_PER_CALL, type AttendanceRecord } from '../../domain/attendance';
import type { StoreKey } from '../../domain/credentials';

const key = (id: string): StoreKey => ({ id, key: randomBytes(32) });

export function attendanceRecord(
  externalUserId: string,
  fields: Partial<AttendanceRecord> = {},
): AttendanceRecord {
  return {
    externalUserId,
    role: 'viewer',
    firstJoinAt: '2030-05-01T15:00:05.000Z',
    lastLeaveAt: '2030-05-01T16:00:00.000Z',
    connectedSeconds: 3595,
    joins: 1,
    drops: 0,
    ...fields,
  };
}

/** Counts the statements sent through it. */
function counting(sql: Sql): { sql: Sql; statements: () => number } {
  let n = 0;
  return {
    sql: {
      ...sql,
      query: (text, params) => ((n += 1), sql.query(text, params)),
      exec: (text) => ((n += 1), sql.exec(text)),
      transaction: (fn) => sql.transaction(fn),
    },
    statements: () => n,
  };
}

async function attendanceRows(sql: Sql, webinarId: string): Promise<string> {
  const { rows } = await sql.query<{ row: string; sealed_user: Uint8Array }>(
    'SELECT row_to_json(t)::text AS row, sealed_user FROM attendance t WHERE webinar_id = $1',
    [webinarId],
  );
  return rows
    .flatMap((r) => [
      r.row,
      Buffer.from(r.sealed_user).toString('utf8'),
      Buffer.from(r.sealed_user).toString('latin1'),
    ])
    .join('\n');
}

/**
 * Defines the cases; `fresh` returns an empty, unmigrated database (closed by the cases). The cases share one,
 * each under webinar IDs of its own (a database costs seconds on PGlite), but for the migration's.
 */
export function attendanceStoreCases(fresh: () => Promise<Sql>): void {
  let sql: Sql;
  let store: SqlCredentialStore;
  const k1 = key('k1');
  let n = 0;
  let w1 = '';
  let w2 = '';

  beforeAll(async () => {
    sql = await fresh();
    store = await SqlCredentialStore.open(sql, new KeyRing([k1]));
  });
  beforeEach(() => {
    n += 1;
    [w1, w2] = [`w${n}-a`, `w${n}-b`];
  });
  afterAll(async () => {
    await sql?.close();
  });

  it('reads back what it wrote, by externalUserId, times as ISO-8601 in UTC', async () => {
    const records = [
      attendanceRecord('zoë@example.com', { role: 'host', drops: 2, joins: 3 }),
      attendanceRecord('Doe, "JD" John', { role: 'speaker' }),
      attendanceRecord('absent', { firstJoinAt: null, lastLeaveAt: null, connectedSeconds: 0, joins: 0 }),
      attendanceRecord('still-here', { lastLeaveAt: null, firstJoinAt: '2030-05-01T17:00:05+02:00' }),
    ];
    expect(await store.putAttendance({ webinarId: w1, generation: 2, records })).toBe(4);
    expect(await store.readAttendance(w1)).toEqual([
      records[1],
      records[2],
      { ...records[3], firstJoinAt: '2030-05-01T15:00:05.000Z' },
      records[0],
    ]);
    const { rows } = await sql.query<{ generation: number }>(
      'SELECT DISTINCT generation FROM attendance WHERE webinar_id = $1',
      [w1],
    );
    expect(rows.map((r) => Number(r.generation))).toEqual([2]);
  });

  it('overwrites a record written again, and keeps one row per attendee', async () => {
    await store.putAttendance({
      webinarId: w1,
      generation: 1,
      records: [attendanceRecord('a'), attendanceRecord('b')],
    });
    const again = attendanceRecord('a', { connectedSeconds: 4000, joins: 2, drops: 1, lastLeaveAt: null });
    expect(await store.putAttendance({ webinarId: w1, generation: 2, records: [again] })).toBe(1);
    expect(await store.readAttendance(w1)).toEqual([again, attendanceRecord('b')]);
    // Twice in one call: the last wins.
    const last = attendanceRecord('b', { role: 'host' });
    expect(
      await store.putAttendance({ webinarId: w1, generation: 2, records: [attendanceRecord('b'), last] }),
    ).toBe(1);
    expect(await store.readAttendance(w1)).toEqual([again, last]);
    const { rows } = await sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM attendance WHERE webinar_id = $1',
      [w1],
    );
    expect(Number(rows[0]?.n)).toBe(2);
  });

  it('keeps two webinars apart, and reads none for a webinar without rows', async () => {
    await store.putAttendance({ webinarId: w1, generation: 1, records: [attendanceRecord('a')] });
    await store.putAttendance({
      webinarId: w2,
      generation: 1,
      records: [attendanceRecord('a', { joins: 5 })],
    });
    expect(await store.readAttendance(w1)).toEqual([attendanceRecord('a')]);
    expect(await store.readAttendance(w2)).toEqual([attendanceRecord('a', { joins: 5 })]);
    expect(await store.readAttendance(`${w2}-none`)).toEqual([]);
    expect(await store.putAttendance({ webinarId: `${w2}-none`, generation: 1, records: [] })).toBe(0);
  });

  it(`writes a chunk of ${ATTENDANCE_RECORDS_PER_CALL} records in one statement, and refuses a larger one`, async () => {
    const counted = counting(sql);
    const one = await SqlCredentialStore.open(counted.sql, new KeyRing([k1]));
    const records = Array.from({ length: ATTENDANCE_RECORDS_PER_CALL }, (_, i) =>
      attendanceRecord(`viewer-${String(i).padStart(5, '0')}`, { connectedSeconds: i }),
    );
    const before = counted.statements();
    expect(await one.putAttendance({ webinarId: w1, generation: 1, records })).toBe(records.length);
    expect(counted.statements() - before).toBe(1);
    expect(await store.readAttendance(w1)).toEqual(records);
    await expect(
      store.putAttendance({
        webinarId: w2,
        generation: 1,
        records: [...records, attendanceRecord('one-more')],
      }),
    ).rejects.toThrow(
      `at most ${ATTENDANCE_RECORDS_PER_CALL} records a call, got ${ATTENDANCE_RECORDS_PER_CALL + 1}`,
    );
  });

  it('holds no externalUserId in the clear, and refuses a row moved to another attendee', async () => {
    const people = ['alice@example.com', 'bob-1234', 'Zoë Ünicode'];
    await store.putAttendance({
      webinarId: w1,
      generation: 1,
      records: people.map((p) => attendanceRecord(p)),
    });
    const raw = await attendanceRows(sql, w1);
    for (const p of people) expect(raw).not.toContain(p);
    expect(raw).toContain('3595');
    // Whoever can write the table copies one sealed ID onto another row: GCM refuses it.
    await sql.query(
      `UPDATE attendance SET sealed_user = (SELECT sealed_user FROM attendance WHERE webinar_id = $1 ORDER BY user_lookup LIMIT 1)
       WHERE webinar_id = $1`,
      [w1],
    );
    await expect(store.readAttendance(w1)).rejects.toThrow(CredentialDecryptionError);
  });

  it('reads rows sealed before a key rotation, and rewrites them under the new key as one row', async () => {
    await store.putAttendance({
      webinarId: w1,
      generation: 1,
      records: [attendanceRecord('a'), attendanceRecord('b')],
    });
    const rotated = await SqlCredentialStore.open(sql, new KeyRing([key('k2'), k1]));
    expect(await rotated.readAttendance(w1)).toEqual([attendanceRecord('a'), attendanceRecord('b')]);
    expect(
      await rotated.putAttendance({
        webinarId: w1,
        generation: 1,
        records: [attendanceRecord('a', { joins: 9 })],
      }),
    ).toBe(1);
    expect(await rotated.readAttendance(w1)).toEqual([
      attendanceRecord('a', { joins: 9 }),
      attendanceRecord('b'),
    ]);
    const { rows } = await sql.query<{ key_id: string }>(
      'SELECT key_id FROM attendance WHERE webinar_id = $1 ORDER BY key_id',
      [w1],
    );
    expect(rows.map((r) => r.key_id)).toEqual(['k1', 'k2']);
  });

  it('adds its table to a store the earlier migrations made, keeping the credential rows', async () => {
    const older = await fresh();
    try {
      const before = MIGRATIONS.filter((m) => m.name !== 'attendance');
      expect(await migrate(older, before)).toEqual(before.map((m) => m.version));
      await older.query(
        `INSERT INTO credential_meetings (meeting_id, webinar_id, key_id, sealed) VALUES ('m1', 'w1', 'k1', '\\x00')`,
      );
      const upgraded = await SqlCredentialStore.open(older, new KeyRing([k1]));
      const { rows } = await older.query<{ version: number }>(
        'SELECT version FROM credential_store_migrations ORDER BY version',
      );
      expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
      expect((await older.query('SELECT 1 FROM credential_meetings')).rows).toHaveLength(1);
      expect(
        await upgraded.putAttendance({ webinarId: 'w1', generation: 1, records: [attendanceRecord('a')] }),
      ).toBe(1);
      expect(await upgraded.readAttendance('w1')).toEqual([attendanceRecord('a')]);
    } finally {
      await older.close();
    }
  });
}
