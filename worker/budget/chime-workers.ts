/**
 * The activity workers that carry every Chime call: one Worker per control Region's task queue (`chime.<region>`,
 * plus `chime.default` for webinars that name no Region), with `maxTaskQueueActivitiesPerSecond` set to the
 * Region's API budget. Every class of call shares that one queue, and operator calls (promote, mute) go ahead of
 * bulk registration by task priority. Beside it, a second Worker serves the Region's operator lane
 * (`chime.<region>.operator`, domain/budget/operator-lane.ts), rate-limited to OPERATOR_LANE_SHARE of the
 * budget: an operator's first attempt runs there at once, and a budget token on the Region's queue pays it
 * back, so the lane spends no budget of its own. The limit is enforced by the Temporal server for the task
 * queue as a whole, so it holds however many worker processes poll the queue — as long as every one of them is
 * configured with the same budget (the last poller's value wins) and none is versioned: the server keeps one
 * rate limiter per physical queue, and each Worker Deployment version would get its own (worker/versioning.ts).
 */
import type { DataConverter, Duration } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { ChimeActivities } from '../../domain/chime';
import { chimeTaskQueue, OPERATOR_LANE_SHARE, operatorLaneTaskQueue } from '../../domain/budget';
import { createBudgetActivities } from '../../activities/budget-token';
import type { ChimeBudgets } from './config';

export interface ChimeWorkersOptions {
  connection: NativeConnection;
  namespace?: string;
  /** The Region that serves inputs without a control Region (the `chime.default` queue). */
  defaultRegion: string;
  /** Further control Regions to serve explicitly (`chime.<region>`). */
  controlRegions: string[];
  budgets: ChimeBudgets;
  activities: ChimeActivities;
  /** Concurrent activity executions per worker (default 20). */
  maxConcurrentActivityTaskExecutions?: number;
  /** Payload codec (client/temporal/codec.ts): activity inputs and results are encoded like workflow payloads. */
  dataConverter?: DataConverter;
  /** How long running activities may finish after shutdown before they are cancelled (default 0). */
  shutdownGraceTime?: Duration;
}

export interface ChimeQueuePlan {
  taskQueue: string;
  /** The Region whose API the queue's calls reach. */
  region: string;
  /** The server-side rate limit of the queue, in activities (≈ API calls) per second. */
  ratePerSecond: number;
  /** The queue's operator lane: its rate limit bounds how many borrowed tokens are out at once. */
  operatorLane: { taskQueue: string; ratePerSecond: number };
}

export interface ChimeWorker extends ChimeQueuePlan {
  worker: Worker;
  laneWorker: Worker;
}

/**
 * The queues and their rates, before any Worker exists (pure, so it is easy to test and to print). When the
 * default Region is also listed explicitly, its budget is split evenly between the `chime.default` alias queue
 * and the explicit `chime.<region>` one, because both reach the same Region's API.
 */
export function planChimeQueues(
  defaultRegion: string,
  controlRegions: string[],
  budgets: ChimeBudgets,
): ChimeQueuePlan[] {
  const explicit = [...new Set(controlRegions)];
  const defaultAlsoExplicit = explicit.includes(defaultRegion);
  const queues: { key: string | undefined; region: string; fraction: number }[] = [
    { key: undefined, region: defaultRegion, fraction: defaultAlsoExplicit ? 0.5 : 1 },
    ...explicit.map((region) => ({
      key: region,
      region,
      fraction: region === defaultRegion ? 0.5 : 1,
    })),
  ];
  return queues.map(({ key, region, fraction }) => {
    const ratePerSecond = fraction * budgets.forRegion(region).perSecond;
    return {
      taskQueue: chimeTaskQueue(key),
      region,
      ratePerSecond,
      operatorLane: {
        taskQueue: operatorLaneTaskQueue(key),
        ratePerSecond: OPERATOR_LANE_SHARE * ratePerSecond,
      },
    };
  });
}

export async function createChimeWorkers(options: ChimeWorkersOptions): Promise<ChimeWorker[]> {
  const plan = planChimeQueues(options.defaultRegion, options.controlRegions, options.budgets);
  const workers: ChimeWorker[] = [];
  const shared = {
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions ?? 20,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.shutdownGraceTime !== undefined ? { shutdownGraceTime: options.shutdownGraceTime } : {}),
  };
  for (const queue of plan) {
    const worker = await Worker.create({
      ...shared,
      taskQueue: queue.taskQueue,
      // The budget tokens that pay lane calls back run here, where they take the queue's tokens.
      activities: { ...options.activities, ...createBudgetActivities() },
      maxTaskQueueActivitiesPerSecond: queue.ratePerSecond,
    });
    const laneWorker = await Worker.create({
      ...shared,
      taskQueue: queue.operatorLane.taskQueue,
      activities: options.activities,
      maxTaskQueueActivitiesPerSecond: queue.operatorLane.ratePerSecond,
    });
    workers.push({ ...queue, worker, laneWorker });
  }
  return workers;
}

/** Runs every Chime worker until `fn` settles, then shuts them all down and waits for them. */
export async function runChimeWorkersUntil<T>(chimeWorkers: ChimeWorker[], fn: () => Promise<T>): Promise<T> {
  const workers = chimeWorkers.flatMap((w) => [w.worker, w.laneWorker]);
  const running = workers.map((w) => w.run());
  // A worker that dies (e.g. the server went away) fails the whole run instead of leaving `fn` waiting forever.
  const anyFailure = new Promise<never>((_, reject) => {
    for (const p of running) void p.catch(reject);
  });
  anyFailure.catch(() => undefined);
  try {
    return await Promise.race([fn(), anyFailure]);
  } finally {
    for (const w of workers) {
      if (w.getState() === 'RUNNING') w.shutdown();
    }
    await Promise.allSettled(running);
  }
}
