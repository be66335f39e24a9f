/**
 * The dashboard benchmark's report: a line per storm, each mode's rounds summed up, the modes' table, the goals
 * (worker CPU against no dashboard) and the result's JSON.
 */
import type { BenchOutcome, Goal } from '../support/results';
import { latencyStats, list, round, sum } from '../support/stats';
import { MODES, MODE_TEXT, POLL_MS, type DashboardMode } from './modes';
import type { ModeRun, Sizes } from './storm';

/** One storm's figures, on one line. */
export function stormLine(r: ModeRun): string {
  return (
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
    `; load ${r.loadAverageBefore} → ${r.loadAverageAfter}`
  );
}

export interface ModeSummary {
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

/** The modes side by side, their goals, and the benchmark's outcome. */
export function dashboardOutcome(runs: ModeRun[], sizes: Sizes, webinars: number): BenchOutcome {
  const summaries = MODES.map((m) => summarize(m, runs));
  const by = (m: DashboardMode): ModeSummary => summaries.find((s) => s.mode === m) as ModeSummary;
  const base = sum(by('none').workerCpuSeconds);
  const ratio = (m: DashboardMode, to: number): number => round(sum(by(m).workerCpuSeconds) / to, 2);
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
