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
import { projectRoot } from '../../worker/temporal-servers';
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

/** Bundles the workflows once and writes them where child workers read them. */
export async function writeBundle(dir: string): Promise<string> {
  const bundle = await webinarBundle();
  const file = join(dir, 'workflow-bundle.json');
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
}

export type WorkerEntry = 'production' | 'harness';

export interface WorkerProcessEnv {
  temporalAddress: string;
  chimeEndpoint: string;
  taskQueue: string;
  /** Bundle written by writeBundle (the harness entry only; worker/main.ts bundles at start). */
  bundleFile?: string;
  /** Default 'harness'. */
  entry?: WorkerEntry;
  /** CHIME_BUDGET_PER_SECOND of the fleet; default 1000 (the emulator's limits are the test's to set). */
  budgetPerSecond?: number;
}

const READY: Record<WorkerEntry, string> = {
  harness: 'WORKER READY',
  production: '"msg":"Worker started"',
};

/** Starts a worker process and resolves once it polls. */
export async function startWorkerProcess(env: WorkerProcessEnv): Promise<WorkerProcess> {
  const entry = env.entry ?? 'harness';
  if (entry === 'harness' && env.bundleFile === undefined) throw new Error('the harness needs bundleFile');
  const script =
    entry === 'production' ? join('worker', 'main.ts') : join('test', 'reliability', 'worker-process.ts');
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script], {
    cwd: projectRoot(),
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: env.temporalAddress,
      TEMPORAL_TASK_QUEUE: env.taskQueue,
      CHIME_ENDPOINT: env.chimeEndpoint,
      CHIME_BUDGET_PER_SECOND: String(env.budgetPerSecond ?? 1000),
      ...(env.bundleFile !== undefined ? { WORKFLOW_BUNDLE: env.bundleFile } : {}),
      ...(entry === 'production' ? { LOG_LEVEL: 'INFO' } : {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process did not start:\n${out}`)), 180_000);
    const check = (): void => {
      if (out.includes(READY[entry])) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited with ${code} before it was ready:\n${out}`));
    });
  });
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
  };
}

/** Lines of a worker's output that report nondeterminism (TMPRL1100), for the "0 nondeterminism" check. */
export function nondeterminismLines(output: string): string[] {
  return output.split('\n').filter((line) => /TMPRL1100|nondetermin/i.test(line));
}
