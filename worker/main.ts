/**
 * The production worker process (`npm start`): reads and checks its configuration (exit 2 on a bad variable),
 * installs the Temporal runtime with JSON logs and Prometheus metrics, connects, and runs the webinar worker and
 * the Chime activity workers (createWebinarWorkers) until SIGINT/SIGTERM. On the first signal it stops polling
 * and lets running activities finish for up to SHUTDOWN_GRACE_MS (30 s, the start-to-close of a Chime call: a
 * longer grace would wait for nothing, a shorter one would cut calls that are about to finish; a paged listing
 * that is cut is retried by another worker); a second signal exits at once. With TEMPORAL_DEPLOYMENT_NAME and
 * TEMPORAL_WORKER_BUILD_ID the webinar worker is a Worker Deployment version (worker/versioning.ts).
 */
import { Client } from '@temporalio/client';
import { NativeConnection, Runtime } from '@temporalio/worker';
import { createWebinarWorkers } from './assembly';
import { ConfigError, loadWorkerConfig, type WorkerConfig } from './config';
import { openConfiguredCredentialStore } from '../client/credential-store/settings';
import { withExpectedNoticesAtDebug } from './expected-notices';
import { JsonLogger } from './logging';
import {
  createWorkerMetrics,
  freeLoopbackPort,
  pollPhases,
  serveMetrics,
  type MetricsServer,
} from './metrics';
import { runMain } from '../client/cli/run-main';

export const EXIT_CONFIG = 2;
export const SHUTDOWN_GRACE_MS = 30_000;

export interface RunningWorker {
  config: WorkerConfig;
  metricsPort?: number;
  /** Resolves when every worker has stopped (after shutdown() or a fatal error). */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts the worker fleet for a checked configuration. Installs the Temporal Runtime (once per process) unless
 * `installRuntime` is false.
 */
export async function startWorker(
  config: WorkerConfig,
  logger: JsonLogger,
  installRuntime = true,
): Promise<RunningWorker> {
  const metrics = createWorkerMetrics();
  let runtimeMetricsUrl: string | undefined;
  if (installRuntime) {
    const runtimePort = config.metrics.port !== undefined ? await freeLoopbackPort() : undefined;
    Runtime.install({
      logger: withExpectedNoticesAtDebug(logger),
      // Signals are ours: shutdown must also close the metrics server and log what happened.
      shutdownSignals: [],
      telemetryOptions: {
        logging: { forward: {}, filter: { core: 'WARN', other: 'ERROR' } },
        ...(runtimePort !== undefined
          ? { metrics: { prometheus: { bindAddress: `127.0.0.1:${runtimePort}` } } }
          : {}),
      },
    });
    if (runtimePort !== undefined) runtimeMetricsUrl = `http://127.0.0.1:${runtimePort}/metrics`;
  }

  const { temporal, chime } = config;
  const connection = await NativeConnection.connect({
    address: temporal.address,
    tls: temporal.tls,
    ...(temporal.apiKey !== undefined ? { apiKey: temporal.apiKey } : {}),
  });
  // Opened (and migrated) before any activity can run: every attendee created is stored.
  const credentials = await openConfiguredCredentialStore(config.credentials);
  // The series activity schedules occurrences through the client library, on the same connection.
  const client = new Client({
    connection,
    namespace: temporal.namespace,
    ...(temporal.dataConverter ? { dataConverter: temporal.dataConverter } : {}),
  });
  const workers = await createWebinarWorkers({
    connection,
    client,
    ...(credentials ? { credentials } : {}),
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    defaultRegion: chime.defaultRegion,
    controlRegions: chime.controlRegions,
    budgets: chime.budgets,
    chimeEndpoint: chime.endpoint,
    maxConcurrentActivityTaskExecutions: chime.maxConcurrentActivities,
    wrapActivities: (activities) => metrics.wrapActivities(activities, chime.defaultRegion),
    dataConverter: temporal.dataConverter,
    shutdownGraceTime: SHUTDOWN_GRACE_MS,
    ...(config.workflowCacheSize !== undefined ? { workflowCacheSize: config.workflowCacheSize } : {}),
    ...(config.versioning ? { versioning: config.versioning } : {}),
  });

  let server: MetricsServer | undefined;
  let stopPolling = (): void => undefined;
  if (config.metrics.port !== undefined) {
    server = await serveMetrics(metrics, config.metrics.port, runtimeMetricsUrl, config.metrics.host);
    stopPolling = pollPhases(metrics, client, config.metrics.phaseIntervalSeconds * 1000, (err) =>
      logger.warn('Counting webinars by phase failed', {
        error: err instanceof Error ? err.message : String(err),
      }),
    );
  }

  logger.info('Worker started', {
    temporalAddress: temporal.address,
    namespace: temporal.namespace,
    taskQueue: workers.taskQueue,
    node: process.version,
    workerVersion: config.versioning
      ? `${config.versioning.deploymentName}/${config.versioning.buildId} (${config.versioning.defaultBehavior})`
      : 'unversioned',
    tls: temporal.tls !== false,
    payloadCodec: temporal.dataConverter !== undefined,
    credentialStore:
      config.credentials.store?.engine ?? 'none: join credentials are not kept (CREDENTIAL_STORE_URL)',
    chime: chime.endpoint ?? 'AWS',
    defaultRegion: chime.defaultRegion,
    chimeQueues: workers.chimeWorkers.map((w) => ({
      taskQueue: w.taskQueue,
      ratePerSecond: w.ratePerSecond,
      operatorLane: w.operatorLane,
    })),
    ...(server ? { metricsPort: server.port } : {}),
  });

  let stopping: Promise<void> | undefined;
  const cleanup = async (): Promise<void> => {
    stopPolling();
    await server?.close();
    await connection.close();
    await credentials?.close();
  };
  const done = workers.run().finally(() => cleanup().catch(() => undefined));
  return {
    config,
    ...(server ? { metricsPort: server.port } : {}),
    done,
    shutdown() {
      stopping ??= (async () => {
        await workers.shutdown();
        await done.catch(() => undefined);
      })();
      return stopping;
    },
  };
}

/** `npm start`. Returns the process exit code. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let config: WorkerConfig;
  try {
    config = loadWorkerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee docs/reference.md ("The worker") for every variable.\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const logger = new JsonLogger({ level: config.logLevel, base: { service: 'webinar-worker' } });
  // Node prints process warnings (e.g. the AWS SDK's Node version notice) as plain text: keep stderr JSON only.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => logger.warn(warning.message, { warning: warning.name }));
  // The signal handlers come first: a deploy's SIGTERM that lands while the worker is starting (after "Worker
  // started" is logged, before startWorker returns) must still mean a graceful stop, not Node's default exit.
  let worker: RunningWorker | undefined;
  let stopRequested = false;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      logger.warn('Second signal: exiting without waiting for running activities', { signal });
      process.exit(130);
    }
    logger.info('Shutting down: no new tasks; running activities may finish', {
      signal,
      graceMs: SHUTDOWN_GRACE_MS,
    });
    stopRequested = true;
    if (worker) void worker.shutdown();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    try {
      worker = await startWorker(config, logger);
    } catch (err) {
      logger.error('Worker could not start', { error: err instanceof Error ? err.message : String(err) });
      return 1;
    }
    if (stopRequested) void worker.shutdown();
    await worker.done;
    logger.info('Worker stopped');
    return 0;
  } catch (err) {
    logger.error('Worker failed', { error: err instanceof Error ? err.message : String(err) });
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (require.main === module) runMain(() => main(), { exit: 'now' });
