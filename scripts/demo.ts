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
 */
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { WebinarClient } from '../client/webinar-client';
import { checkHostPort } from '../client/connection';
import { dataConverterFromEnvironment } from '../client/data-converter';
import type { AttendeeSpec, WebinarPhase, WebinarSpec, WebinarStatus } from '../domain/types';
import {
  ATTENDEES_PER_MEETING,
  MAX_ATTENDEES,
  formatFieldErrors,
  validateWebinarSpec,
} from '../domain/validation';
import { startEmulator, type RunningEmulator } from '../emulator';
import { createWebinarWorkers, type WebinarWorkers } from '../worker/assembly';
import { parseChimeBudgets } from '../worker/budget';
import { freeLoopbackPort } from '../worker/metrics';
import { startDevServer } from '../tooling/temporal-servers';

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
}

export interface DemoSummary {
  webinarId: string;
  attendees: number;
  wallSeconds: number;
  /** Seconds from first seeing a phase to first seeing the next; none for the final phase. */
  phases: { phase: WebinarPhase; seconds?: number }[];
  calls: { operation: string; calls: number; succeeded: number; throttled: number; failed: number }[];
  totalCalls: number;
  throttled: number;
  meetingsLeft: number;
  registered: number;
  failed: number;
}

const USAGE = `Usage: npm run demo -- [--attendees N] [--temporal-address host:port] [--namespace NS] [--no-ui]
  --attendees N                 roster size (default 1000, at most ${MAX_ATTENDEES})
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
  const meetings = Math.ceil(attendees / ATTENDEES_PER_MEETING);
  return {
    webinarId: `demo-${now.toString(36)}`,
    title: 'Chime webinar orchestrator demo',
    startAt: new Date(now + START_IN_MS).toISOString(),
    endAt: new Date(now + 3_600_000).toISOString(),
    primaryRegion: DEMO_REGIONS.primary,
    replicaRegions: [...DEMO_REGIONS.replicas],
    attendees: demoRoster(attendees),
    provisionLeadSeconds: PROVISION_LEAD_SECONDS,
    // Room for the roster plus promotion headroom; the default quota of 4 replicas seats 1,250.
    maxReplicas: Math.min(40, Math.max(4, meetings)),
  };
}

function bar(done: number, total: number, width = 30): string {
  const ratio = total === 0 ? 1 : Math.min(1, done / total);
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} registered (${Math.round(ratio * 100)}%)`;
}

