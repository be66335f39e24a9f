/**
 * The status read model's freshness and cost (issue #24): a dashboard polls every webinar of a top-of-the-hour
 * storm once a second while they provision, and the worker's CPU is read from /proc in its own process
 * (`worker/main.ts`, started by tooling/stack/workers.ts), beside the dev server's and this process's.
 *
 * The same storm (WEBINARS webinars, one start, the emulator in its own process at the real limits) runs once per
 * mode in the same run, on one stack, in interleaved rounds:
 *   none   no dashboard: one visibility count per second, only to know when every webinar is READY (baseline);
 *   memo   `WebinarClient.status(id)` per webinar: the memo through describe(), no worker involved;
 *   list   `WebinarClient.list(...)` once per tick: visibility rows with the phase and the memo's counts;
 *   query  `WebinarClient.status(id, { live: true })` per webinar: the `status` query, answered by the worker.
 * Freshness: per webinar, its phase change's time in the history (the WorkflowTaskCompleted time of the upsert:
 * search attributes and memo are in the same task) to the end of the first poll that saw the new phase; in the
 * memo and list modes also every memo upsert (WorkflowPropertiesModified) to the first poll that saw its
 * `updatedAt`.
 */
import * as fs from 'node:fs';
import type { History } from '@temporalio/common/lib/proto-utils';
import { tsToMs } from '@temporalio/common/lib/time';
import type { WebinarHandle } from '../client/library/operator-actions';
import { WebinarClient } from '../client/library/webinar-client';
import { STATUS_MEMO_KEY } from '../domain/status-memo';
import { WAKE_SPREAD_MS } from '../domain/wake-spread';
import type { WebinarPhase } from '../domain/phases';
import type { WebinarSpec } from '../domain/types';
import { startDevServer } from '../tooling/temporal-servers';
import { startEmulatorProcess } from '../tooling/emulator-process';
import { workerFleet } from '../tooling/stack/workers';
import { phaseReachedAtMs } from './histories';
import {
  finishWebinars,
  floorSeconds,
  latencyStats,
  log,
  plannedCalls,
  realisticEmulatorConfig,
  roster,
  round,
  sleep,
  soonSpec,
  waitForStatus,
  type BenchOutcome,
  type Goal,
} from './support';

type Handle = WebinarHandle;
export type DashboardMode = 'none' | 'memo' | 'list' | 'query';
export const MODES: DashboardMode[] = ['none', 'memo', 'list', 'query'];

const MODE_TEXT: Record<DashboardMode, string> = {
  none: 'no dashboard (one visibility count per second to know when all are READY)',
  memo: 'WebinarClient.status(id): the memo via describe(), per webinar',
  list: 'WebinarClient.list(window): one visibility list per tick, phase + memo counts',
  query: 'WebinarClient.status(id, { live: true }): the status query, per webinar',
};

const POLL_MS = 1_000;

interface Sizes {
  /** [count, attendees] groups; all start at the same instant. */
  mix: [number, number][];
  leadSeconds: number;
  rounds: number;
}

const SIZES: { full: Sizes; quick: Sizes } = {
  full: {
    mix: [
      [90, 200],
      [9, 1_000],
      [1, 2_500],
    ],
    leadSeconds: 150,
    rounds: 2,
  },
  quick: {
    mix: [
      [18, 200],
      [2, 1_000],
    ],
    leadSeconds: 60,
    rounds: 1,
  },
};

/** CPU seconds (user + system, every thread) of a process, from /proc/<pid>/stat; NaN when it is gone. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

/** This process's child whose command line contains `needle` (the dev server the SDK spawned). */
function childPid(needle: string): number | undefined {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/PPid:\s+(\d+)/.exec(status)?.[1]) !== process.pid) continue;
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** What one poll of one webinar (or of the list) saw, and when its answer arrived. */
interface Seen {
  phase?: WebinarPhase;
  updatedAt?: string;
}

