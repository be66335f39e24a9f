/**
 * The production topology, proven on this machine (npm run test:cluster): the real Temporal server on
 * PostgreSQL (tooling/stack, the version docker-compose.yml pins, with deploy/temporal-dynamicconfig.yaml) and
 * three `worker/main.ts` processes sharing one Chime API budget, against the emulator with the service's own
 * rate limits (10 calls/s, burst 20, per operation and for the account). Proves that the budget holds for the
 * fleet as a whole, that a webinar survives a worker process killed and another added, and the Temporal server
 * killed and restarted on its database; that the workers' shared credential store (its own database on that
 * PostgreSQL) keeps exactly one row per attendee Chime holds through workers killed mid-registration and
 * mid-promotion, and none once the webinar ends; then replays every history the run produced.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { historiesFromCluster, replayHistories } from '../../client/library/replay';
import { KEYS_ENV } from '../../client/temporal/codec';
import { dataConverterFromEnvironment } from '../../client/temporal/data-converter';
import type { WebinarSpec, WebinarStatus } from '../../domain/types';
import { startCluster, type Cluster } from '../../tooling/stack/cluster';
import { STORE_CHECK_MS } from '../../client/join-api/credential-snapshots';
import { mintJoinToken } from '../../client/library/join-link';
import { parseEncryptionKeys } from '../../client/temporal/codec';
import type { Attendee, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import type { StackWorker } from '../../tooling/stack/workers';
import { DYNAMIC_CONFIG_FILE, composeTemporalVersion } from '../../tooling/stack/temporal-version';
import { projectRoot } from '../../tooling/temporal-servers';
import { hostAndViewersSpec } from '../support/host-and-viewers';
import { webinarBundle } from '../support/webinar-stack';
import { progressLog } from '../support/progress';
import { nondeterminismIn } from '../chaos/histories';
import { clusterStore, type ClusterStore } from './credential-rows';
import { callRate, recordCalls, workerChimeCalls } from './measure';
import { clusterWebinars, type ClusterWebinars } from './webinars';
import { changeConnection, reportCsv, type ConnectionChange } from './attendance';
import { ATTENDANCE_RECORD_FIELDS } from '../../domain/attendance';

// A cold start builds the server with Go first (minutes); later runs reuse .tools/.
const START_TIMEOUT_MS = 20 * 60_000;
/*
 * Waits, each several times what a quiet 2-core machine takes (see the summary's figures), so a loaded one does
 * not cross them by chance; a test's own timeout is above the sum of its waits, so a wait's error is the one shown.
 */
const PROVISIONING_WITHIN_MS = 90_000;
const LIVE_WITHIN_MS = 240_000;
jest.setTimeout(480_000);
/** end (90 s), cancel (30 s), the meeting sweep (60 s), a server restart (120 s) at worst. */
const CLEANUP_TIMEOUT_MS = 360_000;

const WORKERS = 3;

const BUDGET = 10;
/** The emulator's burst (the real service's): the most calls above the rate that any window may hold. */
const BURST = 20;
/**
 * For the kill tests: each registration batch takes 3 s at the service, so batches are in flight when the
 * meetings exist, and the kill lands in the middle of provisioning, not after it.
 */
const SLOW_BATCHES = { faults: { operations: { BatchCreateAttendee: { latencyMs: 3_000 } } } };

interface JoinBody {
  error?: string;
  Meeting?: Meeting;
  Attendee?: Attendee;
  Primary?: { Meeting?: Meeting; Attendee?: Attendee };
}

let cluster: Cluster;
let connection: Connection;
let client: Client;
let webinars: ClusterWebinars;
/** The workers' payload codec (their PAYLOAD_ENCRYPTION_KEYS): the client and the replay read payloads with it. */
let dataConverter: DataConverter;
const progress = progressLog('cluster');

