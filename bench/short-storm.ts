/**
 * The short storm (issue #23): K webinars of N attendees with one start on one control Region, a lead shorter
 * than the work, no other webinar and no operator, measured as a plain client sees it. A client polls
 * `WebinarClient.status()` (the published memo, read through describe) for every webinar and records when it
 * first reads READY (or LIVE: the start may come first); the histories' READY upserts give the same figure from
 * inside, in the same run. Full size: 14 × 1,200, lead 20 s, a floor of 26 s, where fixed costs that a long
 * floor hides show. The JSON breaks the client's all-READY time down along the critical path (see `Breakdown`).
 */
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import { WebinarClient } from '../client/library/webinar-client';
import { phaseReachedAtMs } from './histories';
import {
  emulatorCalls,
  emulatorRate,
  finishWebinars,
  floorSeconds,
  latencyStats,
  log,
  plannedCalls,
  realisticEmulatorConfig,
  roster,
  round,
  sleep,
  startBenchStackBesideEmulatorProcess,
  type BenchOutcome,
  type Goal,
} from './support';
import { spec, statusOf } from './top-of-hour';

interface Sizes {
  webinars: number;
  attendees: number;
  leadSeconds: number;
}

const SIZES: Record<'full' | 'quick', Sizes> = {
  full: { webinars: 14, attendees: 1_200, leadSeconds: 20 },
  quick: { webinars: 6, attendees: 600, leadSeconds: 15 },
};
const ROUNDS = { full: 3, quick: 1 };
/** Each webinar's client poll: one status() per webinar this often (a dashboard that refreshes fast). */
const CLIENT_POLL_MS = 250;
/** A second client in the same run, at a dashboard's cadence (the top-of-hour bench's): what the poll alone adds. */
const DASHBOARD_POLL_MS = 1_000;
/** Goal: all READY, as the client sees it, within this much of the floor. */
const GOAL = 1.05;

/** One activity of a storm webinar's history. */
interface Call {
  webinar: string;
  type: string;
  scheduledAt: number;
  startedAt?: number;
  completedAt?: number;
}

function callsOf(webinar: string, history: History): Call[] {
  const byId = new Map<string, Call>();
  for (const e of history.events ?? []) {
    const at = tsToMs(e.eventTime);
    const s = e.activityTaskScheduledEventAttributes;
    if (s) byId.set(String(e.eventId), { webinar, type: s.activityType?.name ?? '?', scheduledAt: at });
    const st = e.activityTaskStartedEventAttributes;
    const started = st ? byId.get(String(st.scheduledEventId)) : undefined;
    if (started) started.startedAt = at;
    const c = e.activityTaskCompletedEventAttributes;
    const completed = c ? byId.get(String(c.scheduledEventId)) : undefined;
    if (completed) completed.completedAt = at;
  }
  return [...byId.values()];
}

/**
 * Where the client's all-READY time goes, in seconds, along the critical path; the first five add up to it:
 *   storm start (the first PROVISIONING upsert) → first call started → last call started (the dispatch span) →
 *   last call completed → last READY upsert → the client has seen every webinar READY.
 * The dispatch span against the floor splits into the limiter's first-second burst (Chime allows `burst`, the
 * queue `queueBurst`), time with nothing queued (the workflows had no call waiting: gaps between a completion
 * and the next schedule) and the rest (the queue's pacing, extra calls).
 */