interface ModeRun {
  mode: DashboardMode;
  round: number;
  webinars: number;
  attendees: number;
  loadAverageBefore: string;
  loadAverageAfter: string;
  pollWindowSeconds: number;
  workerCpuSeconds: number;
  workerCpuPerSecond: number;
  serverCpuSeconds: number;
  dashboardCpuSeconds: number;
  polls: number;
  failures: number;
  failureSamples: string[];
  /** Ticks that started late because the previous one had not finished. */
  lateTicks: number;
  pollLatency: ReturnType<typeof latencyStats>;
  pollLatencySamples: number[];
  allReadySeconds: number;
  floorSeconds: number;
  allReadyVsFloor: number;
  calls: number;
  /** Phase change (history) → first poll that saw it, PROVISIONING and READY, seconds. */
  phaseFreshness: ReturnType<typeof latencyStats>;
  phaseFreshnessSamples: number[];
  /** Memo upserts (history) → first poll that saw their updatedAt: memo and list modes only. */
  memoFreshness?: ReturnType<typeof latencyStats>;
  memoFreshnessSamples?: number[];
  memoUpserts?: number;
  memoUpsertsSeen?: number;
}

/** Every memo upsert of a run: its updatedAt and when the task that made it completed (the event's time). */
function memoUpserts(history: History): { updatedAt: string; atMs: number }[] {
  const out: { updatedAt: string; atMs: number }[] = [];
  for (const e of history.events ?? []) {
    const data = e.workflowPropertiesModifiedEventAttributes?.upsertedMemo?.fields?.[STATUS_MEMO_KEY]?.data;
    if (!data) continue;
    const memo = JSON.parse(Buffer.from(data).toString('utf8')) as { updatedAt?: string };
    if (memo.updatedAt) out.push({ updatedAt: memo.updatedAt, atMs: tsToMs(e.eventTime) });
  }
  return out;
}

interface Stack {
  client: WebinarClient;
  taskQueue: string;
  workerPid: number | undefined;
  serverPid: number | undefined;
  start(spec: WebinarSpec): Promise<Handle>;
  shutdown(): Promise<void>;
}

async function startStack(): Promise<Stack> {
  const emulator = await startEmulatorProcess(realisticEmulatorConfig());
  const env = await startDevServer();
  const taskQueue = `bench-dashboard-${process.pid}`;
  const fleet = workerFleet({
    temporalAddress: env.address,
    chimeEndpoint: emulator.endpoint,
    taskQueue,
    budgetPerSecond: 10,
  });
  try {
    const worker = await fleet.add();
    // As a scheduling system starts them; the capacity calendar is not consulted (it could widen the lead).
    const client = new WebinarClient(env.client, { taskQueue, calendar: false });
    return {
      client,
      taskQueue,
      workerPid: worker.process.child.pid,
      serverPid: childPid('start-dev'),
      start: async (spec) => (await client.schedule(spec)).handle,
      async shutdown() {
        await fleet.stop();
        await env.teardown();
        await emulator.close();
      },
    };
  } catch (e) {
    await fleet.stop();
    await env.teardown();
    await emulator.close();
    throw e;
  }
}

async function inBatches<T, R>(items: T[], size: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return out;
}

