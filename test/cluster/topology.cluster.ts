/**
 * The production topology, proven on this machine (npm run test:cluster): the real Temporal server on
 * PostgreSQL (tooling/stack, the version docker-compose.yml pins, with deploy/temporal-dynamicconfig.yaml) and
 * three `worker/main.ts` processes sharing one Chime API budget, against the emulator with the service's own
 * rate limits (10 calls/s, burst 20, per operation and for the account). Proves that the budget holds for the
 * fleet as a whole, that a webinar survives a worker process killed and another added, and the Temporal server
 * killed and restarted on its database; then replays every history the run produced.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { historiesFromCluster, replayHistories } from '../../client/replay';
import type { WebinarSpec, WebinarStatus } from '../../domain/types';
import { startCluster, type Cluster } from '../../tooling/stack/cluster';
import { DYNAMIC_CONFIG_FILE, composeTemporalVersion } from '../../tooling/stack/temporal-version';
import { projectRoot } from '../../tooling/temporal-servers';
import type { webinarWorkflow } from '../../workflows';
import { operatorSignals, statusQuery, webinarWorkflowId } from '../../workflows/definitions';
import { hostAndViewersSpec } from '../support/host-and-viewers';
import { waitForStatus, webinarBundle } from '../support/webinar-stack';
import { progressLog } from '../support/progress';
import { callRate, recordCalls, workerChimeCalls } from './measure';

// A cold start builds the server with Go first (minutes); later runs reuse .tools/.
const START_TIMEOUT_MS = 20 * 60_000;
jest.setTimeout(240_000);

const BUDGET = 10;
/** The emulator's burst (the real service's): the most calls above the rate that any window may hold. */
const BURST = 20;
/**
 * For the kill tests: each registration batch takes 3 s at the service, so batches are in flight when the
 * meetings exist, and the kill lands in the middle of provisioning, not after it.
 */
const SLOW_BATCHES = { faults: { operations: { BatchCreateAttendee: { latencyMs: 3_000 } } } };

let cluster: Cluster;
let connection: Connection;
let client: Client;
const progress = progressLog('cluster');

beforeAll(async () => {
  const t0 = Date.now();
  cluster = await startCluster({
    workers: 3,
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
  client = new Client({ connection, namespace: cluster.namespace });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await connection?.close();
  await cluster?.stop();
  process.stdout.write(progress.summary('cluster topology'));
}, 120_000);

afterEach(() => {
  // null removes the key (emulator deepMerge): back to no latency.
  cluster.emulator.configure({ faults: { operations: { BatchCreateAttendee: null } } });
});

function spec(prefix: string, attendees: number, startInMs: number): WebinarSpec {
  return hostAndViewersSpec(prefix, attendees, startInMs, Math.max(1, Math.floor(startInMs / 1000) - 1));
}

function start(s: WebinarSpec): Promise<WorkflowHandle<typeof webinarWorkflow>> {
  return client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
    args: [s],
    taskQueue: cluster.taskQueue,
    workflowId: webinarWorkflowId(s.webinarId),
    workflowIdConflictPolicy: 'FAIL',
  });
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
    const webinars = 8;
    const attendees = 1000;
    const recorder = recordCalls(cluster.emulator.endpoint);
    const handles = await Promise.all(
      Array.from({ length: webinars }, (_, i) => start(spec(`fleet${i}`, attendees, 4_000))),
    );
    const live = await Promise.all(
      handles.map((h) => waitForStatus(h, (s) => s.phase === 'LIVE', 180_000, 500)),
    );
    await Promise.all(handles.map((h) => h.signal(operatorSignals.endWebinar, { reason: 'cluster test' })));
    const outcomes = await Promise.all(handles.map((h) => h.result()));
    const samples = await recorder.stop();

    for (const [i, s] of live.entries()) {
      expect({ webinar: i, attendees: s.attendees }).toEqual({
        webinar: i,
        attendees: { requested: attendees, registered: attendees, failed: 0 },
      });
    }
    for (const o of outcomes) expect(o).toMatchObject({ phase: 'ENDED' });
    const totals = cluster.emulator.state().totals;
    expect(cluster.emulator.state().meetings).toHaveLength(0);
    expect(totals.attendeesCreated - before.attendeesCreated).toBe(webinars * attendees);

    // The budget held: the service throttled nothing, and no 5-second window ran above rate + burst.
    const rate = callRate(samples, 5);
    expect(totals.throttled - before.throttled).toBe(0);
    expect(rate.peakPerSecond).toBeLessThanOrEqual(BUDGET + BURST / rate.windowSeconds);

    // Every process took part, and every call the emulator saw came from one of them (a worker also counts a
    // call that never arrived, e.g. a reset connection; and an error it treats as done, e.g. deleting a replica
    // its primary already took, counts as a success there but a failure here — so totals, not outcomes).
    const perWorker = await callsPerWorker(cluster.fleet);
    expect(Object.keys(perWorker)).toHaveLength(3);
    for (const [name, calls] of Object.entries(perWorker)) {
      expect({ name, succeeded: calls.succeeded > 0 }).toEqual({ name, succeeded: true });
    }
    expect(Object.values(perWorker).reduce((a, b) => a + b.all, 0)).toBeGreaterThanOrEqual(
      totals.calls - before.calls,
    );
    progress(
      `${webinars} × ${attendees} attendees on 3 workers, budget ${BUDGET}/s: ${rate.calls} calls in ${rate.busySeconds.toFixed(1)} s ` +
        `= ${rate.averagePerSecond.toFixed(2)} calls/s on average, peak ${rate.peakPerSecond.toFixed(2)}/s over ${rate.windowSeconds} s, ` +
        `0 throttled; calls per worker (successful/all) ${Object.entries(perWorker)
          .map(([n, c]) => `${n} ${c.succeeded}/${c.all}`)
          .join(', ')}`,
    );
  });
});

