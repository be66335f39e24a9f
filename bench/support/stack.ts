/**
 * The benchmarks' stack: a fresh dev server (or the --temporal-address cluster), the Chime emulator at its
 * realistic limits in this process or in its own, and the workers assembled by createWebinarWorkers.
 */
import type { CredentialStore } from '../../domain/credentials';
import type { DataConverter } from '@temporalio/common';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { ERRORS_ONLY_BUNDLE_LOGGER, bundleWebinarWorkflows } from '../../client/temporal/workflow-code';
import { createWebinarWorkers, type WebinarWorkers } from '../../worker/assembly';
import { parseChimeBudgets, type ChimeBudgets } from '../../worker/budget/config';
import { startDevServer } from '../../tooling/temporal-servers';
import { deepMerge, startEmulator } from '../../emulator';
import type { DeepPartial, EmulatorConfig, RunningEmulator } from '../../emulator';
import { startEmulatorProcess, type EmulatorProcess } from '../../tooling/emulator-process';
import type { WebinarSpec } from '../../domain/types';
import { webinarWorkflowId } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';
import { realisticEmulatorConfig } from './emulator';
import { CONTROL_REGION } from './webinars';

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/** The production bundle, or one with bench-only interceptors after the production ones; each built once. */
export function webinarBundle(interceptorModules: string[] = []): Promise<WorkflowBundleWithSourceMap> {
  const key = interceptorModules.join('\n');
  let bundle = bundles.get(key);
  if (!bundle) {
    bundle = bundleWebinarWorkflows({
      workflowInterceptorModules: interceptorModules,
      logger: ERRORS_ONLY_BUNDLE_LOGGER,
    });
    bundles.set(key, bundle);
  }
  return bundle;
}

export interface BenchStackOptions {
  budgets?: ChimeBudgets;
  emulator?: DeepPartial<EmulatorConfig>;
  /**
   * For comparison only: task-queue partitions of the dev server (dynamic config
   * matching.numTaskqueue*Partitions; the server's default is 4, the project's startDevServer sets 1). Unset: the
   * project's startDevServer, unchanged.
   */
  partitions?: number;
  /** For comparison only: further dev-server dynamic config, e.g. turning a matching feature on or off. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** The activities keep attendees' credentials here (the benchmark owns and closes it); unset: not kept. */
  credentials?: CredentialStore;
  /** The webinar worker's WORKFLOW_CACHE_SIZE; unset: the production default. */
  workflowCacheSize?: number;
  /**
   * The production data converter (client/temporal/data-converter.ts) for the workers and the stack's client;
   * unset: the SDK's default (payloads uncompressed, as most benchmarks compare against their own reference).
   */
  dataConverter?: DataConverter;
  /** Bench-only workflow interceptor modules bundled after the production ones (a separate bundle). */
  workflowInterceptorModules?: string[];
}

/** What a benchmark needs of Temporal: a fresh dev server, or an existing cluster (--temporal-address). */
export interface BenchTemporal {
  client: Client;
  nativeConnection: NativeConnection;
  teardown(): Promise<void>;
}

let temporalAddress: string | undefined;

/**
 * `npm run bench -- --temporal-address host:port`: every stack connects to that cluster (e.g. `npm run stack --
 * --workers 0`) instead of starting a dev server. Its dynamic config is fixed, so the partition experiments
 * are skipped, and no other worker may poll its `chime.*` queues (they would take the benchmark's calls).
 */
export function useTemporalAddress(address: string): void {
  temporalAddress = address;
}

export function externalTemporal(): string | undefined {
  return temporalAddress;
}

async function connectTemporal(address: string): Promise<BenchTemporal> {
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  return {
    client: new Client({ connection }),
    nativeConnection,
    async teardown() {
      await connection.close();
      await nativeConnection.close();
    },
  };
}

/** What a stack needs of its emulator: where it listens, and how to stop it. */
interface StackEmulator {
  endpoint: string;
  close(): Promise<void>;
}

