/**
 * `npm run demo`: the whole job on embedded defaults, nothing else installed. Starts an ephemeral Temporal dev
 * server with its web UI, the Chime SDK Meetings emulator with the service's default limits (10 calls/s, burst
 * 20, per operation and for the account) and a worker fleet (createWebinarWorkers) in this process; schedules a
 * webinar a few seconds ahead with ~1,000 attendees across three Regions; shows each phase as it happens with a
 * registration progress bar; promotes a speaker, mutes everyone else, ends it; prints a summary table; and
 * leaves nothing running.
 *
 *   npm run demo -- [--attendees N] [--temporal-address host:port] [--namespace NS] [--no-ui]
 *
 * With --temporal-address the demo uses that server instead of starting one (the contract's search attributes
 * must be registered there, and no other webinar worker may poll its `chime.*` queues in that namespace, or
 * they would take the demo's Chime calls).
 *
 * main() runs named steps: parseDemoArgs, startStack (emulator, Temporal, worker fleet), schedule, follow the
 * phases (PhaseFollower) until LIVE, operateLive, summarize (scripts/demo-summary.ts). Whatever happens, closeStack
 * stops everything it started, in reverse order, including both connections opened to an existing server. Ctrl-C
 * cancels the webinar first (its workflow tears its meetings down while the worker still runs), then closes the
 * stack and exits 130; a second Ctrl-C exits at once.
 */
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { WebinarClient } from '../client/library/webinar-client';
import { checkHostPort } from '../client/temporal/connection';
import { dataConverterFromEnvironment } from '../client/temporal/data-converter';
import type { AttendeeSpec, WebinarPhase, WebinarSpec, WebinarStatus } from '../domain/types';
import { ATTENDEES_PER_MEETING, DEFAULT_PROMOTION_RESERVE, MAX_ATTENDEES } from '../domain/limits';

/** The largest demo roster: every seat of 1 primary + 40 replicas but the default promotion reserve. */
const MAX_DEMO_ATTENDEES = MAX_ATTENDEES - DEFAULT_PROMOTION_RESERVE;
import { formatFieldErrors } from '../domain/validation/fields';
import { validateWebinarSpec } from '../domain/validation/spec';
import { startEmulator, type RunningEmulator } from '../emulator';
import { createWebinarWorkers, type WebinarWorkers } from '../worker/assembly';
import { parseChimeBudgets } from '../worker/budget/config';
import { freeLoopbackPort } from '../worker/metrics';
import { startDevServer } from '../tooling/temporal-servers';
import { formatSummary, summarize, type DemoSummary } from './demo-summary';
import { runMain } from '../client/cli/run-main';

export { formatSummary, type DemoSummary };

export const DEMO_REGIONS = { primary: 'us-east-1', replicas: ['eu-west-1', 'ap-southeast-1'] } as const;
const CONTROL_REGION = 'us-east-1';
const PROVISION_LEAD_SECONDS = 5;
const START_IN_MS = 8_000;
const POLL_MS = 150;

export interface DemoIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Redraw a progress bar in place (a terminal) or print plain lines (a pipe or file). */
  isTTY: boolean;
  /** Aborting it (Ctrl-C) cancels the webinar and stops everything the demo started. */
  signal?: AbortSignal;
}

const USAGE = `Usage: npm run demo -- [--attendees N] [--temporal-address host:port] [--namespace NS] [--no-ui]
  --attendees N                 roster size (default 1000, at most ${MAX_DEMO_ATTENDEES})
  --temporal-address host:port  use a running Temporal server instead of starting a dev server
  --namespace NS                namespace on that server (default "default")
  --no-ui                       do not start the dev server's web UI`;

