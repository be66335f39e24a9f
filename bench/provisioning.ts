/**
 * Benchmark 1: provisioning at the speed of the API quota. One webinar at a time against the emulator's
 * realistic limits (10/s, burst 20, per operation and per account): PROVISIONING → READY time divided by the
 * floor the emulator's own token bucket allows, throttled share, duplicates, leaks, history size.
 */
import { parseChimeBudgets } from '../worker/budget/config';
import type { WebinarStatus } from '../domain/types';
import { historyFacts, type HistoryFacts, wholeHistory } from './support/histories';
import { externalTemporal, startBenchStack, type BenchStack } from './support/stack';
import { finishWebinars, roster, soonSpec } from './support/webinars';
import { waitForStatus } from './support/polling';
import { emulatorCalls, realisticEmulatorConfig } from './support/emulator';
import { floorSeconds, minimumCalls, plannedCalls } from './support/calls';
import { round } from './support/stats';
import { log, type BenchOutcome, type Goal } from './support/results';

export interface ProvisioningRun {
  attendees: number;
  /** Rate limit of the Region's Chime task queue (the whole budget; operator calls go first by priority). */
  queuePerSecond: number;
  /** Task-queue partitions when the experiment set them (server default 4 otherwise). */
  partitions: number | undefined;
  /** Polled status: first PROVISIONING seen → first READY seen (100 ms polling + query latency). */
  polledSeconds: number;
  /** History: first Chime activity scheduled → last provisioning activity completed. */
  historySeconds: number;
  /** Calls the webinar's capacity plan needed (one CreateMeeting per meeting, batches of 100 per meeting). */
  planned: { meetings: number; batches: number; calls: number };
  /** Calls the roster needs at least, ignoring Regions (meetings of 250). */
  minimum: { meetings: number; batches: number; calls: number };
  floorSeconds: number;
  /** null when every call fits in the burst (floor 0). */
  floorRatio: number | null;
  /** The issue's arithmetic: batches of 100 over the whole roster (ignores that a batch targets one meeting). */
  issueFloorSeconds: number;
  issueFloorRatio: number | null;
  emulator: ReturnType<typeof emulatorCalls>;
  succeeded: { createMeeting: number; batchCreateAttendee: number };
  meetingsInStatus: number;
  registered: number;
  failed: number;
  duplicateMeetings: number;
  duplicateAttendees: number;
  leakedMeetings: number;
  historyEvents: number;
  historyBytes: number;
  historyProtoBytes: number;
  activities: Record<string, number>;
  windows: HistoryFacts['windows'];
}

/** Provisions one webinar of `attendees`, ends it after READY, and measures everything on the way. */
export async function provisionOnce(
  stack: BenchStack,
  attendees: number,
  id: string,
): Promise<ProvisioningRun> {
  stack.emulator.reset();
  // promotionReserve 0: this measures pure provisioning (no promotion in the run), and 10,250 = 41 full
  // meetings leaves no seat for a reserve (validation refuses the default 10 at that size).
  const handle = await stack.start({ ...soonSpec(id, roster(attendees)), promotionReserve: 0 });
  let provisioningAt: number | undefined;
  const ready: WebinarStatus = await waitForStatus(
    handle,
    (s) => {
      if (s.phase === 'PROVISIONING') provisioningAt ??= Date.now();
      if (s.phase === 'FAILED' || s.phase === 'CANCELLED')
        throw new Error(`webinar ${id} ${s.phase}: ${s.lastError}`);
      return s.phase === 'READY' || s.phase === 'LIVE';
    },
    180_000,
    100,
  );
  const readyAt = Date.now();
  const calls = emulatorCalls(stack.emulator.counters());
  await finishWebinars([handle]);
  const leaked = stack.emulator.state().meetings.length;
  const facts = historyFacts(await wholeHistory(handle));
  const config = realisticEmulatorConfig();
  const minimum = minimumCalls(attendees);
  const historySeconds = (facts.chimeWindowMs ?? NaN) / 1000;
  const planned = plannedCalls(ready);
  const floor = floorSeconds(planned.calls, config);
  const issueCalls = minimum.meetings + Math.ceil(attendees / 100);
  const issueFloor = floorSeconds(issueCalls, config);
  const ok = (op: string): number => {
    const c = calls.byOperation[op];
    return c ? c.calls - c.throttled - c.failed : 0;
  };
  const meetingsInStatus = (ready.primary ? 1 : 0) + ready.replicas.length;
  const queue = stack.workers.chimeWorkers.find((w) => w.region === 'us-east-1');
  return {
    attendees,
    queuePerSecond: queue?.ratePerSecond ?? NaN,
    partitions: stack.partitions,
    polledSeconds: round((readyAt - (provisioningAt ?? readyAt)) / 1000),
    historySeconds: round(historySeconds),
    planned,
    minimum,
    floorSeconds: round(floor),
    floorRatio: floor > 0 ? round(historySeconds / floor) : null,
    issueFloorSeconds: round(issueFloor),
    issueFloorRatio: issueFloor > 0 ? round(historySeconds / issueFloor) : null,
    emulator: calls,
    succeeded: { createMeeting: ok('CreateMeeting'), batchCreateAttendee: ok('BatchCreateAttendee') },
    meetingsInStatus,
    registered: ready.attendees.registered,
    failed: ready.attendees.failed,
    duplicateMeetings: calls.meetingsCreated - meetingsInStatus,
    duplicateAttendees: calls.attendeesCreated - ready.attendees.registered,
    leakedMeetings: leaked,
    historyEvents: facts.events,
    historyBytes: facts.jsonBytes,
    historyProtoBytes: facts.protoBytes,
    activities: facts.activities,
    windows: facts.windows,
  };
}

