/**
 * `npm run stack`: the production topology on this machine, from nothing — PostgreSQL, the real Temporal server
 * (built once into .tools/, the version docker-compose.yml pins), the namespace and search attributes, the Chime
 * emulator and N worker processes (`npm start` each) sharing a credential store in its own database on that
 * PostgreSQL, with payload keys (PAYLOAD_ENCRYPTION_KEYS: this shell's, else generated and written to a file
 * clients read). Prints the addresses and runs until Ctrl-C, which stops everything it started; so does a
 * failure while starting.
 *
 *   npm run stack -- [--workers N] [--temporal-port P] [--emulator-port P] [--budget N] [--verbose]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from '../tooling/stack/cluster';
import { HISTORY_SHARDS } from '../tooling/stack/server-config';
import { runMain } from '../client/cli/run-main';

const USAGE = `Usage: npm run stack -- [--workers N] [--temporal-port P] [--emulator-port P] [--budget N] [--verbose]
  --workers N        worker processes (default 2; 0 for benchmarks, which bring their own)
  --temporal-port P  the Temporal frontend's port (default: a free port)
  --emulator-port P  the Chime emulator's port (default: a free port)
  --budget N         CHIME_BUDGET_PER_SECOND of every worker (default 10, the service's rate)
  --verbose          pass every process's output through (default: only on failure)`;

function whole(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${name}: ${JSON.stringify(raw)} is not a whole number in ${min}-${max}`);
  }
  return value;
}

class UsageError extends Error {}

export function parseStackArgs(argv: string[]): {
  workers: number;
  temporalPort?: number;
  emulatorPort?: number;
  budgetPerSecond?: number;
  verbose: boolean;
  help: boolean;
} {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        workers: { type: 'string' },
        'temporal-port': { type: 'string' },
        'emulator-port': { type: 'string' },
        budget: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const temporalPort = whole('temporal-port', values['temporal-port'], 1, 65535);
  const emulatorPort = whole('emulator-port', values['emulator-port'], 1, 65535);
  const budgetPerSecond = whole('budget', values.budget, 1, 10_000);
  return {
    workers: whole('workers', values.workers, 0, 32) ?? 2,
    ...(temporalPort !== undefined ? { temporalPort } : {}),
    ...(emulatorPort !== undefined ? { emulatorPort } : {}),
    ...(budgetPerSecond !== undefined ? { budgetPerSecond } : {}),
    verbose: values.verbose ?? false,
    help: values.help ?? false,
  };
}

/** The workers' payload keys, readable by this user only: `PAYLOAD_ENCRYPTION_KEYS=$(cat <file>)` for a client. */
function writeKeysFile(cluster: Cluster): string {
  const file = join(cluster.dir, 'payload-keys');
  writeFileSync(file, `${cluster.payloadEncryptionKeys}\n`, { mode: 0o600 });
  return file;
}

/** The join API's link keys: a scheduler mints links with them (`JOIN_LINK_KEYS=$(cat <file>)`). */
function writeJoinLinkKeysFile(cluster: Cluster): string {
  const file = join(cluster.dir, 'join-link-keys');
  writeFileSync(file, `${cluster.joinApi.joinLinkKeys}\n`, { mode: 0o600 });
  return file;
}

function addresses(cluster: Cluster, keysFile: string, joinKeysFile: string): string {
  const rows: [string, string][] = [
    ['Temporal frontend (gRPC)', cluster.temporalAddress],
    ['Temporal frontend (HTTP)', `http://127.0.0.1:${cluster.ports.frontendHttp}`],
    ['Temporal server metrics', `http://127.0.0.1:${cluster.ports.metrics}/metrics`],
    ['namespace / task queue', `${cluster.namespace} / ${cluster.taskQueue}`],
    [
      'PostgreSQL',
      `postgresql://${cluster.postgres.user}@${cluster.postgres.host}:${cluster.postgres.port}/temporal`,
    ],
    ['credential store', cluster.credentialStoreUrl],
    ['payload keys (workers, clients)', keysFile],
    ['join API (POST /v1/join, GET /join)', `${cluster.joinApi.url} (link keys: ${joinKeysFile})`],
    ['Chime emulator', `${cluster.emulator.endpoint} (state: ${cluster.emulator.endpoint}/_emulator/state)`],
    [
      'events bridge (/healthz, /metrics)',
      `${cluster.eventsBridge.url} (queue ${cluster.eventsBridge.queueUrl}, DLQ ${cluster.eventsBridge.dlqUrl})`,
    ],
    [
      'workers',
      cluster.fleet
        .workers()
        .map((w) => `${w.name} (pid ${String(w.process.child.pid)})`)
        .join(', '),
    ],
    [
      'server build',
      `${cluster.build.dir} (Temporal ${cluster.build.version}, ${HISTORY_SHARDS} history shards)`,
    ],
    ['data and config', cluster.dir],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n');
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseStackArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string): void => void process.stdout.write(`[stack] ${line}\n`);
  let stopping = false;
  let cluster: Cluster | undefined;
  const starting = new AbortController();
  // Ctrl-C during the start aborts it: startCluster stops what it started so far. A second Ctrl-C exits at
  // once; the parent-death signal (tooling/stack/owned-process.ts) then ends the children.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log(`${signal} again: exiting now (children die with this process)`);
      process.exit(130);
    }
    stopping = true;
    log(`${signal}: stopping workers, the Temporal server, PostgreSQL and the emulator`);
    if (!cluster) {
      starting.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    cluster.stop().then(
      () => {
        log('stopped; nothing left running');
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    cluster = await startCluster({
      workers: args.workers,
      temporalPort: args.temporalPort,
      emulatorPort: args.emulatorPort,
      budgetPerSecond: args.budgetPerSecond,
      log,
      signal: starting.signal,
      onOutput: args.verbose ? (source, chunk) => process.stdout.write(`[${source}] ${chunk}`) : undefined,
    });
  } catch (err) {
    if (starting.signal.aborted) {
      log('stopped before it was ready; nothing left running');
      return 130;
    }
    process.stderr.write(`npm run stack failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const keysFile = writeKeysFile(cluster);
  const joinKeysFile = writeJoinLinkKeysFile(cluster);
  log(`ready:\n${addresses(cluster, keysFile, joinKeysFile)}`);
  log(
    `try: TEMPORAL_ADDRESS=${cluster.temporalAddress} PAYLOAD_ENCRYPTION_KEYS=$(cat ${keysFile}) npm run cli -- schedule spec.yaml   ` +
      `(or npm run bench -- --temporal-address ${cluster.temporalAddress})`,
  );
  log('Ctrl-C stops everything');
  // A worker that dies on its own is reported, not restarted: the stack shows what happened.
  for (const w of cluster.fleet.workers()) {
    void w.process.exited.then((code) => !stopping && log(`${w.name} exited (${String(code)})`));
  }
  void cluster.server
    .process()
    ?.exited.then((code) => !stopping && log(`the Temporal server exited (${String(code)})`));
  await new Promise(() => undefined);
  return 0;
}

if (require.main === module) runMain(main, { exit: 'now' });