async function runStorm(stack: Stack, mode: DashboardMode, sizes: Sizes, roundNo: number): Promise<ModeRun> {
  const tag = `${mode}${roundNo}-${Date.now().toString(36)}`;
  const ids = sizes.mix.flatMap(([count, attendees], g) =>
    Array.from({ length: count }, (_, i) => ({ id: `d${g}x${i}-${tag}`, attendees })),
  );
  // Every webinar starts at the same instant, provisioning 10 s from now (after the starts).
  const provisionAt = Date.now() + 10_000;
  const startAt = provisionAt + sizes.leadSeconds * 1000;
  const specs = ids.map(({ id, attendees }) => ({
    ...soonSpec(id, roster(attendees, id)),
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(startAt + 3_600_000).toISOString(),
    provisionLeadSeconds: sizes.leadSeconds,
  }));
  const handles = await inBatches(specs, 25, (s) => stack.start(s));
  const stormFrom = provisionAt - WAKE_SPREAD_MS;
  if (Date.now() > stormFrom - 500) throw new Error('dashboard: starting the webinars took past the storm');
  await sleep(stormFrom - Date.now());

  const windowQuery =
    `WorkflowType = 'webinarWorkflow' AND WebinarStartAt >= '${new Date(startAt).toISOString()}' ` +
    `AND WebinarStartAt < '${new Date(startAt + 1).toISOString()}'`;
  const firstSeen = new Map<string, number>(); // `${webinarId} ${phase}` or `${webinarId} @${updatedAt}`
  const phases = new Map<string, WebinarPhase>();
  const latency: number[] = [];
  const failureSamples: string[] = [];
  let polls = 0;
  let failures = 0;
  let lateTicks = 0;
  const note = (webinarId: string, seen: Seen, at: number): void => {
    if (seen.phase) {
      phases.set(webinarId, seen.phase);
      const key = `${webinarId} ${seen.phase}`;
      if (!firstSeen.has(key)) firstSeen.set(key, at);
    }
    if (seen.updatedAt) {
      const key = `${webinarId} @${seen.updatedAt}`;
      if (!firstSeen.has(key)) firstSeen.set(key, at);
    }
  };
  const timed = async (read: () => Promise<void>): Promise<void> => {
    const t = performance.now();
    polls += 1;
    try {
      await read();
      latency.push((performance.now() - t) / 1000);
    } catch (err) {
      failures += 1;
      if (failureSamples.length < 5) failureSamples.push(err instanceof Error ? err.message : String(err));
    }
  };
  const tick: Record<DashboardMode, () => Promise<boolean>> = {
    none: async () => {
      const { count } = await stack.client.client.workflow.count(`${windowQuery} AND WebinarPhase = 'READY'`);
      return count >= handles.length;
    },
    memo: async () => {
      await Promise.all(
        specs.map((s) =>
          timed(async () => {
            const st = await stack.client.status(s.webinarId);
            note(s.webinarId, st, Date.now());
          }),
        ),
      );
      return false;
    },
    list: async () => {
      await timed(async () => {
        const rows = await stack.client.list({
          startsFrom: new Date(startAt),
          startsBefore: new Date(startAt + 1),
        });
        const at = Date.now();
        for (const r of rows) note(r.webinarId, r, at);
      });
      return false;
    },
    query: async () => {
      await Promise.all(
        specs.map((s) =>
          timed(async () => {
            const st = await stack.client.status(s.webinarId, { live: true });
            note(s.webinarId, st, Date.now());
          }),
        ),
      );
      return false;
    },
  };

  const loadAverageBefore = loadAverage();
  const cpu0 = {
    worker: cpuSeconds(stack.workerPid),
    server: cpuSeconds(stack.serverPid),
    own: process.cpuUsage(),
  };
  const t0 = Date.now();
  let next = t0;
  for (;;) {
    const doneByCount = await tick[mode]().catch(() => false);
    const allReady =
      mode === 'none'
        ? doneByCount
        : phases.size === handles.length && [...phases.values()].every((p) => p === 'READY' || p === 'LIVE');
    if (allReady) break;
    if (Date.now() - t0 > 600_000) throw new Error(`dashboard [${mode}]: not all READY after 10 minutes`);
    next += POLL_MS;
    if (Date.now() > next) {
      lateTicks += 1;
      next = Date.now();
    } else await sleep(next - Date.now());
  }
  const stoppedAt = Date.now();
  const own = process.cpuUsage(cpu0.own);
  const workerCpu = cpuSeconds(stack.workerPid) - cpu0.worker;
  const serverCpu = cpuSeconds(stack.serverPid) - cpu0.server;
  const loadAverageAfter = loadAverage();

  // From the histories: READY times, phase freshness, memo freshness; calls from the live status (outside the window).
  const phaseFreshness: number[] = [];
  const memoFreshness: number[] = [];
  let upserts = 0;
  const readyAt: number[] = [];
  const provisioningAt: number[] = [];
  for (const h of handles) {
    const history = await h.fetchHistory();
    const webinarId = h.workflowId.replace(/^webinar-/, '');
    for (const phase of ['PROVISIONING', 'READY'] as const) {
      const at = phaseReachedAtMs(history, phase);
      if (at === undefined) throw new Error(`${h.workflowId}: no ${phase} in its history`);
      (phase === 'READY' ? readyAt : provisioningAt).push(at);
      const seen = firstSeen.get(`${webinarId} ${phase}`);
      if (seen !== undefined) phaseFreshness.push((seen - at) / 1000);
    }
    if (mode === 'memo' || mode === 'list') {
      // Only upserts made while the dashboard polled (the first, at the run's start, came before it).
      for (const u of memoUpserts(history).filter((m) => m.atMs >= t0 && m.atMs <= stoppedAt)) {
        upserts += 1;
        const seen = firstSeen.get(`${webinarId} @${u.updatedAt}`);
        if (seen !== undefined) memoFreshness.push((seen - u.atMs) / 1000);
      }
    }
  }
  const finals = await inBatches(handles, 25, (h) => waitForStatus(h, () => true));
  const calls = finals.reduce((sum, s) => sum + plannedCalls(s).calls, 0);
  const floor = floorSeconds(calls, realisticEmulatorConfig());
  const allReadySeconds = (Math.max(...readyAt) - Math.min(...provisioningAt)) / 1000;
  await finishWebinars(handles);
  const windowSeconds = (stoppedAt - t0) / 1000;
  return {
    mode,
    round: roundNo,
    webinars: handles.length,
    attendees: specs.reduce((sum, s) => sum + s.attendees.length, 0),
    loadAverageBefore,
    loadAverageAfter,
    pollWindowSeconds: round(windowSeconds, 1),
    workerCpuSeconds: round(workerCpu, 2),
    workerCpuPerSecond: round(workerCpu / windowSeconds),
    serverCpuSeconds: round(serverCpu, 2),
    dashboardCpuSeconds: round((own.user + own.system) / 1e6, 2),
    polls,
    failures,
    failureSamples,
    lateTicks,
    pollLatency: latencyStats(latency),
    pollLatencySamples: latency.map((s) => round(s)),
    allReadySeconds: round(allReadySeconds, 1),
    floorSeconds: round(floor, 1),
    allReadyVsFloor: round(allReadySeconds / floor),
    calls,
    phaseFreshness: latencyStats(phaseFreshness),
    phaseFreshnessSamples: phaseFreshness.map((s) => round(s)),
    ...(mode === 'memo' || mode === 'list'
      ? {
          memoFreshness: latencyStats(memoFreshness),
          memoFreshnessSamples: memoFreshness.map((s) => round(s)),
          memoUpserts: upserts,
          memoUpsertsSeen: memoFreshness.length,
        }
      : {}),
  };
}

