/**
 * Benchmark 6: what the two worker-side rate limits do when two worker processes poll one task queue, on the dev
 * server: `maxTaskQueueActivitiesPerSecond` (enforced by the server for the queue: the project's Chime budget)
 * against `maxActivitiesPerSecond` (per worker, so the aggregate grows with the workers). Both are measured in
 * the same run; the figure is their ratio, which says whether the queue-wide limit still holds with 2 pollers.
 * This was a jest test (test/activities/rate-limits.test.ts) that measured Temporal's own limiter with timings.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker, bundleWorkflowCode, type WorkerOptions } from '@temporalio/worker';
import { startDevServer } from '../tooling/temporal-servers';
import { fanOutWorkflow } from './rate-limit-workflows';
import { round } from './support/stats';
import { log, type BenchOutcome, type Goal } from './support/results';

const LIMIT = 5;

interface Measured {
  ratePerSecond: number;
  firstSecond: number;
  spanMs: number;
}

async function measure(
  env: TestWorkflowEnvironment,
  workflowBundle: Awaited<ReturnType<typeof bundleWorkflowCode>>,
  taskQueue: string,
  activities: number,
  limit: Partial<WorkerOptions>,
): Promise<Measured> {
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
    workflowBundle,
  });
  const runs = workers.map((w) => w.run());
  try {
    await workflowWorker.runUntil(
      env.client.workflow.execute(fanOutWorkflow, {
        args: [activities, taskQueue],
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
    ratePerSecond: spanMs > 0 ? ((times.length - 1) / spanMs) * 1000 : Infinity,
  };
}

export async function benchRateLimits(quick: boolean): Promise<BenchOutcome> {
  const activities = quick ? 30 : 60;
  const [env, workflowBundle] = await Promise.all([
    startDevServer(),
    bundleWorkflowCode({ workflowsPath: require.resolve('./rate-limit-workflows') }),
  ]);
  try {
    const queueWide = await measure(env, workflowBundle, 'rate-queue-wide', activities, {
      maxTaskQueueActivitiesPerSecond: LIMIT,
    });
    const perWorker = await measure(env, workflowBundle, 'rate-per-worker', activities, {
      maxActivitiesPerSecond: LIMIT,
    });
    const ratio = round(perWorker.ratePerSecond / queueWide.ratePerSecond, 2);
    log(
      `2 workers, ${activities} activities, limit ${LIMIT}/s:\n` +
        `  maxTaskQueueActivitiesPerSecond → ${round(queueWide.ratePerSecond, 2)}/s over ${queueWide.spanMs} ms, ` +
        `${queueWide.firstSecond} in the first second\n` +
        `  maxActivitiesPerSecond (each)   → ${round(perWorker.ratePerSecond, 2)}/s over ${perWorker.spanMs} ms, ` +
        `${perWorker.firstSecond} in the first second\n` +
        `  per-worker / queue-wide rate: ${ratio}`,
    );
    const goals: Goal[] = [
      {
        benchmark: '6 rate limits',
        metric: 'per-worker limit ÷ queue-wide limit, aggregate rate with 2 pollers',
        // Two pollers with a per-worker limit reach about twice the rate the queue-wide limit lets through.
        goal: '≥ 1.4',
        measured: `${ratio} (${round(perWorker.ratePerSecond, 2)}/s ÷ ${round(queueWide.ratePerSecond, 2)}/s)`,
        met: ratio >= 1.4,
      },
    ];
    return { name: 'rate-limits', goals, result: { activities, limit: LIMIT, queueWide, perWorker, ratio } };
  } finally {
    await env.teardown();
  }
}
