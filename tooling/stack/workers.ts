/**
 * Worker processes of the stack: each is the production entry point, `worker/main.ts` (what `npm start` runs),
 * configured only through its environment, like the compose `worker` service. All of them share the task
 * queues and therefore the Chime API budget, which the server enforces per queue for the fleet as a whole.
 */
import { join } from 'node:path';
import { projectRoot } from '../temporal-servers';
import { spawnOwned, type OwnedProcess } from './owned-process';
import { freePorts } from './ports';

export interface WorkerFleetOptions {
  temporalAddress: string;
  chimeEndpoint: string;
  /** The webinar workflows' queue (TEMPORAL_TASK_QUEUE). */
  taskQueue: string;
  /** CHIME_BUDGET_PER_SECOND: the same value for every process, as worker/budget/chime-workers.ts requires. */
  budgetPerSecond: number;
  /** Extra environment for every worker (e.g. LOG_LEVEL). */
  env?: NodeJS.ProcessEnv;
  onOutput?: (worker: string, chunk: string) => void;
}

export interface StackWorker {
  name: string;
  process: OwnedProcess;
  /** Its Prometheus endpoint (METRICS_PORT): chime_calls_total says which process made which calls. */
  metricsUrl: string;
}

export interface WorkerFleet {
  workers(): StackWorker[];
  /** Starts one more worker process; resolves once it logged "Worker started" (it polls from then on). */
  add(): Promise<StackWorker>;
  /** SIGKILL: a crashed host. The worker leaves the fleet. */
  kill(worker: StackWorker): Promise<void>;
  /** SIGTERM to all, each finishing its running Chime calls (the worker's own grace), then SIGKILL. */
  stop(): Promise<void>;
}

const STARTED = /"msg":"Worker started"/;

export function workerFleet(options: WorkerFleetOptions): WorkerFleet {
  const running: StackWorker[] = [];
  let counter = 0;
  return {
    workers: () => [...running],
    async add() {
      counter += 1;
      const name = `worker-${counter}`;
      const [metricsPort] = await freePorts(1);
      const child = spawnOwned(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', join('worker', 'main.ts')],
        {
          name,
          cwd: projectRoot(),
          env: {
            ...process.env,
            TEMPORAL_ADDRESS: options.temporalAddress,
            TEMPORAL_NAMESPACE: 'default',
            TEMPORAL_TASK_QUEUE: options.taskQueue,
            CHIME_ENDPOINT: options.chimeEndpoint,
            CHIME_BUDGET_PER_SECOND: String(options.budgetPerSecond),
            METRICS_PORT: String(metricsPort),
            ...options.env,
          },
          onOutput: options.onOutput && ((chunk) => options.onOutput?.(name, chunk)),
        },
      );
      const worker = { name, process: child, metricsUrl: `http://127.0.0.1:${String(metricsPort)}/metrics` };
      running.push(worker);
      void child.exited.then(() => {
        const i = running.indexOf(worker);
        if (i >= 0) running.splice(i, 1);
      });
      await child.waitFor(STARTED, 180_000);
      return worker;
    },
    async kill(worker) {
      await worker.process.stop('SIGKILL', 0);
    },
    async stop() {
      // 40 s: the worker's own shutdown grace is 30 s (compose's stop_grace_period is 40 s for the same reason).
      await Promise.all(running.map((w) => w.process.stop('SIGTERM', 40_000)));
    },
  };
}