interface ModeSummary {
  mode: DashboardMode;
  rounds: number;
  workerCpuSeconds: number[];
  workerCpuPerSecond: number[];
  serverCpuSeconds: number[];
  dashboardCpuSeconds: number[];
  polls: number;
  failures: number;
  pollLatency: ReturnType<typeof latencyStats>;
  allReadySeconds: number[];
  allReadyVsFloor: number[];
  phaseFreshness: ReturnType<typeof latencyStats>;
  memoFreshness?: ReturnType<typeof latencyStats>;
}

function summarize(mode: DashboardMode, runs: ModeRun[]): ModeSummary {
  const mine = runs.filter((r) => r.mode === mode);
  const memo = mine.flatMap((r) => r.memoFreshnessSamples ?? []);
  return {
    mode,
    rounds: mine.length,
    workerCpuSeconds: mine.map((r) => r.workerCpuSeconds),
    workerCpuPerSecond: mine.map((r) => r.workerCpuPerSecond),
    serverCpuSeconds: mine.map((r) => r.serverCpuSeconds),
    dashboardCpuSeconds: mine.map((r) => r.dashboardCpuSeconds),
    polls: mine.reduce((sum, r) => sum + r.polls, 0),
    failures: mine.reduce((sum, r) => sum + r.failures, 0),
    pollLatency: latencyStats(mine.flatMap((r) => r.pollLatencySamples)),
    allReadySeconds: mine.map((r) => r.allReadySeconds),
    allReadyVsFloor: mine.map((r) => r.allReadyVsFloor),
    phaseFreshness: latencyStats(mine.flatMap((r) => r.phaseFreshnessSamples)),
    ...(memo.length > 0 ? { memoFreshness: latencyStats(memo) } : {}),
  };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

export async function benchDashboard(quick: boolean): Promise<BenchOutcome> {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const webinars = sum(sizes.mix.map(([n]) => n));
  const stack = await startStack();
  const runs: ModeRun[] = [];
  try {
    // A warm-up webinar: the worker's first workflow tasks (and its JIT) are not the first storm's.
    const warm = await stack.start(soonSpec(`warm-${Date.now().toString(36)}`, roster(30, 'warm'), 500));
    await waitForStatus(warm, (s) => s.phase === 'READY');
    await finishWebinars([warm]);
    for (let roundNo = 1; roundNo <= sizes.rounds; roundNo++) {
      // Rounds alternate the order, so a slow spell of the shared machine does not always fall on one mode.
      const order = roundNo % 2 === 1 ? MODES : [...MODES].reverse();
      for (const mode of order) {
        log(
          `dashboard [${mode}] round ${roundNo}/${sizes.rounds}: ${webinars} webinars (${sizes.mix.map(([n, a]) => `${n} × ${a}`).join(' + ')}), one start; load ${loadAverage()}`,
        );
        const r = await runStorm(stack, mode, sizes, roundNo);
        runs.push(r);
        log(
          `  worker CPU ${r.workerCpuSeconds} s over ${r.pollWindowSeconds} s (${r.workerCpuPerSecond}/s), server ` +
            `${r.serverCpuSeconds} s, dashboard ${r.dashboardCpuSeconds} s; polls ${r.polls}, failures ${r.failures}` +
            `${r.failureSamples.length ? ` (${r.failureSamples.join(' | ')})` : ''}, late ticks ${r.lateTicks}; ` +
            `poll p50 ${r.pollLatency.p50} p99 ${r.pollLatency.p99} s; all READY ${r.allReadySeconds} s = ` +
            `${r.allReadyVsFloor} × floor ${r.floorSeconds} s (${r.calls} calls); phase freshness p50 ` +
            `${r.phaseFreshness.p50} p99 ${r.phaseFreshness.p99} max ${r.phaseFreshness.max} s` +
            (r.memoFreshness
              ? `; memo upserts ${r.memoUpsertsSeen}/${r.memoUpserts} seen, freshness p50 ${r.memoFreshness.p50} p99 ` +
                `${r.memoFreshness.p99} max ${r.memoFreshness.max} s`
              : '') +
            `; load ${r.loadAverageBefore} → ${r.loadAverageAfter}`,
        );
      }
    }
  } finally {
    await stack.shutdown();
  }
  const summaries = MODES.map((m) => summarize(m, runs));
  const by = (m: DashboardMode): ModeSummary => summaries.find((s) => s.mode === m) as ModeSummary;
  const base = sum(by('none').workerCpuSeconds);
  const ratio = (m: DashboardMode, to: number): number => round(sum(by(m).workerCpuSeconds) / to, 2);
  const list = (values: number[]): string => values.join(' / ');
  console.table(
    summaries.map((s) => ({
      mode: s.mode,
      'worker CPU s (per round)': list(s.workerCpuSeconds),
      '× none': ratio(s.mode, base),
      'server CPU s': list(s.serverCpuSeconds),
      'dashboard CPU s': list(s.dashboardCpuSeconds),
      'polls (failed)': `${s.polls} (${s.failures})`,
      'poll p50 / p99 s': `${s.pollLatency.p50} / ${s.pollLatency.p99}`,
      'all READY s (× floor)': `${list(s.allReadySeconds)} (${list(s.allReadyVsFloor)})`,
      'phase seen after p50 / p99 / max s': `${s.phaseFreshness.p50} / ${s.phaseFreshness.p99} / ${s.phaseFreshness.max}`,
    })),
  );
  const memoCpu = sum(by('memo').workerCpuSeconds);
  const queryCpu = sum(by('query').workerCpuSeconds);
  const listCpu = sum(by('list').workerCpuSeconds);
  const rounds = ` (${sizes.rounds} round${sizes.rounds > 1 ? 's' : ''} summed)`;
  const bench = 'dashboard';
  const goals: Goal[] = [
    {
      benchmark: bench,
      metric: `worker CPU, ${webinars} webinars polled through the memo (status()) vs no dashboard`,
      goal: '≤ 1.1 × none',
      measured: `${round(memoCpu, 2)} s vs ${round(base, 2)} s = ${ratio('memo', base)} ×${rounds}`,
      met: memoCpu <= 1.1 * base,
    },
    {
      benchmark: bench,
      metric: 'worker CPU, memo vs the live status query (same storm)',
      goal: 'memo ≤ 0.5 × query',
      measured: `${round(memoCpu, 2)} s vs ${round(queryCpu, 2)} s: query / memo = ${round(queryCpu / memoCpu, 2)}, query / none = ${ratio('query', base)}`,
      met: memoCpu <= 0.5 * queryCpu,
    },
    {
      benchmark: bench,
      metric: 'worker CPU, one visibility list per second vs no dashboard',
      goal: '≤ 1.1 × none',
      measured: `${round(listCpu, 2)} s = ${ratio('list', base)} ×`,
      met: listCpu <= 1.1 * base,
    },
    ...(['memo', 'list', 'query'] as const).map((m) => ({
      benchmark: bench,
      metric: `[${m}] poll latency p50 / p99, failures; phase change → first poll that saw it p50 / p99 / max`,
      goal: 'reported',
      measured:
        `${by(m).pollLatency.p50} / ${by(m).pollLatency.p99} s, ${by(m).failures} of ${by(m).polls} failed; ` +
        `${by(m).phaseFreshness.p50} / ${by(m).phaseFreshness.p99} / ${by(m).phaseFreshness.max} s`,
      met: 'n/a' as const,
    })),
    {
      benchmark: bench,
      metric: 'all READY (s) by mode: does polling slow provisioning?',
      goal: 'reported',
      measured: MODES.map((m) => `${m} ${list(by(m).allReadySeconds)}`).join('; '),
      met: 'n/a',
    },
  ];
  return {
    name: 'dashboard',
    goals,
    result: {
      sizes,
      webinars,
      modes: MODE_TEXT,
      pollMs: POLL_MS,
      workerCpuVsNone: Object.fromEntries(MODES.map((m) => [m, ratio(m, base)])),
      queryVsMemo: round(queryCpu / memoCpu, 2),
      summaries,
      runs: runs.map(
        ({ pollLatencySamples: _l, phaseFreshnessSamples: _f, memoFreshnessSamples: _m, ...r }) => r,
      ),
    },
  };
}
