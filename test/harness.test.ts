import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, startTimeSkippingServer } from '../tooling/temporal-servers';
import { harnessWorkflow, slept, wake } from './fixtures/harness-workflows';
import { WEBINAR_ID } from '../domain/search-attributes';

let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./fixtures/harness-workflows') });
});

async function runHarness(env: TestWorkflowEnvironment, sleepMs: number): Promise<string> {
  const taskQueue = `harness-${Date.now()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle });
  return worker.runUntil(async () => {
    const handle = await env.client.workflow.start(harnessWorkflow, {
      args: [sleepMs],
      taskQueue,
      workflowId: `harness-${taskQueue}`,
      typedSearchAttributes: [{ key: WEBINAR_ID, value: 'harness' }],
    });
    await env.sleep(sleepMs + 10);
    // The timer has fired in server time; the workflow task that observes it may still be in flight.
    for (let attempt = 0; attempt < 100 && !(await handle.query(slept)); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await handle.query(slept)).toBe(true);
    await handle.signal(wake);
    return handle.result();
  });
}

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startTimeSkippingServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  // Skipping is shown by the server's clock, not by timing the test: a day of server time passes in a test
  // that jest bounds by its own timeout.
  it('skips a day-long timer and delivers a signal', async () => {
    const before = await env.currentTimeMs();
    await expect(runHarness(env, 24 * 3600 * 1000)).resolves.toBe('woken');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(24 * 3600 * 1000);
  });
});

describe('dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServer();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow with the contract search attributes registered', async () => {
    await expect(runHarness(env, 50)).resolves.toBe('woken');
  });
});
