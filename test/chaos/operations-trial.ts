/**
 * One trial of the operations chaos scenario (#14): what production does on a normal day, all at once.
 *
 * - Several webinars of different sizes with short, staggered schedules, so their provisioning, start and end
 *   timers (and, for the longest, the 60 s meeting check) fire during the trial.
 * - A client polls `status` and `attendee` of every webinar every 300 ms, like a dashboard.
 * - Operators send Updates and Signals while the webinars run: promote, mute all except, demote, add late
 *   attendees, move the end (and sometimes the start).
 * - Two worker processes serve the task queue. At seeded moments around timer firings, the worker that ran the
 *   webinar's last workflow task is SIGKILLed and a new one started; once, a rolling restart replaces both, one
 *   at a time, with a deploy's SIGTERM.
 *
 * Then: every webinar ENDED, no nondeterminism (histories, worker logs, query errors), nothing created twice
 * (emulator: one meeting per ExternalMeetingId, attendees created == attendees registered), nothing leaked, and
 * every history replays against the current bundle. A failed trial's histories are saved for diagnosis.
 * Shared by test/chaos/operations.chaos.ts (CI seeds) and scripts/chaos-trials.ts (by hand, many seeds).
 */
import { join } from 'node:path';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { startDevServer } from '../../tooling/temporal-servers';
import { webinarBundle } from '../support/webinar-stack';
import type { AttendeeSpec, WebinarSpec, WebinarStatus } from '../../domain/types';
import type { WebinarOutcome } from '../../workflows/webinar';
import {
  attendeeQuery,
  operatorSignals,
  operatorUpdates,
  statusQuery,
  webinarWorkflowId,
  type OperatorAction,
  type OperatorActionArgs,
} from '../../workflows/definitions';
import type { webinarWorkflow } from '../../workflows';
import { webinarSpec } from '../support/webinar-stack';
import {
  freePort,
  mulberry32,
  nondeterminismLines,
  startWorkerProcess,
  writeBundle,
  type WorkerEntry,
  type WorkerProcess,
} from '../reliability/processes';
import {
  collectHistories,
  meetingsRecordedIn,
  nondeterminismIn,
  replayAll,
  saveHistories,
  type Nondeterminism,
  type ReplayFailure,
} from './histories';

/** The servers a trial runs against; a runner keeps them for many trials. */
export interface ChaosStack {
  client: Client;
  temporalAddress: string;
  emulator: RunningEmulator;
  bundleFile: string;
  workflowBundle: WorkflowBundleWithSourceMap;
}

export interface RunningChaosStack extends ChaosStack {
  close(): Promise<void>;
}

/**
 * A dev server, the emulator at its default limits (the fleet keeps to the same 10 calls/s budget) with a little
 * latency on writes, so kills land mid-call, and the current workflow bundle on disk for the worker processes.
 */
