/**
 * Crash recovery with real processes (npm run test:chaos). The worker fleet runs in a child process that is
 * killed with SIGKILL when the webinar has reached a stated point, observed from the emulator's call counters
 * (calls so far per operation, and calls in flight: arrived but not yet answered) and from the workflow's phase:
 * waiting in SCHEDULED or READY, the primary or a replica being created, k of n registration batches done, a
 * promotion in flight, the teardown's one DeleteMeeting (the primary's; it takes its replicas) in flight. Every
 * kill is checked to have landed
 * there, with the write in flight: the emulator completes it after its worker died, so the answer is lost, the
 * real hazard of a retry. A new process takes over; the webinar ends with nothing created twice, nothing leaked,
 * and every history replays against the current bundle.
 * The Temporal dev server (SQLite persistence) is also restarted in the middle of a webinar.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { startDevServer } from '../../tooling/temporal-servers';
import { attendeeQuery, operatorSignals, statusQuery, webinarWorkflowId } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';
import type { WebinarPhase, WebinarSpec } from '../../domain/types';
import { hostAndViewersSpec } from '../support/host-and-viewers';
import { waitForStatus, webinarBundle } from '../support/webinar-stack';
import { progressLog } from '../support/progress';
import {
  freePort,
  nondeterminismLines,
  startWorkerProcess,
  writeBundle,
  type WorkerProcess,
} from '../reliability/processes';
import { collectHistories, nondeterminismIn, replayAll } from './histories';

jest.setTimeout(600_000);

const SLOW = { latencyMs: 400 };
let dir: string;
let bundleFile: string;
let emulator: RunningEmulator;
const progress = progressLog('chaos');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'chaos-'));
  bundleFile = await writeBundle(dir);
  emulator = await startEmulator({
    port: 0,
    config: {
      rateLimits: { enabled: false },
      // The webinars here outlive 5 idle minutes of nobody connected only if the service lets them.
      autoEnd: { idleMinutes: 120 },
      faults: {
        operations: {
          CreateMeeting: SLOW,
          // Longer than the budget's spacing of calls: the batches complete one after another.
          BatchCreateAttendee: { latencyMs: 1200 },
          CreateAttendee: SLOW,
          UpdateAttendeeCapabilities: SLOW,
          DeleteMeeting: SLOW,
          DeleteAttendee: SLOW,
        },
      },
    },
  });
});

afterAll(async () => {
  await emulator?.close();
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(progress.summary('crash recovery'));
});

afterEach(() => emulator.reset());

function spec(attendees: number, startInMs: number, provisionLeadSeconds: number): WebinarSpec {
  return hostAndViewersSpec('crash', attendees, startInMs, provisionLeadSeconds);
}

/** A viewer seated in the primary (promotion = UpdateAttendeeCapabilities) or in a replica (= CreateAttendee). */
async function viewerIn(
  handle: WorkflowHandle,
  primary: string | undefined,
  n: number,
  where: 'primary' | 'replica',
): Promise<string> {
  for (let i = n - 2; i >= 0; i--) {
    const at = await handle.query(attendeeQuery, { externalUserId: `v-${i}` });
    if ((at.meetingId === primary) === (where === 'primary')) return `v-${i}`;
  }
  throw new Error(`no viewer in a ${where} meeting`);
}

/** Calls of one operation so far: answered, and arrived but not answered yet (in flight). */
interface Calls {
  /** Answered with success. */
  done: number;
  /** Answered at all: a success or an error (a replica's DeleteMeeting answers NotFound once its primary is gone). */
  answered: number;
  inFlight: number;
}

function callsOf(operation: string): Calls {
  const c = emulator.state().operations[operation];
  if (!c) return { done: 0, answered: 0, inFlight: 0 };
  return {
    done: c.succeeded,
    answered: c.succeeded + c.failed,
    inFlight: c.calls - c.succeeded - c.failed - c.throttled,
  };
}