/** The demo roster: one host and two speakers in the primary's Region, viewers spread over the three Regions. */
export function demoRoster(count: number): AttendeeSpec[] {
  const regions = [DEMO_REGIONS.primary, ...DEMO_REGIONS.replicas];
  return Array.from({ length: count }, (_, i): AttendeeSpec => {
    if (i === 0) return { externalUserId: 'host-1', role: 'host', region: DEMO_REGIONS.primary };
    if (i <= 2) return { externalUserId: `speaker-${i}`, role: 'speaker', region: DEMO_REGIONS.primary };
    return { externalUserId: `viewer-${i}`, role: 'viewer', region: regions[i % regions.length] };
  });
}

export function demoSpec(attendees: number, now = Date.now()): WebinarSpec {
  const meetings = Math.ceil((attendees + DEFAULT_PROMOTION_RESERVE) / ATTENDEES_PER_MEETING);
  return {
    webinarId: `demo-${now.toString(36)}`,
    title: 'Chime webinar orchestrator demo',
    startAt: new Date(now + START_IN_MS).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    primaryRegion: DEMO_REGIONS.primary,
    replicaRegions: [...DEMO_REGIONS.replicas],
    attendees: demoRoster(attendees),
    provisionLeadSeconds: PROVISION_LEAD_SECONDS,
    // Room for the roster and the primary's promotion reserve; the default quota of 4 replicas seats 1,250.
    maxReplicas: Math.min(40, Math.max(4, meetings)),
  };
}