beforeAll(async () => {
  const t0 = Date.now();
  cluster = await startCluster({
    workers: WORKERS,
    taskQueue: `webinars-cluster-${process.pid}`,
    budgetPerSecond: BUDGET,
    // The service's rate limits stay on; nobody connects, so meetings must not end idle during the run.
    emulator: { autoEnd: { idleMinutes: 120 } },
    log: progress,
  });
  progress(
    `cluster up in ${Math.round((Date.now() - t0) / 1000)} s (server build: ${cluster.build.built ? `${cluster.build.seconds} s` : 'reused'})`,
  );
  connection = await Connection.connect({ address: cluster.temporalAddress });
  dataConverter = dataConverterFromEnvironment({ [KEYS_ENV]: cluster.payloadEncryptionKeys });
  client = new Client({ connection, namespace: cluster.namespace, dataConverter });
  webinars = clusterWebinars(client, cluster.taskQueue, cluster.emulator);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await connection?.close();
  await cluster?.stop();
  process.stdout.write(progress.summary('cluster topology'));
}, 120_000);

afterEach(async () => {
  // null removes the key (emulator deepMerge): back to no latency, so a cleanup's teardown is quick.
  cluster.emulator.configure({ faults: { operations: { BatchCreateAttendee: null, CreateAttendee: null } } });
  // A test that failed mid-outage leaves the topology as the next test expects it.
  const restored: string[] = [];
  const server = cluster.server.process()?.child;
  if (!server || server.exitCode !== null || server.signalCode !== null) {
    await cluster.server.start();
    restored.push('Temporal server restarted');
  }
  while (cluster.fleet.workers().length < WORKERS) restored.push(`${(await cluster.fleet.add()).name} added`);
  // A failed test's webinars would otherwise run on, and their meetings meet the next test.
  restored.push(...(await webinars.cleanUp()));
  if (restored.length > 0) {
    progress(`cleanup after "${expect.getState().currentTestName}": ${restored.join('; ')}`);
  }
}, CLEANUP_TIMEOUT_MS);

function spec(prefix: string, attendees: number, startInMs: number): WebinarSpec {
  return hostAndViewersSpec(prefix, attendees, startInMs, Math.max(1, Math.floor(startInMs / 1000) - 1));
}

async function callsPerWorker(
  fleet: Cluster['fleet'],
): Promise<Record<string, { succeeded: number; all: number }>> {
  const out: Record<string, { succeeded: number; all: number }> = {};
  for (const w of fleet.workers()) out[w.name] = await workerChimeCalls(w.metricsUrl);
  return out;
}

describe('the stack matches docker-compose.yml', () => {
  it('runs the Temporal version compose pins, and that server accepts the dynamic config compose mounts', async () => {
    expect(cluster.build.version).toBe(composeTemporalVersion());
    const { stdout } = await promisify(execFile)(cluster.build.server, [
      'validate-dynamic-config',
      join(projectRoot(), DYNAMIC_CONFIG_FILE),
    ]);
    // The server prints the file name, then one line per error or warning: none.
    expect(stdout.trim().split('\n')).toEqual([join(projectRoot(), DYNAMIC_CONFIG_FILE)]);
    const version = await promisify(execFile)(cluster.build.server, ['--version']);
    expect(version.stdout).toContain(cluster.build.version);
  });
});

