/**
 * The nondeterminism of ../shared/evidence/query-during-restart, reproduced on purpose on the dev server
 * (`npm run test:reliability`, a stage of `npm test`: a restart trial with real worker processes frozen, about
 * a minute and a half of real timers and sticky timeouts, run beside the small fault storm).
 *
 * How it happens: the worker that holds a workflow's sticky queue stops answering just before a timer fires. The
 * server, which saw that worker poll moments ago, puts the next workflow task on its sticky queue, where the task
 * waits out its 10 s schedule-to-start timeout. Meanwhile a client queries the workflow. Once the sticky worker
 * has been silent for 10 s the server sends the query to the normal queue, where a second worker, with no cache,
 * gets it as a "legacy query" task with the whole history. Its SDK (sdk-core 0.7.0 in @temporalio/worker 1.24.0)
 * applies the trailing TIMER_FIRED under the clock of the last workflow task, runs the workflow forward, and
 * keeps that run in its cache; the real workflow task, when it comes, sends the commands of that stale run.
 *
 * To make it deterministic: the sticky worker is a child process frozen with SIGSTOP 3 s before the timer; the
 * server's long polls last 1 s here (`matching.longPollExpirationInterval`), so the frozen process holds no
 * poll when the timer fires and is never handed the task, exactly like a killed worker whose death the server has
 * not noticed yet. Clients poll the query every 100 ms, as dashboards do.
 *
 * Each scenario spends about 30 s waiting on real timers and the sticky timeout, so the five run side by side
 * (`it.concurrent`): each has its own task queue, worker processes and workflow. The fixture scenarios and the
 * first webinar share a dev server; the second webinar has its own dev server and emulator, because the webinar
 * workers of both would poll the same Chime activity queue (`chime.default`) on one server, where one's calls
 * could land on the other's frozen worker, and "nothing left behind" is read from the webinar's emulator. The
 * workflows are bundled once and every scenario's worker processes started, before all of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { startDevServer } from '../../tooling/temporal-servers';
import {
  ERRORS_ONLY_BUNDLE_LOGGER,
  WEBINAR_WORKFLOW_INTERCEPTOR_MODULES,
} from '../../client/temporal/workflow-code';
import type { webinarWorkflow } from '../../workflows';
import { statusQuery, webinarWorkflowId } from '../../workflows/definitions';
import { webinarBundle, webinarSpec, waitForStatus } from '../support/webinar-stack';
import { startWorkerProcess, writeBundle, writeBundleFile, type WorkerProcess } from './processes';

jest.setTimeout(180_000);

type History = temporal.api.history.v1.IHistory;
const EventType = temporal.api.enums.v1.EventType;

/** How long before the timer fires the sticky worker freezes: longer than a long poll, shorter than 10 s. */
const FREEZE_BEFORE_TIMER_MS = 3_000;

const FIXTURE_WORKFLOWS_PATH = require.resolve('../fixtures/deadline-workflows');

/** A dev server with 1 s long polls and an emulator. */
interface Site {
  env: TestWorkflowEnvironment;
  emulator: RunningEmulator;
}

async function startSite(): Promise<Site> {
  const [env, emulator] = await Promise.all([
    startDevServer({ dynamicConfig: { 'matching.longPollExpirationInterval': '1s' } }),
    startEmulator({ port: 0, config: { rateLimits: { enabled: false } } }),
  ]);
  return { env, emulator };
}

/** The fixture scenarios' and the first webinar's. */
let shared: Site;
/** The second webinar's own (see the top comment). */
let apart: Site;
let dir: string;
/** The fixture workflows without interceptors, for replays. */
let fixtureBundle: WorkflowBundleWithSourceMap;
const children: WorkerProcess[] = [];

/** Each scenario's own task queue. */
const fixtureQueue = (workflowType: string, staleRunGuard: boolean): string =>
  `${workflowType}-${staleRunGuard ? 'guarded-' : ''}${process.pid}`;
const webinarQueue = (workflowCacheSize: number | undefined): string =>
  `webinars-query-restart-${workflowCacheSize ?? 'default'}-${process.pid}`;

