/**
 * The production topology on one machine, from nothing: PostgreSQL in a temporary folder, the real Temporal
 * server on it (the version docker-compose.yml pins, with deploy/temporal-dynamicconfig.yaml), the namespace and
 * search attributes, the Chime emulator, and N production worker processes sharing one credential store, a
 * database of its own on that PostgreSQL (credentials-db.ts), sealed with the payload keys every worker gets.
 * `stop()` ends everything it started, in reverse order, also after a failed start; each process also dies with
 * this one (owned-process.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deepMerge,
  startEmulator,
  type DeepPartial,
  type EmulatorConfig,
  type RunningEmulator,
} from '../../emulator';
import { DEFAULT_WEBINAR_TASK_QUEUE } from '../../workflows/definitions';
import { projectRoot } from '../temporal-servers';
import { DEFAULT_BUDGET_PER_SECOND } from '../../worker/budget/config';
import { generateEncryptionKey, KEYS_ENV } from '../../client/temporal/codec';
import { CREDENTIALS_DATABASE, ensureDatabase, postgresUrl } from './credentials-db';
import { registerNamespace } from './namespace';
import { freePorts, SERVER_PORT_RANGE } from './ports';
import { startPostgres, type RunningPostgres } from './postgres';
import { setupSchemas } from './schema';
import { ensureTemporalServer, type TemporalServerBuild } from './server-build';
import { SERVER_PORT_NAMES, serverPorts, writeServerConfig, type ServerPorts } from './server-config';
import { temporalServerProcess, type TemporalServerProcess } from './temporal-server';
import { composeTemporalVersion, DYNAMIC_CONFIG_FILE } from './temporal-version';
import {
  eventsQueueNames,
  startStackEventsBridge,
  STACK_EVENTS_REGION,
  type StackEventsBridge,
} from './events-bridge';
import { startStackJoinApi, type StackJoinApi } from './join-api';
import { workerFleet, type WorkerFleet } from './workers';

export const STACK_NAMESPACE = 'default';

export interface ClusterOptions {
  workers?: number;
  /** The frontend's port (the address workers and clients use); default: a free port. */
  temporalPort?: number;
  /** The emulator's port; default: a free port. */
  emulatorPort?: number;
  /** Emulator settings (default: the emulator's own, i.e. the real service's rate limits on). */
  emulator?: DeepPartial<EmulatorConfig>;
  taskQueue?: string;
  budgetPerSecond?: number;
  workerEnv?: NodeJS.ProcessEnv;
  /**
   * The workers' PAYLOAD_ENCRYPTION_KEYS (payloads and the credential store): default, this process's, else a
   * fresh key. Clients of the stack need the same keys.
   */
  payloadEncryptionKeys?: string;
  /** Progress lines ("PostgreSQL ready on ..."). */
  log?: (line: string) => void;
  /** Every process's output, as it comes (the stack script's --verbose). */
  onOutput?: (source: string, chunk: string) => void;
  /** Aborts a start in progress (Ctrl-C): what was started so far is stopped, and startCluster rejects. */
  signal?: AbortSignal;
}

