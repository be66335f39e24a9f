/**
 * A webinar stack whose workers and client use a DataConverter (the payload codec). worker/assembly.ts takes no
 * data converter yet, so this builds the same workers by hand: the webinar worker with a workflow bundle that
 * carries the failure converter, and one activity worker per planned Chime queue.
 */
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createChimeActivities, createChimeClientFactory } from '../../activities';
import type { WebinarSpec } from '../../domain/types';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { parseChimeBudgets } from '../../worker/budget';
import { planChimeQueues } from '../../worker/chime-workers';
import { startDevServer } from '../../tooling/temporal-servers';
import { webinarWorkflowId } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';
import { CONTROL_REGION } from '../support/webinar-stack';

export interface EncryptedStack {
  env: TestWorkflowEnvironment;
  emulator: RunningEmulator;
  /** A client with the data converter (decodes what it reads). */
  client: Client;
  taskQueue: string;
  start(spec: WebinarSpec): Promise<WorkflowHandle<typeof webinarWorkflow>>;
  shutdown(): Promise<void>;
}

export async function startEncryptedStack(dataConverter: DataConverter): Promise<EncryptedStack> {
  const emulator = await startEmulator({ port: 0, config: { rateLimits: { enabled: false } } });
  const env = await startDevServer();
  const taskQueue = `webinars-enc-${process.pid}`;
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../workflows'),
    failureConverterPath: dataConverter.failureConverterPath,
  });
  const clients = createChimeClientFactory({ defaultRegion: CONTROL_REGION, endpoint: emulator.endpoint });
  const activities = createChimeActivities({ clients });
  const workers: Worker[] = [
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle,
      dataConverter,
    }),
  ];
  for (const q of planChimeQueues(
    CONTROL_REGION,
    [],
    parseChimeBudgets({ CHIME_BUDGET_PER_SECOND: '1000' }),
  )) {
    workers.push(
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue: q.taskQueue,
        activities,
        dataConverter,
      }),
    );
  }
  const running = Promise.all(workers.map((w) => w.run()));
  const client = new Client({ connection: env.connection, dataConverter });
  return {
    env,
    emulator,
    client,
    taskQueue,
    start: (spec) =>
      client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
        args: [spec],
        taskQueue,
        workflowId: webinarWorkflowId(spec.webinarId),
        workflowIdConflictPolicy: 'FAIL',
      }),
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await running.catch(() => undefined);
      clients.destroy();
      await env.teardown();
      await emulator.close();
    },
  };
}