export async function startChaosStack(): Promise<RunningChaosStack> {
  const dir = mkdtempSync(join(tmpdir(), 'chaos-ops-'));
  const workflowBundle = await webinarBundle();
  const bundleFile = await writeBundle(dir);
  const WRITE = { latencyMs: 100 };
  const emulator = await startEmulator({
    port: 0,
    config: {
      faults: {
        operations: {
          CreateMeeting: WRITE,
          BatchCreateAttendee: WRITE,
          CreateAttendee: WRITE,
          DeleteMeeting: WRITE,
        },
      },
    },
  });
  const port = await freePort();
  const env = await startDevServer({ port });
  return {
    client: env.client,
    temporalAddress: `127.0.0.1:${port}`,
    emulator,
    bundleFile,
    workflowBundle,
    async close() {
      await env.teardown();
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TrialOptions {
  seed: number;
  /** Default 4. */
  webinars?: number;
  /** SIGKILLs around timer firings; default 4. */
  kills?: number;
  /** Replace both workers one at a time (SIGTERM) in the middle; default true. */
  rollingRestart?: boolean;
  /** Which worker program runs (processes.ts); default the harness. */
  entry?: WorkerEntry;
  /** Where a failed trial's histories go (a `seed-<n>` folder under it). */
  failedHistoriesDir?: string;
  log?: (line: string) => void;
}

export interface TrialResult {
  seed: number;
  webinars: number;
  completed: number;
  notEnded: string[];
  /** WORKFLOW_TASK_FAILED events with a nondeterminism cause, in any run's history. */
  nondeterminism: Nondeterminism[];
  /** Worker log lines or query errors that report nondeterminism. */
  nondeterminismReported: string[];
  duplicates: string[];
  /** Webinars whose attendees did not all register (requested != registered, or failed > 0). */
  unregistered: string[];
  leakedMeetings: number;
  histories: number;
  replayFailures: ReplayFailure[];
  kills: string[];
  /** Kills that hit a running worker. */
  killsLanded: number;
  restarts: string[];
  queries: { ok: number; failed: number };
  operator: { ok: number; rejected: number; failed: number };
  durationMs: number;
  savedTo?: string;
}

export function trialPassed(r: TrialResult): boolean {
  return (
    r.completed === r.webinars &&
    r.nondeterminism.length === 0 &&
    r.nondeterminismReported.length === 0 &&
    r.duplicates.length === 0 &&
    r.unregistered.length === 0 &&
    r.leakedMeetings === 0 &&
    r.replayFailures.length === 0
  );
}

export function describeTrial(r: TrialResult): string {
  const lines = [
    `seed ${r.seed}: ${r.completed}/${r.webinars} ENDED, ${r.nondeterminism.length} nondeterminism errors in histories, ` +
      `${r.duplicates.length} duplicates, ${r.leakedMeetings} leaked meetings, ` +
      `${r.histories - r.replayFailures.length}/${r.histories} histories replayed; ` +
      `${r.killsLanded}/${r.kills.length} kills landed, ${r.restarts.length} graceful restarts, ${r.queries.ok} queries answered ` +
      `(${r.queries.failed} failed), operator actions ${r.operator.ok} ok / ${r.operator.rejected} rejected / ` +
      `${r.operator.failed} failed; ${Math.round(r.durationMs / 1000)} s`,
  ];
  for (const k of r.kills) lines.push(`  kill: ${k}`);
  for (const k of r.restarts) lines.push(`  restart: ${k}`);
  for (const w of r.notEnded) lines.push(`  not ENDED: ${w}`);
  for (const n of r.nondeterminism)
    lines.push(`  nondeterminism: ${n.workflowId} event ${n.eventId}: ${n.message}`);
  for (const n of r.nondeterminismReported.slice(0, 5)) lines.push(`  reported: ${n.slice(0, 300)}`);
  for (const d of r.duplicates) lines.push(`  duplicate: ${d}`);
  for (const d of r.unregistered) lines.push(`  not all registered: ${d}`);
  for (const f of r.replayFailures) lines.push(`  replay failed: ${f.workflowId} ${f.runId}: ${f.error}`);
  if (r.savedTo) lines.push(`  histories saved to ${r.savedTo}`);
  return lines.join('\n');
}

/** Failed trials leave their histories here (gitignored), one folder per seed, for a reading or a replay. */
export const FAILED_HISTORIES_DIR = join(__dirname, '..', '..', 'chaos-histories');

const SIZES = [120, 300, 600, 900];
const QUERY_EVERY_MS = 300;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

interface Webinar {
  spec: WebinarSpec;
  handle: WorkflowHandle<typeof webinarWorkflow>;
  firstRunId: string;
  /** Wall-clock times of the timers the spec sets: provisioning deadline, start, end. */
  timers: { name: string; at: number }[];
  last?: WebinarStatus;
  outcome?: WebinarOutcome;
  actions?: Promise<void>;
  /** Every meeting ID its status ever named (primary and replicas). */
  knownMeetings: Set<string>;
  /** Promotions of a replica viewer (each creates an attendee in the primary): seen applied, or not seen either way. */
  replicaPromotions: { applied: number; unknown: number };
}

function viewers(prefix: string, n: number): AttendeeSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    externalUserId: `${prefix}${i}`,
    role: 'viewer' as const,
    ...(i % 2 ? { region: 'eu-west-1' } : {}),
  }));
}

