/**
 * A worker fleet in a child process, for crash tests: the test kills it with SIGKILL and starts another.
 * The same assembly as `npm start` (createWebinarWorkers, the same shutdown grace) fed a prebuilt bundle, so a
 * restart takes seconds instead of re-bundling.
 * Env: TEMPORAL_ADDRESS, CHIME_ENDPOINT, TEMPORAL_TASK_QUEUE, CHIME_BUDGET_PER_SECOND, WORKFLOW_BUNDLE (a JSON
 * file {code, sourceMap} of the bundled workflows), WORKFLOW_CACHE_SIZE (optional, as for `npm start`).
 * With WORKER_STANDBY=1 it loads and connects, prints "WORKER STANDBY" and polls only once a line arrives on
 * stdin (a second replica ready to take over). Prints "WORKER READY" once polling; exits 0 on SIGTERM after a
 * graceful shutdown.
 */
import { readFileSync } from 'node:fs';
import { NativeConnection } from '@temporalio/worker';
import { createWebinarWorkers } from '../../worker/assembly';
import { parseChimeBudgets } from '../../worker/budget/config';
import { SHUTDOWN_GRACE_MS } from '../../worker/main';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const workers = await createWebinarWorkers({
    connection,
    taskQueue: required('TEMPORAL_TASK_QUEUE'),
    defaultRegion: 'us-east-1',
    chimeEndpoint: required('CHIME_ENDPOINT'),
    workflowBundle: JSON.parse(readFileSync(required('WORKFLOW_BUNDLE'), 'utf8')) as {
      code: string;
      sourceMap: string;
    },
    budgets: parseChimeBudgets({ CHIME_BUDGET_PER_SECOND: required('CHIME_BUDGET_PER_SECOND') }),
    shutdownGraceTime: SHUTDOWN_GRACE_MS,
    // The production default (the SDK's) unless a test sets one.
    ...(process.env.WORKFLOW_CACHE_SIZE
      ? { workflowCacheSize: Number(process.env.WORKFLOW_CACHE_SIZE) }
      : {}),
  });
  if (process.env.WORKER_STANDBY === '1') {
    process.stdout.write('WORKER STANDBY\n');
    await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  }
  const running = workers.run();
  process.stdout.write('WORKER READY\n');
  process.once('SIGTERM', () => {
    void workers.shutdown().then(() => connection.close());
  });
  await running;
  await connection.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`worker process failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