describe('three worker processes on one API budget', () => {
  it('run several webinars at once, and the fleet as a whole stays within the budget', async () => {
    const before = cluster.emulator.state().totals;
    const webinarCount = 8;
    const attendees = 1000;
    const recorder = recordCalls(cluster.emulator.endpoint);
    const specs = Array.from({ length: webinarCount }, (_, i) => spec(`fleet${i}`, attendees, 4_000));
    const ids = specs.map((s) => s.webinarId);
    let samples;
    let live: WebinarStatus[];
    let outcomes: unknown[];
    try {
      await Promise.all(specs.map((s) => webinars.start(s)));
      live = await Promise.all(
        ids.map((id) => webinars.waitForStatus(id, (s) => s.phase === 'LIVE', LIVE_WITHIN_MS, 500)),
      );
      await Promise.all(ids.map((id) => webinars.end(id, 'cluster test')));
      outcomes = await Promise.all(ids.map((id) => webinars.client.result(id)));
    } finally {
      samples = await recorder.stop();
    }

    for (const [i, s] of live.entries()) {
      expect({ webinar: i, attendees: s.attendees }).toEqual({
        webinar: i,
        attendees: { requested: attendees, registered: attendees, failed: 0 },
      });
    }
    for (const o of outcomes) expect(o).toMatchObject({ phase: 'ENDED' });
    const totals = cluster.emulator.state().totals;
    expect(webinars.meetingsOf(ids)).toEqual([]);
    expect(totals.attendeesCreated - before.attendeesCreated).toBe(webinarCount * attendees);

    // The budget held: the service throttled nothing, and no 5-second window ran above rate + burst.
    const rate = callRate(samples, 5);
    expect(totals.throttled - before.throttled).toBe(0);
    expect(rate.peakPerSecond).toBeLessThanOrEqual(BUDGET + BURST / rate.windowSeconds);

    // Every process took part, and every call the emulator saw came from one of them (a worker also counts a
    // call that never arrived, e.g. a reset connection; and an error it treats as done, e.g. deleting a replica
    // its primary already took, counts as a success there but a failure here — so totals, not outcomes).
    const perWorker = await callsPerWorker(cluster.fleet);
    expect(Object.keys(perWorker)).toHaveLength(WORKERS);
    for (const [name, calls] of Object.entries(perWorker)) {
      expect({ name, succeeded: calls.succeeded > 0 }).toEqual({ name, succeeded: true });
    }
    expect(Object.values(perWorker).reduce((a, b) => a + b.all, 0)).toBeGreaterThanOrEqual(
      totals.calls - before.calls,
    );
    progress(
      `${webinarCount} × ${attendees} attendees on 3 workers, budget ${BUDGET}/s: ${rate.calls} calls in ${rate.busySeconds.toFixed(1)} s ` +
        `= ${rate.averagePerSecond.toFixed(2)} calls/s on average, peak ${rate.peakPerSecond.toFixed(2)}/s over ${rate.windowSeconds} s, ` +
        `0 throttled; calls per worker (successful/all) ${Object.entries(perWorker)
          .map(([n, c]) => `${n} ${c.succeeded}/${c.all}`)
          .join(', ')}`,
    );
  });
});

/** A webinar of 1,000 attendees with slow batches, once its meetings exist: provisioning is under way. */
async function provisioningWebinar(prefix: string): Promise<{
  webinarId: string;
  attendees: number;
  before: ReturnType<Cluster['emulator']['state']>['totals'];
}> {
  cluster.emulator.configure(SLOW_BATCHES);
  const before = cluster.emulator.state().totals;
  const attendees = 1000;
  const s = spec(prefix, attendees, 3_000);
  await webinars.start(s);
  await webinars.waitForStatus(
    s.webinarId,
    (st) => st.phase === 'PROVISIONING' && st.primary !== null,
    PROVISIONING_WITHIN_MS,
    100,
  );
  return { webinarId: s.webinarId, attendees, before };
}

/** Attendees the emulator holds in the webinar's meetings now. */
function attendeesIn(webinarId: string): number {
  return webinars.meetingsOf([webinarId]).reduce((n, m) => n + m.attendees, 0);
}

/**
 * After the outage: the webinar goes LIVE with every attendee registered, ends, and left nothing behind, having
 * created each attendee and each meeting once. Returns its LIVE status.
 */
async function completesOnce(
  { webinarId, attendees, before }: Awaited<ReturnType<typeof provisioningWebinar>>,
  pollMs: number,
): Promise<WebinarStatus> {
  const live = await webinars.waitForStatus(webinarId, (s) => s.phase === 'LIVE', LIVE_WITHIN_MS, pollMs);
  expect(live.attendees).toEqual({ requested: attendees, registered: attendees, failed: 0 });
  await webinars.end(webinarId, 'cluster test');
  expect(await webinars.client.result(webinarId)).toMatchObject({ phase: 'ENDED' });
  const totals = cluster.emulator.state().totals;
  expect(webinars.meetingsOf([webinarId])).toEqual([]);
  expect(totals.attendeesCreated - before.attendeesCreated).toBe(attendees);
  expect(totals.meetingsCreated - before.meetingsCreated).toBe(1 + live.replicas.length);
  return live;
}

