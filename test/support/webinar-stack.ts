/**
 * A whole stack for workflow tests: a real Temporal server (time-skipping or dev), the Chime emulator, the
 * Chime activity workers and a webinar worker running the bundled workflows.
 */
import { webinarBundle } from './webinar-bundle';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { createWebinarWorkers } from '../../worker/assembly';
import { parseChimeBudgets, type ChimeBudgets } from '../../worker/budget/config';
import type { ChimeActivities } from '../../domain/chime';
import type { CredentialStore } from '../../domain/credentials';
import { isStaleRunRefusal } from '../../domain/errors';
import { isStatusMemo, STATUS_MEMO_KEY, type StatusMemo } from '../../domain/status-memo';
import type { AttendeeLocation, WebinarSpec, WebinarStatus } from '../../domain/types';
import { startEmulator, type DeepPartial, type EmulatorConfig, type RunningEmulator } from '../../emulator';
import {
  startDevServer,
  startTimeSkippingServer,
  type DevServerOptions,
} from '../../tooling/temporal-servers';
import { attendeeQuery, statusQuery, webinarWorkflowId } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';

export const CONTROL_REGION = 'us-east-1';

export { webinarBundle };

export interface StackOptions {
  server: 'time-skipping' | 'dev';
  devServer?: DevServerOptions;
  emulator?: DeepPartial<EmulatorConfig>;
  /** API budget of the Chime queues; default: effectively unlimited (the emulator's limits are off too). */
  budgets?: ChimeBudgets;
  /** Wraps the real Chime activities (e.g. to fail one call, or to record which queue ran it). */
  wrapActivities?: (activities: ChimeActivities) => ChimeActivities;
  /** The activities keep attendees' credentials here (the test owns and closes it); unset: not kept. */
  credentials?: () => CredentialStore;
}

export interface WebinarStack {
  env: TestWorkflowEnvironment;
  emulator: RunningEmulator;
  taskQueue: string;
  start(spec: WebinarSpec): Promise<WorkflowHandleWithFirstExecutionRunId<typeof webinarWorkflow>>;
  /** Meetings the emulator still holds: zero after every webinar is the "nothing leaked" check. */
  liveMeetings(): number;
  /** Stops the worker (no workflow task, query or activity is answered after it); the server keeps running. */
  stopWorkers(): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startWebinarStack(options: StackOptions): Promise<WebinarStack> {
  const emulator = await startEmulator({
    port: 0,
    config: { rateLimits: { enabled: false }, ...options.emulator },
  });
  const env =
    options.server === 'dev' ? await startDevServer(options.devServer) : await startTimeSkippingServer();
  const workers = await createWebinarWorkers({
    connection: env.nativeConnection,
    taskQueue: `webinars-${process.pid}`,
    defaultRegion: CONTROL_REGION,
    chimeEndpoint: emulator.endpoint,
    workflowBundle: await webinarBundle(),
    budgets: options.budgets ?? parseChimeBudgets({ CHIME_BUDGET_PER_SECOND: '1000' }),
    ...(options.wrapActivities ? { wrapActivities: options.wrapActivities } : {}),
    ...(options.credentials ? { credentials: options.credentials() } : {}),
    client: env.client,
  });
  const running = workers.run();
  const taskQueue = workers.taskQueue;
  let stopped: Promise<void> | undefined;
  const stopWorkers = (): Promise<void> =>
    (stopped ??= (async () => {
      await workers.shutdown();
      await running.catch(() => undefined);
    })());
  return {
    env,
    emulator,
    taskQueue,
    start: (spec) =>
      env.client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
        args: [spec],
        taskQueue,
        workflowId: webinarWorkflowId(spec.webinarId),
        workflowIdConflictPolicy: 'FAIL',
      }),
    liveMeetings: () => emulator.state().meetings.length,
    stopWorkers,
    async shutdown() {
      await stopWorkers();
      await env.teardown();
      await emulator.close();
    },
  };
}

