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
 * - Stale-run windows (issue #24), after the longest webinar's operator session: its worker SIGKILLed, queries
 *   and a Signal held on the dead worker's sticky queue, then an Update into the same workflow task (staleWindow
 *   below): what the stale-run guard exists for, on purpose, so the trial fails without the guard.
 *
 * Then: every webinar ENDED, no nondeterminism (histories, worker logs, query errors), no query answered from a
 * run it had advanced, nothing created twice (emulator: one meeting per ExternalMeetingId, attendees created ==
 * attendees registered), nothing leaked, and every run visibility lists replays against the current bundle. A
 * failed trial's histories are saved for diagnosis. Shared by test/chaos/operations.chaos.ts (CI seeds) and
 * scripts/chaos-trials.ts (by hand, many seeds).
 */
import { join } from 'node:path';
import {
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
  type Client,
  type WorkflowHandle,
} from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { startDevServer } from '../../tooling/temporal-servers';
import { eventTimeMs } from '../support/event-time';
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
import { isStaleRunRefusal } from '../../domain/errors';
import {
  collectHistories,
  meetingsRecordedIn,
  nondeterminismIn,
  replayReport,
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
  /**
   * Stale-run windows on the longest webinar, one after another; default 2. Each SIGKILLs the worker holding the
   * webinar, polls `status` every 250 ms, sends an addAttendees Signal while the queries and its workflow task
   * wait on the dead worker's sticky queue, and sends a muteAllExcept Update into that same workflow task: the
   * sequence that, without the stale-run guard, answers queries from a run the query advanced and records
   * commands in an order no replay reproduces (see staleWindow).
   */
  staleWindows?: number;
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
  /** Stale-run windows planned (TrialOptions.staleWindows). */
  staleWindowsPlanned: number;
  /** What each stale-run window did (or why it was skipped). */
  staleWindows: string[];
  /**
   * Windows that happened as planned: the workflow task carrying the Signal waited out the sticky timeout, and a
   * query met the Signal before that task started (refused by the guard, or answered from the advanced run).
   */
  staleWindowsLanded: number;
  /** Queries answered with the Signal applied before the workflow task that delivers it started: a stale run. */
  staleAnswers: string[];
  duplicates: string[];
  /** Webinars whose attendees did not all register (requested != registered, or failed > 0). */
  unregistered: string[];
  leakedMeetings: number;
  /** Histories collected (every run of every webinar, along continue-as-new). */
  histories: number;
  /** Runs on the trial's task queue, as visibility lists them (counted apart from the histories collected). */
  runsListed: number;
  /** Histories the replayer reported on (each matched by run ID). */
  replayed: number;
  replayFailures: ReplayFailure[];
  kills: string[];
  /** Kills that hit a running worker. */
  killsLanded: number;
  restarts: string[];
  /**
   * Failed: of which refused by the stale-run guard; unanswered (gRPC DEADLINE_EXCEEDED or CANCELLED: a query
   * held while no live worker took it, or lost with the worker that had it); and those that failed for any other
   * reason (by message).
   */
  queries: { ok: number; failed: number; refused: number; unanswered: number; otherErrors: string[] };
  /** Operator actions: ok, rejected by the workflow, failed otherwise (each failure's message in `failures`). */
  operator: { ok: number; rejected: number; failed: number; failures: string[] };
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
    r.staleWindowsLanded === r.staleWindowsPlanned &&
    r.staleAnswers.length === 0 &&
    r.queries.otherErrors.length === 0 &&
    r.operator.failures.every((f) => WEBINAR_CLOSED.test(f)) &&
    r.histories === r.runsListed &&
    r.replayed === r.histories &&
    r.replayFailures.length === 0
  );
}