/** The webinars of a trial: sizes rotated by the seed, starts 6 s apart, the first one live past a meeting check. */
function plan(seed: number, count: number, t0: number): WebinarSpec[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const size = SIZES[(i + seed) % SIZES.length] ?? 120;
    const startAt = t0 + 16_000 + i * 6_000 + Math.floor(random() * 2_000);
    const liveMs = i === 0 ? 68_000 : 18_000 + i * 4_000 + Math.floor(random() * 4_000);
    return webinarSpec(t0, {
      webinarId: `ops-${seed}-${i}-${Math.random().toString(36).slice(2, 6)}`,
      startAt: new Date(startAt).toISOString(),
      endAt: new Date(startAt + liveMs).toISOString(),
      provisionLeadSeconds: 5 + (i % 3),
      replicaRegions: ['eu-west-1'],
      attendees: [
        { externalUserId: 'host-1', role: 'host' },
        { externalUserId: 'speaker-1', role: 'speaker' },
        ...viewers('v-', size - 2),
      ],
    });
  });
}

export async function runOperationsTrial(stack: ChaosStack, options: TrialOptions): Promise<TrialResult> {
  const began = Date.now();
  const { seed, client, emulator } = { seed: options.seed, ...stack };
  const log = options.log ?? ((): void => undefined);
  const random = mulberry32(seed * 7919 + 1);
  const taskQueue = `ops-${seed}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const result: TrialResult = {
    seed,
    webinars: options.webinars ?? 4,
    completed: 0,
    notEnded: [],
    nondeterminism: [],
    nondeterminismReported: [],
    duplicates: [],
    unregistered: [],
    leakedMeetings: 0,
    histories: 0,
    replayFailures: [],
    kills: [],
    killsLanded: 0,
    restarts: [],
    queries: { ok: 0, failed: 0 },
    operator: { ok: 0, rejected: 0, failed: 0 },
    durationMs: 0,
  };

  // ------------------------------------------------------------------ workers: two slots, each one process at a time
  interface Slot {
    current?: WorkerProcess;
    booting?: Promise<void>;
  }
  const started: WorkerProcess[] = [];
  const harness = (options.entry ?? 'harness') === 'harness';
  const launch = (standby: boolean): Promise<WorkerProcess> =>
    startWorkerProcess({
      temporalAddress: stack.temporalAddress,
      chimeEndpoint: emulator.endpoint,
      taskQueue,
      bundleFile: stack.bundleFile,
      entry: options.entry,
      budgetPerSecond: 10,
      standby,
    });
  // A harness replacement waits loaded as a standby (a process start takes a minute on a loaded machine), so a
  // restart costs what it does on a quiet host; worker/main.ts starts from scratch each time.
  let standby: Promise<WorkerProcess> | undefined;
  const nextProcess = async (): Promise<WorkerProcess> => {
    if (!harness) return launch(false);
    const next = standby ?? launch(true);
    standby = launch(true);
    standby.catch(() => undefined);
    // A standby that could not start (a loaded machine) is replaced by a fresh start, once.
    const p = await next.catch(() => launch(true));
    await p.activate();
    return p;
  };
  const boot = (slot: Slot): Promise<void> => {
    slot.booting = nextProcess().then((p) => {
      started.push(p);
      slot.current = p;
      slot.booting = undefined;
    });
    return slot.booting;
  };
  const slots: Slot[] = [{}, {}];
  for (const slot of slots) await boot(slot);
  // A worker already sent a signal is not alive: otherwise a kill could SIGKILL a worker in the middle of the
  // rolling restart's graceful shutdown, which then exits by the signal and reads as a failed shutdown.
  const alive = (p: WorkerProcess | undefined): p is WorkerProcess =>
    p !== undefined && p.child.exitCode === null && p.child.signalCode === null && !p.child.killed;

  // ------------------------------------------------------------------ webinars
  const t0 = Date.now();
  const webinars: Webinar[] = [];
  for (const spec of plan(seed, result.webinars, t0)) {
    const handle = await client.workflow.start<typeof webinarWorkflow>('webinarWorkflow', {
      args: [spec],
      taskQueue,
      workflowId: webinarWorkflowId(spec.webinarId),
    });
    const start = Date.parse(spec.startAt);
    webinars.push({
      spec,
      handle,
      firstRunId: handle.firstExecutionRunId,
      knownMeetings: new Set(),
      replicaPromotions: { applied: 0, unknown: 0 },
      timers: [
        { name: 'provisioning deadline', at: start - (spec.provisionLeadSeconds ?? 0) * 1000 },
        { name: 'startAt', at: start },
        { name: 'endAt', at: Date.parse(spec.endAt) },
      ],
    });
  }
  log(
    `seed ${seed}: ${webinars.length} webinars (${webinars.map((w) => w.spec.attendees.length).join(', ')} attendees) on ${taskQueue}`,
  );

  // ------------------------------------------------------------------ emulator watch: every meeting that existed
  const meetingsSeen = new Map<string, string>();
  const watchEmulator = (): void => {
    for (const m of emulator.state().meetings) meetingsSeen.set(m.meetingId, `${m.role} in ${m.mediaRegion}`);
  };
  const watcher = setInterval(watchEmulator, 100);

  // ------------------------------------------------------------------ dashboards and operators
  let polling = true;
  const queryErrors = new Map<string, number>();
  const noteQueryError = (err: unknown): void => {
    result.queries.failed++;
    const message = err instanceof Error ? err.message : String(err);
    if (/TMPRL1100|nondetermin/i.test(message)) result.nondeterminismReported.push(`query: ${message}`);
    const key = message.split('\n')[0]?.slice(0, 120) ?? '';
    queryErrors.set(key, (queryErrors.get(key) ?? 0) + 1);
  };
  const poll = async (w: Webinar): Promise<void> => {
    let n = 0;
    while (polling && w.outcome === undefined) {
      const tick = sleep(QUERY_EVERY_MS);
      try {
        w.last = await w.handle.query(statusQuery);
        result.queries.ok++;
        if (w.last.primary) w.knownMeetings.add(w.last.primary.meetingId);
        for (const r of w.last.replicas) w.knownMeetings.add(r.meetingId);
        if (w.last.phase === 'LIVE' || w.last.phase === 'READY') {
          const who = w.spec.attendees[n++ % w.spec.attendees.length]?.externalUserId ?? 'host-1';
          await w.handle.query(attendeeQuery, { externalUserId: who });
          result.queries.ok++;
        }
        if (w.last.phase === 'LIVE' && w.actions === undefined) w.actions = operate(w);
      } catch (err) {
        noteQueryError(err);
      }
      await tick;
    }
  };

  const act = async <A extends OperatorAction>(
    w: Webinar,
    action: A,
    args: OperatorActionArgs[A],
  ): Promise<void> => {
    const asUpdate = random() < 0.5;
    try {
      if (asUpdate) {
        // Each update definition takes its own argument type; the table keys them by action.
        await w.handle.executeUpdate(operatorUpdates[action] as typeof operatorUpdates.promoteSpeaker, {
          args: [args as OperatorActionArgs['promoteSpeaker']],
        });
      } else {
        await w.handle.signal(
          operatorSignals[action] as typeof operatorSignals.promoteSpeaker,
          args as never,
        );
      }
      result.operator.ok++;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) result.operator.rejected++;
      else {
        result.operator.failed++;
        log(`${w.spec.webinarId}: ${action} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  /** An operator's session on one live webinar. */
  const operate = async (w: Webinar): Promise<void> => {
    const size = w.spec.attendees.length;
    const promoted = `v-${Math.floor(random() * (size - 2))}`;
    const steps: (() => Promise<void>)[] = [
      async () => {
        const seat = await w.handle.query(attendeeQuery, { externalUserId: promoted }).catch(() => undefined);
        const inReplica = seat !== undefined && seat.meetingId !== w.last?.primary?.meetingId;
        await act(w, 'promoteSpeaker', { externalUserId: promoted });
        const applied = await until(() => w.last?.speakers.includes(promoted) === true, 20_000);
        if (inReplica || seat === undefined) {
          if (applied && seat !== undefined) w.replicaPromotions.applied++;
          else w.replicaPromotions.unknown++;
        }
      },
      () =>
        act(w, 'addAttendees', {
          attendees: viewers(`late-${Math.floor(random() * 1e6)}-`, 10 + Math.floor(random() * 50)),
        }),
      () => act(w, 'muteAllExcept', { externalUserIds: ['host-1', promoted] }),
      () => act(w, 'demoteSpeaker', { externalUserId: promoted }),
      async () => {
        // Move the end: a timer already waiting is replaced.
        const endAt = Date.parse(w.last?.endAt ?? w.spec.endAt);
        const moved = endAt + (random() < 0.5 ? 5_000 : -4_000);
        if (moved - Date.now() > 6_000) {
          await act(w, 'reschedule', { endAt: new Date(moved).toISOString() });
          const ending = w.timers.find((t) => t.name === 'endAt');
          if (ending) ending.at = moved;
        }
      },
    ];
    for (const step of steps) {
      await sleep(500 + random() * 2_000);
      if (!polling || w.outcome !== undefined) return;
      await step();
    }
  };

  const pollers = webinars.map((w) => poll(w));

  // ------------------------------------------------------------------ kills and the rolling restart
  const killCount = options.kills ?? 4;
  const candidates = webinars.flatMap((w) => w.timers.map((t) => ({ w, t })));
  const chosen: typeof candidates = [];
  while (chosen.length < killCount && candidates.length > 0) {
    chosen.push(...candidates.splice(Math.floor(random() * candidates.length), 1));
  }
  const kills = chosen.map(async ({ w, t }) => {
    // From 2.5 s before the timer fires to 0.5 s after: the timer's task lands on a dead worker's sticky queue.
    const offset = Math.floor(-2_500 + random() * 3_000);
    await sleep(t.at + offset - Date.now());
    // Kill the worker that ran the webinar's last workflow task (it holds the webinar in its cache).
    const owner = await lastWorkflowTaskWorker(w.handle).catch(() => undefined);
    // The other worker must be serving (it answers the queries and takes the webinar over); on a loaded machine
    // a replacement can still be starting, then the kill is skipped and says so.
    await until(() => slots.every((sl) => alive(sl.current)), 60_000);
    if (!slots.every((sl) => alive(sl.current))) {
      result.kills.push(`${w.spec.webinarId} ${t.name}: skipped, a replacement worker was still starting`);
      return;
    }
    const running = slots.filter((sl) => alive(sl.current));
    const slot =
      running.find((sl) => sl.current?.identity === owner) ?? running[Math.floor(random() * running.length)];
    const victim = slot?.current;
    const at = Date.now() - t.at;
    const when = `${w.spec.webinarId} ${t.name} ${at >= 0 ? '+' : ''}${at} ms`;
    if (!slot || !victim) {
      result.kills.push(`${when}: no worker running to kill`);
      return;
    }
    const calls = emulator.state().totals.calls;
    await victim.kill('SIGKILL');
    result.killsLanded++;
    result.kills.push(
      `${when}: SIGKILL of ${victim.identity === owner ? 'its' : 'a'} worker ` +
        `(${calls} Chime calls so far, last status ${w.last?.phase ?? '?'})`,
    );
    await boot(slot);
  });
  const rolling = (async () => {
    if (!(options.rollingRestart ?? true)) return;
    // While the first webinars provision and go live: one worker at a time, like a deploy.
    const first = Math.min(...webinars.map((w) => w.timers[0]?.at ?? t0));
    await sleep(first + Math.floor(random() * 4_000) - Date.now());
    for (const [i, slot] of slots.entries()) {
      // A deploy replaces one worker only while the other serves.
      await until(() => slots.every((sl) => sl === slot || alive(sl.current)), 120_000);
      await slot.booting;
      const old = slot.current;
      if (!alive(old)) continue;
      const code = await old.stop();
      const signal = old.child.signalCode;
      result.restarts.push(
        `worker ${i + 1} stopped with SIGTERM (exit ${String(code)}${signal ? `, by ${signal}` : ''}) at +${Date.now() - t0} ms`,
      );
      if (code !== 0)
        result.nondeterminismReported.push(
          `worker ${old.identity} exited ${String(code)}${signal ? ` by ${signal}` : ''} on SIGTERM`,
        );
      await boot(slot);
    }
  })();
  const chaos = Promise.all([...kills, rolling]);

  // ------------------------------------------------------------------ outcomes
  const lastEnd = Math.max(...webinars.map((w) => Date.parse(w.spec.endAt)));
  const giveUpAt = lastEnd + 150_000;
  await Promise.all(
    webinars.map(async (w) => {
      const endAt = (): number => w.timers[2]?.at ?? lastEnd;
      while (w.outcome === undefined && Date.now() < giveUpAt) {
        try {
          w.outcome = await Promise.race([w.handle.result(), sleep(5_000).then(() => undefined)]);
        } catch (err) {
          result.notEnded.push(`${w.spec.webinarId}: ${err instanceof Error ? err.message : String(err)}`);
          return;
        }
        // A webinar whose workflow task fails on every attempt never ends: stop waiting 30 s after its end.
        if (w.outcome === undefined && Date.now() > endAt() + 30_000) {
          const runs = await collectHistories(client, [
            { workflowId: w.handle.workflowId, firstRunId: w.firstRunId },
          ]);
          if (nondeterminismIn(runs).length > 0) break;
        }
      }
      // A webinar that did not end returns no outcome: it fails, and result() throws.
      if (w.outcome) result.completed++;
      else {
        const late = Math.round((Date.now() - endAt()) / 1000);
        result.notEnded.push(`${w.spec.webinarId}: still ${w.last?.phase ?? '?'} ${late} s after endAt`);
      }
    }),
  );
  polling = false;
  await Promise.all(pollers);
  await Promise.all(webinars.map((w) => w.actions ?? Promise.resolve()));
  await chaos;
  clearInterval(watcher);
  watchEmulator();

  // Closed workflows still answer (the dashboard keeps its last page).
  for (const w of webinars.filter((x) => x.outcome)) {
    await w.handle.query(statusQuery).then(
      () => result.queries.ok++,
      (err: unknown) => noteQueryError(err),
    );
  }
  for (const slot of slots) await slot.current?.stop();
  await (await standby?.catch(() => undefined))?.kill('SIGKILL');
  for (const p of started) result.nondeterminismReported.push(...nondeterminismLines(p.output()));

  const runs = await collectHistories(
    client,
    webinars.map((w) => ({ workflowId: w.handle.workflowId, firstRunId: w.firstRunId })),
  );
  // ------------------------------------------------------------------ what happened
  // Nothing created twice: every meeting the service held was one a webinar knew about, and every attendee
  // created is one registered (or a promoted replica viewer's seat in the primary).
  const state = emulator.state();
  // Known: seen in a webinar's status, or recorded by its history (a status poll can miss a short-lived meeting).
  const known = new Set([...webinars.flatMap((w) => [...w.knownMeetings]), ...meetingsRecordedIn(runs)]);
  for (const [meetingId, what] of meetingsSeen) {
    if (!known.has(meetingId)) result.duplicates.push(`meeting ${meetingId} (${what}) that no webinar knows`);
  }
  if (state.totals.meetingsCreated !== meetingsSeen.size) {
    result.duplicates.push(`${state.totals.meetingsCreated} meetings created, ${meetingsSeen.size} seen`);
  }
  if (webinars.every((w) => w.outcome)) {
    const registered = webinars.reduce((n, w) => n + (w.outcome?.attendees.registered ?? 0), 0);
    const promoted = webinars.reduce((n, w) => n + w.replicaPromotions.applied, 0);
    const unknown = webinars.reduce((n, w) => n + w.replicaPromotions.unknown, 0);
    const created = state.totals.attendeesCreated;
    if (created < registered + promoted || created > registered + promoted + unknown) {
      result.duplicates.push(
        `${created} attendees created for ${registered} registered and ${promoted} (+${unknown} unconfirmed) promotions from replicas`,
      );
    }
    for (const w of webinars) {
      const a = w.outcome?.attendees;
      if (a && (a.failed !== 0 || a.registered !== a.requested))
        result.unregistered.push(`${w.spec.webinarId}: attendees ${JSON.stringify(a)}`);
    }
  }
  result.leakedMeetings = state.meetings.length;

  result.histories = runs.length;
  result.nondeterminism = nondeterminismIn(runs);
  result.replayFailures = await replayAll(stack.workflowBundle, runs);
  if (queryErrors.size > 0) {
    log(`seed ${seed}: query errors ${[...queryErrors].map(([m, n]) => `${n}× ${m}`).join('; ')}`);
  }

  if (!trialPassed(result) && options.failedHistoriesDir) {
    result.savedTo = join(options.failedHistoriesDir, `seed-${seed}`);
    saveHistories(result.savedTo, runs);
  }
  // Leave nothing running for the next trial.
  for (const w of webinars.filter((x) => !x.outcome)) {
    await w.handle.terminate('chaos trial over').catch(() => undefined);
  }
  emulator.reset();
  result.durationMs = Date.now() - began;
  return result;
}

/** Identity of the worker that started the webinar's latest workflow task (its sticky owner). */
async function lastWorkflowTaskWorker(handle: WorkflowHandle): Promise<string | undefined> {
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  for (let i = events.length - 1; i >= 0; i--) {
    const identity = events[i]?.workflowTaskStartedEventAttributes?.identity;
    if (identity) return identity;
  }
  return undefined;
}