/** A webinar of 1,000 attendees with slow batches, once its meetings exist: provisioning is under way. */
async function provisioningWebinar(prefix: string): Promise<{
  handle: WorkflowHandle<typeof webinarWorkflow>;
  attendees: number;
  before: ReturnType<Cluster['emulator']['state']>['totals'];
}> {
  cluster.emulator.configure(SLOW_BATCHES);
  const before = cluster.emulator.state().totals;
  const attendees = 1000;
  const handle = await start(spec(prefix, attendees, 3_000));
  await waitForStatus(handle, (s) => s.phase === 'PROVISIONING' && s.primary !== null, 60_000, 100);
  return { handle, attendees, before };
}

/**
 * After the outage: the webinar goes LIVE with every attendee registered, ends, and left nothing behind, having
 * created each attendee and each meeting once. Returns its LIVE status.
 */
async function completesOnce(
  { handle, attendees, before }: Awaited<ReturnType<typeof provisioningWebinar>>,
  pollMs: number,
): Promise<WebinarStatus> {
  const live = await waitForStatus(handle, (s) => s.phase === 'LIVE', 180_000, pollMs);
  expect(live.attendees).toEqual({ requested: attendees, registered: attendees, failed: 0 });
  await handle.signal(operatorSignals.endWebinar, { reason: 'cluster test' });
  expect(await handle.result()).toMatchObject({ phase: 'ENDED' });
  const totals = cluster.emulator.state().totals;
  expect(cluster.emulator.state().meetings).toHaveLength(0);
  expect(totals.attendeesCreated - before.attendeesCreated).toBe(attendees);
  expect(totals.meetingsCreated - before.meetingsCreated).toBe(1 + live.replicas.length);
  return live;
}

describe('a worker process killed and another added mid-webinar', () => {
  it('provisioning carries on and the webinar completes with every attendee registered once', async () => {
    const webinar = await provisioningWebinar('killworker');
    const { handle, attendees } = webinar;
    const victim = cluster.fleet.workers()[0];
    if (!victim) throw new Error('no worker to kill');
    await cluster.fleet.kill(victim);
    const registeredAtKill = (await handle.query(statusQuery)).attendees.registered;
    expect(registeredAtKill).toBeLessThan(attendees);
    const added = await cluster.fleet.add();
    progress(
      `killed ${victim.name} (SIGKILL) with ${registeredAtKill}/${attendees} registered; added ${added.name}`,
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
    const { handle, attendees } = webinar;
    const registeredAtKill = (await handle.query(statusQuery)).attendees.registered;
    expect(registeredAtKill).toBeLessThan(attendees);
    await cluster.server.kill();
    progress(
      `Temporal server killed (SIGKILL) during provisioning, ${registeredAtKill}/${attendees} registered`,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const t0 = Date.now();
    await cluster.server.start();
    progress(
      `Temporal server restarted on the same database and ports in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );

    // The workers reconnect by themselves; the client's connection too.
    await completesOnce(webinar, 500);
    expect(cluster.fleet.workers()).toHaveLength(3);
    progress(`ENDED after the server restart; all 3 worker processes survived the outage`);
  });
});

describe('afterwards', () => {
  it('every history of the run replays against the current workflow bundle', async () => {
    // The pre-deploy gate's own reading and replay (client/replay.ts): every webinar workflow of the run.
    const histories = await historiesFromCluster(client, '', 1_000);
    const outcomes = await replayHistories(histories, { workflowBundle: await webinarBundle() });
    const replayed = outcomes.length;
    expect(outcomes.filter((o) => o.error !== undefined).map((o) => `${o.name}: ${o.error}`)).toEqual([]);
    expect(replayed).toBeGreaterThanOrEqual(10); // continue-as-new may add runs
    progress(`${replayed} histories replayed against the current bundle, 0 failed`);
  });
});
