/**
 * The cluster's credential store as the test sees it: rows read straight from PostgreSQL with `pg` (the
 * database the workers share, tooling/stack/credentials-db.ts), set against the attendees the emulator holds,
 * read with ListAttendees as a client of the service would. The store itself (the workers' keys) opens each row,
 * so a row is known to be the attendee's, and its plaintext is known for the scan of the raw rows.
 */
import {
  ChimeSDKMeetingsClient,
  paginateListAttendees,
  type Attendee,
} from '@aws-sdk/client-chime-sdk-meetings';
import { Pool } from 'pg';
import { KeyRing, SqlCredentialStore, postgresSql, type Sql } from '../../activities/credentials';
import { parseEncryptionKeys } from '../../client/temporal/codec';
import type { MeetingSummary } from '../../emulator';
import { rawRows } from '../support/credential-store-cases';

export interface HeldAttendee {
  meetingId: string;
  attendeeId: string;
  externalUserId: string;
  joinToken?: string;
}

export interface WebinarRows {
  /** Every attendee the emulator holds in the webinar's meetings, and every attendee row: "meeting attendee", sorted. */
  held: string[];
  rows: string[];
  meetings: { held: string[]; rows: string[] };
  /** What the emulator holds, with externalUserIds and tokens (for the opening and the scan). */
  attendees: HeldAttendee[];
}

export interface ClusterStore {
  sql: Sql;
  store: SqlCredentialStore;
  /** The webinar's attendees at the emulator and its rows, side by side. */
  compare(webinarId: string, meetings: MeetingSummary[]): Promise<WebinarRows>;
  /** Each held attendee's row, opened with the workers' keys: the attendees whose row is missing or differs. */
  mismatches(webinarId: string, attendees: HeldAttendee[]): Promise<string[]>;
  /** Rows of these webinars: attendees and meetings. */
  count(webinarIds: readonly string[]): Promise<{ attendees: number; meetings: number }>;
  /** Every row of every table as text (row_to_json, the sealed bytes as UTF-8 and Latin-1). */
  raw(): Promise<string>;
  close(): Promise<void>;
}

export async function clusterStore(
  url: string,
  payloadKeys: string,
  chimeEndpoint: string,
): Promise<ClusterStore> {
  const pool = new Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  const sql = postgresSql(pool);
  const store = await SqlCredentialStore.open(sql, new KeyRing(parseEncryptionKeys(payloadKeys)));
  const clients = new Map<string, ChimeSDKMeetingsClient>();
  const chime = (region: string): ChimeSDKMeetingsClient => {
    let c = clients.get(region);
    if (!c) {
      c = new ChimeSDKMeetingsClient({
        region,
        endpoint: chimeEndpoint,
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
        // The emulator's limits are the service's; a throttled page is asked again.
        maxAttempts: 10,
      });
      clients.set(region, c);
    }
    return c;
  };

  async function held(meetings: MeetingSummary[]): Promise<HeldAttendee[]> {
    const out: HeldAttendee[] = [];
    for (const m of meetings) {
      const pages = paginateListAttendees(
        { client: chime(m.controlRegion), pageSize: 100 },
        { MeetingId: m.meetingId },
      );
      for await (const page of pages) {
        for (const a of page.Attendees ?? ([] as Attendee[])) {
          out.push({
            meetingId: m.meetingId,
            attendeeId: a.AttendeeId ?? '',
            externalUserId: a.ExternalUserId ?? '',
            ...(a.JoinToken ? { joinToken: a.JoinToken } : {}),
          });
        }
      }
    }
    return out;
  }

  return {
    sql,
    store,
    async compare(webinarId, meetings) {
      const attendees = await held(meetings);
      const { rows } = await sql.query<{ k: string }>(
        "SELECT meeting_id || ' ' || attendee_id AS k FROM credential_attendees WHERE webinar_id = $1",
        [webinarId],
      );
      const meetingRows = await sql.query<{ id: string }>(
        'SELECT meeting_id AS id FROM credential_meetings WHERE webinar_id = $1',
        [webinarId],
      );
      return {
        held: attendees.map((a) => `${a.meetingId} ${a.attendeeId}`).sort(),
        rows: rows.map((r) => r.k).sort(),
        meetings: {
          held: meetings.map((m) => m.meetingId).sort(),
          rows: meetingRows.rows.map((r) => r.id).sort(),
        },
        attendees,
      };
    },
    async mismatches(webinarId, attendees) {
      const wrong: string[] = [];
      const chunk = 20;
      for (let i = 0; i < attendees.length; i += chunk) {
        await Promise.all(
          attendees.slice(i, i + chunk).map(async (a) => {
            const found = await store.get(webinarId, a.externalUserId, a.meetingId);
            const ok =
              found?.attendee.AttendeeId === a.attendeeId &&
              found.meeting.MeetingId === a.meetingId &&
              (a.joinToken === undefined || found.attendee.JoinToken === a.joinToken);
            if (!ok) wrong.push(`${a.externalUserId} in ${a.meetingId}`);
            // The scan below needs every token: the service's, else the one the row holds.
            if (a.joinToken === undefined && found?.attendee.JoinToken)
              a.joinToken = found.attendee.JoinToken;
          }),
        );
      }
      return wrong;
    },
    async count(webinarIds) {
      const n = async (table: string): Promise<number> => {
        const { rows } = await sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE webinar_id = ANY($1::text[])`,
          [webinarIds],
        );
        return Number(rows[0]?.n ?? -1);
      };
      return { attendees: await n('credential_attendees'), meetings: await n('credential_meetings') };
    },
    raw: () => rawRows(sql),
    async close() {
      for (const c of clients.values()) c.destroy();
      await store.close();
    },
  };
}