export interface Cluster {
  build: TemporalServerBuild;
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  budgetPerSecond: number;
  ports: ServerPorts;
  postgres: RunningPostgres;
  server: TemporalServerProcess;
  emulator: RunningEmulator;
  fleet: WorkerFleet;
  /** The workers' credential store: `postgres://…/chime_credentials` on the same PostgreSQL. */
  credentialStoreUrl: string;
  /** The workers' PAYLOAD_ENCRYPTION_KEYS: a client of the stack decodes payloads with them. */
  payloadEncryptionKeys: string;
  /** The join API on the workers' store, with the link flow on (`npm run join-api`'s process). */
  joinApi: StackJoinApi;
  /** The events bridge on the emulator's events queue and its dead-letter queue (`npm run events-bridge`'s process). */
  eventsBridge: StackEventsBridge;
  /** The temporary folder holding the database, the server config and its logs. */
  dir: string;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const log = options.log ?? (() => undefined);
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((e: unknown) => errors.push(e));
    if (errors.length > 0) throw new AggregateError(errors, 'stopping the stack failed');
  };
  const step = (): void => options.signal?.throwIfAborted();
  try {
    const version = composeTemporalVersion();
    const build = await ensureTemporalServer(version, log, options.signal);
    step();
    const dir = mkdtempSync(join(tmpdir(), 'chime-stack-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));

    const [pgPort = 0, ...portList] = await freePorts(1 + SERVER_PORT_NAMES.length, SERVER_PORT_RANGE);
    const ports = serverPorts(portList);
    if (options.temporalPort !== undefined) ports.frontend = options.temporalPort;

    const postgres = await startPostgres(join(dir, 'postgresql'), pgPort);
    cleanups.push(() => postgres.stop());
    step();
    log(`PostgreSQL ready on ${postgres.host}:${postgres.port} (data in ${postgres.dataDir})`);
    await Promise.all([setupSchemas(build, postgres), ensureDatabase(postgres, CREDENTIALS_DATABASE)]);
    step();
    log(
      `Temporal schemas created and updated (temporal, temporal_visibility); database ${CREDENTIALS_DATABASE} created`,
    );
    const credentialStoreUrl = postgresUrl(postgres, CREDENTIALS_DATABASE);
    const inherited = process.env[KEYS_ENV]?.trim();
    const payloadEncryptionKeys =
      options.payloadEncryptionKeys ?? (inherited ? inherited : generateEncryptionKey('stack1'));

    const root = join(dir, 'temporal');
    writeServerConfig({
      root,
      ports,
      postgres,
      dynamicConfigFile: join(projectRoot(), DYNAMIC_CONFIG_FILE),
    });
    const temporalAddress = `127.0.0.1:${ports.frontend}`;
    const onOutput = options.onOutput;
    const server = temporalServerProcess({
      binary: build.server,
      root,
      address: temporalAddress,
      onOutput: onOutput && ((chunk) => onOutput('temporal', chunk)),
    });
    cleanups.push(() => server.stop());
    await server.start();
    step();
    log(`Temporal server ${version} SERVING on ${temporalAddress}`);
    await registerNamespace(temporalAddress, STACK_NAMESPACE);
    step();
    log(`namespace ${STACK_NAMESPACE} and the webinar search attributes registered`);

    // Its default events queue stands in for the EventBridge rule of deploy/meeting-events/.
    const emulator = await startEmulator({
      port: options.emulatorPort ?? 0,
      config: deepMerge(
        { events: { defaultQueues: { [STACK_EVENTS_REGION]: eventsQueueNames().queue } } },
        options.emulator ?? {},
      ),
    });
    cleanups.push(() => emulator.close());
    step();

    const taskQueue = options.taskQueue ?? DEFAULT_WEBINAR_TASK_QUEUE;
    const budgetPerSecond = options.budgetPerSecond ?? DEFAULT_BUDGET_PER_SECOND;
    const fleet = workerFleet({
      temporalAddress,
      chimeEndpoint: emulator.endpoint,
      taskQueue,
      budgetPerSecond,
      env: {
        CREDENTIAL_STORE_URL: credentialStoreUrl,
        [KEYS_ENV]: payloadEncryptionKeys,
        ...options.workerEnv,
      },
      onOutput: onOutput && ((worker, chunk) => onOutput(worker, chunk)),
    });
    cleanups.push(() => fleet.stop());
    const count = options.workers ?? 2;
    const [joinApi, eventsBridge] = await Promise.all([
      startStackJoinApi({
        temporalAddress,
        namespace: STACK_NAMESPACE,
        credentialStoreUrl,
        payloadEncryptionKeys,
        onOutput: onOutput && ((chunk) => onOutput('join-api', chunk)),
      }).then((api) => {
        cleanups.push(() => api.process.stop('SIGTERM', 10_000));
        return api;
      }),
      startStackEventsBridge({
        temporalAddress,
        namespace: STACK_NAMESPACE,
        payloadEncryptionKeys,
        emulatorEndpoint: emulator.endpoint,
        onOutput: onOutput && ((chunk) => onOutput('events-bridge', chunk)),
      }).then((bridge) => {
        cleanups.push(() => bridge.process.stop('SIGTERM', 20_000));
        return bridge;
      }),
      ...Array.from({ length: count }, () => fleet.add()),
    ]);
    step();
    log(
      `${count} worker process${count === 1 ? '' : 'es'} polling ${taskQueue} (budget ${budgetPerSecond} calls/s per Region; ` +
        `credential store ${CREDENTIALS_DATABASE}, sealed with the payload keys)`,
    );

    return {
      build,
      temporalAddress,
      namespace: STACK_NAMESPACE,
      taskQueue,
      budgetPerSecond,
      ports,
      postgres,
      server,
      emulator,
      fleet,
      credentialStoreUrl,
      payloadEncryptionKeys,
      joinApi,
      eventsBridge,
      dir,
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