export interface Breakdown {
  toFirstCall: number;
  dispatchSpan: number;
  lastCallRan: number;
  lastCompletionToReady: number;
  readyToClient: number;
  /** The queue limiter's burst as it happened: the most calls started ahead of its rate (k + 1 − rate × t). */
  queueBurst: number;
  /** (Chime's burst − queueBurst) / rate: what the smaller burst costs at best. */
  burstDeficit: number;
  /** Seconds between the first and the last start with no call scheduled and not yet started. */
  queueEmpty: number;
  /** Each spell: [seconds after the first start, seconds long]. */
  queueEmptySpells: [number, number][];
  /** dispatchSpan − the ideal span of the calls at the queue's own burst: pacing lost past the burst. */
  pacingLoss: number;
  /** Calls started before the last READY, by type (GetMeeting: meeting checks during the lead). */
  callsByType: Record<string, number>;
  /** Per webinar, a call's completion → that webinar's next call scheduled. */
  completionToNextSchedule: ReturnType<typeof latencyStats>;
  /** Per webinar, its PROVISIONING upsert → its first call scheduled. */
  wakeToFirstSchedule: ReturnType<typeof latencyStats>;
  /** Per webinar, its READY upsert → the client first read READY. */
  readyUpsertToClient: ReturnType<typeof latencyStats>;
  /** Per webinar, its last call completed → its READY upsert. */
  completionToReadyUpsert: ReturnType<typeof latencyStats>;
  /** Calls the queue started in each second from the first start. */
  startedPerSecond: number[];
}

export interface ShortStormRun {
  webinars: number;
  attendees: number;
  leadSeconds: number;
  calls: number;
  floorSeconds: number;
  /** From the storm start: the client's last first-READY read, and the histories' last READY upsert. */
  clientAllReadySeconds: number;
  historyAllReadySeconds: number;
  clientVsFloor: number;
  historyVsFloor: number;
  /**
   * The floor at the queue limiter's own burst ((calls − queueBurst) / rate), and the client's time against it:
   * what is left once the burst Temporal's limiter does not give (docs/bench.md, section 7) is set aside.
   */
  queueFloorSeconds: number;
  clientVsQueueFloor: number;
  /** The same, from the provisioning time every webinar was given (startAt − lead), as a scheduler knows it. */
  clientVsFloorFromProvisioningTime: number;
  /** Seconds from the provisioning time to the storm start (negative: the wake spread woke it early). */
  stormStartAfterProvisioningTime: number;
  perWebinar: { webinarId: string; clientSeconds: number; historySeconds: number; calls: number }[];
  breakdown: Breakdown;
  throttled: number;
  emulatorCalls: number;
  clientPolls: number;
  /** The client polling at DASHBOARD_POLL_MS, in the same run. */
  dashboard: {
    pollMs: number;
    allReadySeconds: number;
    vsFloor: number;
    readyUpsertToClient: ReturnType<typeof latencyStats>;
    polls: number;
  };
}

/** The spells in [from, to] with no call scheduled and not yet started: [seconds after `from`, seconds long]. */
function emptySpells(sortedEdges: { at: number; d: number }[], from: number, to: number): [number, number][] {
  let backlog = 0;
  let emptySince: number | undefined = from;
  const out: [number, number][] = [];
  for (const { at, d } of sortedEdges) {
    if (at > to) break;
    const before = backlog;
    backlog += d;
    if (at < from) continue;
    if (before === 0 && backlog > 0 && emptySince !== undefined) {
      if (at > emptySince) out.push([round((emptySince - from) / 1000), round((at - emptySince) / 1000)]);
      emptySince = undefined;
    } else if (before > 0 && backlog === 0) emptySince = at;
  }
  return out;
}

