/**
 * Issue #23: a full-size webinar (10,240 attendees with 64-character external user IDs, accented ones among
 * them, and the primary's promotion reserve of 10: 41 full meetings) under strict payload encryption, on a dev
 * server that suggests continue-as-new after a few dozen events, so the LIVE webinar continues as new while
 * replica viewers are promoted. The worker is wired as `npm start` wires it (loadWorkerConfig, startWorker);
 * the emulator allows 40 replicas per primary and has its rate limits off.
 *
 * What it shows: replica viewers whose meetings are full get presenter credentials in the primary before and
 * after continue-as-new (the reserve is carried), the reserve is exactly 10 seats, removals after it free
 * their seats, the webinar ends with no meeting left, every stored payload is encrypted (no attendee ID
 * readable), and the largest of them (a continue-as-new input) stays at 1 MiB or less.
 */
import { mulberry32 } from '../../emulator';
import { Client, WorkflowUpdateFailedError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ENCRYPTED_ENCODING, generateEncryptionKey } from '../../client/temporal/codec';
import { isStaleRunRefusal } from '../../domain/errors';
import type { AttendeeLocation, AttendeeSpec, WebinarStatus } from '../../domain/types';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { startDevServer } from '../../tooling/temporal-servers';
import { loadWorkerConfig } from '../../worker/config';
import { JsonLogger } from '../../worker/logging';
import { startWorker, type RunningWorker } from '../../worker/main';
import type { webinarWorkflow } from '../../workflows';
import { attendeeQuery, operatorUpdates, statusQuery, webinarWorkflowId } from '../../workflows/definitions';
import { storedPayloads } from '../security/encrypted-stack';
import { historyText } from '../security/history-scan';
import { waitForStatus, webinarSpec } from '../support/webinar-stack';

const MiB = 1024 * 1024;
const ID_LENGTH = 64;
/** Low enough that the LIVE run crosses it after a few promotions. */
const SUGGEST_CONTINUE_AS_NEW_AFTER = 60;
const RESERVE = 10;

/** The emulator's seeded generator (mulberry32): the same IDs every run. */
const random = mulberry32;

const ASCII = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ACCENTED = 'ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿ';

/** 64 characters: a readable, unique prefix, then seeded filler (every third ID accented). */
function makeId(prefix: string, n: number, next: () => number): string {
  const alphabet = n % 3 === 0 ? ACCENTED : ASCII;
  let id = `${prefix}-${n}-`;
  while (id.length < ID_LENGTH) id += alphabet[Math.floor(next() * alphabet.length)] ?? 'x';
  return id;
}

/**
 * 1 host, 4 speakers and 235 Region-less viewers fill the primary beside its reserve of 10 seats; 5,000
 * viewers each in eu-west-1 and ap-southeast-1 fill 20 replicas each: 41 meetings of 250 seats, all full.
 */
function fullRoster(): { attendees: AttendeeSpec[]; eu: string[]; ap: string[] } {
  const next = random(0x23);
  const attendees: AttendeeSpec[] = [{ externalUserId: makeId('host', 0, next), role: 'host' }];
  for (let i = 0; i < 4; i++) attendees.push({ externalUserId: makeId('speaker', i, next), role: 'speaker' });
  for (let i = 0; i < 235; i++) attendees.push({ externalUserId: makeId('viewer', i, next), role: 'viewer' });
  const eu: string[] = [];
  const ap: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const [e, a] = [makeId('eu', i, next), makeId('ap', i, next)];
    eu.push(e);
    ap.push(a);
    attendees.push({ externalUserId: e, role: 'viewer', region: 'eu-west-1' });
    attendees.push({ externalUserId: a, role: 'viewer', region: 'ap-southeast-1' });
  }
  return { attendees, eu, ap };
}

/** A query that retries the stale-run guard's refusal (workflows/stale-run-guard.ts), as every poller must. */
async function ask<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!isStaleRunRefusal(err) || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Bytes of a stored payload as the server holds it: its data plus its metadata keys and values. */
function payloadSizes(history: temporal.api.history.v1.IHistory): { event: string; bytes: number }[] {
  const found: { event: string; bytes: number }[] = [];
  const visit = (value: unknown, event: string): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, event);
      return;
    }
    const maybe = value as { metadata?: Record<string, Uint8Array | null>; data?: Uint8Array | null };
    if (maybe.metadata && 'data' in maybe) {
      const metadata = Object.entries(maybe.metadata).reduce(
        (n, [k, v]) => n + Buffer.byteLength(k) + (v?.length ?? 0),
        0,
      );
      found.push({ event, bytes: metadata + (maybe.data?.length ?? 0) });
      return;
    }
    for (const v of Object.values(value)) visit(v, event);
  };
  for (const e of history.events ?? []) {
    const attributes = Object.entries(e).find(([k]) => k.endsWith('EventAttributes'));
    if (attributes) visit(attributes[1], attributes[0].replace(/EventAttributes$/, ''));
  }
  return found;
}

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let worker: RunningWorker | undefined;
let client: Client;
let taskQueue: string;