function bar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} registered (${Math.round(ratio * 100)}%)`;
}

function installQuietRuntime(): void {
  try {
    // Worker chatter (bundling, state changes) would drown the demo's own output; errors still show.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process (e.g. by a test): keep it.
  }
}

/** Ctrl-C (or the caller's AbortSignal): the demo stops what it started and exits 130. */
class DemoInterrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export const EXIT_INTERRUPTED = 130;

interface DemoOptions {
  attendees: number;
  address?: string;
  namespace: string;
  ui: boolean;
}

/** Step 1: the command line (exit 2 on a problem, 0 for --help). */
function parseDemoArgs(
  argv: string[],
  say: (t: string) => void,
  err: (t: string) => void,
): DemoOptions | number {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        attendees: { type: 'string', default: '1000' },
        'temporal-address': { type: 'string' },
        namespace: { type: 'string', default: 'default' },
        'no-ui': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    err(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const attendees = Number(values.attendees);
  if (!/^\d+$/.test(values.attendees) || attendees < 1 || attendees > MAX_DEMO_ATTENDEES) {
    err(`--attendees ${values.attendees} is not a whole number in 1-${MAX_DEMO_ATTENDEES}\n`);
    return 2;
  }
  const address = values['temporal-address'];
  const addressProblem = address !== undefined ? checkHostPort(address) : undefined;
  if (addressProblem) {
    err(`--temporal-address: ${addressProblem}\n`);
    return 2;
  }
  return {
    attendees,
    ...(address !== undefined ? { address } : {}),
    namespace: values.namespace,
    ui: !values['no-ui'],
  };
}

/** Everything the demo starts, closed in reverse order by close() (also after a failure or Ctrl-C). */
interface DemoStack {
  emulator?: RunningEmulator;
  env?: TestWorkflowEnvironment;
  /** Connections the demo opened itself (with --temporal-address): the worker's and the client's. */
  ownConnections: { close(): Promise<void> }[];
  workers?: WebinarWorkers;
  running?: Promise<void>;
  client?: Client;
}

async function closeStack(stack: DemoStack): Promise<void> {
  await stack.workers?.shutdown().catch(() => undefined);
  await stack.running?.catch(() => undefined);
  for (const connection of stack.ownConnections.reverse()) await connection.close().catch(() => undefined);
  await stack.env?.teardown().catch(() => undefined);
  await stack.emulator?.close().catch(() => undefined);
}

/** Step 2: the emulator, Temporal (an ephemeral dev server, or the given one) and the worker fleet. */
async function startStack(
  options: DemoOptions,
  spec: WebinarSpec,
  stack: DemoStack,
  say: (t: string) => void,
): Promise<{ client: Client; workers: WebinarWorkers }> {
  installQuietRuntime();
  const emulator = await startEmulator({
    port: 0,
    // The service's default rate limits (10/s, burst 20, per operation and account); enough seats for the roster.
    config: { limits: { replicasPerPrimary: spec.maxReplicas ?? 4 } },
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

  const workers = await createWebinarWorkers({
    connection,
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
  return { client, workers };
}

/** Step 3 (helper): prints each phase as first seen and the registration progress, and waits for a status. */
class PhaseFollower {
  readonly seen = new Map<WebinarPhase, number>();
  last: WebinarStatus | undefined;
  private lastDecile = -1;
  private lastPrinted = -1;
  private barShown = false;
  private registering = false;

  constructor(
    private readonly webinars: WebinarClient,
    private readonly webinarId: string,
    private readonly t0: number,
    private readonly io: { out: (t: string) => void; say: (t: string) => void; isTTY: boolean },
    private readonly signal: AbortSignal | undefined,
  ) {}

  clearBar(): void {
    if (this.barShown && this.io.isTTY) this.io.out('\n');
    this.barShown = false;
  }

  private progress(s: WebinarStatus, final: boolean): void {
    const { registered, requested } = s.attendees;
    if (this.io.isTTY) {
      this.io.out(`\r        ${bar(registered, requested)}`);
      this.barShown = true;
      return;
    }
    const decile = Math.floor((registered / Math.max(1, requested)) * 10);
    if ((decile !== this.lastDecile || final) && registered !== this.lastPrinted) {
      this.lastDecile = decile;
      this.lastPrinted = registered;
      this.io.say(`        ${registered}/${requested} registered`);
    }
  }

  observe(s: WebinarStatus): void {
    if (this.registering && s.phase !== 'PROVISIONING') {
      // Registration is over: show where it ended before the next phase's line.
      this.progress(s, true);
      this.registering = false;
    }
    if (!this.seen.has(s.phase)) {
      this.clearBar();
      this.seen.set(s.phase, Date.now());
      this.io.say(`[${((Date.now() - this.t0) / 1000).toFixed(1).padStart(5)} s] ${s.phase}`);
    }
    if (s.phase === 'PROVISIONING') {
      this.registering = true;
      this.progress(s, false);
    }
    this.last = s;
  }

  async until(ok: (s: WebinarStatus) => boolean, timeoutMs: number): Promise<WebinarStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.signal?.aborted) throw new DemoInterrupted();
      // The live query: the demo prints the replicas' Regions and seats, and registration as it goes.
      const s = await this.webinars.status(this.webinarId, { live: true });
      this.observe(s);
      if (ok(s)) return s;
      if (s.phase === 'FAILED' || s.phase === 'CANCELLED')
        throw new Error(`webinar ${s.phase}: ${s.lastError ?? ''}`);
      if (Date.now() > deadline) throw new Error(`timed out in phase ${s.phase}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}

