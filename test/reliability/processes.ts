/**
 * Real processes for crash tests: a worker fleet in a child process (killed with SIGKILL, restarted), and a
 * seeded PRNG for the kill points.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
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

/** Bundles the workflows once and writes them where child workers read them. */
export async function writeBundle(dir: string): Promise<string> {
  const bundle = await webinarBundle();
  const file = join(dir, 'workflow-bundle.json');
  writeFileSync(file, JSON.stringify({ code: bundle.code, sourceMap: bundle.sourceMap }));
  return file;
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface WorkerProcessEnv {
  temporalAddress: string;
  chimeEndpoint: string;
  taskQueue: string;
  bundleFile: string;
  /** The child's entry point, relative to the project root; default: the webinar worker fleet. */
  script?: string;
}

/** Starts test/reliability/worker-process.ts and resolves once it polls. */
export async function startWorkerProcess(env: WorkerProcessEnv): Promise<WorkerProcess> {
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', env.script ?? join('test', 'reliability', 'worker-process.ts')],
    {
      cwd: projectRoot(),
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: env.temporalAddress,
        CHIME_ENDPOINT: env.chimeEndpoint,
        TASK_QUEUE: env.taskQueue,
        WORKFLOW_BUNDLE: env.bundleFile,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process did not start:\n${out}`)), 60_000);
    const check = (): void => {
      if (out.includes('WORKER READY')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker process exited with ${code} before it was ready:\n${out}`));
    });
  });
  return {
    child,
    output: () => out,
    exited,
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