describe('a worker process killed and another added mid-webinar', () => {
  it('provisioning carries on and the webinar completes with every attendee registered once', async () => {
    const webinar = await provisioningWebinar('killworker');
    const { webinarId, attendees } = webinar;
    const victim = cluster.fleet.workers()[0];
    if (!victim) throw new Error('no worker to kill');
    await cluster.fleet.kill(victim);
    // Read from the emulator, not the status query: a query just after a kill can wait seconds for a worker.
    const createdAtKill = attendeesIn(webinarId);
    expect(createdAtKill).toBeLessThan(attendees);
    // The kill can leave the run cached half-advanced on a survivor: the client asks again past the guard.
    const atKill = await webinars.status(webinarId);
    expect(atKill.attendees.requested).toBe(attendees);
    const added = await cluster.fleet.add();
    progress(
      `killed ${victim.name} (SIGKILL) with ${createdAtKill}/${attendees} attendees created ` +
        `(${atKill.attendees.registered} registered when the status query answered); added ${added.name}`,
    );

    const live = await completesOnce(webinar, 250);
    expect(cluster.fleet.workers().map((w) => w.name)).toContain(added.name);
    progress(
      `ENDED after the kill: ${attendees} attendees and ${1 + live.replicas.length} meetings created once each`,
    );
  });
});

