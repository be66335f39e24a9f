/**
 * Measures, on the dev server, what the two worker-side rate limits actually do when two worker processes
 * poll one task queue: `maxTaskQueueActivitiesPerSecond` (server-enforced for the queue) versus
 * `maxActivitiesPerSecond` (per worker, so the aggregate grows with the number of workers).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkerOptions,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { startDevServer } from '../../tooling/temporal-servers';
import { fanOutWorkflow } from './fixtures/workflows';

const N = 30;
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  const [server, workflowBundle] = await Promise.all([
    startDevServer(),
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/workflows') }),
  ]);
  env = server;
  bundle = workflowBundle;
});
afterAll(async () => {
  await env?.teardown();
});

interface Measured {
  ratePerSecond: number;
  firstSecond: number;
  spanMs: number;
}

async function measure(taskQueue: string, limit: Partial<WorkerOptions>): Promise<Measured> {
  const times: number[] = [];
  const tick = async (): Promise<void> => void times.push(Date.now());
  // Two workers on one queue, each with its own connection, stand for two worker processes.
  const connections = await Promise.all([0, 1].map(() => NativeConnection.connect({ address: env.address })));
  const workers = await Promise.all(
    connections.map((connection) => Worker.create({ connection, taskQueue, activities: { tick }, ...limit })),
  );
  const workflowWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: `rate-workflows-${taskQueue}`,
    workflowBundle: bundle,
  });
  const runs = workers.map((w) => w.run());
  try {
    await workflowWorker.runUntil(
      env.client.workflow.execute(fanOutWorkflow, {
        args: [N, taskQueue],
        taskQueue: `rate-workflows-${taskQueue}`,
        workflowId: `fan-out-${taskQueue}`,
      }),
    );
  } finally {
    for (const w of workers) w.shutdown();
    await Promise.all(runs);
    await Promise.all(connections.map((c) => c.close()));
  }
  times.sort((a, b) => a - b);
  const first = times[0] ?? 0;
  const spanMs = (times[times.length - 1] ?? 0) - first;
  return {
    spanMs,
    firstSecond: times.filter((t) => t - first < 1000).length,
    ratePerSecond: ((times.length - 1) / spanMs) * 1000,
  };
}

it('maxTaskQueueActivitiesPerSecond caps the whole queue; maxActivitiesPerSecond caps each worker', async () => {
  const queueWide = await measure('rate-queue-wide', { maxTaskQueueActivitiesPerSecond: 5 });
  const perWorker = await measure('rate-per-worker', { maxActivitiesPerSecond: 5 });
  console.log(
    `2 workers, ${N} activities:\n` +
      `  maxTaskQueueActivitiesPerSecond=5 → ${queueWide.ratePerSecond.toFixed(2)}/s over ${queueWide.spanMs} ms, ` +
      `${queueWide.firstSecond} in the first second\n` +
      `  maxActivitiesPerSecond=5 (each)   → ${perWorker.ratePerSecond.toFixed(2)}/s over ${perWorker.spanMs} ms, ` +
      `${perWorker.firstSecond} in the first second`,
  );
  // Queue-wide: at most about 5/s no matter how many workers poll (less when the machine is busy: a limit is
  // a ceiling, not a promise).
  expect(queueWide.ratePerSecond).toBeLessThan(6.5);
  // Per worker: the two workers together exceed the 5/s a single limit would allow.
  expect(perWorker.ratePerSecond).toBeGreaterThan(7);
  expect(perWorker.ratePerSecond).toBeGreaterThan(queueWide.ratePerSecond * 1.4);
});