/** Polls the status query until `predicate` holds (workflow tasks may still be in flight). */
export async function waitForStatus(
  handle: WorkflowHandle,
  predicate: (s: WebinarStatus) => boolean,
  timeoutMs = 30_000,
  pollMs = 100,
): Promise<WebinarStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: WebinarStatus | undefined;
  while (Date.now() < deadline) {
    try {
      last = await handle.query(statusQuery);
    } catch (err) {
      // The stale-run guard (workflows/stale-run-guard.ts) refuses a query that met an evicted run and asks
      // for a retry, as any poller of production webinars must do; every other error is the test's.
      if (!isStaleRunRefusal(err)) throw err;
    }
    if (last && predicate(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`status never matched; last: ${JSON.stringify(last)}`);
}

/**
 * Polls the published status (the memo that dashboards read) until it matches. Unlike a query, which the run
 * about to continue as new may still answer, the memo says only what a run has recorded.
 */
export async function waitForPublishedStatus(
  handle: WorkflowHandle,
  predicate: (memo: StatusMemo) => boolean,
  timeoutMs = 30_000,
): Promise<StatusMemo> {
  let last: unknown;
  const matched = await eventually(async () => {
    last = (await handle.describe()).memo?.[STATUS_MEMO_KEY];
    return isStatusMemo(last) && predicate(last) ? last : undefined;
  }, timeoutMs);
  if (matched) return matched;
  throw new Error(`the published status never matched; last: ${JSON.stringify(last)}`);
}

/** What `read` returns once it returns something, polled every 100 ms; undefined after `timeoutMs`. */
async function eventually<T>(read: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Polls the attendee query until it locates `externalUserId` (it throws until the attendee is registered). */
export async function waitForAttendee(
  handle: WorkflowHandle,
  externalUserId: string,
  timeoutMs = 30_000,
  pollMs = 100,
): Promise<AttendeeLocation> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      return await handle.query(attendeeQuery, { externalUserId });
    } catch (err) {
      last = err;
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`attendee ${externalUserId} was never located; last answer: ${String(last)}`);
}

/** A small, valid webinar input starting `startInMs` from the server's now. */
export function webinarSpec(nowMs: number, overrides: Partial<WebinarSpec> = {}): WebinarSpec {
  const startAt = new Date(nowMs + 3600_000).toISOString();
  const endAt = new Date(nowMs + 2 * 3600_000).toISOString();
  return {
    webinarId: `w-${Math.random().toString(36).slice(2, 10)}`,
    startAt,
    endAt,
    primaryRegion: 'us-east-1',
    replicaRegions: ['eu-west-1'],
    attendees: [
      { externalUserId: 'host-1', role: 'host' },
      { externalUserId: 'speaker-1', role: 'speaker' },
      ...Array.from({ length: 20 }, (_, i) => ({
        externalUserId: `viewer-${i}`,
        role: 'viewer' as const,
        region: i % 2 ? 'eu-west-1' : undefined,
      })),
    ],
    ...overrides,
  };
}

/** One stack for a whole test file: started before its tests, shut down after them. */
export function useWebinarStack(options: StackOptions): () => WebinarStack {
  let stack: WebinarStack | undefined;
  beforeAll(async () => {
    stack = await startWebinarStack(options);
  });
  afterAll(async () => {
    await stack?.shutdown();
  });
  return () => {
    if (!stack) throw new Error('the webinar stack has not started');
    return stack;
  };
}

/** A valid webinar that provisions about a second from now and goes live in 3 s (dev server, real time). */
export function soonWebinarSpec(overrides: Partial<WebinarSpec> = {}): WebinarSpec {
  const now = Date.now();
  return webinarSpec(now, {
    startAt: new Date(now + 3_000).toISOString(),
    endAt: new Date(now + 600_000).toISOString(),
    provisionLeadSeconds: 2,
    ...overrides,
  });
}