describe('the Temporal server killed and restarted on PostgreSQL mid-webinar', () => {
  it('resumes: the webinar finishes provisioning, goes live and ends', async () => {
    const webinar = await provisioningWebinar('killserver');
    const { webinarId, attendees } = webinar;
    await cluster.server.kill();
    const createdAtKill = attendeesIn(webinarId);
    expect(createdAtKill).toBeLessThan(attendees);
    progress(
      `Temporal server killed (SIGKILL) during provisioning, ${createdAtKill}/${attendees} attendees created`,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const t0 = Date.now();
    await cluster.server.start();
    progress(
      `Temporal server restarted on the same database and ports in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    // The workers reconnect by themselves; the client's connection too.
    await completesOnce(webinar, 500);
    expect(cluster.fleet.workers()).toHaveLength(WORKERS);
    progress(`ENDED after the server restart; all 3 worker processes survived the outage`);
  });
});

/** host-1 and viewers (the odd ones in the eu-west-1 replica), externalUserIds e-mail-like, as they often are. */
function storeSpec(prefix: string, attendees: number, startInMs: number): WebinarSpec {
  const s = spec(prefix, attendees, startInMs);
  return {
    ...s,
    attendees: s.attendees.map((a) => ({ ...a, externalUserId: `${a.externalUserId}@example.test` })),
  };
}

/** Pending state STARTED: a worker took the attempt and has not answered. */
const ACTIVITY_STARTED = 2;

/**
 * The worker process running an attempt of `activityType` of the webinar, once one is running: the server's
 * pending activity names the worker's identity (the SDK's default, `<pid>@<host>`).
 */
async function workerRunning(
  webinarId: string,
  activityType: string,
  timeoutMs: number,
): Promise<StackWorker> {
  const handle = webinars.client.handle(webinarId);
  const deadline = Date.now() + timeoutMs;
  const seen = new Set<string>();
  while (Date.now() < deadline) {
    const { raw } = await handle.describe();
    for (const p of raw.pendingActivities ?? []) {
      seen.add(`${p.activityType?.name ?? '?'} state ${String(p.state)} on ${p.lastWorkerIdentity ?? '-'}`);
      if (p.activityType?.name !== activityType || Number(p.state) !== ACTIVITY_STARTED) continue;
      const pid = (p.lastWorkerIdentity ?? '').split('@')[0];
      const worker = cluster.fleet.workers().find((w) => String(w.process.child.pid) === pid);
      if (worker) return worker;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `no worker of the fleet ran ${activityType} of ${webinarId} within ${timeoutMs} ms (seen: ${[...seen].join('; ')})`,
  );
}

/** A viewer the webinar seated in a replica (the odd ones asked for eu-west-1; the last are the likeliest). */
async function replicaViewer(s: WebinarSpec, primaryMeetingId: string | undefined): Promise<string> {
  if (!primaryMeetingId) throw new Error(`${s.webinarId} has no primary meeting`);
  for (const a of [...s.attendees].reverse()) {
    if (a.role !== 'viewer' || a.region === undefined) continue;
    const at = await webinars.client.attendee(s.webinarId, a.externalUserId);
    if (at.meetingId !== primaryMeetingId) return a.externalUserId;
  }
  throw new Error(`${s.webinarId} seated no viewer in a replica`);
}

describe('the credential store on PostgreSQL, shared by the worker processes', () => {
  let rows: ClusterStore;
  beforeAll(async () => {
    rows = await clusterStore(
      cluster.credentialStoreUrl,
      cluster.payloadEncryptionKeys,
      cluster.emulator.endpoint,
    );
  });
  afterAll(async () => {
    await rows?.close();
  });

  /** A join through the stack's join API process (on this PostgreSQL store), with a link it signed for. */
  async function join(
    webinarId: string,
    externalUserId: string,
  ): Promise<{ status: number; body: JoinBody }> {
    const keys = parseEncryptionKeys(cluster.joinApi.joinLinkKeys, 'JOIN_LINK_KEYS');
    const token = mintJoinToken(
      { webinarId, externalUserId, expiresAt: new Date(Date.now() + 600_000) },
      keys,
    );
    const res = await fetch(`${cluster.joinApi.url}/v1/join`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    return { status: res.status, body: (await res.json()) as JoinBody };
  }

  /** The webinar's rows are exactly what the emulator holds, and each opens to that attendee's token. */
  async function rowsMatchChime(webinarId: string): Promise<number> {
    const seen = await rows.compare(webinarId, webinars.meetingsOf([webinarId]));
    expect(seen.rows).toEqual(seen.held);
    expect(seen.meetings.rows).toEqual(seen.meetings.held);
    expect(await rows.mismatches(webinarId, seen.attendees)).toEqual([]);
    // The secrets scan, over the store: no token and no externalUserId in the clear, in any row of any table.
    const raw = await rows.raw();
    expect(raw).toContain(seen.attendees[0]?.attendeeId ?? 'no attendee');
    const leaked = seen.attendees.filter(
      (a) => (a.joinToken !== undefined && raw.includes(a.joinToken)) || raw.includes(a.externalUserId),
    );
    expect(leaked.map((a) => a.externalUserId)).toEqual([]);
    expect(seen.attendees.every((a) => a.joinToken !== undefined)).toBe(true);
    expect(raw).not.toContain('@example.test');
    return seen.held.length;
  }

  it('keeps one row per attendee Chime holds through workers killed mid-registration and mid-promotion, none after the end', async () => {
    // A webinar live for the promotion (a replica needs more viewers than the primary seats); then another
    // whose batches are slow, so that registration is under way when the kill lands.
    const attendees = 301;
    const small = storeSpec('storepromo', attendees, 3_000);
    await webinars.start(small);
    await webinars.waitForStatus(small.webinarId, (s) => s.phase === 'LIVE', LIVE_WITHIN_MS, 250);
    const primary = webinars.meetingsOf([small.webinarId]).find((m) => m.role === 'primary')?.meetingId;
    const promoted = await replicaViewer(small, primary);
    const big = storeSpec('storekill', attendees, 4_000);
    cluster.emulator.configure({
      faults: {
        operations: { BatchCreateAttendee: { latencyMs: 3_000 }, CreateAttendee: { latencyMs: 3_000 } },
      },
    });
    await webinars.start(big);
    const registering = await workerRunning(big.webinarId, 'batchCreateAttendee', PROVISIONING_WITHIN_MS);

    // The replica viewer promoted: a second attendee, in the primary, its call in flight at the kill.
    const promotion = webinars.client.action(small.webinarId, 'promoteSpeaker', { externalUserId: promoted });
    let promotionOutcome = 'pending';
    void promotion.then(
      (r) => (promotionOutcome = `done: ${r.detail}`),
      (err: unknown) => (promotionOutcome = `failed: ${String(err)}`),
    );
    const promoting = await workerRunning(small.webinarId, 'createAttendee', 30_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; the promotion: ${promotionOutcome}`);
    });
    const victims = [...new Set([registering, promoting])];
    const createdAtKill = attendeesIn(big.webinarId);
    await Promise.all(victims.map((v) => cluster.fleet.kill(v)));
    progress(
      `store: killed ${victims.map((v) => v.name).join(' and ')} (SIGKILL) running batchCreateAttendee ` +
        `(${createdAtKill}/${attendees} attendees created) and a promotion's createAttendee`,
    );
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: WORKERS - cluster.fleet.workers().length }, () => cluster.fleet.add()),
    );
    // The killed batch took effect at the service after its latency, with no worker left to store it: the
    // attendees held without a row are the gap the retried attempt must close.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 3_500 - (Date.now() - t0))));
    const gap = await rows.compare(big.webinarId, webinars.meetingsOf([big.webinarId]));
    cluster.emulator.configure({
      faults: { operations: { BatchCreateAttendee: null, CreateAttendee: null } },
    });

    expect(await promotion).toMatchObject({ ok: true });
    const live = await webinars.waitForStatus(big.webinarId, (s) => s.phase === 'LIVE', LIVE_WITHIN_MS, 500);
    expect(live.attendees).toEqual({ requested: attendees, registered: attendees, failed: 0 });
    progress(
      `store: ${gap.held.length - gap.rows.length} attendees held without a row 3.5 s after the kill ` +
        `(${gap.held.length} held); promotion done and ${attendees} registered ${((Date.now() - t0) / 1000).toFixed(1)} s after it`,
    );

    expect(await rowsMatchChime(big.webinarId)).toBe(attendees);
    expect(await rowsMatchChime(small.webinarId)).toBe(attendees + 1);
    const both = await rows.store.getAll(small.webinarId, promoted);
    expect(both.map((c) => c.meeting.MeetingId)).toContain(primary);
    expect(both).toHaveLength(2);

    // The join API process answers from these rows: the promoted viewer's replica pair and the primary's.
    const joined = await join(small.webinarId, promoted);
    expect(joined.status).toBe(200);
    expect(joined.body.Attendee?.JoinToken).toEqual(expect.any(String));
    expect(joined.body.Primary?.Meeting?.MeetingId).toBe(primary);
    expect([joined.body.Attendee?.AttendeeId, joined.body.Primary?.Attendee?.AttendeeId].sort()).toEqual(
      both.map((c) => c.attendee.AttendeeId).sort(),
    );

    // Removed: the attendee and its row go, and its join is gone.
    const removed = 'v-4@example.test';
    expect((await join(small.webinarId, removed)).status).toBe(200);
    await webinars.client.action(small.webinarId, 'removeAttendee', { externalUserId: removed });
    expect(await rows.store.getAll(small.webinarId, removed)).toEqual([]);
    expect(await rowsMatchChime(small.webinarId)).toBe(attendees);
    await new Promise((resolve) => setTimeout(resolve, STORE_CHECK_MS + 20));
    expect(await join(small.webinarId, removed)).toEqual({ status: 410, body: { error: 'gone' } });

    const ids = [big.webinarId, small.webinarId];
    await Promise.all(ids.map((id) => webinars.end(id, 'cluster test')));
    for (const id of ids) expect(await webinars.client.result(id)).toMatchObject({ phase: 'ENDED' });
    expect(webinars.meetingsOf(ids)).toEqual([]);
    expect(await rows.count(ids)).toEqual({ attendees: 0, meetings: 0 });
    expect((await join(big.webinarId, 'v-1@example.test')).status).toBe(410);
    progress(
      `store: rows = the emulator's attendees (${attendees} + ${attendees + 1}), each opening to its token, ` +
        `none in the clear; the join API answered from them, gone after the removal and the end; 0 rows after endWebinar`,
    );
  });
});

