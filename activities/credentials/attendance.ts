/**
 * Attendance on the credential store's database (the `attendance` table, migration 3): one row per webinar and
 * attendee. As for the credential rows, the externalUserId is never stored in the clear: the row is found by
 * the lookup hash (sealing.ts) and the ID itself is sealed, bound to its webinar and lookup, because the
 * report must list who came. The counts and times stay in the clear: without the ID they name no one, and SQL
 * can sum and prune them (retention: docs/meeting-events.md).
 */
import {
  ATTENDANCE_RECORDS_PER_CALL,
  type AttendanceRecord,
  type StoreAttendanceInput,
} from '../../domain/attendance';
import type { KeyRing } from './sealing';
import type { Sql } from './sql';

interface Row {
  user_lookup: string;
  key_id: string;
  sealed_user: Uint8Array;
  role: AttendanceRecord['role'];
  first_join_at: Date | string | null;
  last_leave_at: Date | string | null;
  connected_seconds: number;
  joins: number;
  drops: number;
}

/** The statement's own parameters ($1 webinar, $2 generation, $3 stale lookups) come before the rows'. */
const SHARED_PARAMETERS = 3;
const COLUMNS_PER_RECORD = 9;

const hex = (b: Buffer): string => b.toString('hex');

/** Upserts the records in one statement; returns the rows written. */
export async function putAttendance(sql: Sql, ring: KeyRing, input: StoreAttendanceInput): Promise<number> {
  const { webinarId, generation } = input;
  // One row per externalUserId (the last wins): one statement may not write a key twice.
  const byUser = new Map<string, AttendanceRecord>();
  for (const r of input.records) byUser.set(r.externalUserId, r);
  if (byUser.size === 0) return 0;
  // A chunk: its parameters stay far below PostgreSQL's 65,535 per statement.
  if (byUser.size > ATTENDANCE_RECORDS_PER_CALL) {
    throw new Error(
      `putAttendance takes at most ${ATTENDANCE_RECORDS_PER_CALL} records a call, got ${byUser.size}`,
    );
  }
  const stale: string[] = [];
  const values: unknown[] = [webinarId, generation, stale];
  const rows: string[] = [];
  for (const [externalUserId, r] of byUser) {
    const lookup = hex(ring.lookup(webinarId, externalUserId));
    // Rows written under an older key (another lookup value) go, so a rotated store keeps one row each.
    stale.push(
      ...ring
        .lookups(webinarId, externalUserId)
        .map(hex)
        .filter((l) => l !== lookup),
    );
    const sealed = ring.seal(Buffer.from(externalUserId, 'utf8'), ['attendance', webinarId, lookup]);
    const at = SHARED_PARAMETERS + rows.length * COLUMNS_PER_RECORD;
    const p = Array.from({ length: COLUMNS_PER_RECORD }, (_, i) => `$${at + i + 1}`);
    rows.push(`($1, $2, ${p.join(', ')})`);
    values.push(lookup, sealed.keyId, sealed.data, r.role, r.firstJoinAt, r.lastLeaveAt);
    values.push(r.connectedSeconds, r.joins, r.drops);
  }
  const out = await sql.query(
    `WITH stale AS (DELETE FROM attendance WHERE webinar_id = $1 AND user_lookup = ANY($3::text[]))
     INSERT INTO attendance (webinar_id, generation, user_lookup, key_id, sealed_user, role, first_join_at,
                             last_leave_at, connected_seconds, joins, drops)
     VALUES ${rows.join(', ')}
     ON CONFLICT (webinar_id, user_lookup) DO UPDATE
       SET generation = excluded.generation, key_id = excluded.key_id, sealed_user = excluded.sealed_user,
           role = excluded.role, first_join_at = excluded.first_join_at, last_leave_at = excluded.last_leave_at,
           connected_seconds = excluded.connected_seconds, joins = excluded.joins, drops = excluded.drops,
           written_at = now()`,
    values,
  );
  return out.count;
}

/** Every record of one webinar, by externalUserId (UTF-16 code units: the same order on every engine). */
export async function readAttendance(
  sql: Sql,
  ring: KeyRing,
  webinarId: string,
): Promise<AttendanceRecord[]> {
  const { rows } = await sql.query<Row>(
    `SELECT user_lookup, key_id, sealed_user, role, first_join_at, last_leave_at, connected_seconds, joins, drops
     FROM attendance WHERE webinar_id = $1`,
    [webinarId],
  );
  const records = rows.map((r): AttendanceRecord => ({
    externalUserId: ring
      .open({ keyId: r.key_id, data: Buffer.from(r.sealed_user) }, ['attendance', webinarId, r.user_lookup])
      .toString('utf8'),
    role: r.role,
    firstJoinAt: iso(r.first_join_at),
    lastLeaveAt: iso(r.last_leave_at),
    connectedSeconds: Number(r.connected_seconds),
    joins: Number(r.joins),
    drops: Number(r.drops),
  }));
  return records.sort((a, b) =>
    a.externalUserId < b.externalUserId ? -1 : a.externalUserId > b.externalUserId ? 1 : 0,
  );
}

/** Drivers hand timestamptz back as a Date (pg, PGlite) or text: either way, ISO-8601 in UTC. */
function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}
