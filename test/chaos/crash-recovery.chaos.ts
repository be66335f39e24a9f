/**
 * Crash recovery with real processes (npm run test:chaos): the worker fleet runs in a child process that is
 * killed with SIGKILL at seeded-random points during provisioning, live operation and teardown; a new process
 * takes over. The Temporal dev server (SQLite persistence) is restarted in the middle of a webinar. Every
 * webinar completes with no duplicate meeting or attendee (emulator totals) and nothing leaked.
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
import type { WebinarSpec } from '../../domain/types';
import { waitForStatus, webinarSpec } from '../support/webinar-stack';
import {
  freePort,
  mulberry32,
  startWorkerProcess,
  writeBundle,
  type WorkerProcess,
} from '../reliability/processes';

jest.setTimeout(480_000);

const SLOW = { latencyMs: 400 };
let dir: string;
let bundleFile: string;
let emulator: RunningEmulator;
const log: string[] = [];
const progress = (line: string): void => {
  log.push(line);
  process.stderr.write(`[chaos ${new Date().toISOString()}] ${line}\n`);
};

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
          BatchCreateAttendee: SLOW,
          CreateAttendee: SLOW,
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
  process.stdout.write(`crash recovery:\n  ${log.join('\n  ')}\n`);
});

afterEach(() => emulator.reset());

function spec(attendees: number, startInMs: number): WebinarSpec {
  const now = Date.now();
  return webinarSpec(now, {
    webinarId: `crash-${Math.random().toString(36).slice(2, 8)}`,
    startAt: new Date(now + startInMs).toISOString(),
    endAt: new Date(now + 3600_000).toISOString(),
    provisionLeadSeconds: Math.max(1, Math.floor(startInMs / 1000) - 2),
    replicaRegions: ['eu-west-1'],
    attendees: [
      { externalUserId: 'host-1', role: 'host' },
      ...Array.from({ length: attendees - 1 }, (_, i) => ({
        externalUserId: `v-${i}`,
        role: 'viewer' as const,
        region: i % 2 ? 'eu-west-1' : undefined,
      })),
    ],
  });
}

async function replicaViewer(
  handle: WorkflowHandle,
  primary: string | undefined,
  n: number,
): Promise<string> {
  for (let i = n - 2; i >= 0; i--) {
    const at = await handle.query(attendeeQuery, { externalUserId: `v-${i}` });
    if (at.meetingId !== primary) return `v-${i}`;
  }
  throw new Error('no replica viewer');
}

describe('SIGKILL of the worker process', () => {
  let env: TestWorkflowEnvironment;
  let address: string;
  const taskQueue = `webinars-crash-${process.pid}`;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    const port = await freePort();
    env = await startDevServer({ port });
    address = `127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await env?.teardown();
  });

  const startWorker = async (): Promise<WorkerProcess> => {
    worker = await startWorkerProcess({
      temporalAddress: address,
      chimeEndpoint: emulator.endpoint,
      taskQueue,
      bundleFile,
    });
    return worker;
  };

  /** Kills the worker after a seeded delay, notes where the webinar was, and starts a new worker. */
  const crash = async (
    handle: WorkflowHandle<typeof webinarWorkflow>,
    what: string,
    delayMs: number,
  ): Promise<void> => {
    await new Promise((r) => setTimeout(r, delayMs));
    const calls = emulator.state().totals.calls;
    await worker?.kill('SIGKILL');
    const phase = (await handle.describe()).searchAttributes.WebinarPhase?.[0];
    progress(
      `killed during ${what} after ${delayMs} ms (phase ${String(phase)}, ${calls} Chime calls so far)`,
    );
    await startWorker();
  };

  it.each([[7], [1234]])(
    'seed %d: provisioning, live operation and teardown each survive a kill -9',
    async (seed) => {
      const random = mulberry32(seed);
      const attendees = 600;
      const late = 150;
      await startWorker();
      const s = spec(attendees, 12_000);
      const handle = await env.client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
        args: [s],
        taskQueue,
        workflowId: webinarWorkflowId(s.webinarId),
      });

      // 1. provisioning: 3 meetings and 6 batches at 400 ms each.
      await waitForStatus(handle, (st) => st.phase === 'PROVISIONING', 30_000);
      await crash(handle, 'provisioning', Math.floor(random() * 1500));
      const ready = await waitForStatus(handle, (st) => st.phase === 'LIVE', 180_000);
      expect(ready.attendees).toEqual({ requested: attendees, registered: attendees, failed: 0 });

      // 2. live operation: a late batch and a promotion, fire-and-forget, then the kill.
      const promoted = await replicaViewer(handle, ready.primary?.meetingId, attendees);
      await handle.signal(operatorSignals.addAttendees, {
        attendees: Array.from({ length: late }, (_, i) => ({ externalUserId: `late-${i}`, role: 'viewer' })),
      });
      await handle.signal(operatorSignals.promoteSpeaker, { externalUserId: promoted });
      await crash(handle, 'live operation', Math.floor(random() * 1000));
      const live = await waitForStatus(
        handle,
        (st) => st.attendees.registered === attendees + late && st.speakers.includes(promoted),
        180_000,
      );
      expect(live.rejected).toEqual([]);

      // 3. teardown.
      await handle.signal(operatorSignals.endWebinar, { reason: 'chaos' });
      await crash(handle, 'teardown', Math.floor(random() * 800));
      const outcome = await handle.result();
      expect(outcome).toMatchObject({ phase: 'ENDED', generation: 1 });

      const totals = emulator.state().totals;
      expect(emulator.state().meetings).toHaveLength(0);
      expect(totals.meetingsCreated).toBe(1 + live.replicas.length);
      expect(totals.attendeesCreated).toBe(attendees + late + 1);
      progress(
        `seed ${seed}: ENDED, ${totals.meetingsCreated} meetings and ${totals.attendeesCreated} attendees created once each`,
      );
    },
  );
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
      const s = spec(300, 6_000);
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