/** Resolves with the first value `probe` returns, checking every few milliseconds. */
async function when<T>(probe: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} never happened within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Landing {
  point: string;
  phase: string | undefined;
  operation?: string;
  /** Calls of `operation` answered, and in flight, when the worker died. */
  atKill?: Calls;
  /** In-flight calls the emulator completed after their worker died (their answers were lost). */
  landedAfterKill?: number;
}

describe('SIGKILL of the worker process at a stated point of the webinar', () => {
  let env: TestWorkflowEnvironment;
  let address: string;
  const taskQueue = `webinars-crash-${process.pid}`;
  let worker: WorkerProcess | undefined;
  const outputs: string[] = [];
  const hit = new Set<string>();

  beforeAll(async () => {
    const port = await freePort();
    env = await startDevServer({ port });
    address = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await (await standby?.catch(() => undefined))?.kill('SIGKILL');
    await env?.teardown();
  });

  // The next worker waits loaded and connected (a standby replica), so it takes over the moment the current one
  // dies instead of after a process start (a minute on a loaded machine), and the webinar's timing stays that of
  // the stated point. It polls only once activated: there is never more than one polling worker.
  let standby: Promise<WorkerProcess> | undefined;
  const bootStandby = (): void => {
    standby = startWorkerProcess({
      temporalAddress: address,
      chimeEndpoint: emulator.endpoint,
      taskQueue,
      bundleFile,
      // A small budget spaces the registration batches, so "k of n done" is a moment that exists.
      budgetPerSecond: 2,
      standby: true,
    });
    standby.catch(() => undefined);
  };
  const startWorker = async (): Promise<WorkerProcess> => {
    if (worker) outputs.push(worker.output());
    if (!standby) bootStandby();
    const next = await (standby as Promise<WorkerProcess>);
    bootStandby();
    await next.activate();
    worker = next;
    return next;
  };

  const phaseOf = async (handle: WorkflowHandle): Promise<string | undefined> => {
    const value = (await handle.describe()).searchAttributes.WebinarPhase?.[0];
    return value === undefined ? undefined : String(value);
  };

  /**
   * Kills the worker the moment `operation` satisfies `ready`, waits for the calls in flight to be answered
   * (by the emulator, to nobody), notes where the webinar was, and starts a new worker.
   */
  const killAt = async (
    handle: WorkflowHandle,
    point: string,
    operation: string,
    ready: (c: Calls) => boolean,
  ): Promise<Landing> => {
    const atKill = await when(
      () => {
        const c = callsOf(operation);
        return ready(c) ? c : undefined;
      },
      point,
      // A guard against a point that never comes, not a timing: a lost call is retried after its timeout.
      300_000,
    );
    await worker?.kill('SIGKILL');
    await when(
      () => (callsOf(operation).inFlight === 0 ? true : undefined),
      'in-flight calls answered',
      30_000,
    );
    const landing: Landing = {
      point,
      phase: await phaseOf(handle),
      operation,
      atKill,
      landedAfterKill: callsOf(operation).answered - atKill.answered,
    };
    progress(
      `killed at "${point}" (phase ${String(landing.phase)}; ${operation}: ${atKill.done} answered, ` +
        `${atKill.inFlight} in flight, ${String(landing.landedAfterKill)} answered after the kill)`,
    );
    hit.add(point);
    await startWorker();
    return landing;
  };

  /** Kills with the first call of `operation` in flight, or later: one answered and another in flight. */
  const killFirstOrLater = (
    handle: WorkflowHandle,
    first: boolean,
    operation: string,
    points: { first: string; later: string },
  ): Promise<Landing> =>
    first
      ? killAt(handle, points.first, operation, (c) => c.done === 0 && c.inFlight > 0)
      : killAt(handle, points.later, operation, (c) => c.done >= 1 && c.inFlight > 0);

  /** Kills the worker while the webinar waits in `phase` (a timer pending, no call in flight). */
  const killWaiting = async (
    handle: WorkflowHandle<typeof webinarWorkflow>,
    phase: WebinarPhase,
  ): Promise<Landing> => {
    await waitForStatus(handle, (st) => st.phase === phase, 60_000, 50);
    await worker?.kill('SIGKILL');
    const landing: Landing = { point: `waiting in ${phase}`, phase: await phaseOf(handle) };
    progress(`killed while waiting in ${phase} (phase ${String(landing.phase)})`);
    hit.add(landing.point);
    await startWorker();
    return landing;
  };

  it.each([
    // k (batches done at the kill) differs per row, so two points of registration are hit.
    [7, 'SCHEDULED', 'primary', 'replica', 1],
    [1234, 'READY', 'replica', 'primary', 3],
  ] as const)(
    'case %d: kills while waiting in %s, while the %s meeting is created, after k of n batches, during a promotion in a %s meeting, and in teardown (the primary deletion in flight)',
    async (seed, waiting, creating, promoteIn, k) => {
      const attendees = 600;
      const late = 150;
      await startWorker();
      // SCHEDULED lasts 6 s, READY (after a ~5 s provisioning) at least 8 s.
      const s = spec(attendees, 20_000, 14);
      const handle = await env.client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
        args: [s],
        taskQueue,
        workflowId: webinarWorkflowId(s.webinarId),
      });
      const landings: Landing[] = [];

      if (waiting === 'SCHEDULED') landings.push(await killWaiting(handle, 'SCHEDULED'));

      // Provisioning: the primary first, then the replicas in parallel, then the batches.
      landings.push(
        await killFirstOrLater(handle, creating === 'primary', 'CreateMeeting', {
          first: 'the primary being created',
          later: 'a replica being created',
        }),
      );
      const batches = await killAt(
        handle,
        `${k} registration batches done`,
        'BatchCreateAttendee',
        (c) => c.done >= k && c.inFlight > 0,
      );
      landings.push(batches);
      if (waiting === 'READY') landings.push(await killWaiting(handle, 'READY'));
      const ready = await waitForStatus(handle, (st) => st.phase === 'LIVE', 180_000);
      expect(ready.attendees).toEqual({ requested: attendees, registered: attendees, failed: 0 });
      const totalBatches = callsOf('BatchCreateAttendee').done;
      expect(batches.atKill?.done).toBeLessThan(totalBatches);

      // Live: a late batch, then a promotion killed with its call in flight.
      await handle.signal(operatorSignals.addAttendees, {
        attendees: Array.from({ length: late }, (_, i) => ({ externalUserId: `late-${i}`, role: 'viewer' })),
      });
      await waitForStatus(handle, (st) => st.attendees.registered === attendees + late, 120_000);
      const promoted = await viewerIn(handle, ready.primary?.meetingId, attendees, promoteIn);
      const promotionCall = promoteIn === 'primary' ? 'UpdateAttendeeCapabilities' : 'CreateAttendee';
      const before = callsOf(promotionCall).done;
      await handle.signal(operatorSignals.promoteSpeaker, { externalUserId: promoted });
      landings.push(
        await killAt(
          handle,
          `a promotion in a ${promoteIn} meeting in flight`,
          promotionCall,
          (c) => c.done === before && c.inFlight > 0,
        ),
      );
      const live = await waitForStatus(handle, (st) => st.speakers.includes(promoted), 180_000);
      expect(live.rejected).toEqual([]);

      // Teardown: one DeleteMeeting, the primary's (it takes its replicas).
      await handle.signal(operatorSignals.endWebinar, { reason: 'chaos' });
      landings.push(
        await killAt(
          handle,
          'teardown: the primary deletion in flight',
          'DeleteMeeting',
          (c) => c.done === 0 && c.inFlight > 0,
        ),
      );
      const outcome = await handle.result();
      expect(outcome).toMatchObject({ phase: 'ENDED', generation: 1 });

      // Where each kill landed.
      const expected: Record<string, string> = {
        'waiting in SCHEDULED': 'SCHEDULED',
        'waiting in READY': 'READY',
        'the primary being created': 'PROVISIONING',
        'a replica being created': 'PROVISIONING',
        [`${k} registration batches done`]: 'PROVISIONING',
        [`a promotion in a ${promoteIn} meeting in flight`]: 'LIVE',
        'teardown: the primary deletion in flight': 'TEARING_DOWN',
      };
      for (const l of landings) {
        expect({ point: l.point, phase: l.phase }).toEqual({ point: l.point, phase: expected[l.point] });
        if (l.atKill) {
          expect(l.atKill.inFlight).toBeGreaterThan(0);
          // Each write in flight was answered without its worker (more may have been on the wire): the retry
          // must not repeat it.
          expect(l.landedAfterKill).toBeGreaterThanOrEqual(l.atKill.inFlight);
        }
      }
      expect(landings).toHaveLength(5);

      // Nothing created twice, nothing leaked.
      const totals = emulator.state().totals;
      expect(emulator.state().meetings).toHaveLength(0);
      expect(totals.meetingsCreated).toBe(1 + live.replicas.length);
      expect(totals.attendeesCreated).toBe(attendees + late + (promoteIn === 'replica' ? 1 : 0));

      // Every history replays against the current code, and no workflow task ever failed on nondeterminism.
      const runs = await collectHistories(env.client, [
        { workflowId: handle.workflowId, firstRunId: handle.firstExecutionRunId },
      ]);
      expect(nondeterminismIn(runs)).toEqual([]);
      expect(await replayAll(await webinarBundle(), runs)).toEqual([]);
      expect(outputs.flatMap(nondeterminismLines)).toEqual([]);
      progress(
        `case ${seed}: ENDED after ${landings.length} kills; ${totals.meetingsCreated} meetings, ${totals.attendeesCreated} attendees ` +
          `created once each; ${totalBatches} batches; ${runs.length} histories replayed`,
      );
    },
  );

  it('every stated point was hit', () => {
    expect([...hit].sort()).toEqual(
      expect.arrayContaining([
        'waiting in SCHEDULED',
        'waiting in READY',
        'the primary being created',
        'a replica being created',
        'a promotion in a primary meeting in flight',
        'a promotion in a replica meeting in flight',
        'teardown: the primary deletion in flight',
      ]),
    );
    expect([...hit].filter((p) => p.endsWith('registration batches done'))).toHaveLength(2);
  });
});

