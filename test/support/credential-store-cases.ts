/**
 * The credential store's behaviour, written once and run on each engine: PGlite in the default suite
 * (test/store/credential-store.test.ts), PostgreSQL in the cluster suite (test/cluster/credential-store.cluster.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Attendee, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import {
  CredentialDecryptionError,
  KeyRing,
  MIGRATIONS,
  SqlCredentialStore,
  migrate,
  type Sql,
} from '../../activities/credentials';
import type { StoreKey } from '../../domain/credentials';

const key = (id: string): StoreKey => ({ id, key: randomBytes(32) });

export function meeting(meetingId: string, primaryMeetingId?: string): Meeting {
  return {
    MeetingId: meetingId,
    MediaRegion: 'us-east-1',
    ...(primaryMeetingId ? { PrimaryMeetingId: primaryMeetingId } : {}),
    MediaPlacement: {
      AudioHostUrl: `${meetingId}.k.m1.ue1.app.chime.aws:3478`,
      SignalingUrl: 'wss://signal.m1.ue1.app.chime.aws/control/x',
      TurnControlUrl: 'https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions',
    },
  };
}

/** Chime's attendee IDs are UUIDs, unrelated to the externalUserId. */
export function attendee(externalUserId: string, attendeeId: string = randomUUID()): Attendee {
  return {
    ExternalUserId: externalUserId,
    AttendeeId: attendeeId,
    JoinToken: `join-token-secret-${externalUserId}-${randomBytes(8).toString('hex')}`,
    Capabilities: { Audio: 'SendReceive', Video: 'Receive', Content: 'Receive' },
  };
}

/** Every row of the store's tables as text, bytea included in hex and as UTF-8 (what a reader of the database sees). */
export async function rawRows(sql: Sql): Promise<string> {
  const out: string[] = [];
  for (const table of ['credential_meetings', 'credential_attendees']) {
    const { rows } = await sql.query<{ row: string; sealed: Uint8Array }>(
      `SELECT row_to_json(t)::text AS row, sealed FROM ${table} t`,
    );
    for (const r of rows)
      out.push(r.row, Buffer.from(r.sealed).toString('utf8'), Buffer.from(r.sealed).toString('latin1'));
  }
  return out.join('\n');
}

