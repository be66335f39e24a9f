/**
 * A whole small webinar with the credential store (PGlite) behind the real activities: while it runs, every
 * attendee that the emulator holds has exactly one row and there is none it does not hold (promotions and a
 * removal included), with the capabilities it holds; after the teardown no row is left.
 */
import { PGlite } from '@electric-sql/pglite';
import { createChimeActivities, createChimeClientFactory } from '../../activities';
import { KeyRing, SqlCredentialStore, pgliteSql, type Sql } from '../../activities/credentials';
import { attendeeQuery, operatorUpdates } from '../../workflows/definitions';
import { rawRows } from '../support/credential-store-cases';
import { useWebinarStack, waitForStatus, webinarSpec } from '../support/webinar-stack';

let sql: Sql;
let store: SqlCredentialStore;

beforeAll(async () => {
  sql = pgliteSql(await PGlite.create());
  store = await SqlCredentialStore.open(sql, KeyRing.ephemeral());
});
afterAll(async () => {
  await store?.close();
});

const stackOf = useWebinarStack({ server: 'time-skipping', credentials: () => store });

/** Every attendee the emulator holds, and every row, as "meetingId attendeeId", sorted. */
async function chimeAndRows(): Promise<{ chime: string[]; rows: string[] }> {
  const { emulator } = stackOf();
  const clients = createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint: emulator.endpoint });
  const acts = createChimeActivities({ clients });
  const chime: string[] = [];
  for (const m of emulator.state().meetings) {
    for (const a of await acts.listAttendees({ meetingId: m.meetingId }))
      chime.push(`${m.meetingId} ${a.attendeeId}`);
  }
  clients.destroy();
  const { rows } = await sql.query<{ k: string }>(
    "SELECT meeting_id || ' ' || attendee_id AS k FROM credential_attendees",
  );
  return { chime: chime.sort(), rows: rows.map((r) => r.k).sort() };
}

async function count(table: string): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
  return Number(rows[0]?.n ?? -1);
}

it('keeps one row per attendee Chime holds while live, and none after the teardown', async () => {
  const stack = stackOf();
  // More viewers than the primary seats: a replica opens, in batches of 100.
  const spec = webinarSpec(await stack.env.currentTimeMs(), {
    attendees: [
      { externalUserId: 'host-1', role: 'host' },
      ...Array.from({ length: 260 }, (_, i) => ({ externalUserId: `viewer-${i}`, role: 'viewer' as const })),
    ],
  });
  const handle = await stack.start(spec);
  await stack.env.sleep(3600_000 - 120_000 + 1_000);
  const ready = await waitForStatus(handle, (s) => s.phase === 'READY');
  expect(ready.attendees).toEqual({ requested: 261, registered: 261, failed: 0 });
  expect(ready.replicas.length).toBeGreaterThanOrEqual(1);

  const registered = await chimeAndRows();
  expect(registered.chime).toHaveLength(261);
  expect(registered.rows).toEqual(registered.chime);
  expect(await count('credential_meetings')).toBe(stack.emulator.state().meetings.length);

  // A replica viewer promoted: a second row, in the primary; one removed: its row goes.
  const primaryId = ready.primary?.meetingId;
  const replicaViewer = 'viewer-259';
  expect((await handle.query(attendeeQuery, { externalUserId: replicaViewer })).meetingId).not.toBe(
    primaryId,
  );
  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: replicaViewer }] });
  const removed = spec.attendees.find((a) => a.externalUserId === 'viewer-5');
  await handle.executeUpdate(operatorUpdates.removeAttendee, {
    args: [{ externalUserId: removed?.externalUserId ?? '' }],
  });
  const changed = await chimeAndRows();
  expect(changed.rows).toEqual(changed.chime);
  const promoted = await store.getAll(spec.webinarId, replicaViewer);
  expect(promoted.map((c) => c.meeting.MeetingId)).toContain(primaryId);
  expect(promoted).toHaveLength(2);
  expect(await store.getAll(spec.webinarId, removed?.externalUserId ?? '')).toEqual([]);
  expect(await rawRows(sql)).not.toMatch(/viewer-\d/);
  // Demoted: the primary attendee and its row go, the replica one stays.
  await handle.executeUpdate(operatorUpdates.demoteSpeaker, { args: [{ externalUserId: replicaViewer }] });
  const demoted = await chimeAndRows();
  expect(demoted.rows).toEqual(demoted.chime);
  expect((await store.getAll(spec.webinarId, replicaViewer)).map((c) => c.meeting.MeetingId)).not.toContain(
    primaryId,
  );

  // A primary viewer promoted in place, then demoted: what a join answers follows what Chime holds.
  const primaryViewer = 'viewer-0';
  expect((await handle.query(attendeeQuery, { externalUserId: primaryViewer })).meetingId).toBe(primaryId);
  const audioOf = async () =>
    (await store.get(spec.webinarId, primaryViewer, primaryId ?? ''))?.attendee.Capabilities?.Audio;
  await handle.executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: primaryViewer }] });
  expect(await audioOf()).toBe('SendReceive');
  await handle.executeUpdate(operatorUpdates.demoteSpeaker, { args: [{ externalUserId: primaryViewer }] });
  expect(await audioOf()).toBe('Receive');

  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{}] });
  await handle.result();
  expect(stack.liveMeetings()).toBe(0);
  expect(await count('credential_attendees')).toBe(0);
  expect(await count('credential_meetings')).toBe(0);
});
