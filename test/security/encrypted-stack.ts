/**
 * A webinar stack with the payload codec on, wired the way `npm start` wires it: the worker configuration is
 * read from environment variables (PAYLOAD_ENCRYPTION_KEYS among them) by loadWorkerConfig, and startWorker
 * (worker/main.ts) assembles the fleet with createWebinarWorkers. Only the process boundary and the Runtime
 * install are skipped (jest owns both). A client built from the same configuration reads what it wrote.
 */
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { temporal } from '@temporalio/proto';
import type { WebinarSpec } from '../../domain/types';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { loadWorkerConfig } from '../../worker/config';
import { JsonLogger } from '../../worker/logging';
import { startWorker, type RunningWorker } from '../../worker/main';
import { startDevServer } from '../../tooling/temporal-servers';
import { webinarWorkflowId } from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';

export interface EncryptedStack {
  env: TestWorkflowEnvironment;
  emulator: RunningEmulator;
  /** A client with the configuration's data converter (decodes what it reads). */
  client: Client;
  taskQueue: string;
  start(spec: WebinarSpec): Promise<WorkflowHandle<typeof webinarWorkflow>>;
  /** The worker's log lines (printed by a failing test only). */
  logs: string[];
  shutdown(): Promise<void>;
}

/** `encryption`: the worker's PAYLOAD_ENCRYPTION_* variables, exactly as `npm start` reads them. */
export async function startEncryptedStack(encryption: {
  PAYLOAD_ENCRYPTION_KEYS: string;
  PAYLOAD_ENCRYPTION_STRICT?: string;
  PAYLOAD_ENCRYPTION_REQUIRE_BINDING?: string;
}): Promise<EncryptedStack> {
  const emulator = await startEmulator({ port: 0, config: { rateLimits: { enabled: false } } });
  const env = await startDevServer();
  const taskQueue = `webinars-enc-${process.pid}`;
  const config = loadWorkerConfig({
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    CHIME_ENDPOINT: emulator.endpoint,
    CHIME_BUDGET_PER_SECOND: '1000',
    ...encryption,
  });
  if (!config.temporal.dataConverter) throw new Error('PAYLOAD_ENCRYPTION_KEYS configured no data converter');
  const logs: string[] = [];
  const logger = new JsonLogger({ level: 'WARN', write: (line) => logs.push(line) });
  let worker: RunningWorker;
  try {
    worker = await startWorker(config, logger, false);
  } catch (err) {
    await env.teardown();
    await emulator.close();
    throw err;
  }
  const client = new Client({ connection: env.connection, dataConverter: config.temporal.dataConverter });
  return {
    env,
    emulator,
    client,
    taskQueue,
    logs,
    start: (spec) =>
      client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
        args: [spec],
        taskQueue,
        workflowId: webinarWorkflowId(spec.webinarId),
        workflowIdConflictPolicy: 'FAIL',
      }),
    async shutdown() {
      await worker.shutdown();
      await env.teardown();
      await emulator.close();
    },
  };
}

type Payload = temporal.api.common.v1.IPayload;

/**
 * Every payload stored in a history (inputs, results, update arguments, failures' details; search attributes
 * excluded: the server must index those), with the event type it belongs to and its `encoding` metadata.
 */
export function storedPayloads(
  history: temporal.api.history.v1.IHistory,
): { event: string; encoding: string; metadata: Record<string, string> }[] {
  const found: { event: string; encoding: string; metadata: Record<string, string> }[] = [];
  const visit = (value: unknown, event: string, key: string): void => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return;
    if (key === 'searchAttributes' || key === 'indexedFields') return;
    if (Array.isArray(value)) {
      for (const v of value) visit(v, event, key);
      return;
    }
    const maybe = value as Payload;
    if (maybe.metadata && 'data' in maybe) {
      const metadata = Object.fromEntries(
        Object.entries(maybe.metadata).map(([k, b]) => [k, b ? Buffer.from(b).toString('utf8') : '']),
      );
      found.push({ event, encoding: metadata.encoding ?? '', metadata });
      return;
    }
    for (const [k, v] of Object.entries(value)) visit(v, event, k);
  };
  for (const e of history.events ?? []) {
    // Core writes patch markers itself (json/plain, the patch ID only: code, never data).
    if (e.markerRecordedEventAttributes?.markerName === 'core_patch') continue;
    const attributes = Object.entries(e).find(([k]) => k.endsWith('EventAttributes'));
    if (attributes) visit(attributes[1], attributes[0].replace(/EventAttributes$/, ''), attributes[0]);
  }
  return found;
}
