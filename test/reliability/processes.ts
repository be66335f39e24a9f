/**
 * Real processes for crash tests: a worker fleet in a child process (killed with SIGKILL, stopped with SIGTERM,
 * restarted), and a seeded PRNG for the kill points.
 *
 * Two entries: the production worker `worker/main.ts` exactly as `npm start` runs it (it bundles the workflows
 * at start, ~40 s on this shared machine), and test/reliability/worker-process.ts, the same assembly
 * (createWebinarWorkers) fed a bundle built once per run, for the tests that restart workers many times.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { projectRoot } from '../../tooling/temporal-servers';
import { webinarBundle } from '../support/webinar-stack';

export { mulberry32 } from '../../emulator';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Writes the webinar bundle (built once per run) where child workers read it (WORKFLOW_BUNDLE). */
export async function writeBundle(dir: string): Promise<string> {
  return writeBundleFile(join(dir, 'workflow-bundle.json'), await webinarBundle());
}

/** Writes any workflow bundle as the JSON file {code, sourceMap} that WORKFLOW_BUNDLE names. */
export function writeBundleFile(file: string, bundle: WorkflowBundleWithSourceMap): string {
  writeFileSync(file, JSON.stringify({ code: bundle.code, sourceMap: bundle.sourceMap }));
  return file;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** The Temporal worker identity (`pid@host`), as WORKFLOW_TASK_STARTED events record it. */
  identity: string;
  /** Everything the process wrote (stdout and stderr). */
  output: () => string;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** A deploy's stop: SIGTERM, then the graceful shutdown; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** A standby (harness) starts polling; resolves once it does. No-op for a worker already polling. */
  activate(): Promise<void>;
}

export type WorkerEntry = 'production' | 'harness';

export interface WorkerProcessEnv {
  temporalAddress: string;
  /** The emulator's endpoint (CHIME_ENDPOINT); a fixture script that makes no Chime call needs none. */
  chimeEndpoint?: string;
  taskQueue: string;
  /**
   * Bundle written by writeBundle or writeBundleFile (the harness entry and a fixture script; worker/main.ts
   * bundles at start).
   */
  bundleFile?: string;
  /** Default 'harness'. */
  entry?: WorkerEntry;
  /** A harness-like child (prints WORKER READY) other than the webinar fleet, relative to the project root. */
  script?: string;
  /** CHIME_BUDGET_PER_SECOND of the fleet; default 1000 (the emulator's limits are the test's to set). */
  budgetPerSecond?: number;
  /**
   * Harness only: load and connect everything, then wait for activate() before polling, so a test can have the
   * next worker ready when it kills the current one (a second replica taking over) without two polling at once.
   */
  standby?: boolean;
  /** WORKFLOW_CACHE_SIZE of the fleet; default: the production default (worker/workflow-cache.ts). */
  workflowCacheSize?: number;
  /** Further variables for the child (a fixture's switches). */
  extraEnv?: Record<string, string>;
}

const READY: Record<WorkerEntry, string> = {
  harness: 'WORKER READY',
  production: '"msg":"Worker started"',
};
const STANDBY = 'WORKER STANDBY';

/** Resolves once `out()` contains `marker`; rejects on exit or after `timeoutMs`. */
function waitForOutput(
  child: ChildProcess,
  out: () => string,
  marker: string,
  exited: Promise<number | null>,
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(
      () => finish(new Error(`worker process did not print ${marker}:\n${out()}`)),
      timeoutMs,
    );
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      if (err) reject(err);
      else resolve();
    };
    const check = (): void => {
      if (out().includes(marker)) finish();
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    check();
    void exited.then((code) =>
      finish(new Error(`worker process exited with ${code} before ${marker}:\n${out()}`)),
    );
  });
}

/** Starts a worker process and resolves once it polls. */
export async function startWorkerProcess(env: WorkerProcessEnv): Promise<WorkerProcess> {
  const entry = env.entry ?? 'harness';
  if (entry === 'harness' && env.bundleFile === undefined) throw new Error('the harness needs bundleFile');
  const script =
    entry === 'production'
      ? join('worker', 'main.ts')
      : (env.script ?? join('test', 'reliability', 'worker-process.ts'));
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
    cwd: projectRoot(),
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_TASK_QUEUE: env.taskQueue,
      // The name test/fixtures/fixture-worker-process.ts reads.
      TASK_QUEUE: env.taskQueue,
      ...(env.chimeEndpoint !== undefined ? { CHIME_ENDPOINT: env.chimeEndpoint } : {}),
      CHIME_BUDGET_PER_SECOND: String(env.budgetPerSecond ?? 1000),
      ...(env.bundleFile !== undefined ? { WORKFLOW_BUNDLE: env.bundleFile } : {}),
      ...(entry === 'production' ? { LOG_LEVEL: 'INFO' } : {}),
      ...(entry === 'harness' && env.standby === true ? { WORKER_STANDBY: '1' } : {}),
      ...(env.workflowCacheSize !== undefined ? { WORKFLOW_CACHE_SIZE: String(env.workflowCacheSize) } : {}),
      ...env.extraEnv,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const standby = entry === 'harness' && env.standby === true;
  try {
    await waitForOutput(child, () => out, standby ? STANDBY : READY[entry], exited, 300_000);
  } catch (err) {
    // Never leave a half-started worker behind.
    child.kill('SIGKILL');
    throw err;
  }
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child,
    identity: `${child.pid}@${hostname()}`,
    output: () => out,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (running()) child.kill(signal);
      await exited;
    },
    async stop() {
      if (running()) child.kill('SIGTERM');
      return exited;
    },
    async activate() {
      if (out.includes(READY[entry])) return;
      child.stdin?.write('run\n');
      await waitForOutput(child, () => out, READY[entry], exited, 60_000);
    },
  };
}

/** Lines of a worker's output that report nondeterminism (TMPRL1100), for the "0 nondeterminism" check. */
export function nondeterminismLines(output: string): string[] {
  return output.split('\n').filter((line) => /TMPRL1100|nondetermin/i.test(line));
}