interface Variant {
  partitions?: number;
}

export function describeVariant(v: Variant): string {
  return v.partitions
    ? `${v.partitions} task-queue partitions (the server's default; the project's before 884007e)`
    : 'project defaults (1 partition)';
}

function row(r: ProvisioningRun): Record<string, string | number> {
  return {
    attendees: r.attendees,
    'queue/s': r.queuePerSecond,
    partitions: r.partitions ?? 'default',
    'calls (plan)': r.planned.calls,
    'floor s': r.floorSeconds,
    'measured s': r.historySeconds,
    'polled s': r.polledSeconds,
    ratio: r.floorRatio ?? 'n/a (in burst)',
    'throttled %': r.emulator.throttledPct,
    'dup m/a': `${r.duplicateMeetings}/${r.duplicateAttendees}`,
    registered: `${r.registered}/${r.attendees}`,
    leaks: r.leakedMeetings,
    'hist events': r.historyEvents,
    'hist KiB': round(r.historyBytes / 1024, 1),
  };
}

export async function benchProvisioning(quick: boolean): Promise<BenchOutcome> {
  const full = 10_250;
  const sizes = quick ? [250, 1_000, full] : [250, 1_000, 5_000, full];
  /** Settings compared at full size; the first (the project's defaults) runs at every size. */
  // On an existing cluster (--temporal-address) its dynamic config decides the partitions.
  const variants: Variant[] = externalTemporal() ? [{}] : [{}, { partitions: 4 }];
  const runs: ProvisioningRun[] = [];
  for (const [i, v] of variants.entries()) {
    const stack = await startBenchStack({ budgets: parseChimeBudgets({}), partitions: v.partitions });
    try {
      const here = i === 0 ? sizes : [full];
      for (const n of here) {
        log(`provisioning: ${n} attendees, ${describeVariant(v)}`);
        const r = await provisionOnce(stack, n, `prov-${n}-v${i}-${Date.now() % 100000}`);
        log(
          `  ${r.historySeconds}s (floor ${r.floorSeconds}s, ratio ${r.floorRatio}), ` +
            `${r.emulator.throttled}/${r.emulator.calls} throttled, leaks ${r.leakedMeetings}; ` +
            Object.entries(r.windows)
              .map(([k, w]) => `${k} ${w.seconds}s (queued ${w.meanQueueMs} ms avg)`)
              .join(', '),
        );
        runs.push(r);
      }
    } finally {
      await stack.shutdown();
    }
  }
  console.table(runs.map(row));
  const goals: Goal[] = [];
  for (const r of runs.filter((x) => x.attendees === full)) {
    const what = `queue ${r.queuePerSecond}/s, ${r.partitions ? `${r.partitions} partitions (server default, for comparison)` : 'project defaults (1 partition)'}`;
    goals.push(
      {
        benchmark: '1 provisioning',
        metric: `full size (10,250) time / floor, ${what}`,
        goal: '<= 1.10',
        measured: `${r.floorRatio} (${r.historySeconds}s / ${r.floorSeconds}s)`,
        met: r.floorRatio !== null && r.floorRatio <= 1.1,
      },
      {
        benchmark: '1 provisioning',
        metric: `full size throttled share of calls, ${what}`,
        goal: '<= 2 %',
        measured: `${r.emulator.throttledPct} % (${r.emulator.throttled}/${r.emulator.calls})`,
        met: r.emulator.throttledPct <= 2,
      },
    );
  }
  const dups = runs.reduce((s, r) => s + Math.abs(r.duplicateMeetings) + Math.abs(r.duplicateAttendees), 0);
  const leaks = runs.reduce((s, r) => s + r.leakedMeetings, 0);
  const lost = runs.reduce((s, r) => s + (r.attendees - r.registered), 0);
  goals.push(
    {
      benchmark: '1 provisioning',
      metric: 'duplicates (meetings + attendees), all runs',
      goal: '0',
      measured: String(dups),
      met: dups === 0,
    },
    {
      benchmark: '1 provisioning',
      metric: 'meetings leaked after end, all runs',
      goal: '0',
      measured: String(leaks),
      met: leaks === 0,
    },
    {
      benchmark: '1 provisioning',
      metric: 'attendees not registered, all runs',
      goal: '0',
      measured: String(lost),
      met: lost === 0,
    },
  );
  return { name: 'provisioning', goals, result: { runs } };
}