describe('restart of the Temporal dev server (SQLite) in the middle of a webinar', () => {
  it('resumes and completes', async () => {
    const port = await freePort();
    const dbFilename = join(dir, 'temporal.db');
    const taskQueue = `webinars-restart-${process.pid}`;
    let env: TestWorkflowEnvironment | undefined = await startDevServer({ port, dbFilename });
    const address = `127.0.0.1:${port}`;
    let worker: WorkerProcess | undefined = await startWorkerProcess({
      temporalAddress: address,
      chimeEndpoint: emulator.endpoint,
      taskQueue,
      bundleFile,
    });
    try {
      const s = spec(300, 6_000, 4);
      const now = Date.now();
      s.endAt = new Date(now + 45_000).toISOString();
      const first: Client = env.client;
      const handle = first.workflow.getHandle(
        (
          await first.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
            args: [s],
            taskQueue,
            workflowId: webinarWorkflowId(s.webinarId),
          })
        ).workflowId,
      );
      const live = await waitForStatus(handle, (st) => st.phase === 'LIVE', 90_000);

      await env.teardown(); // kills the server
      env = undefined;
      progress('dev server stopped while the webinar was LIVE');
      await new Promise((r) => setTimeout(r, 2_000));
      env = await startDevServer({ port, dbFilename });
      progress('dev server restarted on the same SQLite file and port');

      const again = env.client.workflow.getHandle<typeof webinarWorkflow>(handle.workflowId);
      expect((await again.query(statusQuery)).phase).toBe('LIVE');
      const outcome = await again.result();
      expect(outcome).toMatchObject({ phase: 'ENDED', attendees: { requested: 300, registered: 300 } });
      expect(emulator.state().meetings).toHaveLength(0);
      expect(emulator.state().totals.meetingsCreated).toBe(1 + live.replicas.length);
      progress(
        `after the restart: ENDED; worker process ${worker.child.exitCode === null ? 'survived the outage' : `exited (${worker.child.exitCode})`}`,
      );
    } finally {
      await worker?.kill('SIGKILL');
      worker = undefined;
      await env?.teardown();
    }
  });
});
