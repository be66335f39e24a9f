/**
 * The short storm's critical path: where the client's all-READY time goes, from the storm webinars' histories
 * (their calls, PROVISIONING and READY upserts) and when the client first read each READY.
 */
import type { ActivityCall } from '../support/histories';
import { latencyStats, round } from '../support/stats';

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

/** What the breakdown is computed from: every storm webinar's calls, and when each was woken, READY and seen. */
export interface CriticalPathInput {
  specs: { webinarId: string }[];
  calls: ActivityCall[];
  wokeAt: Map<string, number>;
  readyAt: Map<string, number>;
  seenAt: Map<string, number>;
  stormStart: number;
  lastReady: number;
  clientAll: number;
  /** The emulator's token bucket. */
  rate: number;
  burst: number;
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

export function criticalPath(input: CriticalPathInput): Breakdown {
  const { specs, calls, wokeAt, readyAt, seenAt, stormStart, lastReady, clientAll, rate, burst } = input;
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
    const own = calls.filter((c) => c.webinar === s.webinarId).sort((a, b) => a.scheduledAt - b.scheduledAt);
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
  return {
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
}