async function count(sql: Sql, table: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/** Defines the cases; `fresh` returns an empty, unmigrated database (closed by the cases). */
export function credentialStoreCases(fresh: () => Promise<Sql>): void {
  let sql: Sql;
  let store: SqlCredentialStore;
  const k1 = key('k1');

  beforeEach(async () => {
    sql = await fresh();
    store = await SqlCredentialStore.open(sql, new KeyRing([k1]));
  });
  afterEach(async () => {
    await sql.close();
  });

  it('puts, gets and deletes an attendee with its meeting as Chime returned them', async () => {
    await store.putMeeting('w1', meeting('m1'));
    const alice = attendee('alice@example.com');
    expect(await store.putAttendees('w1', 'm1', [alice, attendee('bob')])).toBe(2);
    expect(await store.get('w1', 'alice@example.com', 'm1')).toEqual({
      meeting: meeting('m1'),
      attendee: alice,
    });
    expect(await store.get('w1', 'alice@example.com', 'other')).toBeUndefined();
    expect(await store.get('w2', 'alice@example.com', 'm1')).toBeUndefined();
    expect(await store.deleteAttendee('m1', alice.AttendeeId ?? '')).toBe(1);
    expect(await store.get('w1', 'alice@example.com', 'm1')).toBeUndefined();
    expect(await store.get('w1', 'bob', 'm1')).toBeDefined();
  });

  it('keeps one row per attendee and meeting however often a batch is written again', async () => {
    await store.putMeeting('w1', meeting('m1'));
    await store.putMeeting('w1', meeting('m1'));
    const batch = [attendee('a'), attendee('b'), attendee('c')];
    for (let i = 0; i < 3; i++) await store.putAttendees('w1', 'm1', batch);
    const again = attendee('a');
    await store.putAttendees('w1', 'm1', [again, again]);
    expect(await count(sql, 'credential_meetings')).toBe(1);
    expect(await count(sql, 'credential_attendees')).toBe(3);
    expect((await store.get('w1', 'a', 'm1'))?.attendee.JoinToken).toBe(again.JoinToken);
  });

  it('gives a promoted viewer both meetings, and deleting the primary removes its replicas and every row', async () => {
    await store.putMeeting('w1', meeting('p'));
    await store.putMeeting('w1', meeting('r1', 'p'));
    await store.putAttendees('w1', 'r1', [attendee('v', 'att-v-replica')]);
    await store.putAttendees('w1', 'p', [attendee('v', 'att-v-primary'), attendee('host')]);
    const both = await store.getAll('w1', 'v');
    expect(both.map((c) => [c.meeting.MeetingId, c.attendee.AttendeeId])).toEqual([
      ['p', 'att-v-primary'],
      ['r1', 'att-v-replica'],
    ]);
    expect(await store.deleteMeeting('p')).toBe(2);
    expect(await count(sql, 'credential_meetings')).toBe(0);
    expect(await count(sql, 'credential_attendees')).toBe(0);
  });

  it('answers the capabilities of the last update, one attendee or all but some, until the attendee is written again', async () => {
    await store.putMeeting('w1', meeting('m1'));
    const [host, speaker, viewer] = [attendee('host'), attendee('speaker'), attendee('viewer')];
    await store.putAttendees('w1', 'm1', [host, speaker, viewer]);
    const receive = { Audio: 'Receive', Video: 'Receive', Content: 'Receive' } as const;
    const send = { Audio: 'SendReceive', Video: 'SendReceive', Content: 'SendReceive' } as const;
    const capabilitiesOf = async (user: string) => (await store.get('w1', user, 'm1'))?.attendee.Capabilities;

    expect(await store.setCapabilities('m1', { allExcept: [host.AttendeeId ?? ''] }, receive)).toBe(2);
    expect(await capabilitiesOf('host')).toEqual(host.Capabilities);
    expect(await capabilitiesOf('speaker')).toEqual(receive);
    expect(await capabilitiesOf('viewer')).toEqual(receive);

    expect(await store.setCapabilities('m1', { attendeeId: viewer.AttendeeId ?? '' }, send)).toBe(1);
    expect(await store.get('w1', 'viewer', 'm1')).toEqual({
      meeting: meeting('m1'),
      attendee: { ...viewer, Capabilities: send },
    });
    expect(await store.setCapabilities('other', { attendeeId: viewer.AttendeeId ?? '' }, send)).toBe(0);

    // Created again (a retried batch returns the Attendee as created): what Chime returned is what is answered.
    await store.putAttendees('w1', 'm1', [speaker]);
    expect(await capabilitiesOf('speaker')).toEqual(speaker.Capabilities);
  });

  it('stores no attendee of a meeting it does not hold', async () => {
    expect(await store.putAttendees('w1', 'gone', [attendee('a')])).toBe(0);
    await store.putMeeting('w2', meeting('m2'));
    expect(await store.putAttendees('w1', 'm2', [attendee('a')])).toBe(0);
    expect(await count(sql, 'credential_attendees')).toBe(0);
  });

  it('opens rows sealed with an older key after a rotation, and rewrites them under the new one', async () => {
    await store.putMeeting('w1', meeting('m1'));
    const before = attendee('a');
    await store.putAttendees('w1', 'm1', [before, attendee('b')]);
    const k2 = key('k2');
    const rotated = await SqlCredentialStore.open(sql, new KeyRing([k2, k1]));
    expect((await rotated.get('w1', 'a', 'm1'))?.attendee).toEqual(before);
    const after = attendee('a');
    await rotated.putAttendees('w1', 'm1', [after]);
    expect(await count(sql, 'credential_attendees')).toBe(2);
    expect((await rotated.get('w1', 'a', 'm1'))?.attendee).toEqual(after);
    const { rows } = await sql.query<{ key_id: string }>(
      'SELECT key_id FROM credential_attendees ORDER BY key_id',
    );
    expect(rows.map((r) => r.key_id)).toEqual(['k1', 'k2']);
    // Without the old key, the row it sealed cannot be read, and the error names only the row's key ID.
    // Without the old key: a row it sealed is not even found (its lookup used that key), and the meeting it
    // sealed does not open, with an error that names only the row's key ID.
    const forgot = await SqlCredentialStore.open(sql, new KeyRing([k2]));
    await expect(forgot.get('w1', 'b', 'm1')).resolves.toBeUndefined();
    await expect(forgot.getAll('w1', 'a')).rejects.toThrow(/sealed with key "k1", not configured/);
  });

  it('refuses a row moved to another attendee or meeting', async () => {
    await store.putMeeting('w1', meeting('m1'));
    await store.putAttendees('w1', 'm1', [attendee('a', 'att-a'), attendee('b', 'att-b')]);
    // Whoever can write the table copies b's sealed credentials onto a's row: a's lookup finds it, GCM refuses it.
    await sql.query(
      `UPDATE credential_attendees SET sealed = (SELECT sealed FROM credential_attendees WHERE attendee_id = 'att-b')
       WHERE attendee_id = 'att-a'`,
    );
    await expect(store.get('w1', 'a', 'm1')).rejects.toThrow(CredentialDecryptionError);
    await store.putMeeting('w1', meeting('m2'));
    await sql.query(
      `UPDATE credential_meetings SET sealed = (SELECT sealed FROM credential_meetings WHERE meeting_id = 'm2')
       WHERE meeting_id = 'm1'`,
    );
    await expect(store.get('w1', 'b', 'm1')).rejects.toThrow(CredentialDecryptionError);
  });

  it('holds no JoinToken and no externalUserId in the clear', async () => {
    await store.putMeeting('w1', meeting('m1'));
    const people = [attendee('alice@example.com'), attendee('bob-1234'), attendee('Zoë Ünicode')];
    await store.putAttendees('w1', 'm1', people);
    const raw = await rawRows(sql);
    expect(raw).toContain(people[0]?.AttendeeId);
    for (const p of people) {
      expect(raw).not.toContain(p.JoinToken);
      expect(raw).not.toContain('join-token-secret');
      expect(raw).not.toContain(p.ExternalUserId);
    }
    // The meeting's placement is sealed too.
    expect(raw).not.toContain('signal.m1.ue1');
  });

  it('records its migrations, applies each once, and refuses a schema newer than it knows', async () => {
    expect(await migrate(sql)).toEqual([]);
    const { rows } = await sql.query<{ version: number }>('SELECT version FROM credential_store_migrations');
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
    await sql.query("INSERT INTO credential_store_migrations (version, name) VALUES (999, 'future')");
    await expect(migrate(sql)).rejects.toThrow(/version 999, newer than this code knows/);
  });
}