/** The two worker processes of each scenario, by its task queue (started in beforeAll). */
const pairs = new Map<string, WorkerProcess[]>();

function workersOf(taskQueue: string): WorkerProcess[] {
  const workers = pairs.get(taskQueue);
  if (!workers) throw new Error(`no worker processes were started for ${taskQueue}`);
  return workers;
}

interface PairOptions {
  /** The workflows, bundled (the fixtures plain or with the stale-run guard, or the production webinar bundle). */
  bundleFile: string;
  chimeEndpoint?: string;
  script?: string;
  workflowCacheSize?: number | undefined;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'query-restart-'));
  const bundleFixtures = (interceptors: readonly string[]) =>
    bundleWorkflowCode({
      workflowsPath: FIXTURE_WORKFLOWS_PATH,
      workflowInterceptorModules: [...interceptors],
      logger: ERRORS_ONLY_BUNDLE_LOGGER,
    });
  const [first, second, plain, guarded, webinars] = await Promise.all([
    startSite(),
    startSite(),
    bundleFixtures([]),
    bundleFixtures(WEBINAR_WORKFLOW_INTERCEPTOR_MODULES),
    writeBundle(dir),
  ]);
  shared = first;
  apart = second;
  fixtureBundle = plain;
  const fixtureBundleFiles = {
    plain: writeBundleFile(join(dir, 'fixture-bundle.json'), plain),
    guarded: writeBundleFile(join(dir, 'fixture-bundle-guarded.json'), guarded),
  };
  const fixtureWorkers = (staleRunGuard: boolean): PairOptions => ({
    script: join('test', 'fixtures', 'fixture-worker-process.ts'),
    bundleFile: staleRunGuard ? fixtureBundleFiles.guarded : fixtureBundleFiles.plain,
  });
  const webinarWorkers = (site: Site, workflowCacheSize?: number): PairOptions => ({
    bundleFile: webinars,
    chimeEndpoint: site.emulator.endpoint,
    workflowCacheSize,
  });
  // Every scenario's worker processes start here, side by side, so that no scenario's timer runs while others'
  // processes are still loading: on two busy cores that took longer than the lead a scenario gives itself.
  const starts: [Site, string, PairOptions][] = [
    [shared, fixtureQueue('clockDeadlineWorkflow', false), fixtureWorkers(false)],
    [shared, fixtureQueue('clockDeadlineWorkflow', true), fixtureWorkers(true)],
    [shared, fixtureQueue('timerDeadlineWorkflow', false), fixtureWorkers(false)],
    [shared, webinarQueue(undefined), webinarWorkers(shared)],
    [apart, webinarQueue(0), webinarWorkers(apart, 0)],
  ];
  await Promise.all(
    starts.map(async ([site, taskQueue, options]) => {
      pairs.set(taskQueue, await startWorkerPair(site, taskQueue, options));
    }),
  );
});