describe("meeting events through the stack's events bridge process", () => {
  it('counts attendees who connect in the published status, and the CLI reports each from the store after the end', async () => {
    const spec = hostAndViewersSpec('attended', 30, 15_000, 10);
    const handle = await webinars.start(spec);
    await webinars.waitForStatus(spec.webinarId, (s) => s.phase === 'LIVE', LIVE_WITHIN_MS, 500);
    const who = ['host-1', 'v-0', 'v-1', 'v-2', 'v-3'];
    const seats = await Promise.all(who.map((id) => webinars.client.attendee(spec.webinarId, id)));
    const change = (i: number, c: ConnectionChange) =>
      changeConnection(cluster.emulator.endpoint, seats[i]?.meetingId ?? '', seats[i]?.attendeeId ?? '', c);
    for (let i = 0; i < seats.length; i++) await change(i, 'connect');
    await change(4, 'drop');
    await change(4, 'connect');
    await change(3, 'disconnect');
    const expected = { connected: 4, joined: 5, dropped: 1 };
    // The published status (the memo), as a dashboard reads it.
    const deadline = Date.now() + 30_000;
    let published = (await webinars.client.status(spec.webinarId)).attendance;
    while (JSON.stringify(published) !== JSON.stringify(expected) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      published = (await webinars.client.status(spec.webinarId)).attendance;
    }
    expect(published).toEqual(expected);
    progress(`attendance through the events bridge: ${JSON.stringify(published)}`);

    await webinars.end(spec.webinarId, 'attended');
    const outcome = await handle.result();
    expect(outcome.attendance).toMatchObject({ invited: spec.attendees.length, joined: 5, dropped: 1 });
    const [header, ...rows] = await reportCsv(spec.webinarId, {
      storeUrl: cluster.credentialStoreUrl,
      payloadKeys: cluster.payloadEncryptionKeys,
      temporalAddress: cluster.temporalAddress,
      namespace: cluster.namespace,
    });
    expect(header).toEqual([...ATTENDANCE_RECORD_FIELDS]);
    expect(rows).toHaveLength(spec.attendees.length);
    const byId = new Map(rows.map((r) => [r[0], r]));
    expect(who.map((id) => byId.get(id)?.slice(5))).toEqual([
      ['1', '0'],
      ['1', '0'],
      ['1', '0'],
      ['1', '0'],
      ['2', '1'],
    ]);
    expect(rows.filter((r) => r[2] === '').length).toBe(spec.attendees.length - who.length);
    const metrics = await (await fetch(`${cluster.eventsBridge.url}/metrics`)).text();
    expect(metrics).toMatch(/^events_bridge_signals_total\{outcome="accepted"\} [1-9]/m);
  });
});

describe('afterwards', () => {
  it('every history of the run replays against the current workflow bundle', async () => {
    // The pre-deploy gate's own reading and replay (client/library/replay.ts): every webinar workflow of the run.
    const histories = await historiesFromCluster(client, '', 1_000);
    const outcomes = await replayHistories(histories, {
      workflowBundle: await webinarBundle(),
      dataConverter,
    });
    const replayed = outcomes.length;
    expect(outcomes.filter((o) => o.error !== undefined).map((o) => `${o.name}: ${o.error}`)).toEqual([]);
    // Nor did a live run meet nondeterminism (a worker killed mid-task replays the history on another).
    const runs = histories.flatMap((h) =>
      h.history ? [{ workflowId: h.workflowId, runId: h.name, history: h.history }] : [],
    );
    expect(nondeterminismIn(runs)).toEqual([]);
    expect(histories.some((h) => h.workflowId.includes('storekill'))).toBe(true);
    expect(replayed).toBeGreaterThanOrEqual(10); // continue-as-new may add runs
    progress(`${replayed} histories replayed against the current bundle, 0 failed`);
  });
});
