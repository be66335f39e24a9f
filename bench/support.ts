/**
 * Shared pieces of the benchmarks (never tests): a stack of dev server + emulator with realistic limits +
 * workers assembled by createWebinarWorkers, roster builders, statistics and output (history analysis: histories.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ERRORS_ONLY_BUNDLE_LOGGER, bundleWebinarWorkflows } from '../client/temporal/workflow-code';
import { NativeConnection } from '@temporalio/worker';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { createWebinarWorkers, type WebinarWorkers } from '../worker/assembly';
import { parseChimeBudgets, type ChimeBudgets } from '../worker/budget/config';
import { startDevServer } from '../tooling/temporal-servers';
import {
  deepMerge,
  defaultConfig,
  startEmulator,
  type DeepPartial,
  type EmulatorConfig,
  type EmulatorCounters,
  type RunningEmulator,
} from '../emulator';
import { startEmulatorProcess, type EmulatorProcess } from '../tooling/emulator-process';
import { ATTENDEES_PER_MEETING, BATCH_SIZE } from '../domain/limits';
import type { AttendeeSpec, WebinarSpec, WebinarStatus } from '../domain/types';
import { sendOperatorAction, type WebinarHandle } from '../client/library/operator-actions';
import { webinarWorkflowId } from '../workflows/definitions';
import type { webinarWorkflow } from '../workflows';
import { waitForStatus as pollStatus } from '../test/support/webinar-stack';

/** Ends each webinar as an operator would (its endWebinar Update) and waits until its workflow has finished. */
export async function finishWebinars(handles: WebinarHandle[]): Promise<void> {
  await Promise.all(
    handles.map(async (h) => {
      await sendOperatorAction(h, 'endWebinar', { reason: 'benchmark done' });
      await h.result();
    }),
  );
}

export const CONTROL_REGION = 'us-east-1';
export const PRIMARY_REGION = 'us-east-1';
/** Viewers are spread over these replica Regions (round robin). */
export const REPLICA_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-1'];
/** The domain's limits (domain/limits.ts) under the benchmarks' short names. */
export const BATCH = BATCH_SIZE;
export const SEATS = ATTENDEES_PER_MEETING;

/** The emulator as the benchmarks run it: its default (realistic) rate limits, 40 replicas per primary. */
export function realisticEmulatorConfig(): EmulatorConfig {
  const config = defaultConfig();
  config.limits.replicasPerPrimary = 40;
  return config;
}

export function emulatorRate(config: EmulatorConfig): { rate: number; burst: number } {
  // A call needs a token from its operation's bucket and from the account bucket: the smaller one binds.
  const op = config.rateLimits.perOperation;
  const acct = config.rateLimits.account;
  return { rate: Math.min(op.ratePerSecond, acct.ratePerSecond), burst: Math.min(op.burst, acct.burst) };
}