async function runOnce(sizes: Sizes): Promise<ShortStormRun> {
  const stack = await startBenchStackBesideEmulatorProcess({});
  try {
    const config = realisticEmulatorConfig();
    const { rate, burst } = emulatorRate(config);
    const client = new WebinarClient(stack.env.client, { taskQueue: stack.taskQueue, calendar: false });
    const tag = `ss-${Date.now().toString(36)}`;
    const provisionAt = Date.now() + 5_000;
    const startAt = provisionAt + sizes.leadSeconds * 1000;
    const specs = Array.from({ length: sizes.webinars }, (_, i) =>
      spec(`s${i}-${tag}`, roster(sizes.attendees, `s${i}-${tag}`), startAt, sizes.leadSeconds),
    );
    const handles = await Promise.all(specs.map((s) => stack.start(s)));
    const before = emulatorCalls(await stack.emulator.counters());

    // The clients: one poll loop per webinar each, recording when it first reads READY (or LIVE); the fast one
    // is the figure, the dashboard-paced one shows what the cadence alone adds.
    const deadline = provisionAt + 300_000;
    const watch = async (pollMs: number): Promise<{ seenAt: Map<string, number>; polls: number }> => {
      const seen = new Map<string, number>();
      let count = 0;
      await Promise.all(
        specs.map(async (s) => {
          while (!seen.has(s.webinarId)) {
            const status = await client.status(s.webinarId).catch(() => undefined);
            count++;
            if (status?.phase === 'READY' || status?.phase === 'LIVE') seen.set(s.webinarId, Date.now());
            else if (status?.phase === 'FAILED' || status?.phase === 'ENDED')
              throw new Error(`${s.webinarId} ${status.phase}: ${status.lastError}`);
            else if (Date.now() > deadline) throw new Error(`${s.webinarId} not READY in 5 minutes`);
            else await sleep(pollMs);
          }
        }),
      );
      return { seenAt: seen, polls: count };
    };
    const [fast, slow] = await Promise.all([watch(CLIENT_POLL_MS), watch(DASHBOARD_POLL_MS)]);
    const { seenAt, polls } = fast;
    const after = emulatorCalls(await stack.emulator.counters());
    // The plan's calls from each live status (the memo has no per-meeting seats).
    const finals = await Promise.all(handles.map(statusOf));

    const readyAt = new Map<string, number>();
    const wokeAt = new Map<string, number>();
    const calls: Call[] = [];
    for (const [i, h] of handles.entries()) {
      const id = (specs[i] as (typeof specs)[number]).webinarId;
      const history = await h.fetchHistory();
      const ready = phaseReachedAtMs(history, 'READY');
      const woke = phaseReachedAtMs(history, 'PROVISIONING');
      if (ready === undefined || woke === undefined)
        throw new Error(`${h.workflowId}: no PROVISIONING or READY`);
      readyAt.set(id, ready);
      wokeAt.set(id, woke);
      calls.push(...callsOf(id, history));
    }
    const stormStart = Math.min(...wokeAt.values());
    const lastReady = Math.max(...readyAt.values());
    const clientAll = Math.max(...seenAt.values());
    const planned = finals.map((s) => (s ? plannedCalls(s).calls : NaN));
    const callCount = planned.reduce((a, b) => a + b, 0);
    const floor = floorSeconds(callCount, config);

    // The critical path, over every webinar's calls started before the last READY.
    const inWindow = calls.filter((c) => c.startedAt !== undefined && c.startedAt <= lastReady);
    const starts = inWindow.map((c) => c.startedAt as number).sort((a, b) => a - b);
    const firstStart = starts[0] ?? stormStart;
    const lastStart = starts[starts.length - 1] ?? stormStart;
    const lastCompletion = Math.max(...inWindow.map((c) => c.completedAt ?? 0));
    // The burst the queue's limiter gave: the most calls started ahead of its rate (k + 1 − rate × t).
    const queueBurst = Math.round(
      Math.max(0, ...starts.map((t, k) => k + 1 - (rate * (t - firstStart)) / 1000)),
    );
    const startedPerSecond: number[] = [];
    for (const t of starts) {
      const sec = Math.floor((t - firstStart) / 1000);
      while (startedPerSecond.length <= sec) startedPerSecond.push(0);
      startedPerSecond[sec] = (startedPerSecond[sec] ?? 0) + 1;
    }
    const edges = calls
      .flatMap((c) => [
        { at: c.scheduledAt, d: 1 },
        ...(c.startedAt !== undefined ? [{ at: c.startedAt, d: -1 }] : []),
      ])
      .sort((a, b) => a.at - b.at || b.d - a.d);
    const spells = emptySpells(edges, firstStart, lastStart);
    const dispatchSpan = (lastStart - firstStart) / 1000;
    const idealAtQueueBurst = Math.max(0, starts.length - queueBurst) / rate;
    const callsByType: Record<string, number> = {};
    for (const c of inWindow) callsByType[c.type] = (callsByType[c.type] ?? 0) + 1;
    const gaps: number[] = [];
    const wakeToFirst: number[] = [];
    const completionToReady: number[] = [];
    for (const s of specs) {
      const own = calls
        .filter((c) => c.webinar === s.webinarId)
        .sort((a, b) => a.scheduledAt - b.scheduledAt);
      const ready = readyAt.get(s.webinarId) as number;
      const first = own[0];
      if (first) wakeToFirst.push((first.scheduledAt - (wokeAt.get(s.webinarId) as number)) / 1000);
      const mine = own.filter((c) => c.scheduledAt <= ready);
      completionToReady.push((ready - Math.max(...mine.map((c) => c.completedAt ?? 0))) / 1000);
      for (const c of mine) {
        if (c.completedAt === undefined) continue;
        const next = mine.find((n) => n.scheduledAt >= (c.completedAt as number));
        if (next) gaps.push((next.scheduledAt - c.completedAt) / 1000);
      }
    }
    const breakdown: Breakdown = {
      toFirstCall: round((firstStart - stormStart) / 1000),
      dispatchSpan: round(dispatchSpan),
      lastCallRan: round((lastCompletion - lastStart) / 1000),
      lastCompletionToReady: round((lastReady - lastCompletion) / 1000),
      readyToClient: round((clientAll - lastReady) / 1000),
      queueBurst,
      burstDeficit: round(Math.max(0, burst - queueBurst) / rate),
      queueEmpty: round(spells.reduce((sum, [, seconds]) => sum + seconds, 0)),
      queueEmptySpells: spells,
      pacingLoss: round(dispatchSpan - idealAtQueueBurst),
      callsByType,
      completionToNextSchedule: latencyStats(gaps),
      wakeToFirstSchedule: latencyStats(wakeToFirst),
      readyUpsertToClient: latencyStats(
        specs.map((s) => ((seenAt.get(s.webinarId) as number) - (readyAt.get(s.webinarId) as number)) / 1000),
      ),
      completionToReadyUpsert: latencyStats(completionToReady),
      startedPerSecond,
    };
    const clientSeconds = (clientAll - stormStart) / 1000;
    const queueFloor = Math.max(0, callCount - queueBurst) / rate;
    const historySeconds = (lastReady - stormStart) / 1000;
    await finishWebinars(handles);
    return {
      webinars: sizes.webinars,
      attendees: sizes.attendees,
      leadSeconds: sizes.leadSeconds,
      calls: callCount,
      floorSeconds: round(floor, 1),
      clientAllReadySeconds: round(clientSeconds),
      historyAllReadySeconds: round(historySeconds),
      clientVsFloor: round(clientSeconds / floor),
      historyVsFloor: round(historySeconds / floor),
      queueFloorSeconds: round(queueFloor, 1),
      clientVsQueueFloor: round(clientSeconds / queueFloor),
      clientVsFloorFromProvisioningTime: round((clientAll - provisionAt) / 1000 / floor),
      stormStartAfterProvisioningTime: round((stormStart - provisionAt) / 1000),
      perWebinar: specs.map((s, i) => ({
        webinarId: s.webinarId,
        clientSeconds: round(((seenAt.get(s.webinarId) as number) - stormStart) / 1000),
        historySeconds: round(((readyAt.get(s.webinarId) as number) - stormStart) / 1000),
        calls: planned[i] as number,
      })),
      breakdown,
      throttled: after.throttled - before.throttled,
      emulatorCalls: after.calls - before.calls,
      clientPolls: polls,
      dashboard: {
        pollMs: DASHBOARD_POLL_MS,
        allReadySeconds: round((Math.max(...slow.seenAt.values()) - stormStart) / 1000),
        vsFloor: round((Math.max(...slow.seenAt.values()) - stormStart) / 1000 / floor),
        readyUpsertToClient: latencyStats(
          specs.map(
            (s) => ((slow.seenAt.get(s.webinarId) as number) - (readyAt.get(s.webinarId) as number)) / 1000,
          ),
        ),
        polls: slow.polls,
      },
    };
  } finally {
    await stack.shutdown();
  }
}