afterAll(async () => {
  await Promise.all(children.map((c) => c.kill('SIGKILL')));
  for (const site of [shared, apart]) {
    await site?.emulator.close();
    await site?.env.teardown();
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The two worker processes of one scenario, started side by side on its own task queue. */
async function startWorkerPair(
  site: Site,
  taskQueue: string,
  options: PairOptions,
): Promise<WorkerProcess[]> {
  const start = async (): Promise<WorkerProcess> => {
    const child = await startWorkerProcess({ temporalAddress: site.env.address, taskQueue, ...options });
    children.push(child);
    return child;
  };
  return Promise.all([start(), start()]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForEvent(handle: WorkflowHandle, type: temporal.api.enums.v1.EventType): Promise<void> {
  for (;;) {
    const history = await handle.fetchHistory();
    if (history.events?.some((e) => e.eventType === type)) return;
    await sleep(100);
  }
}

/**
 * Freezes the worker holding the sticky queue shortly before `timerAt`, then queries every 100 ms from two clients
 * until the workflow closes; the other worker, polling all along, has no cache of the run. Returns the queries
 * answered and the messages of those that failed.
 */
async function freezeStickyWorkerAroundTimer(
  workers: WorkerProcess[],
  timerAt: number,
  handle: WorkflowHandle,
  query: () => Promise<unknown>,
): Promise<{ answered: number; failures: string[] }> {
  const sticky = await stickyWorker(workers, handle);
  const lead = timerAt - FREEZE_BEFORE_TIMER_MS - Date.now();
  if (lead < 0) throw new Error(`set-up too slow: the timer fires in ${lead + FREEZE_BEFORE_TIMER_MS} ms`);
  await sleep(lead);
  sticky.child.kill('SIGSTOP');
  await sleep(timerAt - 200 - Date.now());
  let done = false;
  let answered = 0;
  const failures: string[] = [];
  const poll = async (): Promise<void> => {
    while (!done) {
      try {
        await query();
        answered++;
      } catch (err) {
        // A query that times out while the task waits on the frozen sticky queue is what dashboards see too.
        failures.push(err instanceof Error ? err.message : String(err));
      }
      await sleep(100);
    }
  };
  const pollers = [poll(), poll()];
  try {
    await handle.result();
  } finally {
    done = true;
    await Promise.all(pollers);
  }
  return { answered, failures };
}

/** The worker process that completed the workflow's last task, i.e. the one whose sticky queue it is on. */
async function stickyWorker(workers: WorkerProcess[], handle: WorkflowHandle): Promise<WorkerProcess> {
  const history = await handle.fetchHistory();
  const started = (history.events ?? []).filter(
    (e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  );
  const identity = started[started.length - 1]?.workflowTaskStartedEventAttributes?.identity ?? '';
  const worker = workers.find((w) => identity.startsWith(`${w.child.pid}@`));
  if (!worker) throw new Error(`no worker process has identity ${identity}`);
  return worker;
}

/** The history shows the scenario happened: a workflow task timed out waiting on the frozen sticky queue. */
function stickyTaskTimedOut(history: History): boolean {
  return (history.events ?? []).some(
    (e) =>
      e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT &&
      e.workflowTaskTimedOutEventAttributes?.timeoutType ===
        temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START,
  );
}

/** Timer durations in ms, in the order the timers started. */
function timerDurations(history: History): number[] {
  return (history.events ?? []).flatMap((e) => {
    const t = e.timerStartedEventAttributes?.startToFireTimeout;
    return t ? [Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6)] : [];
  });
}

/** Timers started, right after a timer fired, with the fired one's exact length (longer than 1 ms). */
function rearmedTimers(history: History): number[] {
  const lengthOf = new Map<string, number>();
  const rearmed: number[] = [];
  let justFired: number | undefined;
  for (const e of history.events ?? []) {
    const started = e.timerStartedEventAttributes;
    if (started) {
      const t = started.startToFireTimeout;
      const length = Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6);
      lengthOf.set(String(e.eventId), length);
      if (length > 1 && length === justFired) rearmed.push(length);
      justFired = undefined;
    }
    const fired = e.timerFiredEventAttributes;
    if (fired) justFired = lengthOf.get(String(fired.startedEventId));
  }
  return rearmed;
}

/** Runs a fixture workflow (test/fixtures/deadline-workflows.ts) through the scenario; its history afterwards. */
async function fixtureAcrossRestart(
  workflowType: string,
  staleRunGuard = false,
): Promise<{ history: History; failures: string[] }> {
  const taskQueue = fixtureQueue(workflowType, staleRunGuard);
  const workers = workersOf(taskQueue);
  const timerAt = Date.now() + 8_000;
  const handle = await shared.env.client.workflow.start(workflowType, {
    taskQueue,
    // The scenarios run side by side, two of them on the same workflow type: the task queue keeps them apart.
    workflowId: `${taskQueue}-${Date.now()}`,
    args: [timerAt],
  });
  await waitForEvent(handle, EventType.EVENT_TYPE_TIMER_STARTED);
  const { answered, failures } = await freezeStickyWorkerAroundTimer(workers, timerAt, handle, () =>
    handle.query('timers'),
  );
  const history = await handle.fetchHistory();
  expect(stickyTaskTimedOut(history)).toBe(true);
  expect(answered).toBeGreaterThan(0);
  return { history, failures };
}

const replayFixture = (history: History): Promise<void> =>
  Worker.runReplayHistory({ workflowBundle: fixtureBundle }, history);

describe('a query answered during a worker restart', () => {
  it.concurrent(
    'still advances a workflow that re-reads the clock after its timer: the SDK defect is present (canary: when this fails, the SDK fixed it)',
    async () => {
      const { history } = await fixtureAcrossRestart('clockDeadlineWorkflow');
      // The stale run re-armed a timer of exactly the first one's length; a replay, with the right clock, does not.
      const [first, second] = timerDurations(history);
      expect(second).toBe(first);
      await expect(replayFixture(history)).rejects.toThrow(/Nondeterminism/);
    },
  );

  it.concurrent(
    'does not change even the workflow that re-reads the clock when the worker has the stale-run guard: the advanced run is evicted',
    async () => {
      const { history, failures } = await fixtureAcrossRestart('clockDeadlineWorkflow', true);
      // The guard did act: the legacy query that met the advanced run failed with its error, and nothing else changed.
      expect(failures.some((m) => m.includes('advanced by a query past the last workflow task'))).toBe(true);
      expect(timerDurations(history)).toHaveLength(1);
      await replayFixture(history);
    },
  );

  it.concurrent('does not change a workflow whose deadline is decided by the timer that fired', async () => {
    const { history } = await fixtureAcrossRestart('timerDeadlineWorkflow');
    expect(timerDurations(history)).toHaveLength(1);
    await replayFixture(history);
  });

  /** A LIVE webinar whose sticky worker freezes just before endAt, with status polled all along. */
  async function webinarAcrossRestart({ env, emulator }: Site, workflowCacheSize?: number) {
    const taskQueue = webinarQueue(workflowCacheSize);
    const workers = workersOf(taskQueue);
    const now = Date.now();
    const spec = webinarSpec(now, {
      startAt: new Date(now + 6_000).toISOString(),
      endAt: new Date(now + 16_000).toISOString(),
      provisionLeadSeconds: 5,
    });
    const handle = await env.client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
      taskQueue,
      workflowId: webinarWorkflowId(spec.webinarId),
      args: [spec],
    });
    await waitForStatus(handle, (s) => s.phase === 'LIVE', 60_000);
    const { answered, failures } = await freezeStickyWorkerAroundTimer(
      workers,
      Date.parse(spec.endAt),
      handle,
      () => handle.query(statusQuery),
    );
    const outcome = await handle.result();
    const history = await handle.fetchHistory();
    expect(answered).toBeGreaterThan(0);
    expect(outcome.phase).toBe('ENDED');
    expect(outcome.reason).toBe('ended at endAt');
    expect(
      (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED),
    ).toEqual([]);
    // The stale clock's signature: a timer re-armed, right after one fired, with exactly its length. (Timers of
    // equal length are otherwise ordinary: a deadline's two legs (workflows/deadlines.ts) start 1 ms timers
    // whenever the first leg's time has passed.)
    expect(rearmedTimers(history)).toEqual([]);
    await Worker.runReplayHistory({ workflowBundle: await webinarBundle() }, history);
    expect(emulator.state().meetings).toEqual([]);
    return { history, failures };
  }

  it.concurrent(
    'ends a LIVE webinar at endAt, once, with a history that replays, on the production workers (cache and stale-run guard)',
    async () => {
      const { history, failures } = await webinarAcrossRestart(shared);
      expect(stickyTaskTimedOut(history)).toBe(true);
      // The guard did act: a legacy query met the run it had advanced and was refused with the guard's error.
      expect(
        failures.filter((m) => m.includes('advanced by a query past the last workflow task')),
      ).not.toEqual([]);
    },
  );

  it.concurrent(
    'with WORKFLOW_CACHE_SIZE=0 no task waits on the frozen worker: the other worker takes over at once',
    async () => {
      const { history } = await webinarAcrossRestart(apart, 0);
      // No sticky queue: the task never waited on the frozen worker, so no legacy query could meet unprocessed events.
      expect(stickyTaskTimedOut(history)).toBe(false);
    },
  );
});