beforeAll(async () => {
  emulator = await startEmulator({
    port: 0,
    config: { rateLimits: { enabled: false }, limits: { replicasPerPrimary: 40, concurrentMeetings: 250 } },
  });
  env = await startDevServer({
    dynamicConfig: { 'limit.historyCount.suggestContinueAsNew': SUGGEST_CONTINUE_AS_NEW_AFTER },
  });
  taskQueue = `webinars-full-${process.pid}`;
  const config = loadWorkerConfig({
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CHIME_ENDPOINT: emulator.endpoint,
    CHIME_BUDGET_PER_SECOND: '1000',
    PAYLOAD_ENCRYPTION_KEYS: generateEncryptionKey('k1'),
    // Strict: a plaintext payload anywhere would be refused, so the whole run is encrypted end to end.
    PAYLOAD_ENCRYPTION_STRICT: 'true',
  });
  if (!config.temporal.dataConverter) throw new Error('PAYLOAD_ENCRYPTION_KEYS configured no data converter');
  worker = await startWorker(config, new JsonLogger({ level: 'WARN', write: () => undefined }), false);
  client = new Client({ connection: env.connection, dataConverter: config.temporal.dataConverter });
}, 90_000);

afterAll(async () => {
  await worker?.shutdown();
  await env?.teardown();
  await emulator?.close();
});