/** The emulator in this process (`RunningEmulator`: its state and reset), or in its own (`EmulatorProcess`). */
export interface BenchStack<E extends StackEmulator = RunningEmulator> {
  env: BenchTemporal;
  emulator: E;
  workers: WebinarWorkers;
  taskQueue: string;
  /** Task-queue partitions when set by the experiment, else undefined (server default). */
  partitions?: number;
  budgets: ChimeBudgets;
  start(spec: WebinarSpec): Promise<WorkflowHandle<typeof webinarWorkflow>>;
  shutdown(): Promise<void>;
}

/**
 * A fresh dev server or the --temporal-address cluster (the Chime queues' rate limits are set by their pollers),
 * the emulator and the workers.
 */
export async function startBenchStack(options: BenchStackOptions = {}): Promise<BenchStack> {
  checkStackOptions(options);
  const emulator = await startEmulator({ port: 0, config: stackEmulatorConfig(options) });
  return assembleStack(options, emulator);
}

/**
 * The same stack with the emulator in its own process: for figures that the emulator's work on the worker's event
 * loop would skew (a promote's latency under a storm of calls). Its counters are read over HTTP.
 */
export async function startBenchStackBesideEmulatorProcess(
  options: BenchStackOptions = {},
): Promise<BenchStack<EmulatorProcess>> {
  checkStackOptions(options);
  const emulator = await startEmulatorProcess(stackEmulatorConfig(options));
  return assembleStack(options, emulator);
}

/** The realistic emulator with the options' changes: the same for either kind of stack. */
function stackEmulatorConfig(options: BenchStackOptions): EmulatorConfig {
  return deepMerge(realisticEmulatorConfig(), options.emulator ?? {});
}

function checkStackOptions(options: BenchStackOptions): void {
  if (temporalAddress !== undefined && (options.partitions !== undefined || options.dynamicConfig)) {
    throw new Error('--temporal-address: the cluster sets its partitions in its dynamic config, not per run');
  }
}

async function assembleStack<E extends StackEmulator>(
  options: BenchStackOptions,
  emulator: E,
): Promise<BenchStack<E>> {
  const started: BenchTemporal = temporalAddress
    ? await connectTemporal(temporalAddress)
    : await startDevServer({
        dynamicConfig: {
          ...(options.partitions === undefined
            ? {}
            : {
                'matching.numTaskqueueReadPartitions': options.partitions,
                'matching.numTaskqueueWritePartitions': options.partitions,
              }),
          ...options.dynamicConfig,
        },
      });
  const env: BenchTemporal = options.dataConverter
    ? {
        client: new Client({ connection: started.client.connection, dataConverter: options.dataConverter }),
        nativeConnection: started.nativeConnection,
        teardown: () => started.teardown(),
      }
    : started;
  const budgets = options.budgets ?? parseChimeBudgets({});
  const workers = await createWebinarWorkers({
    connection: env.nativeConnection,
    taskQueue: `bench-webinars-${process.pid}`,
    defaultRegion: CONTROL_REGION,
    chimeEndpoint: emulator.endpoint,
    workflowBundle: await webinarBundle(options.workflowInterceptorModules),
    budgets,
    ...(options.workflowCacheSize !== undefined ? { workflowCacheSize: options.workflowCacheSize } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
  });
  const running = workers.run();
  running.catch((err: unknown) => console.error('worker failed:', err));
  return {
    env,
    emulator,
    workers,
    taskQueue: workers.taskQueue,
    partitions: options.partitions,
    budgets,
    start: (spec) =>
      env.client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
        args: [spec],
        taskQueue: workers.taskQueue,
        workflowId: webinarWorkflowId(spec.webinarId),
        workflowIdConflictPolicy: 'FAIL',
      }),
    async shutdown() {
      await workers.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
      await emulator.close();
    },
  };
}
