/**
 * One storm of the dashboard benchmark in one mode: every webinar scheduled with one start, the dashboard polling
 * until all are READY, the processes' CPU over that window, and the freshness its polls saw against the histories.
 */
import { WAKE_SPREAD_MS } from '../../domain/wake-spread';
import { memoUpserts, phaseReachedAtMs, wholeHistory } from '../support/histories';
import { finishWebinars, roster, stormSpec } from '../support/webinars';
import { sleep, waitForStatus } from '../support/polling';
import { realisticEmulatorConfig } from '../support/emulator';
import { floorSeconds, plannedCalls } from '../support/calls';
import { latencyStats, round } from '../support/stats';
import { cpuSeconds, loadAverage } from '../support/process';
import type { DashboardMode } from './modes';
import { DashboardPoller } from './poller';
import type { Stack } from './stack';

export interface Sizes {
  /** [count, attendees] groups; all start at the same instant. */
  mix: [number, number][];
  leadSeconds: number;
  rounds: number;
}

export interface ModeRun {
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

async function inBatches<T, R>(items: T[], size: number, f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(f))));
  return out;
}

export async function runStorm(
  stack: Stack,
  mode: DashboardMode,
  sizes: Sizes,
  roundNo: number,
): Promise<ModeRun> {
  const tag = `${mode}${roundNo}-${Date.now().toString(36)}`;
  const ids = sizes.mix.flatMap(([count, attendees], g) =>
    Array.from({ length: count }, (_, i) => ({ id: `d${g}x${i}-${tag}`, attendees })),
  );
  // Every webinar starts at the same instant, provisioning 10 s from now (after the starts).
  const provisionAt = Date.now() + 10_000;
  const startAt = provisionAt + sizes.leadSeconds * 1000;
  const specs = ids.map(({ id, attendees }) =>
    stormSpec(id, roster(attendees, id), startAt, sizes.leadSeconds),
  );
  const handles = await inBatches(specs, 25, (s) => stack.start(s));
  const stormFrom = provisionAt - WAKE_SPREAD_MS;
  if (Date.now() > stormFrom - 500) throw new Error('dashboard: starting the webinars took past the storm');
  await sleep(stormFrom - Date.now());

  const poller = new DashboardPoller(
    stack.client,
    specs.map((s) => s.webinarId),
    startAt,
  );
  const loadAverageBefore = loadAverage();
  const cpu0 = {
    worker: cpuSeconds(stack.workerPid),
    server: cpuSeconds(stack.serverPid),
    own: process.cpuUsage(),
  };
  const t0 = await poller.run(mode);
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
    const history = await wholeHistory(h);
    const webinarId = h.workflowId.replace(/^webinar-/, '');
    for (const phase of ['PROVISIONING', 'READY'] as const) {
      const at = phaseReachedAtMs(history, phase);
      if (at === undefined) throw new Error(`${h.workflowId}: no ${phase} in its history`);
      (phase === 'READY' ? readyAt : provisioningAt).push(at);
      const seen = poller.firstSeen.get(`${webinarId} ${phase}`);
      if (seen !== undefined) phaseFreshness.push((seen - at) / 1000);
    }
    if (mode === 'memo' || mode === 'list') {
      // Only upserts made while the dashboard polled (the first, at the run's start, came before it).
      for (const u of memoUpserts(history).filter((m) => m.atMs >= t0 && m.atMs <= stoppedAt)) {
        upserts += 1;
        const seen = poller.firstSeen.get(`${webinarId} @${u.updatedAt}`);
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
    polls: poller.polls,
    failures: poller.failures,
    failureSamples: poller.failureSamples,
    lateTicks: poller.lateTicks,
    pollLatency: latencyStats(poller.latency),
    pollLatencySamples: poller.latency.map((s) => round(s)),
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