/** Lower bound of the time `calls` calls take under a token bucket: the burst is free, the rest at `rate`. */
export function floorSeconds(calls: number, config: EmulatorConfig): number {
  const { rate, burst } = emulatorRate(config);
  return Math.max(0, calls - burst) / rate;
}

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
  /** The webinar worker's WORKFLOW_CACHE_SIZE; unset: the production default. */
  workflowCacheSize?: number;
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
  const env: BenchTemporal = temporalAddress
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
  const budgets = options.budgets ?? parseChimeBudgets({});
  const workers = await createWebinarWorkers({
    connection: env.nativeConnection,
    taskQueue: `bench-webinars-${process.pid}`,
    defaultRegion: CONTROL_REGION,
    chimeEndpoint: emulator.endpoint,
    workflowBundle: await webinarBundle(options.workflowInterceptorModules),
    budgets,
    ...(options.workflowCacheSize !== undefined ? { workflowCacheSize: options.workflowCacheSize } : {}),
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

/** 1 host, 4 speakers, the rest viewers spread round robin over REPLICA_REGIONS. */
export function roster(total: number, prefix = 'u'): AttendeeSpec[] {
  const out: AttendeeSpec[] = [{ externalUserId: `${prefix}-host`, role: 'host' }];
  for (let i = 0; i < 4 && out.length < total; i++)
    out.push({ externalUserId: `${prefix}-speaker-${i}`, role: 'speaker' });
  for (let i = 0; out.length < total; i++) {
    out.push({
      externalUserId: `${prefix}-viewer-${i}`,
      role: 'viewer',
      region: REPLICA_REGIONS[i % REPLICA_REGIONS.length],
    });
  }
  return out;
}

/** Lead before the start at which provisioning begins: long enough that READY lasts through a benchmark. */
export const PROVISION_LEAD_SECONDS = 200;

/** A webinar that starts provisioning `inMs` after now and stays READY for PROVISION_LEAD_SECONDS after that. */
export function soonSpec(webinarId: string, attendees: AttendeeSpec[], inMs = 1_500): WebinarSpec {
  const now = Date.now();
  return {
    webinarId,
    startAt: new Date(now + inMs + PROVISION_LEAD_SECONDS * 1000).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    primaryRegion: PRIMARY_REGION,
    replicaRegions: REPLICA_REGIONS,
    attendees,
    provisionLeadSeconds: PROVISION_LEAD_SECONDS,
    maxReplicas: 40,
  };
}

/** The calls a READY webinar's plan needed: one CreateMeeting per meeting, ceil(seats/100) batches per meeting. */
export function plannedCalls(status: WebinarStatus): { meetings: number; batches: number; calls: number } {
  const inReplicas = status.replicas.reduce((sum, r) => sum + r.attendees, 0);
  const loads = [
    status.attendees.registered + status.attendees.failed - inReplicas,
    ...status.replicas.map((r) => r.attendees),
  ];
  const meetings = (status.primary ? 1 : 0) + status.replicas.length;
  const batches = loads.reduce((sum, n) => sum + Math.ceil(n / BATCH), 0);
  return { meetings, batches, calls: meetings + batches };
}

/** The meetings and calls a roster needs at least (no Regions to respect): meetings of 250, batches of 100 per meeting. */
export function minimumCalls(attendees: number): { meetings: number; batches: number; calls: number } {
  const meetings = Math.ceil(attendees / SEATS);
  let batches = 0;
  let left = attendees;
  for (let m = 0; m < meetings; m++) {
    const seats = Math.min(SEATS, left);
    batches += Math.ceil(seats / BATCH);
    left -= seats;
  }
  return { meetings, batches, calls: meetings + batches };
}

/** The tests' status poller, with the benchmarks' longer default timeout. */
export function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: WebinarStatus) => boolean,
  timeoutMs = 120_000,
  pollMs = 100,
): Promise<WebinarStatus> {
  return pollStatus(handle, predicate, timeoutMs, pollMs);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? NaN;
}

export function latencyStats(samples: number[]): {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1] ?? NaN),
  };
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : round((100 * part) / whole, 2);
}

/** Throttled share of all calls the emulator answered, and per-operation counts, from its counters. */
export function emulatorCalls(s: EmulatorCounters): {
  calls: number;
  throttled: number;
  failed: number;
  throttledPct: number;
  meetingsCreated: number;
  attendeesCreated: number;
  byOperation: Record<string, { calls: number; throttled: number; failed: number }>;
} {
  const byOperation: Record<string, { calls: number; throttled: number; failed: number }> = {};
  for (const [op, c] of Object.entries(s.operations)) {
    byOperation[op] = { calls: c.calls, throttled: c.throttled, failed: c.failed };
  }
  return {
    calls: s.totals.calls,
    throttled: s.totals.throttled,
    failed: s.totals.failed,
    throttledPct: pct(s.totals.throttled, s.totals.calls),
    meetingsCreated: s.totals.meetingsCreated,
    attendeesCreated: s.totals.attendeesCreated,
    byOperation,
  };
}

/** A full GC, also without --expose-gc. */
export function gc(): void {
  v8.setFlagsFromString('--expose_gc');
  const collect = vm.runInNewContext('gc') as () => void;
  collect();
  collect();
}

export function mib(bytes: number): number {
  return round(bytes / 1024 / 1024, 1);
}

export const RESULTS_DIR = path.join(__dirname, 'results');

export function writeResult(name: string, value: unknown): string {
  const out = path.join(RESULTS_DIR, `${name}.json`);
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(value, null, 2)}\n`);
  return path.relative(process.cwd(), out);
}

export interface Goal {
  benchmark: string;
  metric: string;
  goal: string;
  measured: string;
  met: boolean | 'n/a';
}

export interface BenchOutcome {
  name: string;
  goals: Goal[];
  result: unknown;
}

export function log(message: string): void {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}
