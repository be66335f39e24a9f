/**
 * The webinar worker serves storeAttendance on the workflows' own queue (worker/assembly.ts), writing to the
 * store the fleet is given: a workflow that calls it as the webinar workflow does (test/fixtures/
 * attendance-workflows.ts) against a dev server, its records read back from the store; bad input fails the
 * workflow at the first attempt.
 */
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode } from '@temporalio/worker';
import { openCredentialStore, type SqlCredentialStore } from '../../activities/credentials';
import { ATTENDANCE_INPUT_FAILURE_TYPE } from '../../activities';
import { ERRORS_ONLY_BUNDLE_LOGGER } from '../../client/temporal/workflow-code';
import type { StoreAttendanceInput } from '../../domain/attendance';
import { startDevServer } from '../../tooling/temporal-servers';
import { createWebinarWorkers, type WebinarWorkers } from '../../worker/assembly';
import { parseChimeBudgets } from '../../worker/budget/config';
import { attendanceRecord } from '../support/attendance-store-cases';

jest.setTimeout(120_000);

let env: TestWorkflowEnvironment;
let store: SqlCredentialStore;
let workers: WebinarWorkers;
let running: Promise<void>;

beforeAll(async () => {
  const [server, opened, bundle] = await Promise.all([
    startDevServer(),
    openCredentialStore({ engine: 'pglite' }, undefined),
    bundleWorkflowCode({
      workflowsPath: require.resolve('../fixtures/attendance-workflows'),
      logger: ERRORS_ONLY_BUNDLE_LOGGER,
    }),
  ]);
  [env, store] = [server, opened];
  workers = await createWebinarWorkers({
    connection: env.nativeConnection,
    taskQueue: `webinars-attendance-${process.pid}`,
    defaultRegion: 'us-east-1',
    workflowBundle: bundle,
    budgets: parseChimeBudgets({ CHIME_BUDGET_PER_SECOND: '10' }),
    credentials: store,
  });
  running = workers.run();
});
afterAll(async () => {
  await workers?.shutdown();
  await running?.catch(() => undefined);
  await store?.close();
  await env?.teardown();
});

const run = (input: StoreAttendanceInput): Promise<number> =>
  env.client.workflow.execute('storeAttendanceWorkflow', {
    args: [input],
    taskQueue: workers.taskQueue,
    workflowId: `webinar-${input.webinarId}-${Date.now()}`,
  });

it('stores the records through the store of the fleet, on the webinar queue', async () => {
  const records = [attendanceRecord('host-1', { role: 'host' }), attendanceRecord('Doe, "JD"')];
  expect(await run({ webinarId: 'w-attend', generation: 1, records })).toBe(2);
  expect(await store.readAttendance('w-attend')).toEqual([records[1], records[0]]);
});

it('fails the call for good on bad input, naming the field', async () => {
  const bad = { webinarId: 'w-bad', generation: 1, records: [attendanceRecord('a1', { joins: -1 })] };
  const failed: unknown = await run(bad).catch((e: unknown) => e);
  expect(failed).toBeInstanceOf(WorkflowFailedError);
  const activity = (failed as WorkflowFailedError).cause;
  expect(activity).toBeInstanceOf(ActivityFailure);
  const cause = (activity as ActivityFailure).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  expect((cause as ApplicationFailure).type).toBe(ATTENDANCE_INPUT_FAILURE_TYPE);
  expect((cause as ApplicationFailure).message).toMatch(/records\[0\]\.joins: must be a whole number/);
  expect(await store.readAttendance('w-bad')).toEqual([]);
});
