/**
 * The activities through real Temporal task queues (dev server) against the Chime SDK Meetings emulator, with
 * its rate limits on (10 calls/s, burst 20 per control Region, like the account; half that where a test needs
 * the service to throttle) and 5xx faults injected.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ChimeSDKMeetingsClient } from '@aws-sdk/client-chime-sdk-meetings';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { createChimeActivities, createChimeClientFactory, type ChimeClientFactory } from '../../activities';
import { parseChimeBudgets } from '../../worker/budget/config';
import {
  createChimeWorkers,
  runChimeWorkersUntil,
  type ChimeWorker,
} from '../../worker/budget/chime-workers';
import { startDevServer } from '../../tooling/temporal-servers';
import { contentionWorkflow, provisionWorkflow, type ProvisionInput } from './fixtures/workflows';

const WORKFLOW_QUEUE = 'activities-test-workflows';
const FAULTS = { '*': { serviceFailureRate: 0.1, serviceUnavailableRate: 0.1, retryAfterSeconds: 1 } };
/** The emulator's default account limit (like the account's): 10 calls/s, burst 20 per control Region. */
const ACCOUNT_LIMIT = { ratePerSecond: 10, burst: 20 };
const THROTTLING_ACCOUNT_LIMIT = { ratePerSecond: 5, burst: 2 };

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let emulator: RunningEmulator;
let clients: ChimeClientFactory;
/** Responses to lose, by command name: the service acts, then the worker "crashes" before it hears back. */
const loseResponses = new Map<string, number>();
let lost = 0;

function loseResponseMiddleware(client: ChimeSDKMeetingsClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const name = context.commandName ?? '';
      const pending = loseResponses.get(name) ?? 0;
      if (pending > 0) {
        loseResponses.set(name, pending - 1);
        lost += 1;
        throw Object.assign(new Error('socket hang up (response lost by the test)'), { code: 'ECONNRESET' });
      }
      return out;
    },
    { step: 'initialize', name: 'loseResponseForTest' },
  );
}

beforeAll(async () => {
  [env, bundle, emulator] = await Promise.all([
    startDevServer(),
    bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/workflows') }),
    startEmulator({ port: 0, config: { faults: { seed: 42, operations: FAULTS } } }),
  ]);
  clients = createChimeClientFactory({
    defaultRegion: 'us-east-1',
    endpoint: emulator.endpoint,
    onClientCreated: loseResponseMiddleware,
  });
});

afterAll(async () => {
  clients?.destroy();
  await emulator?.close();
  await env?.teardown();
});

async function withWorkers<T>(fn: () => Promise<T>): Promise<T> {
  const chimeWorkers: ChimeWorker[] = await createChimeWorkers({
    connection: env.nativeConnection,
    defaultRegion: 'us-east-1',
    controlRegions: ['eu-central-1'],
    // The budget matches the emulator's limits: 10 calls/s per control Region (one queue; operator calls first by priority).
    budgets: parseChimeBudgets({}),
    activities: createChimeActivities({ clients }),
  });
  const workflowWorker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: WORKFLOW_QUEUE,
    workflowBundle: bundle,
  });
  return runChimeWorkersUntil(chimeWorkers, () => workflowWorker.runUntil(fn));
}

function provision(input: ProvisionInput) {
  return env.client.workflow.execute(provisionWorkflow, {
    args: [input],
    taskQueue: WORKFLOW_QUEUE,
    workflowId: `provision-${input.webinarId}`,
  });
}