/** Step 4: while LIVE, what an operator does: promote a replica viewer, mute everyone else, end the webinar. */
async function operateLive(
  webinars: WebinarClient,
  spec: WebinarSpec,
  say: (t: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const replicaViewer = spec.attendees.find(
    (a) => a.role === 'viewer' && a.region === DEMO_REGIONS.replicas[0],
  );
  const promoted = replicaViewer?.externalUserId ?? 'speaker-1';
  const steps: [string, () => Promise<{ detail: string }>][] = [
    [
      `promoteSpeaker ${promoted}`,
      () => webinars.action(spec.webinarId, 'promoteSpeaker', { externalUserId: promoted }),
    ],
    [
      `muteAllExcept host-1, ${promoted}`,
      () => webinars.action(spec.webinarId, 'muteAllExcept', { externalUserIds: ['host-1', promoted] }),
    ],
    ['endWebinar', () => webinars.action(spec.webinarId, 'endWebinar', { reason: 'demo finished' })],
  ];
  for (const [name, step] of steps) {
    if (signal?.aborted) throw new DemoInterrupted();
    say(`        ${name}: ${(await step()).detail}`);
  }
}

/** After Ctrl-C: cancel the webinar so its workflow tears its meetings down while the worker still runs. */
async function cancelWebinar(
  webinars: WebinarClient,
  webinarId: string,
  err: (t: string) => void,
): Promise<void> {
  try {
    await webinars.cancel(webinarId);
    await Promise.race([
      webinars.result(webinarId).catch(() => undefined),
      new Promise((r) => setTimeout(r, 15_000)),
    ]);
    err(`Cancelled webinar ${webinarId}: its meetings were torn down\n`);
  } catch (e) {
    err(`Could not cancel webinar ${webinarId}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/** Runs the demo; returns the exit code (0 only when the webinar ended and nothing was left behind). */
export async function main(argv: string[], io: Partial<DemoIo> = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => process.stderr.write(t));
  const isTTY = io.isTTY ?? process.stdout.isTTY === true;
  const signal = io.signal;
  const say = (t: string): void => out(`${t}\n`);

  const options = parseDemoArgs(argv, say, err);
  if (typeof options === 'number') return options;
  const spec = demoSpec(options.attendees);
  const validated = validateWebinarSpec(spec);
  if (!validated.ok) {
    err(`${formatFieldErrors(validated.errors)}\n`);
    return 2;
  }

  const t0 = Date.now();
  const stack: DemoStack = { ownConnections: [] };
  let webinars: WebinarClient | undefined;
  let scheduled = false;
  try {
    const { client, workers } = await startStack(options, spec, stack, say);
    if (signal?.aborted) throw new DemoInterrupted();
    webinars = new WebinarClient(client, { taskQueue: workers.taskQueue });
    await webinars.schedule(spec);
    scheduled = true;
    say(
      `\nScheduled webinar ${spec.webinarId}: ${options.attendees} attendees, primary ${DEMO_REGIONS.primary}, replicas in ` +
        `${DEMO_REGIONS.replicas.join(' and ')}; starts ${spec.startAt} (provisioning ${PROVISION_LEAD_SECONDS} s before)`,
    );

    const follower = new PhaseFollower(webinars, spec.webinarId, t0, { out, say, isTTY }, signal);
    const live = await follower.until((s) => s.phase === 'LIVE', START_IN_MS + 120_000);
    follower.clearBar();
    say(
      `        primary ${live.primary?.region ?? '-'}; replicas: ${
        live.replicas.map((r) => `${r.region} (${r.attendees})`).join(', ') || 'none'
      }`,
    );
    await operateLive(webinars, spec, say, signal);
    const outcome = await webinars.result(spec.webinarId);
    follower.observe(await webinars.status(spec.webinarId, { live: true }));

    // Step 5.
    const summary = summarize(spec, stack.emulator as RunningEmulator, follower.seen, outcome, t0);
    say(formatSummary(summary));
    if (follower.last?.phase !== 'ENDED' || summary.meetingsLeft !== 0) {
      err(
        `The demo did not end cleanly: phase ${follower.last?.phase ?? '?'}, ${summary.meetingsLeft} meetings left\n`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof DemoInterrupted || signal?.aborted) {
      if (scheduled && webinars) await cancelWebinar(webinars, spec.webinarId, err);
      return EXIT_INTERRUPTED;
    }
    err(`\nThe demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await closeStack(stack);
  }
}

if (require.main === module) {
  const interrupt = new AbortController();
  const onSigint = (): void => {
    if (interrupt.signal.aborted) {
      process.stderr.write('\nSecond Ctrl-C: exiting without cleaning up\n');
      process.exit(EXIT_INTERRUPTED);
    }
    process.stderr.write(
      '\nInterrupted: cancelling the webinar, then stopping the worker, Temporal and the emulator (Ctrl-C again to exit now)...\n',
    );
    interrupt.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  runMain(() => main(process.argv.slice(2), { signal: interrupt.signal }), { exit: 'now' });
}
