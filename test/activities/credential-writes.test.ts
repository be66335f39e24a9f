/**
 * The Chime activities keep the credential store in step with the service, through the real AWS SDK against the
 * emulator: a row per attendee the service returned (batches, single creations, re-runs), written before the
 * activity returns; a removal or a meeting's deletion deletes the rows; no token in what the activity returns.
 */
import { PGlite } from '@electric-sql/pglite';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createChimeActivities, createChimeClientFactory, type ChimeClientFactory } from '../../activities';
import { KeyRing, SqlCredentialStore, pgliteSql, type Sql } from '../../activities/credentials';
import { attendeeCapabilities } from '../../domain/capabilities';
import type { ChimeActivities } from '../../domain/chime';
import { startEmulator, type RunningEmulator } from '../../emulator';

jest.setTimeout(60_000);

let emulator: RunningEmulator;
let clients: ChimeClientFactory;
let sql: Sql;
let store: SqlCredentialStore;
let acts: ChimeActivities;
let n = 0;

beforeAll(async () => {
  // The service's rate limits are not what these tests are about (test/activities/emulator.test.ts has them).
  emulator = await startEmulator({ port: 0, config: { rateLimits: { enabled: false } } });
  clients = createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint: emulator.endpoint });
  sql = pgliteSql(await PGlite.create());
  store = await SqlCredentialStore.open(sql, KeyRing.ephemeral());
  acts = createChimeActivities({ clients, credentials: store });
});
afterAll(async () => {
  clients?.destroy();
  await store?.close();
  await emulator?.close();
});

/** Runs an activity as the webinar's workflow would (its workflow ID names the webinar). */
function asWebinar(webinarId: string) {
  const env = new MockActivityEnvironment({
    workflowExecution: { workflowId: `webinar-${webinarId}`, runId: 'run-1' },
  });
  return <I, O>(fn: (input: I) => Promise<O>, input: I): Promise<O> => env.run(fn, input);
}

async function rowsOf(meetingId: string): Promise<string[]> {
  const { rows } = await sql.query<{ attendee_id: string }>(
    'SELECT attendee_id FROM credential_attendees WHERE meeting_id = $1 ORDER BY attendee_id',
    [meetingId],
  );
  return rows.map((r) => r.attendee_id);
}

async function heldBy(meetingId: string): Promise<string[]> {
  return (await acts.listAttendees({ meetingId })).map((a) => a.attendeeId).sort();
}

async function newMeeting(run: ReturnType<typeof asWebinar>, primaryMeetingId?: string) {
  n += 1;
  return run((i) => acts.createMeeting(i), {
    clientRequestToken: `credential-writes-${n}`,
    externalMeetingId: 'credential writes',
    mediaRegion: 'us-east-1',
    ...(primaryMeetingId ? { primaryMeetingId } : {}),
  });
}

it('stores each attendee that Chime returns, once however often the call is re-run, with its meeting', async () => {
  const run = asWebinar('w-batch');
  const meeting = await newMeeting(run);
  const attendees = Array.from({ length: 30 }, (_, i) => ({ externalUserId: `viewer-${i}@example.com` }));
  const first = await run((i) => acts.batchCreateAttendee(i), { meetingId: meeting.meetingId, attendees });
  expect(JSON.stringify(first)).not.toMatch(/JoinToken/i);
  // A retried batch (the service returns the same attendees) and a re-run of the creation change nothing.
  await run((i) => acts.batchCreateAttendee(i), { meetingId: meeting.meetingId, attendees });
  await newMeeting(run).catch(() => undefined);
  expect(await rowsOf(meeting.meetingId)).toEqual(await heldBy(meeting.meetingId));
  expect(await rowsOf(meeting.meetingId)).toHaveLength(30);
  const joined = await store.get('w-batch', 'viewer-7@example.com', meeting.meetingId);
  expect(joined?.attendee.JoinToken).toEqual(expect.any(String));
  expect(joined?.attendee.AttendeeId).toBe(first.attendees[7]?.attendeeId);
  expect(joined?.meeting.MediaPlacement?.AudioHostUrl).toEqual(expect.any(String));
  expect(joined?.meeting.MeetingId).toBe(meeting.meetingId);
});

it('stores a promotion in the primary beside the replica row, and a removal deletes only its row', async () => {
  const run = asWebinar('w-promote');
  const primary = await newMeeting(run);
  const replica = await newMeeting(run, primary.meetingId);
  const viewer = 'promoted-viewer';
  await run((i) => acts.batchCreateAttendee(i), {
    meetingId: replica.meetingId,
    attendees: [{ externalUserId: viewer }, { externalUserId: 'other' }],
  });
  const promoted = await run((i) => acts.createAttendee(i), {
    meetingId: primary.meetingId,
    externalUserId: viewer,
  });
  const both = await store.getAll('w-promote', viewer);
  expect(both.map((c) => c.meeting.MeetingId).sort()).toEqual([primary.meetingId, replica.meetingId].sort());
  expect(
    both.find((c) => c.meeting.MeetingId === primary.meetingId)?.meeting.PrimaryMeetingId,
  ).toBeUndefined();
  // Demotion: the primary attendee goes, the replica one stays.
  await run((i) => acts.deleteAttendee(i), { meetingId: primary.meetingId, attendeeId: promoted.attendeeId });
  expect(await rowsOf(primary.meetingId)).toEqual([]);
  expect(await rowsOf(replica.meetingId)).toEqual(await heldBy(replica.meetingId));
  // A removal the service had already done (NotFound) still deletes the row.
  const other = (await store.get('w-promote', 'other', replica.meetingId))?.attendee.AttendeeId ?? '';
  await acts.deleteAttendee({ meetingId: replica.meetingId, attendeeId: other });
  await sql.query(
    `INSERT INTO credential_attendees (webinar_id, user_lookup, meeting_id, attendee_id, key_id, sealed)
     VALUES ('w-promote', 'stale', $1, $2, 'ephemeral', '\\x00')`,
    [replica.meetingId, other],
  );
  expect(
    await run((i) => acts.deleteAttendee(i), { meetingId: replica.meetingId, attendeeId: other }),
  ).toEqual({
    deleted: false,
  });
  expect(await rowsOf(replica.meetingId)).toEqual(await heldBy(replica.meetingId));
});

