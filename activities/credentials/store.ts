/**
 * The credential store on SQL (sql.ts: PostgreSQL or PGlite, the same queries). A meeting row holds the Meeting
 * as CreateMeeting returned it; an attendee row the Attendee (JoinToken included) and references its meeting,
 * so deleting a meeting deletes its attendees' rows with it (ON DELETE CASCADE), and an attendee is never
 * stored for a meeting that is not (an attendee written while its meeting was being deleted is refused).
 * Values are sealed (sealing.ts); webinar, meeting and attendee IDs are kept in the clear to find rows by.
 * The webinars' attendance lives in the same database, under the same keys (attendance.ts).
 */
import type { Attendee, AttendeeCapabilities, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import type { AttendanceRecord, StoreAttendanceInput } from '../../domain/attendance';
import type {
  CapabilityTarget,
  CredentialStore,
  JoinCredentials,
  WebinarCredentials,
} from '../../domain/credentials';
import { putAttendance, readAttendance } from './attendance';
import { migrate } from './migrations';
import type { KeyRing } from './sealing';
import type { Sql } from './sql';

interface Row {
  webinar_id: string;
  user_lookup: string;
  meeting_id: string;
  key_id: string;
  sealed: Uint8Array;
  meeting_key_id: string;
  meeting_sealed: Uint8Array;
  capabilities: AttendeeCapabilities | string | null;
}

const COLUMNS_PER_ATTENDEE = 6;

export class SqlCredentialStore implements CredentialStore {
  private constructor(
    private readonly sql: Sql,
    private readonly ring: KeyRing,
  ) {}

  /** Migrates the schema first (migrations.ts). */
  static async open(sql: Sql, ring: KeyRing): Promise<SqlCredentialStore> {
    await migrate(sql);
    return new SqlCredentialStore(sql, ring);
  }

  async putMeeting(webinarId: string, meeting: Meeting): Promise<void> {
    const meetingId = required(meeting.MeetingId, 'Meeting.MeetingId');
    const sealed = this.ring.seal(json(meeting), ['meeting', webinarId, meetingId]);
    // A meeting ID belongs to one webinar: a row of another webinar is not overwritten.
    await this.sql.query(
      `INSERT INTO credential_meetings (meeting_id, webinar_id, primary_meeting_id, key_id, sealed)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (meeting_id) DO UPDATE
         SET primary_meeting_id = excluded.primary_meeting_id, key_id = excluded.key_id,
             sealed = excluded.sealed, written_at = now()
         WHERE credential_meetings.webinar_id = excluded.webinar_id`,
      [meetingId, webinarId, meeting.PrimaryMeetingId ?? null, sealed.keyId, sealed.data],
    );
  }

  async putAttendees(webinarId: string, meetingId: string, attendees: Attendee[]): Promise<number> {
    // One row per externalUserId (the last wins): one statement may not write a key twice.
    const byUser = new Map<string, Attendee>();
    for (const a of attendees) if (a.ExternalUserId && a.AttendeeId) byUser.set(a.ExternalUserId, a);
    if (byUser.size === 0) return 0;
    return this.sql.transaction(async (tx) => {
      // The share lock makes a concurrent deleteMeeting wait for this transaction, or this one see it done.
      const meeting = await tx.query(
        'SELECT 1 FROM credential_meetings WHERE meeting_id = $1 AND webinar_id = $2 FOR SHARE',
        [meetingId, webinarId],
      );
      if (meeting.rows.length === 0) return 0;
      const values: unknown[] = [];
      const rows: string[] = [];
      const previous: string[] = [];
      for (const [externalUserId, a] of byUser) {
        const sealed = this.ring.seal(json(a), ['attendee', webinarId, externalUserId, meetingId]);
        const at = values.length;
        rows.push(`(${Array.from({ length: COLUMNS_PER_ATTENDEE }, (_, i) => `$${at + i + 1}`).join(', ')})`);
        values.push(webinarId, this.lookup(webinarId, externalUserId), meetingId, a.AttendeeId);
        values.push(sealed.keyId, sealed.data);
        previous.push(...this.ring.lookups(webinarId, externalUserId).map(hex));
      }
      // Rows written under an older key (another lookup value) or for this attendee ID go first: an upsert.
      await tx.query(
        `DELETE FROM credential_attendees
         WHERE webinar_id = $1 AND meeting_id = $2 AND (user_lookup = ANY($3::text[]) OR attendee_id = ANY($4::text[]))
           AND NOT user_lookup = ANY($5::text[])`,
        [
          webinarId,
          meetingId,
          previous,
          [...byUser.values()].map((a) => a.AttendeeId),
          [...byUser.keys()].map((u) => this.lookup(webinarId, u)),
        ],
      );
      const out = await tx.query(
        `INSERT INTO credential_attendees (webinar_id, user_lookup, meeting_id, attendee_id, key_id, sealed)
         VALUES ${rows.join(', ')}
         ON CONFLICT (webinar_id, user_lookup, meeting_id) DO UPDATE
           SET attendee_id = excluded.attendee_id, key_id = excluded.key_id, sealed = excluded.sealed,
               capabilities = NULL, written_at = now()`,
        values,
      );
      return out.count;
    });
  }

  async get(
    webinarId: string,
    externalUserId: string,
    meetingId: string,
  ): Promise<JoinCredentials | undefined> {
    const [found] = await this.read(webinarId, externalUserId, meetingId);
    return found;
  }

  async getAll(webinarId: string, externalUserId: string): Promise<JoinCredentials[]> {
    return this.read(webinarId, externalUserId, undefined);
  }

  async setCapabilities(
    meetingId: string,
    attendees: CapabilityTarget,
    capabilities: AttendeeCapabilities,
  ): Promise<number> {
    const value = JSON.stringify(capabilities);
    const out =
      'attendeeId' in attendees
        ? await this.sql.query(
            `UPDATE credential_attendees SET capabilities = $3::jsonb, written_at = now()
             WHERE meeting_id = $1 AND attendee_id = $2`,
            [meetingId, attendees.attendeeId, value],
          )
        : await this.sql.query(
            `UPDATE credential_attendees SET capabilities = $3::jsonb, written_at = now()
             WHERE meeting_id = $1 AND NOT attendee_id = ANY($2::text[])`,
            [meetingId, [...attendees.allExcept], value],
          );
    return out.count;
  }

  async webinarVersion(webinarId: string): Promise<string> {
    // Every write sets written_at; a deletion (a meeting's cascades too) changes the count.
    const { rows } = await this.sql.query<{ n: number; at: string | null }>(
      `SELECT count(*)::int AS n, max(written_at)::text AS at FROM credential_attendees WHERE webinar_id = $1`,
      [webinarId],
    );
    return `${Number(rows[0]?.n ?? 0)}@${rows[0]?.at ?? ''}`;
  }

  async readWebinar(webinarId: string): Promise<WebinarCredentials> {
    const { rows } = await this.sql.query<Row>(
      `${SELECT_ROWS} WHERE a.webinar_id = $1 ORDER BY a.meeting_id`,
      [webinarId],
    );
    const byLookup = new Map<string, Row[]>();
    for (const r of rows) byLookup.set(r.user_lookup, [...(byLookup.get(r.user_lookup) ?? []), r]);
    // 41 meetings serve 10,250 attendees: each is opened once per snapshot, not once per join.
    const meetings = new Map<string, Meeting>();
    const meetingOf = (r: Row): Meeting => {
      let m = meetings.get(r.meeting_id);
      if (!m) meetings.set(r.meeting_id, (m = this.openMeeting(webinarId, r)));
      return m;
    };
    return {
      rows: rows.length,
      getAll: (externalUserId) =>
        this.ring
          .lookups(webinarId, externalUserId)
          .flatMap((l) => byLookup.get(hex(l)) ?? [])
          .sort((a, b) => (a.meeting_id < b.meeting_id ? -1 : a.meeting_id > b.meeting_id ? 1 : 0))
          .map((r) => ({ meeting: meetingOf(r), attendee: this.openAttendee(webinarId, externalUserId, r) })),
    };
  }

  async deleteAttendee(meetingId: string, attendeeId: string): Promise<number> {
    const out = await this.sql.query(
      'DELETE FROM credential_attendees WHERE meeting_id = $1 AND attendee_id = $2',
      [meetingId, attendeeId],
    );
    return out.count;
  }

  async deleteMeeting(meetingId: string): Promise<number> {
    const out = await this.sql.query(
      'DELETE FROM credential_meetings WHERE meeting_id = $1 OR primary_meeting_id = $1',
      [meetingId],
    );
    return out.count;
  }

  putAttendance(input: StoreAttendanceInput): Promise<number> {
    return putAttendance(this.sql, this.ring, input);
  }

  readAttendance(webinarId: string): Promise<AttendanceRecord[]> {
    return readAttendance(this.sql, this.ring, webinarId);
  }

  close(): Promise<void> {
    return this.sql.close();
  }

  private lookup(webinarId: string, externalUserId: string): string {
    return hex(this.ring.lookup(webinarId, externalUserId));
  }

  private async read(
    webinarId: string,
    externalUserId: string,
    meetingId: string | undefined,
  ): Promise<JoinCredentials[]> {
    const lookups = this.ring.lookups(webinarId, externalUserId).map(hex);
    const { rows } = await this.sql.query<Row>(
      `${SELECT_ROWS}
       WHERE a.webinar_id = $1 AND a.user_lookup = ANY($2::text[]) AND ($3::text IS NULL OR a.meeting_id = $3)
       ORDER BY a.meeting_id`,
      [webinarId, lookups, meetingId ?? null],
    );
    return rows.map((r) => ({
      meeting: this.openMeeting(webinarId, r),
      attendee: this.openAttendee(webinarId, externalUserId, r),
    }));
  }

  private openMeeting(webinarId: string, r: Row): Meeting {
    return parse<Meeting>(
      this.ring.open({ keyId: r.meeting_key_id, data: Buffer.from(r.meeting_sealed) }, [
        'meeting',
        webinarId,
        r.meeting_id,
      ]),
    );
  }

  private openAttendee(webinarId: string, externalUserId: string, r: Row): Attendee {
    return withCapabilities(
      parse<Attendee>(
        this.ring.open({ keyId: r.key_id, data: Buffer.from(r.sealed) }, [
          'attendee',
          webinarId,
          externalUserId,
          r.meeting_id,
        ]),
      ),
      r.capabilities,
    );
  }
}

const SELECT_ROWS = `SELECT a.webinar_id, a.user_lookup, a.meeting_id, a.key_id, a.sealed, a.capabilities,
         m.key_id AS meeting_key_id, m.sealed AS meeting_sealed
       FROM credential_attendees a JOIN credential_meetings m ON m.meeting_id = a.meeting_id`;

/** The capabilities an update recorded replace those of creation (drivers hand jsonb back parsed, or not). */
function withCapabilities(attendee: Attendee, updated: Row['capabilities']): Attendee {
  if (updated === null) return attendee;
  const capabilities = typeof updated === 'string' ? (JSON.parse(updated) as AttendeeCapabilities) : updated;
  return { ...attendee, Capabilities: capabilities };
}

function required(value: string | undefined, what: string): string {
  if (!value) throw new Error(`the credential store needs ${what}`);
  return value;
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

function parse<T>(plain: Buffer): T {
  return JSON.parse(plain.toString('utf8')) as T;
}

function hex(b: Buffer): string {
  return b.toString('hex');
}