it('provisions under throttling and 5xx faults: every call succeeds, nothing is created twice', async () => {
  emulator.reset();
  // The account's limit is half the workers' budget, so the service throttles for sure (the default limit
  // equals the budget, and the queue's rate limit then keeps almost every call under it).
  emulator.configure({ rateLimits: { account: THROTTLING_ACCOUNT_LIMIT } });
  const meetings = 4;
  const perMeeting = 120;
  const result = await withWorkers(() =>
    provision({ webinarId: 'faults', meetings, attendeesPerMeeting: perMeeting, batchSize: 50 }),
  );
  const { totals, operations } = emulator.state();
  emulator.configure({ rateLimits: { account: ACCOUNT_LIMIT } });

  expect(result.meetingIds).toHaveLength(meetings);
  expect(result.attendeeIds).toEqual(Array(meetings).fill(perMeeting));
  expect(result.listed).toEqual(Array(meetings).fill(perMeeting));
  expect(result.errors).toBe(0);
  expect(result.deleted).toBe(meetings);
  expect(result.joinTokenSeen).toBe(false);
  expect(totals.meetingsCreated).toBe(meetings);
  expect(totals.attendeesCreated).toBe(meetings * perMeeting);
  expect(totals.meetingsEnded).toBe(meetings);
  // The faults and the throttles did happen, and were retried through: each call above succeeded exactly once.
  expect(totals.failed).toBeGreaterThan(0);
  expect(totals.throttled).toBeGreaterThan(0);
  expect(operations.CreateMeeting?.succeeded).toBe(meetings);
  expect(operations.DeleteMeeting?.succeeded).toBe(meetings);
});

it('a re-run registration and lost responses create no meeting or attendee twice (control Region eu-central-1)', async () => {
  emulator.reset();
  emulator.configure({ faults: { operations: { '*': null } } });
  lost = 0;
  loseResponses.set('CreateMeetingCommand', 2);
  loseResponses.set('BatchCreateAttendeeCommand', 3);
  const result = await withWorkers(() =>
    provision({
      webinarId: 'rerun',
      controlRegion: 'eu-central-1',
      meetings: 2,
      attendeesPerMeeting: 100,
      batchSize: 25,
      registerTwice: true,
      deleteAtEnd: false,
    }),
  );
  const state = emulator.state();
  expect(lost).toBe(5);
  // Each lost response was followed by a retry of the same call, which the service answered idempotently.
  expect(state.operations.CreateMeeting?.succeeded).toBe(2 + 2);
  expect(state.operations.BatchCreateAttendee?.succeeded).toBe(2 * 4 * 2 + 3);
  expect(state.totals.meetingsCreated).toBe(2);
  expect(state.totals.attendeesCreated).toBe(200);
  expect(result.attendeeIds).toEqual([100, 100]);
  expect(result.listed).toEqual([100, 100]);
  expect(state.meetings.map((m) => m.controlRegion)).toEqual(['eu-central-1', 'eu-central-1']);
});

// An ordering, not a timing: the property is that the task priority dispatches operator calls ahead of the bulk
// backlog (the speed of that is measured in bench/operator-latency.ts). Behind the backlog, the first operator
// call would complete only after all 60 bulk calls; ahead of it, all 4 complete while most are still queued.
it('operator calls complete ahead of a bulk backlog on the same rate-limited queue', async () => {
  emulator.reset();
  emulator.configure({ faults: { operations: { '*': null } } });
  const bulkCalls = 60;
  const { meetingIds } = await withWorkers(async () => {
    const provisioned = await provision({
      webinarId: 'contention',
      meetings: 1,
      attendeesPerMeeting: 0,
      batchSize: 100,
      deleteAtEnd: false,
    });
    const contention = await env.client.workflow.execute(contentionWorkflow, {
      args: [{ meetingId: provisioned.meetingIds[0] ?? '', bulkCalls, operatorCalls: 4 }],
      taskQueue: WORKFLOW_QUEUE,
      workflowId: 'contention',
    });
    expect(contention.bulkDoneBeforeOperators).toBe(0);
    expect(contention.bulkDoneAtOperator).toHaveLength(4);
    // The queue admits 10 calls/s: 4 operator calls one after another take about 4 slots, during which at most
    // a burst's worth of the backlog can complete; half of it is a wide margin under a loaded machine.
    expect(Math.max(...contention.bulkDoneAtOperator)).toBeLessThan(bulkCalls / 2);
    return provisioned;
  });
  expect(meetingIds).toHaveLength(1);
  const { totals } = emulator.state();
  expect(totals.throttled / totals.calls).toBeLessThan(0.1);
});
