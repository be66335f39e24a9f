/**
 * The production worker as a process (what `npm start` runs): exit 2 on bad configuration; against a dev server
 * and the emulator it runs a webinar, serves Prometheus metrics (runtime + project), logs JSON without personal
 * data even at DEBUG (where every Chime call logs a line), and stops gracefully with exit code 0 on SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WebinarClient } from '../../client/library/webinar-client';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { freeLoopbackPort } from '../../worker/metrics';
import { startDevServer } from '../../tooling/temporal-servers';
import { operatorUpdates, webinarWorkflowId } from '../../workflows/definitions';
import { webinarSpec } from '../support/webinar-stack';

const root = join(__dirname, '../..');

interface Proc {
  child: ChildProcess;
  stderr: () => string;
  exit: Promise<number | null>;
}

function startWorkerProcess(env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'worker/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

async function until<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('exits with code 2 and names every bad variable before connecting', async () => {
  const proc = startWorkerProcess({ TEMPORAL_ADDRESS: 'nowhere', METRICS_PORT: 'abc', CHIME_REGION: 'xx-1' });
  expect(await proc.exit).toBe(2);
  expect(proc.stderr()).toMatch(/^Invalid worker configuration:\n/);
  for (const v of ['TEMPORAL_ADDRESS', 'METRICS_PORT', 'CHIME_REGION'])
    expect(proc.stderr()).toContain(`  - ${v}: `);
});

describe('against a dev server and the emulator', () => {
  let env: TestWorkflowEnvironment;
  let emulator: RunningEmulator;
  let proc: Proc | undefined;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    env = await startDevServer();
  });
  afterAll(async () => {
    if (proc && proc.child.exitCode === null) {
      proc.child.kill('SIGKILL');
      await proc.exit;
    }
    await env?.teardown();
    await emulator?.close();
  });

  it('runs a webinar, serves metrics, logs JSON without personal data, and stops on SIGTERM', async () => {
    const metricsPort = await freeLoopbackPort();
    proc = startWorkerProcess({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: 'webinars-main-test',
      CHIME_ENDPOINT: emulator.endpoint,
      METRICS_PORT: String(metricsPort),
      METRICS_PHASE_INTERVAL_SECONDS: '1',
      // DEBUG: the level at which every Chime call logs a line, so the personal-data scan below has lines to read.
      LOG_LEVEL: 'DEBUG',
    });
    const started = await until(
      () =>
        proc
          ?.stderr()
          .split('\n')
          .find((l) => l.includes('"msg":"Worker started"')),
      60_000,
      'the worker to start',
    );
    expect(JSON.parse(started)).toMatchObject({
      level: 'INFO',
      taskQueue: 'webinars-main-test',
      chime: emulator.endpoint,
    });

    const client = new WebinarClient(env.client, { taskQueue: 'webinars-main-test' });
    const now = Date.now();
    const spec = webinarSpec(now, {
      startAt: new Date(now + 3_000).toISOString(),
      endAt: new Date(now + 3_600_000).toISOString(),
      provisionLeadSeconds: 2,
    });
    await client.schedule(spec);
    await until(
      async () => ((await client.status(spec.webinarId)).phase === 'LIVE' ? true : undefined),
      30_000,
      'LIVE',
    );
    await env.client.workflow
      .getHandle(webinarWorkflowId(spec.webinarId))
      .executeUpdate(operatorUpdates.promoteSpeaker, { args: [{ externalUserId: 'viewer-3' }] });
    await client.action(spec.webinarId, 'endWebinar', { reason: 'test over' });
    expect(await client.result(spec.webinarId)).toMatchObject({ phase: 'ENDED' });
    expect(emulator.state().meetings).toHaveLength(0);

    const metrics = await until(
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        return /webinars\{phase="ENDED"\} [1-9]/.test(text) ? text : undefined;
      },
      15_000,
      'the ENDED webinar to be counted',
    );
    expect(metrics).toMatch(
      /chime_calls_total\{operation="createMeeting",control_region="us-east-1",outcome="success"\} 1/,
    );
    expect(metrics).toMatch(
      /chime_calls_total\{operation="batchCreateAttendee",control_region="us-east-1",outcome="success"\} \d+/,
    );
    expect(metrics).toMatch(/chime_call_duration_seconds_bucket\{/);
    expect(metrics).toMatch(/^temporal_\w+\{.*task_queue="webinars-main-test"/m); // relayed from the runtime
    expect(metrics).not.toMatch(/viewer-|host-1|speaker-1/);

    const logs = proc.stderr();
    const lines = logs
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; msg: string; externalMeetingId?: string });
    // The scan read the per-call lines: one per successful Chime call, as the emulator counted them.
    const perCall = (operation: string) => lines.filter((l) => l.msg === `chime ${operation} ok`);
    const { operations } = emulator.state();
    expect(perCall('createMeeting')).toHaveLength(operations.CreateMeeting?.succeeded ?? -1);
    expect(perCall('batchCreateAttendee')).toHaveLength(operations.BatchCreateAttendee?.succeeded ?? -1);
    expect(perCall('createMeeting').length).toBeGreaterThan(0);
    expect(perCall('updateAttendeeCapabilities')).toHaveLength(1); // the promotion
    const chimeLines = lines.filter((l) => /^chime \w+ ok$/.test(l.msg));
    expect(chimeLines.map((l) => l.level)).toEqual(chimeLines.map(() => 'DEBUG'));
    // The meeting's external ID is logged, redacted, like every external ID.
    expect(perCall('createMeeting').map((l) => l.externalMeetingId)).toEqual(
      perCall('createMeeting').map(() => '[redacted]'),
    );
    for (const id of spec.attendees.map((a) => a.externalUserId)) expect(logs).not.toContain(`"${id}"`);
    expect(logs).not.toMatch(/viewer-\d|host-1|speaker-1|JoinToken"\s*:\s*"[^[]/);

    proc.child.kill('SIGTERM');
    expect(await proc.exit).toBe(0);
    expect(proc.stderr()).toMatch(
      /"msg":"Shutting down: no new tasks; running activities may finish".*"signal":"SIGTERM"/,
    );
    expect(proc.stderr()).toMatch(/"msg":"Worker stopped"/);
  });
});
