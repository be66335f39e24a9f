/**
 * The dashboard benchmark's stack: the emulator in its own process, a dev server, and one production worker
 * process (worker/main.ts via tooling/stack/workers.ts) whose CPU is read from /proc beside the dev server's.
 */
import { WebinarClient } from '../../client/library/webinar-client';
import { type WebinarHandle } from '../../client/library/operator-actions';
import type { WebinarSpec } from '../../domain/types';
import { startDevServer } from '../../tooling/temporal-servers';
import { startEmulatorProcess } from '../../tooling/emulator-process';
import { workerFleet } from '../../tooling/stack/workers';
import { realisticEmulatorConfig } from '../support/emulator';
import { childPid } from '../support/process';

export interface Stack {
  client: WebinarClient;
  taskQueue: string;
  workerPid: number | undefined;
  serverPid: number | undefined;
  start(spec: WebinarSpec): Promise<WebinarHandle>;
  shutdown(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const emulator = await startEmulatorProcess(realisticEmulatorConfig());
  const env = await startDevServer();
  const taskQueue = `bench-dashboard-${process.pid}`;
  const fleet = workerFleet({
    temporalAddress: env.address,
    chimeEndpoint: emulator.endpoint,
    taskQueue,
    budgetPerSecond: 10,
  });
  try {
    const worker = await fleet.add();
    // As a scheduling system starts them; the capacity calendar is not consulted (it could widen the lead).
    const client = new WebinarClient(env.client, { taskQueue, calendar: false });
    return {
      client,
      taskQueue,
      workerPid: worker.process.child.pid,
      serverPid: childPid('start-dev'),
      start: async (spec) => (await client.schedule(spec)).handle,
      async shutdown() {
        await fleet.stop();
        await env.teardown();
        await emulator.close();
      },
    };
  } catch (e) {
    await fleet.stop();
    await env.teardown();
    await emulator.close();
    throw e;
  }
}
