/**
 * The Temporal server's static config for the stack, after the module's config/development-postgres12.yaml:
 * one process with all four services (frontend, history, matching, worker), like temporalio/auto-setup,
 * PostgreSQL for persistence and visibility, and the project's dynamic config file (the Chime queues'
 * partitions) — the same file docker-compose.yml mounts. Archival is off (nothing here reads it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PERSISTENCE_DATABASE, SQL_PLUGIN, VISIBILITY_DATABASE } from './schema';

/**
 * History shards are fixed when the database is created and cannot change later. 4 is what auto-setup uses
 * (NUM_HISTORY_SHARDS) and plenty for one host; docs/reference.md says what production uses.
 */
export const HISTORY_SHARDS = 4;
/** Where the config lives under the server's root folder: `--root <dir> --config config --env stack`. */
export const CONFIG_ENV = 'stack';

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

export const SERVER_PORT_NAMES: (keyof ServerPorts)[] = [
  'frontend',
  'frontendHttp',
  'frontendMembership',
  'history',
  'historyMembership',
  'matching',
  'matchingMembership',
  'worker',
  'workerMembership',
  'metrics',
];

/** Names the ports of a list, in SERVER_PORT_NAMES order. */
export function serverPorts(list: number[]): ServerPorts {
  if (list.length < SERVER_PORT_NAMES.length)
    throw new Error(`${SERVER_PORT_NAMES.length} ports needed, got ${list.length}`);
  return Object.fromEntries(SERVER_PORT_NAMES.map((name, i) => [name, list[i]])) as unknown as ServerPorts;
}

export interface ServerConfigOptions {
  /** The server's root folder; the config goes to <root>/config/stack.yaml. */
  root: string;
  ports: ServerPorts;
  postgres: { host: string; port: number; user: string };
  dynamicConfigFile: string;
}

function datastore(database: string, options: ServerConfigOptions, maxConns: number): object {
  return {
    sql: {
      pluginName: SQL_PLUGIN,
      databaseName: database,
      connectAddr: `${options.postgres.host}:${options.postgres.port}`,
      connectProtocol: 'tcp',
      user: options.postgres.user,
      password: '',
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

function service(grpcPort: number, membershipPort: number, extra: object = {}): object {
  return { rpc: { grpcPort, membershipPort, bindOnLocalHost: true, ...extra } };
}

export function serverConfig(options: ServerConfigOptions): object {
  const { ports } = options;
  return {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: HISTORY_SHARDS,
      datastores: {
        'postgres-default': datastore(PERSISTENCE_DATABASE, options, 20),
        'postgres-visibility': datastore(VISIBILITY_DATABASE, options, 4),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      metrics: {
        prometheus: {
          framework: 'tally',
          timerType: 'histogram',
          listenAddress: `127.0.0.1:${ports.metrics}`,
        },
      },
    },
    services: {
      frontend: service(ports.frontend, ports.frontendMembership, { httpPort: ports.frontendHttp }),
      history: service(ports.history, ports.historyMembership),
      matching: service(ports.matching, ports.matchingMembership),
      worker: service(ports.worker, ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: `127.0.0.1:${ports.frontend}`,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    dynamicConfigClient: { filepath: options.dynamicConfigFile, pollInterval: '10s' },
  };
}

/** Writes <root>/config/stack.yaml and returns its path. */
export function writeServerConfig(options: ServerConfigOptions): string {
  const dir = join(options.root, 'config');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${CONFIG_ENV}.yaml`);
  writeFileSync(file, stringify(serverConfig(options)));
  return file;
}