function table(header: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatSummary(s: DemoSummary): string {
  const calls = table(
    ['Chime operation', 'calls', 'ok', 'throttled', 'failed'],
    [
      ...s.calls.map((c) => [
        c.operation,
        String(c.calls),
        String(c.succeeded),
        String(c.throttled),
        String(c.failed),
      ]),
      ['total', String(s.totalCalls), '', String(s.throttled), ''],
    ],
    [false, true, true, true, true],
  );
  const phases = table(
    ['phase', 'seconds'],
    s.phases.map((p) => [p.phase, p.seconds === undefined ? '-' : p.seconds.toFixed(1)]),
    [false, true],
  );
  return [
    '',
    `Summary of webinar ${s.webinarId}: ${s.attendees} attendees, ${s.registered} registered, ${s.failed} failed`,
    '',
    calls,
    '',
    phases,
    '',
    '"failed" counts error responses, e.g. NotFound from DeleteMeeting for a replica that ended with its primary',
    '(teardown treats NotFound as already deleted).',
    `Throttled responses: ${s.throttled}`,
    `Meetings left in the emulator: ${s.meetingsLeft}`,
    `Wall time: ${s.wallSeconds.toFixed(1)} s`,
  ].join('\n');
}

function installQuietRuntime(): void {
  try {
    // Worker chatter (bundling, state changes) would drown the demo's own output; errors still show.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process (e.g. by a test): keep it.
  }
}

/** Runs the demo; returns the exit code (0 only when the webinar ended and nothing was left behind). */
export async function main(argv: string[], io: Partial<DemoIo> = {}): Promise<number> {
  const out = io.stdout ?? ((t: string) => process.stdout.write(t));
  const err = io.stderr ?? ((t: string) => process.stderr.write(t));
  const isTTY = io.isTTY ?? process.stdout.isTTY === true;
  const say = (t: string): void => out(`${t}\n`);

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
  if (!/^\d+$/.test(values.attendees) || attendees < 1 || attendees > MAX_ATTENDEES) {
    err(`--attendees ${values.attendees} is not a whole number in 1-${MAX_ATTENDEES}\n`);
    return 2;
  }
  const address = values['temporal-address'];
  const addressProblem = address !== undefined ? checkHostPort(address) : undefined;
  if (addressProblem) {
    err(`--temporal-address: ${addressProblem}\n`);
    return 2;
  }
  const spec = demoSpec(attendees);
  const validated = validateWebinarSpec(spec);
  if (!validated.ok) {
    err(`${formatFieldErrors(validated.errors)}\n`);
    return 2;
  }

  const t0 = Date.now();
  let emulator: RunningEmulator | undefined;
  let env: TestWorkflowEnvironment | undefined;
  let ownConnection: NativeConnection | undefined;
  let workers: WebinarWorkers | undefined;
  let running: Promise<void> | undefined;
  try {
    installQuietRuntime();
    emulator = await startEmulator({
      port: 0,
      // The service's default rate limits (10/s, burst 20, per operation and account); enough seats for the roster.
      config: { limits: { replicasPerPrimary: spec.maxReplicas ?? 4 } },
    });
    say(
      `Chime SDK emulator:   ${emulator.endpoint} (10 calls/s, burst 20, per operation and for the account)`,
    );

    let connection: NativeConnection;
    let client: Client;
    const dataConverter = dataConverterFromEnvironment();
    if (address === undefined) {
      const ui = !values['no-ui'];
      const uiPort = ui ? await freeLoopbackPort() : undefined;
      env = await startDevServer({
        ui,
        ...(uiPort !== undefined ? { uiPort } : {}),
        namespace: values.namespace,
      });
      connection = env.nativeConnection;
      client = dataConverter
        ? new Client({ connection: env.connection, namespace: values.namespace, dataConverter })
        : env.client;
      say(`Temporal dev server:  ${env.address} (ephemeral, in memory)`);
      if (uiPort !== undefined)
        say(`Temporal web UI:      http://localhost:${uiPort}/namespaces/${values.namespace}/workflows`);
    } else {
      ownConnection = await NativeConnection.connect({ address });
      connection = ownConnection;
      const { Connection } = await import('@temporalio/client');
      const c = await Connection.connect({ address });
      client = new Client({
        connection: c,
        namespace: values.namespace,
        ...(dataConverter ? { dataConverter } : {}),
      });
      say(`Temporal server:      ${address} (existing)`);
    }

    workers = await createWebinarWorkers({
      connection,
      namespace: values.namespace,
      taskQueue: 'webinars-demo',
      defaultRegion: CONTROL_REGION,
      chimeEndpoint: emulator.endpoint,
      // The account's default budget, as the production worker would use it.
      budgets: parseChimeBudgets({}),
      ...(dataConverter ? { dataConverter } : {}),
    });
    running = workers.run();
    running.catch(() => undefined);
    const plan = workers.chimeWorkers.map((w) => `${w.taskQueue} ${w.ratePerSecond}/s`).join(', ');
    say(`Worker:               webinars-demo + ${plan}`);

    const webinars = new WebinarClient(client, { taskQueue: workers.taskQueue });
    const { webinarId } = await webinars.schedule(spec);
    say(
      `\nScheduled webinar ${webinarId}: ${attendees} attendees, primary ${DEMO_REGIONS.primary}, replicas in ` +
        `${DEMO_REGIONS.replicas.join(' and ')}; starts ${spec.startAt} (provisioning ${PROVISION_LEAD_SECONDS} s before)`,
    );

    const seen = new Map<WebinarPhase, number>();
    let last: WebinarStatus | undefined;
    let lastDecile = -1;
    let lastPrinted = -1;
    let barShown = false;
    let registering = false;
    const clearBar = (): void => {
      if (barShown && isTTY) out('\n');
      barShown = false;
    };
    const progress = (s: WebinarStatus, final: boolean): void => {
      const { registered, requested } = s.attendees;
      if (isTTY) {
        out(`\r        ${bar(registered, requested)}`);
        barShown = true;
        return;
      }
      const decile = Math.floor((registered / Math.max(1, requested)) * 10);
      if ((decile !== lastDecile || final) && registered !== lastPrinted) {
        lastDecile = decile;
        lastPrinted = registered;
        say(`        ${registered}/${requested} registered`);
      }
    };
    const observe = (s: WebinarStatus): void => {
      if (registering && s.phase !== 'PROVISIONING') {
        // Registration is over: show where it ended before the next phase's line.
        progress(s, true);
        registering = false;
      }
      if (!seen.has(s.phase)) {
        clearBar();
        seen.set(s.phase, Date.now());
        say(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${s.phase}`);
      }
      if (s.phase === 'PROVISIONING') {
        registering = true;
        progress(s, false);
      }
      last = s;
    };
    const until = async (ok: (s: WebinarStatus) => boolean, timeoutMs: number): Promise<WebinarStatus> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const s = await webinars.status(webinarId);
        observe(s);
        if (ok(s)) return s;
        if (s.phase === 'FAILED' || s.phase === 'CANCELLED')
          throw new Error(`webinar ${s.phase}: ${s.lastError ?? ''}`);
        if (Date.now() > deadline) throw new Error(`timed out in phase ${s.phase}`);
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    };

    const live = await until((s) => s.phase === 'LIVE', START_IN_MS + 120_000);
    clearBar();
    say(
      `        primary ${live.primary?.region ?? '-'}; replicas: ${
        live.replicas.map((r) => `${r.region} (${r.attendees})`).join(', ') || 'none'
      }`,
    );

    const replicaViewer = spec.attendees.find(
      (a) => a.role === 'viewer' && a.region === DEMO_REGIONS.replicas[0],
    );
    const promoted = replicaViewer?.externalUserId ?? 'speaker-1';
    const promotion = await webinars.promoteSpeaker(webinarId, promoted);
    say(`        promoteSpeaker ${promoted}: ${promotion.detail}`);
    const mute = await webinars.muteAllExcept(webinarId, ['host-1', promoted]);
    say(`        muteAllExcept host-1, ${promoted}: ${mute.detail}`);
    const ending = await webinars.endWebinar(webinarId, 'demo finished');
    say(`        endWebinar: ${ending.detail}`);
    const outcome = await webinars.result(webinarId);
    const final = await webinars.status(webinarId);
    observe(final);

    const phaseOrder = [...seen.entries()].sort((a, b) => a[1] - b[1]);
    const end = Date.now();
    const state = emulator.state();
    const calls = Object.entries(state.operations)
      .filter(([, c]) => c.calls > 0)
      .map(([operation, c]) => ({ operation, ...c }))
      .sort((a, b) => b.calls - a.calls);
    const summary: DemoSummary = {
      webinarId,
      attendees,
      wallSeconds: (end - t0) / 1000,
      phases: phaseOrder.map(([phase, at], i) => {
        const next = phaseOrder[i + 1]?.[1];
        return next === undefined ? { phase } : { phase, seconds: (next - at) / 1000 };
      }),
      calls,
      totalCalls: state.totals.calls,
      throttled: state.totals.throttled,
      meetingsLeft: state.meetings.length,
      registered: outcome.attendees.registered,
      failed: outcome.attendees.failed,
    };
    say(formatSummary(summary));
    if (last?.phase !== 'ENDED' || summary.meetingsLeft !== 0) {
      err(
        `The demo did not end cleanly: phase ${last?.phase ?? '?'}, ${summary.meetingsLeft} meetings left\n`,
      );
      return 1;
    }
    return 0;
  } catch (e) {
    err(`\nThe demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await workers?.shutdown().catch(() => undefined);
    await running?.catch(() => undefined);
    await ownConnection?.close().catch(() => undefined);
    await env?.teardown().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
  }
}

if (require.main === module) {
  const stop = (): void => {
    process.stderr.write('\nInterrupted: shutting down the worker, Temporal and the emulator...\n');
  };
  process.once('SIGINT', stop);
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