it('a full webinar, encrypted, continues as new while LIVE; promotions use the reserve across runs; 0 meetings left', async () => {
  const t0 = Date.now();
  const { attendees, eu, ap } = fullRoster();
  expect(attendees).toHaveLength(10_240);
  expect(new Set(attendees.map((a) => a.externalUserId)).size).toBe(10_240);
  expect(attendees.every((a) => [...a.externalUserId].length === ID_LENGTH)).toBe(true);
  const now = Date.now();
  const spec = webinarSpec(now, {
    startAt: new Date(now + 4_000).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    provisionLeadSeconds: 3,
    primaryRegion: 'us-east-1',
    replicaRegions: ['eu-west-1', 'ap-southeast-1'],
    maxReplicas: 40,
    attendees,
  });
  const handle = await client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
    args: [spec],
    taskQueue,
    workflowId: webinarWorkflowId(spec.webinarId),
    workflowIdConflictPolicy: 'FAIL',
  });
  const firstRunId = handle.firstExecutionRunId;
  const currentRun = async (): Promise<string> =>
    (await client.workflow.getHandle(handle.workflowId).describe()).runId;

  const live = await waitForStatus(
    handle,
    (s) => s.phase === 'LIVE' && s.attendees.registered === 10_240,
    75_000,
    250,
  );
  const tLive = Date.now();
  expect(live.attendees).toEqual({ requested: 10_240, registered: 10_240, failed: 0 });
  expect(live.replicas).toHaveLength(40);
  expect(live.replicas.every((r) => r.attendees === 250)).toBe(true);
  expect(emulator.state().meetings).toHaveLength(41);
  expect(emulator.state().meetings.every((m) => m.attendees === (m.role === 'primary' ? 240 : 250))).toBe(
    true,
  );
  const primaryId = live.primary?.meetingId;
  const replicaIds = new Set(live.replicas.map((r) => r.meetingId));
  const runsAtLive = await currentRun();

  // Replica viewers, alternately from each Region (accented IDs among them: every third index).
  const candidates = Array.from({ length: RESERVE + 1 }, (_, i) => (i % 2 ? ap : eu)[i * 97] ?? '');
  const promoted: string[] = [];
  const runOfPromotion: string[] = [];
  for (const id of candidates.slice(0, RESERVE)) {
    const before: AttendeeLocation = await ask(() => handle.query(attendeeQuery, { externalUserId: id }));
    expect(replicaIds.has(before.meetingId)).toBe(true);
    const replica = (await ask(() => handle.query(statusQuery))).replicas.find(
      (r) => r.meetingId === before.meetingId,
    );
    expect(replica?.attendees).toBe(250);
    const result = await handle.executeUpdate(operatorUpdates.promoteSpeaker, {
      args: [{ externalUserId: id }],
    });
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(/has speaker credentials in the primary meeting$/);
    const after = await ask(() => handle.query(attendeeQuery, { externalUserId: id }));
    expect(after.meetingId).toBe(primaryId);
    expect(after.attendeeId).not.toBe(before.attendeeId);
    promoted.push(id);
    runOfPromotion.push(await currentRun());
  }
  // The reserve is exactly 10 seats: an 11th replica viewer finds the primary full, and says why.
  const refused = await handle
    .executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: candidates[RESERVE] ?? '' }] })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
  expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(
    /promotion reserve of 10 seats is used up/,
  );

  // The LIVE webinar continued as new between promotions, and promoted viewers on both sides of it.
  const changes = runOfPromotion.filter((run, i) => run !== (i === 0 ? runsAtLive : runOfPromotion[i - 1]));
  expect(changes.length).toBeGreaterThanOrEqual(1);
  expect(runOfPromotion[0]).not.toBe(runOfPromotion[runOfPromotion.length - 1]);

  // Removals after continue-as-new: a promoted replica viewer (both its attendees go) and a plain one.
  const removed = [promoted[0] ?? '', eu[4_000] ?? ''];
  const seatsOf = (meetingId: string): number | undefined =>
    emulator.state().meetings.find((m) => m.meetingId === meetingId)?.attendees;
  for (const id of removed) {
    const where = await ask(() => handle.query(attendeeQuery, { externalUserId: id }));
    const r = await handle.executeUpdate(operatorUpdates.removeAttendee, { args: [{ externalUserId: id }] });
    expect(r.detail).toMatch(/removed$/);
    // The codec's failure converter encodes the query's failure too: the client reads "Encoded failure"
    // (a QueryNotRegisteredError) where the handler said "No attendee ...". Either means it is gone.
    const gone = await ask(() => handle.query(attendeeQuery, { externalUserId: id })).catch(
      (err: unknown) => err,
    );
    expect(gone).toBeInstanceOf(Error);
    expect((gone as Error).message).toMatch(/No attendee|^Encoded failure$/);
    if (where.meetingId !== primaryId) expect(seatsOf(where.meetingId)).toBe(249);
  }
  expect(seatsOf(primaryId ?? '')).toBe(240 + RESERVE - 1);
  // The removed promoted viewer's primary seat is free again: the 11th viewer now gets it.
  const eleventh = await handle.executeUpdate(operatorUpdates.promoteSpeaker, {
    args: [{ externalUserId: candidates[RESERVE] ?? '' }],
  });
  expect(eleventh.detail).toMatch(/has speaker credentials in the primary meeting$/);
  const status: WebinarStatus = await ask(() => handle.query(statusQuery));
  expect(status.phase).toBe('LIVE');
  expect(status.attendees.requested).toBe(10_238);
  expect(status.speakers).toEqual(expect.arrayContaining([...promoted.slice(1), candidates[RESERVE]]));
  const primaryInEmulator = emulator.state().meetings.find((m) => m.meetingId === primaryId);
  expect(primaryInEmulator?.attendees).toBe(250);

  await handle.executeUpdate(operatorUpdates.endWebinar, { args: [{ reason: 'issue 23 done' }] });
  const outcome = await handle.result();
  expect(outcome).toMatchObject({ phase: 'ENDED', reason: 'issue 23 done' });
  expect(emulator.state().meetings).toHaveLength(0);
  expect(emulator.state().totals.meetingsCreated).toBe(41);

  // Every run of the chain, from the first: each ends by continuing as new, the last by completing.
  const histories: temporal.api.history.v1.IHistory[] = [];
  let runId: string | undefined = firstRunId;
  while (runId) {
    const history: temporal.api.history.v1.IHistory = await client.workflow
      .getHandle(handle.workflowId, runId)
      .fetchHistory();
    histories.push(history);
    const last = history.events?.[history.events.length - 1];
    runId = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  expect(histories.length).toBeGreaterThanOrEqual(2);
  expect(histories.length).toBeGreaterThanOrEqual(new Set([runsAtLive, ...runOfPromotion]).size);

  const sizes = histories.flatMap((h, run) => payloadSizes(h).map((p) => ({ ...p, run })));
  const largest = sizes.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const largestCarried = sizes
    .filter((p) => p.event === 'workflowExecutionContinuedAsNew')
    .reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const startInput = sizes
    .filter((p) => p.run === 0 && p.event === 'workflowExecutionStarted')
    .reduce((n, p) => n + p.bytes, 0);
  // Strict encryption: every stored payload is encrypted, and no attendee ID is readable in any history.
  for (const h of histories) {
    expect(storedPayloads(h).filter((p) => p.encoding !== ENCRYPTED_ENCODING)).toEqual([]);
  }
  const text = histories.map((h) => historyText(h)).join('\n');
  for (const id of [attendees[0]?.externalUserId ?? '', eu[0] ?? '', ap[3] ?? '', ...promoted]) {
    expect(text).not.toContain(id);
  }
  console.log(
    [
      `full-size webinar: 10,240 attendees, 41 meetings, ${histories.length} runs ` +
        `(${histories.map((h) => h.events?.length ?? 0).join(' + ')} events)`,
      `largest payload: ${largest.bytes.toLocaleString('en')} bytes (${largest.event}, run ${largest.run + 1})`,
      `largest continue-as-new input: ${largestCarried.bytes.toLocaleString('en')} bytes`,
      `start input (10,240 attendees): ${startInput.toLocaleString('en')} bytes; ` +
        `continued as new ${changes.length} time(s) between promotions while LIVE`,
      `time: LIVE after ${((tLive - t0) / 1000).toFixed(1)} s, done after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    ].join('\n'),
  );
  expect(largest.bytes).toBeLessThanOrEqual(MiB);
  expect(largestCarried.bytes).toBeLessThanOrEqual(MiB);
}, 90_000);