export function describeTrial(r: TrialResult): string {
  const lines = [
    `seed ${r.seed}: ${r.completed}/${r.webinars} ENDED, ${r.nondeterminism.length} nondeterminism errors in histories, ` +
      `${r.duplicates.length} duplicates, ${r.leakedMeetings} leaked meetings, ` +
      `${r.histories - r.replayFailures.length}/${r.histories} histories replayed (${r.replayed} replayer results, ` +
      `${r.runsListed} runs listed); ` +
      `${r.staleWindowsLanded}/${r.staleWindowsPlanned} stale-run windows, ${r.staleAnswers.length} stale answers, ` +
      `${r.killsLanded}/${r.kills.length} kills landed, ${r.restarts.length} graceful restarts, ${r.queries.ok} queries answered ` +
      `(${r.queries.failed} failed: ${r.queries.refused} refused by the guard, ${r.queries.unanswered} unanswered), operator actions ${r.operator.ok} ok / ${r.operator.rejected} rejected / ` +
      `${r.operator.failed} failed; ${Math.round(r.durationMs / 1000)} s`,
  ];
  for (const k of r.kills) lines.push(`  kill: ${k}`);
  for (const k of r.restarts) lines.push(`  restart: ${k}`);
  for (const k of r.staleWindows) lines.push(`  stale-run window: ${k}`);
  for (const k of r.staleAnswers.slice(0, 5)) lines.push(`  stale answer: ${k}`);
  for (const k of r.queries.otherErrors) lines.push(`  query error: ${k}`);
  for (const k of r.operator.failures) lines.push(`  operator: ${k}`);
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
/** An operator action that failed only because the webinar ended while it was in flight. */
export const WEBINAR_CLOSED = /workflow execution already completed|aborted by closing workflow/i;
/** gRPC status codes of a query no worker answered. */
const GRPC_CANCELLED = 1;
const GRPC_DEADLINE_EXCEEDED = 4;
const { EventType, TaskQueueKind, TimeoutType } = temporal.api.enums.v1;
/** The SDK's default sticky schedule-to-start timeout, which the workers keep. */
const STICKY_TIMEOUT_MS = 10_000;
/** A stale-run window's Signal, after the kill: well inside the time the server still counts the dead worker. */
const STALE_SIGNAL_AFTER_KILL_MS = 3_000;
/**
 * A window's queries, every 250 ms: each legacy query to a worker with no cache of the run replays its whole
 * history, one after another, ahead of the real workflow task; more of them only make that task time out.
 */
const STALE_QUERY_EVERY_MS = 250;
/** A window takes about 16 s; it starts only this long before the webinar's endAt. */
const STALE_WINDOW_NEEDS_MS = 22_000;
/** Tries at each window (staleWindowAttempt says when one is tried again). */
const STALE_WINDOW_ATTEMPTS = 3;
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

/**
 * The webinars of a trial: sizes rotated by the seed, starts 6 s apart, the first one live past a meeting check
 * and long enough for the stale-run windows after its operator session.
 */
function plan(seed: number, count: number, t0: number): WebinarSpec[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, i) => {
    const size = SIZES[(i + seed) % SIZES.length] ?? 120;
    const startAt = t0 + 16_000 + i * 6_000 + Math.floor(random() * 2_000);
    const liveMs = i === 0 ? 100_000 : 18_000 + i * 4_000 + Math.floor(random() * 4_000);
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
    staleWindowsPlanned: options.staleWindows ?? 2,
    staleWindows: [],
    staleWindowsLanded: 0,
    staleAnswers: [],
    duplicates: [],
    unregistered: [],
    leakedMeetings: 0,
    histories: 0,
    runsListed: 0,
    replayed: 0,
    replayFailures: [],
    kills: [],
    killsLanded: 0,
    restarts: [],
    queries: { ok: 0, failed: 0, refused: 0, unanswered: 0, otherErrors: [] },
    operator: { ok: 0, rejected: 0, failed: 0, failures: [] },
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
  const otherQueryErrors = new Map<string, number>();
  const noteQueryError = (err: unknown): void => {
    result.queries.failed++;
    // The client's "Failed to query Workflow" says why in its cause, the gRPC error (from another realm in jest:
    // read, not instanceof).
    const cause = (err as { cause?: { message?: unknown; code?: unknown } } | undefined)?.cause;
    const why = typeof cause?.message === 'string' ? `: ${cause.message}` : '';
    const message = `${err instanceof Error ? err.message : String(err)}${why}`;
    if (/TMPRL1100|nondetermin/i.test(message)) result.nondeterminismReported.push(`query: ${message}`);
    const key = message.split('\n')[0]?.slice(0, 160) ?? '';
    queryErrors.set(key, (queryErrors.get(key) ?? 0) + 1);
    if (isStaleRunRefusal(err)) result.queries.refused++;
    else if (cause?.code === GRPC_CANCELLED || cause?.code === GRPC_DEADLINE_EXCEEDED)
      result.queries.unanswered++;
    else otherQueryErrors.set(key, (otherQueryErrors.get(key) ?? 0) + 1);
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
      else operatorFailed(w, action, err);
    }
  };
  const operatorFailed = (w: Webinar, action: string, err: unknown): void => {
    const message = `${w.spec.webinarId}: ${action} failed: ${err instanceof Error ? err.message : String(err)}`;
    result.operator.failed++;
    result.operator.failures.push(message);
    log(message);
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

  /**
   * One stale-run window on `w` (TrialOptions.staleWindows): the sequence of the seed-200 nondeterminism
   * (docs/reliability.md, "Queries during restarts"), on purpose. The worker holding the webinar (its sticky
   * queue) is SIGKILLed while the webinar has no workflow task pending; for the next 3 s `status` is asked every
   * 250 ms by a plain client (no retry). With no task pending the server sends each query to the dead worker's
   * sticky queue, where it waits out the 10 s sticky timeout, then to the normal queue as a legacy query carrying
   * the history as it is by then. 3 s after the kill an addAttendees Signal makes a workflow task that the server
   * also puts on the sticky queue, where it waits 10 s. So from about 10 s to 13 s after the kill, legacy queries
   * whose history ends with the Signal reach the live workers: one with no cache answers by applying the Signal
   * outside any workflow task, and keeps that run (the guard refuses such a query instead and evicts the run). At
   * the first query that met the Signal (refused or answered), a muteAllExcept Update joins the waiting task; the
   * task then runs on a live worker which, without the guard, reuses the advanced run and records the Signal's
   * commands ahead of the Update's acceptance: a history no replay reproduces.
   */
  const staleWindow = async (w: Webinar, k: number): Promise<void> => {
    // After the webinar's operator session, so nothing else of the webinar's is in flight.
    await until(() => w.actions !== undefined || w.outcome !== undefined || !polling, 120_000);
    await w.actions;
    for (let attempt = 1; attempt <= STALE_WINDOW_ATTEMPTS; attempt++) {
      const label = `${w.spec.webinarId} window ${k + 1}${attempt > 1 ? ` (attempt ${attempt})` : ''}`;
      if ((await staleWindowAttempt(w, k, label)) === 'done') return;
    }
  };
  /**
   * One try at a window; 'retry' when it did not happen as planned, which the trial cannot fully arrange from
   * outside: the server did not hold the queries on the dead worker's sticky queue (one came back within moments
   * of the kill; nothing is signalled then), or the Signal's task did not wait there. The next try starts from a
   * quiet moment again, while the webinar has time for it; a stale answer in any try fails the trial.
   */
  const staleWindowAttempt = async (w: Webinar, k: number, label: string): Promise<'done' | 'retry'> => {
    const endAt = w.timers[2]?.at ?? lastEnd;
    if (w.outcome !== undefined || endAt - Date.now() < STALE_WINDOW_NEEDS_MS) {
      result.staleWindows.push(
        `${label}: skipped, ${Math.round((endAt - Date.now()) / 1000)} s before endAt`,
      );
      return 'done';
    }
    const mute = { args: [{ externalUserIds: ['host-1'] }] as [{ externalUserIds: string[] }] };
    // The webinar must be held by a running worker: after a kill it is held by none until its next task, which
    // an Update (the same harmless muteAllExcept) makes.
    let slot: Slot | undefined;
    let waited = '';
    for (let attempt = 0; attempt < 3 && !slot; attempt++) {
      await until(() => slots.every((sl) => alive(sl.current)), 60_000);
      // Nothing of the webinar's may be pending when the worker dies, or the queries would wait for that task
      // (the server holds a query while a workflow task is pending) instead of turning into legacy queries.
      waited = await untilQuiet(w.handle, STALE_SIGNAL_AFTER_KILL_MS + 2_000, 20_000);
      const owner = await lastWorkflowTaskWorker(w.handle).catch(() => undefined);
      slot = slots.find((sl) => alive(sl.current) && sl.current.identity === owner);
      if (!slot) {
        await w.handle.executeUpdate(operatorUpdates.muteAllExcept, mute).then(
          () => result.operator.ok++,
          (err: unknown) => operatorFailed(w, 'muteAllExcept', err),
        );
      }
    }
    const victim = slot?.current;
    if (!slot || !victim || !slots.every((sl) => alive(sl.current))) {
      result.staleWindows.push(`${label}: skipped, no running worker holds it`);
      return 'done';
    }
    const requestedBefore = w.last?.attendees.requested ?? 0;
    const killedAt = Date.now();
    await victim.kill('SIGKILL');
    const booted = boot(slot);
    const answers: { at: number; requested: number }[] = [];
    let refused = 0;
    let failed = 0;
    let metSignal: () => void = () => undefined;
    const met = new Promise<void>((resolve) => (metSignal = resolve));
    const late = viewers(`stale-${k}-${Math.floor(random() * 1e6)}-`, 5);
    const queries: Promise<void>[] = [];
    let firstSettledAt: number | undefined;
    const settled = (): void => void (firstSettledAt ??= Date.now());
    while (Date.now() < killedAt + STALE_SIGNAL_AFTER_KILL_MS - 100 && firstSettledAt === undefined) {
      queries.push(
        w.handle
          .query(statusQuery)
          .finally(settled)
          .then(
            (status) => {
              result.queries.ok++;
              answers.push({ at: Date.now(), requested: status.attendees.requested });
              if (status.attendees.requested >= requestedBefore + late.length) metSignal();
            },
            (err: unknown) => {
              noteQueryError(err);
              if (isStaleRunRefusal(err)) {
                refused++;
                metSignal();
              } else failed++;
            },
          ),
      );
      await sleep(STALE_QUERY_EVERY_MS);
    }
    if (firstSettledAt !== undefined) {
      await Promise.race([Promise.all(queries), sleep(STICKY_TIMEOUT_MS)]);
      await booted;
      result.staleWindows.push(
        `${label}: abandoned: SIGKILL of its worker at +${killedAt - t0} ms${waited}, and a query came back ` +
          `${firstSettledAt - killedAt} ms later: the server did not hold it on the dead worker's sticky queue`,
      );
      return 'retry';
    }
    await sleep(killedAt + STALE_SIGNAL_AFTER_KILL_MS - Date.now());
    const signalledAt = Date.now();
    await w.handle.signal(operatorSignals.addAttendees, { attendees: late });
    // The Update at the first query that met the Signal, at the latest 2 s before the task leaves the sticky queue.
    await Promise.race([met, sleep(signalledAt + STICKY_TIMEOUT_MS - 2_000 - Date.now())]);
    const updateSentAt = Date.now();
    const updated = await w.handle
      .startUpdate(operatorUpdates.muteAllExcept, { ...mute, waitForStage: WorkflowUpdateStage.ACCEPTED })
      .then(
        (handle) => {
          // Its result comes once the webinar runs again, or never if it is stuck; either way, nothing waits.
          handle.result().then(
            () => result.operator.ok++,
            (err: unknown) => operatorFailed(w, 'muteAllExcept', err),
          );
          return `sent at +${updateSentAt - killedAt} ms, accepted at +${Date.now() - killedAt} ms`;
        },
        (err: unknown) => {
          if (err instanceof WorkflowUpdateFailedError) result.operator.rejected++;
          else operatorFailed(w, 'muteAllExcept', err);
          return `failed (${(err instanceof Error ? err.message : String(err)).slice(0, 120)})`;
        },
      );
    await Promise.race([Promise.all(queries), sleep(signalledAt + STICKY_TIMEOUT_MS + 5_000 - Date.now())]);
    await booted;
    // What the history says: the task that delivered the Signal, and whether it waited on the sticky queue.
    const events = (await w.handle.fetchHistory()).events ?? [];
    const signalAt = events.findIndex((e) => {
      const data = e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data;
      return data
        ? Buffer.from(data)
            .toString('utf8')
            .includes(late[0]?.externalUserId ?? '?')
        : false;
    });
    const after = signalAt < 0 ? [] : events.slice(signalAt + 1);
    const started = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const scheduledOn = after.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
      ?.workflowTaskScheduledEventAttributes?.taskQueue?.kind;
    const queue = scheduledOn === TaskQueueKind.TASK_QUEUE_KIND_STICKY ? 'sticky' : 'normal';
    const startedAt = started?.eventTime ? eventTimeMs(started) : Infinity;
    const stickyTimedOut = after.some(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT &&
        e.workflowTaskTimedOutEventAttributes?.timeoutType === TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START &&
        (e.eventTime ? eventTimeMs(e) : Infinity) <= startedAt,
    );
    const stale = answers.filter((a) => a.requested >= requestedBefore + late.length && a.at < startedAt);
    for (const a of stale) {
      result.staleAnswers.push(
        `${label}: status answered at +${a.at - killedAt} ms with the Signal's ${late.length} attendees ` +
          `(${a.requested} requested), ${startedAt - a.at} ms before the workflow task that delivers it started`,
      );
    }
    const landed = signalAt >= 0 && stickyTimedOut && refused + stale.length > 0;
    if (landed) result.staleWindowsLanded++;
    result.staleWindows.push(
      `${label}: SIGKILL of its worker at +${killedAt - t0} ms${waited}; ${queries.length} queries in the next ` +
        `${signalledAt - killedAt} ms (the first back at +${(firstSettledAt ?? NaN) - killedAt} ms): ${refused} refused by the guard, ${stale.length} answered from the advanced ` +
        `run, ${answers.length - stale.length} answered after it, ${failed} failed otherwise; the addAttendees ` +
        `Signal ${signalAt < 0 ? 'NOT in the history' : 'then'}; its workflow task ` +
        `(on the ${queue} queue) ` +
        `${stickyTimedOut ? 'waited out the sticky timeout' : 'did NOT time out on the sticky queue'} and started ` +
        `at +${startedAt - killedAt} ms; muteAllExcept Update ${updated}` +
        `${landed ? '' : ' — the window did NOT happen as planned'}`,
    );
    return landed ? 'done' : 'retry';
  };
  const windows = (async () => {
    const longest = webinars[0];
    if (!longest) return;
    for (let k = 0; k < result.staleWindowsPlanned; k++) await staleWindow(longest, k);
  })();
  const chaos = Promise.all([...kills, rolling, windows]);

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
  result.runsListed = await runsOnTaskQueue(client, taskQueue, runs.length);
  result.nondeterminism = nondeterminismIn(runs);
  const replay = await replayReport(stack.workflowBundle, runs);
  result.replayed = replay.replayed;
  result.replayFailures = replay.failures;
  for (const [message, n] of otherQueryErrors) result.queries.otherErrors.push(`${n}× ${message}`);
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

/**
 * What of the workflow is pending, read from its history: a workflow task not completed, activities in flight,
 * timers that fire within `aheadMs`. Empty when nothing is.
 */
async function pendingWork(handle: WorkflowHandle, aheadMs: number): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  let task = EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
  const activities = new Set<string>();
  const timers = new Map<string, number>();
  for (const e of events) {
    const type = e.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED;
    if (
      type === EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED ||
      type === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED ||
      type === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ||
      type === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED ||
      type === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT
    )
      task = type;
    if (e.activityTaskScheduledEventAttributes) activities.add(String(e.eventId));
    const closed =
      e.activityTaskCompletedEventAttributes ??
      e.activityTaskFailedEventAttributes ??
      e.activityTaskTimedOutEventAttributes ??
      e.activityTaskCanceledEventAttributes;
    if (closed) activities.delete(String(closed.scheduledEventId));
    const timer = e.timerStartedEventAttributes;
    if (timer?.timerId && e.eventTime) {
      const d = timer.startToFireTimeout;
      timers.set(timer.timerId, eventTimeMs(e) + Number(d?.seconds ?? 0) * 1000 + (d?.nanos ?? 0) / 1e6);
    }
    const ended = e.timerFiredEventAttributes?.timerId ?? e.timerCanceledEventAttributes?.timerId;
    if (ended) timers.delete(ended);
  }
  const soon = [...timers.values()].filter((at) => at < Date.now() + aheadMs);
  return [
    ...(task === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED ? [] : ['a workflow task']),
    ...(activities.size > 0 ? [`${activities.size} activities`] : []),
    ...(soon.length > 0 ? [`${soon.length} timers due`] : []),
  ];
}

/** Waits until nothing of the workflow is pending (pendingWork), up to `timeoutMs`; says what it waited for. */
async function untilQuiet(handle: WorkflowHandle, aheadMs: number, timeoutMs: number): Promise<string> {
  const began = Date.now();
  let first: string[] | undefined;
  for (;;) {
    const pending = await pendingWork(handle, aheadMs).catch(() => ['its history']);
    first ??= pending;
    if (pending.length === 0 || Date.now() - began > timeoutMs) {
      if (first.length === 0) return '';
      const still = pending.length > 0 ? `, still pending: ${pending.join(', ')}` : '';
      return ` (after ${Date.now() - began} ms waiting for ${first.join(', ')}${still})`;
    }
    await sleep(250);
  }
}

/**
 * The runs visibility lists on the task queue, once every one is closed: counted apart from the histories
 * collected along continue-as-new, so a run that chain missed is seen. Waits up to 10 s for visibility to catch
 * up with `expected`.
 */
async function runsOnTaskQueue(client: Client, taskQueue: string, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    let listed = 0;
    let open = 0;
    for await (const run of client.workflow.list({ query: `TaskQueue = '${taskQueue}'` })) {
      listed++;
      if (run.status.name === 'RUNNING') open++;
    }
    if ((listed >= expected && open === 0) || Date.now() > deadline) return listed;
    await sleep(500);
  }
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