it('answers the capabilities that updates gave, so a join after a promotion in place or a demotion is current', async () => {
  const run = asWebinar('w-capabilities');
  const primary = await newMeeting(run);
  const out = await run((i) => acts.batchCreateAttendee(i), {
    meetingId: primary.meetingId,
    attendees: ['host', 'viewer'].map((externalUserId) => ({
      externalUserId,
      capabilities: attendeeCapabilities('viewer'),
    })),
  });
  const [host, viewer] = out.attendees;
  const capabilitiesOf = async (user: string) =>
    (await store.get('w-capabilities', user, primary.meetingId))?.attendee.Capabilities;

  await run((i) => acts.updateAttendeeCapabilities(i), {
    meetingId: primary.meetingId,
    attendeeId: viewer?.attendeeId ?? '',
    capabilities: attendeeCapabilities('speaker'),
  });
  expect(await capabilitiesOf('viewer')).toEqual(attendeeCapabilities('speaker'));
  expect(await capabilitiesOf('host')).toEqual(attendeeCapabilities('viewer'));

  await run((i) => acts.batchUpdateAttendeeCapabilitiesExcept(i), {
    meetingId: primary.meetingId,
    excludedAttendeeIds: [host?.attendeeId ?? ''],
    capabilities: attendeeCapabilities('viewer'),
  });
  expect(await capabilitiesOf('viewer')).toEqual(attendeeCapabilities('viewer'));
  // What the store answers is what the service holds.
  const held = await acts.listAttendees({ meetingId: primary.meetingId });
  for (const a of held) {
    const user = a.externalUserId;
    expect(await capabilitiesOf(user)).toEqual(a.capabilities);
  }
});

it("deleting the primary deletes its replicas' rows and every attendee's, also when it was already gone", async () => {
  const run = asWebinar('w-teardown');
  const primary = await newMeeting(run);
  const replica = await newMeeting(run, primary.meetingId);
  for (const m of [primary, replica]) {
    await run((i) => acts.batchCreateAttendee(i), {
      meetingId: m.meetingId,
      attendees: [{ externalUserId: `a-${m.meetingId}` }, { externalUserId: `b-${m.meetingId}` }],
    });
  }
  expect(await rowsOf(replica.meetingId)).toHaveLength(2);
  await run((i) => acts.deleteMeeting(i), { meetingId: primary.meetingId });
  const left = await sql.query(
    'SELECT meeting_id FROM credential_meetings WHERE meeting_id = ANY($1::text[])',
    [[primary.meetingId, replica.meetingId]],
  );
  expect(left.rows).toEqual([]);
  expect([...(await rowsOf(primary.meetingId)), ...(await rowsOf(replica.meetingId))]).toEqual([]);
  // An attendee the service returned while its meeting was being deleted is not stored for it.
  await expect(
    store.putAttendees('w-teardown', primary.meetingId, [{ AttendeeId: 'late', ExternalUserId: 'late' }]),
  ).resolves.toBe(0);
  expect(await run((i) => acts.deleteMeeting(i), { meetingId: primary.meetingId })).toEqual({
    deleted: false,
  });
});

it('writes nothing for an activity run outside a workflow, and fails retryably when the store fails', async () => {
  const meeting = await acts.createMeeting({
    clientRequestToken: 'credential-writes-outside',
    externalMeetingId: 'outside',
    mediaRegion: 'us-east-1',
  });
  const { rows } = await sql.query('SELECT 1 FROM credential_meetings WHERE meeting_id = $1', [
    meeting.meetingId,
  ]);
  expect(rows).toEqual([]);
  const failing = createChimeActivities({
    clients,
    credentials: {
      ...store,
      putMeeting: () => Promise.reject(new Error('connection refused: secret-ish')),
    } as never,
  });
  const err: unknown = await asWebinar('w-fail')((i) => failing.createMeeting(i), {
    clientRequestToken: 'credential-writes-fail',
    externalMeetingId: 'fail',
    mediaRegion: 'us-east-1',
  }).catch((e: unknown) => e);
  expect(err).toMatchObject({ type: 'CredentialStoreUnavailable', nonRetryable: false });
  // The driver's own words stay out of the failure (and so out of history).
  expect(String((err as Error).message)).not.toMatch(/secret/);
});
