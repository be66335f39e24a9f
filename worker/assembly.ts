/**
 * The one way this project assembles a worker fleet in a process: the webinar worker (workflows, and the
 * attendance activity they call on their own queue), a version of the Worker Deployment when versioning is
 * configured (worker/versioning.ts), plus the Chime activity workers, unversioned: one `chime.<region>` queue per
 * control Region with the Region's server-side API budget, operator calls ahead of bulk calls by task priority
 * (worker/budget/chime-workers.ts).
 * Used by `npm start`, the demo, benchmarks and integration tests alike.
 */
import type { Client } from '@temporalio/client';
import type { DataConverter, Duration } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  createAttendanceActivities,
  createChimeActivities,
  createChimeClientFactory,
  type ChimeClientFactory,
} from '../activities';
import type { ChimeActivities } from '../domain/chime';
import type { CredentialStore } from '../domain/credentials';
import { DEFAULT_WEBINAR_TASK_QUEUE } from '../workflows/definitions';
import { parseChimeBudgets, type ChimeBudgets } from './budget/config';
import { createChimeWorkers, type ChimeWorker } from './budget/chime-workers';
import { webinarWorkflowCode } from '../client/temporal/workflow-code';
import { createSeriesActivities } from '../client/library/series-activities';
import { acknowledgeExpectedNodeNotice } from './expected-notices';
import { workerDeploymentOptions, type WorkerVersioning } from './versioning';

export interface WebinarWorkersOptions {
  connection: NativeConnection;
  namespace?: string;
  /** The workflows' task queue (default `webinars`). */
  taskQueue?: string;
  /** The control Region for webinars that name none. */
  defaultRegion: string;
  /** Further control Regions served explicitly. */
  controlRegions?: string[];
  /** API budget per Region; default: from the environment (CHIME_BUDGET_*). */
  budgets?: ChimeBudgets;
  /** Chime endpoint override (the emulator); unset: real AWS with the default credential chain. */
  chimeEndpoint?: string;
  /** Prebuilt workflow bundle (tests and benchmarks bundle once); default: bundle ../workflows at start. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** Replace the Chime activities (e.g. to wrap them with metrics). */
  wrapActivities?: (activities: ChimeActivities) => ChimeActivities;
  maxConcurrentActivityTaskExecutions?: number;
  /** Payload codec / failure converter (client/temporal/codec.ts); every worker of the fleet gets the same one. */
  dataConverter?: DataConverter;
  /** How long running activities may finish after shutdown() before they are cancelled (default 0). */
  shutdownGraceTime?: Duration;
  /** Run the webinar worker as this Worker Deployment version; unset: unversioned. */
  versioning?: WorkerVersioning;
  /** Webinar runs kept in memory between workflow tasks; default: the SDK's (client/temporal/workflow-code.ts). */
  workflowCacheSize?: number;
  /**
   * Where the activities keep attendees' credentials and the webinars' attendance (the caller opens and closes
   * it); unset: neither is kept.
   */
  credentials?: CredentialStore;
  /** A client of the same namespace: with it the webinar worker serves the series activity (scheduleOccurrence). */
  client?: Client;
}

export interface WebinarWorkers {
  taskQueue: string;
  webinarWorker: Worker;
  chimeWorkers: ChimeWorker[];
  clients: ChimeClientFactory;
  /** Runs every worker until shutdown() (or until one fails). */
  run(): Promise<void>;
  /** Graceful: stops polling, lets running activities finish, then resolves run(). */
  shutdown(): Promise<void>;
}

export async function createWebinarWorkers(options: WebinarWorkersOptions): Promise<WebinarWorkers> {
  const taskQueue = options.taskQueue ?? DEFAULT_WEBINAR_TASK_QUEUE;
  const namespace = options.namespace ?? 'default';
  acknowledgeExpectedNodeNotice();
  const clients = createChimeClientFactory({
    defaultRegion: options.defaultRegion,
    endpoint: options.chimeEndpoint,
  });
  const base = createChimeActivities({
    clients,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const activities = options.wrapActivities ? options.wrapActivities(base) : base;
  const webinarWorker = await Worker.create({
    connection: options.connection,
    namespace,
    taskQueue,
    // The workflows' own queue: storing attendance spends no Chime budget, so it does not wait behind it.
    activities: {
      ...createAttendanceActivities(options.credentials ? { store: options.credentials } : {}),
      ...(options.client ? createSeriesActivities(options.client, { taskQueue }) : {}),
    },
    ...(options.workflowCacheSize !== undefined ? { maxCachedWorkflows: options.workflowCacheSize } : {}),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.shutdownGraceTime !== undefined ? { shutdownGraceTime: options.shutdownGraceTime } : {}),
    ...(options.versioning ? { workerDeploymentOptions: workerDeploymentOptions(options.versioning) } : {}),
    ...webinarWorkflowCode(options.workflowBundle),
  });
  const chimeWorkers = await createChimeWorkers({
    connection: options.connection,
    namespace,
    defaultRegion: options.defaultRegion,
    controlRegions: options.controlRegions ?? [],
    budgets: options.budgets ?? parseChimeBudgets(),
    activities,
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivityTaskExecutions,
    dataConverter: options.dataConverter,
    shutdownGraceTime: options.shutdownGraceTime,
  });
  const all = [webinarWorker, ...chimeWorkers.flatMap((c) => [c.worker, c.laneWorker])];
  let running: Promise<void> | undefined;
  return {
    taskQueue,
    webinarWorker,
    chimeWorkers,
    clients,
    run() {
      running ??= Promise.all(all.map((w) => w.run())).then(() => undefined);
      return running;
    },
    async shutdown() {
      for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
      // run() rejects if a worker failed; shutdown's job is only to wait for the stop.
      await running?.catch(() => undefined);
      clients.destroy();
    },
  };
}