export async function benchShortStorm(quick: boolean): Promise<BenchOutcome> {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const runs: ShortStormRun[] = [];
  for (let n = 1; n <= rounds; n++) {
    log(
      `short-storm round ${n}/${rounds}: ${sizes.webinars} × ${sizes.attendees}, one start, lead ${sizes.leadSeconds} s`,
    );
    const run = await runOnce(sizes);
    runs.push(run);
    const b = run.breakdown;
    log(
      `  all READY: client ${run.clientAllReadySeconds} s = ${run.clientVsFloor} × floor ${run.floorSeconds} s ` +
        `(${run.calls} calls; ${run.clientVsQueueFloor} × ${run.queueFloorSeconds} s at the queue's burst), histories ${run.historyAllReadySeconds} s = ${run.historyVsFloor}; breakdown: to first ` +
        `call ${b.toFirstCall} s + dispatch span ${b.dispatchSpan} s + last call ${b.lastCallRan} s + completion → ` +
        `READY ${b.lastCompletionToReady} s + READY → client ${b.readyToClient} s; queue burst ${b.queueBurst} ` +
        `(deficit ${b.burstDeficit} s), queue empty ${b.queueEmpty} s (at, for: ${JSON.stringify(b.queueEmptySpells)}), pacing ` +
        `loss ${b.pacingLoss} s; completion → next schedule p50 ${b.completionToNextSchedule.p50} max ` +
        `${b.completionToNextSchedule.max} s; READY → client p50 ${b.readyUpsertToClient.p50} max ` +
        `${b.readyUpsertToClient.max} s; calls ${JSON.stringify(b.callsByType)}; started per second ` +
        `${b.startedPerSecond.join(' ')}; throttled ${run.throttled}; a client polling every ` +
        `${run.dashboard.pollMs} ms: ${run.dashboard.vsFloor} × floor (READY → it p50 ` +
        `${run.dashboard.readyUpsertToClient.p50} max ${run.dashboard.readyUpsertToClient.max} s)`,
    );
  }
  const list = (values: number[]): string => values.join(' / ');
  console.table(
    runs.map((r, i) => ({
      round: i + 1,
      'floor s': r.floorSeconds,
      'client all READY / floor': r.clientVsFloor,
      'histories / floor': r.historyVsFloor,
      'client / floor at queue burst': r.clientVsQueueFloor,
      'to first call': r.breakdown.toFirstCall,
      'queue burst': r.breakdown.queueBurst,
      'queue empty s': r.breakdown.queueEmpty,
      'READY → client s': r.breakdown.readyToClient,
      [`client at ${DASHBOARD_POLL_MS} ms / floor`]: r.dashboard.vsFloor,
      throttled: r.throttled,
    })),
  );
  const each = rounds > 1 ? ` (each of ${rounds} rounds)` : '';
  const goals: Goal[] = [
    {
      benchmark: 'short-storm',
      metric: `${sizes.webinars} × ${sizes.attendees}, lead ${sizes.leadSeconds} s: all READY as a client sees it / floor`,
      goal: `≤ ${GOAL}${each}`,
      measured: `${list(runs.map((r) => r.clientVsFloor))} (floor ${list(runs.map((r) => r.floorSeconds))} s)`,
      met: runs.every((r) => r.clientVsFloor <= GOAL),
    },
    {
      benchmark: 'short-storm',
      metric: 'the same from the histories’ READY upserts',
      goal: 'reported',
      measured: list(runs.map((r) => r.historyVsFloor)),
      met: 'n/a',
    },
    {
      benchmark: 'short-storm',
      metric: `the same for a client polling every ${DASHBOARD_POLL_MS} ms (a dashboard's cadence)`,
      goal: 'reported',
      measured: list(runs.map((r) => r.dashboard.vsFloor)),
      met: 'n/a',
    },
    {
      benchmark: 'short-storm',
      metric: 'throttled calls',
      goal: '0',
      measured: String(runs.reduce((sum, r) => sum + r.throttled, 0)),
      met: runs.every((r) => r.throttled === 0),
    },
  ];
  return {
    name: 'short-storm',
    goals,
    result: { sizes, rounds, clientPollMs: CLIENT_POLL_MS, dashboardPollMs: DASHBOARD_POLL_MS, runs },
  };
}
