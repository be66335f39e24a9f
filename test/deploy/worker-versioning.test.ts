/**
 * Worker Versioning on the dev server, as a deploy happens: version B's worker is deployed (polling, not yet
 * current), two webinars are scheduled while version A is the Worker Deployment's current version, and B becomes
 * current while both sleep until their start.
 * The default webinar (AUTO_UPGRADE) wakes up on B and runs its whole lifecycle there; the one an operator pinned
 * to A stays on A while B is current, and completes there. Both end cleanly and leave no meeting behind.
 * The Chime activity workers of both versions are unversioned and share the `chime.default` queue.
 */
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { Worker } from '@temporalio/worker';
import { createWebinarWorkers } from '../../worker/assembly';
import { workerDeploymentOptions } from '../../worker/versioning';
import { parseChimeBudgets } from '../../worker/budget/config';
import { startDevServer } from '../../tooling/temporal-servers';
import type { webinarWorkflow } from '../../workflows';
import { webinarWorkflowId } from '../../workflows/definitions';
import { WebinarClient } from '../../client/library/webinar-client';
import { CONTROL_REGION, waitForStatus, webinarBundle, webinarSpec } from '../support/webinar-stack';

const { EventType, VersioningBehavior } = temporal.api.enums.v1;
const deploymentName = `webinars-${process.pid}`;
const taskQueue = `webinars-versioning-${process.pid}`;

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
const running: { stop: () => Promise<void>; done: Promise<void> }[] = [];

/** Version A: the whole fleet, as `npm start` assembles it with TEMPORAL_DEPLOYMENT_NAME/TEMPORAL_WORKER_BUILD_ID. */
async function startVersionA(): Promise<void> {
  const workers = await createWebinarWorkers({
    connection: env.nativeConnection,
    taskQueue,
    defaultRegion: CONTROL_REGION,
    chimeEndpoint: emulator.endpoint,
    workflowBundle: await webinarBundle(),
    budgets: parseChimeBudgets({ CHIME_BUDGET_PER_SECOND: '1000' }),
    versioning: { deploymentName, buildId: 'A', defaultBehavior: 'AUTO_UPGRADE' },
  });
  running.push({ stop: () => workers.shutdown(), done: workers.run() });
}

/**
 * Version B's webinar worker, configured as worker/assembly.ts configures it. In production B is a new process
 * with its own unversioned Chime workers; one process may not poll `chime.default` twice, so here B's Chime calls
 * go to A's Chime workers, which is what the shared, unversioned queue means anyway.
 */
async function startVersionB(): Promise<void> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await webinarBundle(),
    workerDeploymentOptions: workerDeploymentOptions({
      deploymentName,
      buildId: 'B',
      defaultBehavior: 'AUTO_UPGRADE',
    }),
  });
  running.push({ stop: async () => worker.shutdown(), done: worker.run() });
}

/** As `temporal worker deployment set-current-version`; the version exists once its worker has polled. */
async function setCurrentVersion(buildId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await env.connection.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: 'default',
        deploymentName,
        buildId,
        identity: 'worker-versioning.test',
      });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** The build ID that completed each workflow task of a run, in order. */
async function buildIdsOf(handle: WorkflowHandleWithFirstExecutionRunId): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED)
    .map((e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? '(unversioned)');
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, config: { rateLimits: { enabled: false } } });
  env = await startDevServer();
  await startVersionA();
  await setCurrentVersion('A');
}, 180_000);

afterAll(async () => {
  for (const { stop, done } of running.reverse()) {
    await stop();
    await done.catch(() => undefined);
  }
  await env?.teardown();
  await emulator?.close();
});

it('a webinar scheduled on A runs on B once B is current; one pinned to A completes on A', async () => {
  // The deploy, first half: B starts polling. Only the current version (A) is given new webinars' tasks.
  await startVersionB();
  const now = Date.now();
  // Both sleep through the switch (one call, below): provisioning starts 15 s from now, on whichever version
  // is then in charge.
  const times = {
    startAt: new Date(now + 20_000).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    provisionLeadSeconds: 5,
  };
  const start = (
    spec: ReturnType<typeof webinarSpec>,
    pinned: boolean,
  ): Promise<WorkflowHandleWithFirstExecutionRunId<typeof webinarWorkflow>> =>
    env.client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
      args: [spec],
      taskQueue,
      workflowId: webinarWorkflowId(spec.webinarId),
      ...(pinned ? { versioningOverride: { pinnedTo: { deploymentName, buildId: 'A' } } } : {}),
    });
  const upgrading = await start(webinarSpec(now, times), false);
  const pinned = await start(webinarSpec(now, times), true);
  await waitForStatus(upgrading, (s) => s.phase === 'SCHEDULED');
  await waitForStatus(pinned, (s) => s.phase === 'SCHEDULED');

  // The deploy, second half: B becomes current; A keeps running (drain) for what is pinned to it.
  await setCurrentVersion('B');

  await waitForStatus(upgrading, (s) => s.phase === 'LIVE', 120_000, 250);
  await waitForStatus(pinned, (s) => s.phase === 'LIVE', 120_000, 250);
  const webinars = new WebinarClient(env.client, { taskQueue });
  const [upgraded, stayed] = await Promise.all(
    [upgrading, pinned].map(async (handle) => {
      const webinarId = handle.workflowId.replace(/^webinar-/, '');
      await webinars.action(webinarId, 'endWebinar', { reason: 'versioning test' });
      return webinars.result(webinarId);
    }),
  );
  expect(upgraded?.phase).toBe('ENDED');
  expect(stayed?.phase).toBe('ENDED');
  expect(upgraded?.attendees.failed).toBe(0);
  expect(stayed?.attendees.failed).toBe(0);
  expect(emulator.state().meetings).toHaveLength(0);

  // Who ran what: the upgrading webinar started on A, then every task after the switch ran on B.
  const upgradedOn = await buildIdsOf(upgrading);
  expect(upgradedOn[0]).toBe('A');
  expect(upgradedOn[upgradedOn.length - 1]).toBe('B');
  expect(upgradedOn.lastIndexOf('A')).toBeLessThan(upgradedOn.indexOf('B'));
  // The pinned one never left A, although B was current for most of its life.
  expect(new Set(await buildIdsOf(pinned))).toEqual(new Set(['A']));

  const described = await upgrading.describe();
  const info = described.raw.workflowExecutionInfo?.versioningInfo;
  expect(info?.behavior).toBe(VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE);
  expect(info?.deploymentVersion).toMatchObject({ deploymentName, buildId: 'B' });
  // The rollback gate's query (docs/runbook.md) finds the webinars that B's code touched, and only those.
  const onB = `TemporalWorkerDeploymentVersion = '${deploymentName}:B'`;
  const deadline = Date.now() + 20_000;
  let listed: string[] = [];
  while (Date.now() < deadline) {
    listed = [];
    for await (const w of env.client.workflow.list({ query: onB })) listed.push(w.workflowId);
    if (listed.length > 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(listed).toEqual([upgrading.workflowId]);
  const pinnedInfo = (await pinned.describe()).raw.workflowExecutionInfo?.versioningInfo;
  expect(pinnedInfo?.versioningOverride?.pinned?.version).toMatchObject({ deploymentName, buildId: 'A' });
}, 300_000);
