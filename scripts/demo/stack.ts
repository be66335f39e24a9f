/**
 * What the demo starts and stops: the emulator, Temporal (an ephemeral dev server with its web UI, or the given
 * server), the worker fleet and the join API with its page (join.ts), all in this process.
 */
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { dataConverterFromEnvironment } from '../../client/temporal/data-converter';
import type { WebinarSpec } from '../../domain/types';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { createWebinarWorkers, type WebinarWorkers } from '../../worker/assembly';
import { parseChimeBudgets } from '../../worker/budget/config';
import { ConfigError, type ConfigProblem } from '../../worker/config';
import {
  openConfiguredCredentialStore,
  readCredentialStoreSettings,
} from '../../client/credential-store/settings';
import type { CredentialStore } from '../../domain/credentials';
import { freeLoopbackPort } from '../../worker/metrics';
import { startDevServer } from '../../tooling/temporal-servers';
import type { DemoOptions } from './args';
import { startDemoJoin, type DemoJoin } from './join';
import { DEMO_EVENTS_QUEUE, startDemoBridge } from './attendance';
import type { EventsBridge } from '../../client/events-bridge/bridge';

const CONTROL_REGION = 'us-east-1';

function installQuietRuntime(): void {
  try {
    // Worker chatter (bundling, state changes) would drown the demo's own output; errors still show.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process (e.g. by a test): keep it.
  }
}

/** Everything the demo starts, closed in reverse order by close() (also after a failure or Ctrl-C). */
export interface DemoStack {
  emulator?: RunningEmulator;
  env?: TestWorkflowEnvironment;
  /** Connections the demo opened itself (with --temporal-address): the worker's and the client's. */
  ownConnections: { close(): Promise<void> }[];
  workers?: WebinarWorkers;
  running?: Promise<void>;
  client?: Client;
  credentials?: CredentialStore;
  join?: DemoJoin;
  bridge?: EventsBridge;
}

export async function closeStack(stack: DemoStack): Promise<void> {
  await stack.bridge?.stop({ timeoutMs: 5_000 }).catch(() => undefined);
  await stack.join?.api.close().catch(() => undefined);
  await stack.workers?.shutdown().catch(() => undefined);
  await stack.running?.catch(() => undefined);
  await stack.credentials?.close().catch(() => undefined);
  for (const connection of stack.ownConnections.reverse()) await connection.close().catch(() => undefined);
  await stack.env?.teardown().catch(() => undefined);
  await stack.emulator?.close().catch(() => undefined);
}

/** Step 2: the emulator, Temporal (an ephemeral dev server, or the given one) and the worker fleet. */
export async function startStack(
  options: DemoOptions,
  spec: WebinarSpec,
  stack: DemoStack,
  say: (t: string) => void,
): Promise<{ client: Client; workers: WebinarWorkers; join: DemoJoin; credentials: CredentialStore }> {
  installQuietRuntime();
  const emulator = await startEmulator({
    port: 0,
    // The service's default rate limits (10/s, burst 20, per operation and account); enough seats for the roster.
    // Meeting events on the Region's default queue, as an EventBridge rule would put them (attendance.ts).
    config: {
      limits: { replicasPerPrimary: spec.maxReplicas ?? 4 },
      events: { defaultQueues: { [CONTROL_REGION]: DEMO_EVENTS_QUEUE } },
    },
  });
  stack.emulator = emulator;
  say(`Chime SDK emulator:   ${emulator.endpoint} (10 calls/s, burst 20, per operation and for the account)`);

  let connection: NativeConnection;
  let client: Client;
  const dataConverter = dataConverterFromEnvironment();
  if (options.address === undefined) {
    const uiPort = options.ui ? await freeLoopbackPort() : undefined;
    const env = await startDevServer({
      ui: options.ui,
      ...(uiPort !== undefined ? { uiPort } : {}),
      namespace: options.namespace,
    });
    stack.env = env;
    connection = env.nativeConnection;
    client = dataConverter
      ? new Client({ connection: env.connection, namespace: options.namespace, dataConverter })
      : env.client;
    say(`Temporal dev server:  ${env.address} (ephemeral, in memory)`);
    if (uiPort !== undefined)
      say(`Temporal web UI:      http://localhost:${uiPort}/namespaces/${options.namespace}/workflows`);
  } else {
    connection = await NativeConnection.connect({ address: options.address });
    stack.ownConnections.push(connection);
    const clientConnection = await Connection.connect({ address: options.address });
    stack.ownConnections.push(clientConnection);
    client = new Client({
      connection: clientConnection,
      namespace: options.namespace,
      ...(dataConverter ? { dataConverter } : {}),
    });
    say(`Temporal server:      ${options.address} (existing)`);
  }
  stack.client = client;

  // The worker's store (CREDENTIAL_STORE_URL; the demo, one process, defaults to PGlite in its memory).
  const problems: ConfigProblem[] = [];
  const env = { ...process.env, CREDENTIAL_STORE_URL: process.env.CREDENTIAL_STORE_URL ?? 'pglite:memory' };
  const settings = readCredentialStoreSettings(env, problems);
  const credentials = settings && (await openConfiguredCredentialStore(settings));
  if (!settings?.store || !credentials) throw new ConfigError(problems, 'credential store');
  stack.credentials = credentials;
  say(
    `Credential store:     ${settings.store.engine === 'postgres' ? 'PostgreSQL' : 'PGlite'} (join tokens, sealed)`,
  );

  const workers = await createWebinarWorkers({
    connection,
    credentials,
    namespace: options.namespace,
    taskQueue: 'webinars-demo',
    defaultRegion: CONTROL_REGION,
    chimeEndpoint: emulator.endpoint,
    // The account's default budget, as the production worker would use it.
    budgets: parseChimeBudgets({}),
    ...(dataConverter ? { dataConverter } : {}),
  });
  stack.workers = workers;
  stack.running = workers.run();
  stack.running.catch(() => undefined);
  const plan = workers.chimeWorkers
    .map((w) => `${w.taskQueue} ${w.ratePerSecond}/s (operator lane ${w.operatorLane.ratePerSecond}/s)`)
    .join(', ');
  say(`Worker:               webinars-demo + ${plan}`);

  // The join API and page, on the worker's own store: what a join link opens while the demo runs.
  const join = await startDemoJoin(client, credentials);
  stack.join = join;
  say(
    `Join API and page:    ${join.api.url}/join (links signed with ${join.keysFrom === 'random' ? 'a key made for this run' : 'JOIN_LINK_KEYS'})`,
  );

  stack.bridge = await startDemoBridge(client, emulator, CONTROL_REGION);
  say(`Events bridge:        ${DEMO_EVENTS_QUEUE} → meetingEvents Signals (at most 1/s per webinar)`);
  return { client, workers, join, credentials };
}
