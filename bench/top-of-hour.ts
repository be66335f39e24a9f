/**
 * Top of the hour (issue #15.5): K webinars of N attendees, one 10,000-attendee and one 300-attendee webinar,
 * all with the same start on one control Region (the worker's default), the emulator at the real limits (10
 * calls/s, burst 20) in its own process, and a provisioning lead shorter than the work. An operator promotes and
 * demotes a viewer of an already READY webinar during the storm.
 *
 * The scenario runs per worker configuration in the same process (CONFIGURATIONS), in interleaved rounds (3 at
 * full size), so a change is measured beside today's behaviour. Figures: webinars whose presenters are registered
 * at the start, attendees registered at the start vs the most the window's budget allows, time until every
 * webinar is READY vs the floor ((calls − burst) / rate), the 300-attendee webinar's time to READY vs its own
 * floor, and the operator's promote p99 over the rounds' pooled samples.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import type { webinarWorkflow } from '../workflows';
import { statusQuery, webinarWorkflowId } from '../workflows/definitions';
import type { AttendeeSpec, WebinarSpec, WebinarStatus } from '../domain/types';
import { budgetFor } from '../domain/budget';
import { WAKE_SPREAD_MS } from '../domain/wake-spread';
import { activityTimings, workflowTaskTimings, phaseReachedAtMs } from './histories';
import {
  BATCH,
  emulatorCalls,
  emulatorRate,
  finishWebinars,
  floorSeconds,
  latencyStats,
  log,
  plannedCalls,
  PRIMARY_REGION,
  realisticEmulatorConfig,
  REPLICA_REGIONS,
  roster,
  round,
  SEATS,
  sleep,
  startBenchStackBesideEmulatorProcess,
  waitForStatus,
  type BenchOutcome,
  type BenchStackOptions,
  type Goal,
} from './support';
import { promoteAndDemote } from './operator-probe';

type Handle = WorkflowHandle<typeof webinarWorkflow>;

/**
 * The status, or undefined while a workflow task is failing (an overloaded worker's task timed out and is
 * retried): the next poll asks again.
 */
export async function statusOf(handle: Handle): Promise<WebinarStatus | undefined> {
  return handle.query(statusQuery).catch(() => undefined);
}

/**
 * The worker configurations compared in the same run: 'today' is the worker with the call tiers flattened back
 * to before #15 (every call but an operator's in the bulk tier, no fairness key: bench/flat-priorities.ts, a
 * bench-only workflow interceptor); 'priority' is the production worker. The presenters' own step, the 1-call
 * teardown and the placement rule are the same in both (they are patched branches every new run takes).
 */
export interface TopOfHourConfiguration {
  name: string;
  description: string;
  stack: BenchStackOptions;
  /** True when this configuration differs from the production worker. */
  changesBehaviour: boolean;
}

export const CONFIGURATIONS: TopOfHourConfiguration[] = [
  {
    name: 'today',
    description:
      "before #15: every call but an operator's in one tier, no fairness key, a server without fairness",
    stack: {
      workflowInterceptorModules: [require.resolve('./flat-priorities')],
      dynamicConfig: { 'matching.enableFairness': false },
    },
    changesBehaviour: true,
  },
  {
    name: 'priority',
    description:
      'the production worker and server: operator 1, critical path 2, viewers 3, replicas 4, teardown 5; ' +
      'fairness on, a key per webinar weighted by how soon it starts',
    stack: {},
    changesBehaviour: false,
  },
];

interface Sizes {
  webinars: number;
  attendees: number;
  big: number;
  small: number;
  leadSeconds: number;
}

/** The operator promotes then demotes a viewer, then pauses: about 1.7 calls/s, a busy operator's pace. */
const OPERATOR_PAUSE_MS = 1_000;
/** How often the storm's statuses are polled, like a dashboard: only to know when every webinar is READY. */
const STATUS_POLL_MS = 1_000;

/** A webinar of the storm: the given start and lead, viewers over REPLICA_REGIONS, up to 40 replicas. */
export function spec(
  webinarId: string,
  attendees: AttendeeSpec[],
  startAt: number,
  leadSeconds: number,
): WebinarSpec {
  return {
    webinarId,
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(startAt + 3_600_000).toISOString(),
    primaryRegion: PRIMARY_REGION,
    replicaRegions: REPLICA_REGIONS,
    attendees,
    provisionLeadSeconds: leadSeconds,
    maxReplicas: 40,
  };
}

/** The most attendees `calls` calls can register: a full meeting costs 1 CreateMeeting + ceil(SEATS / BATCH) batches. */
function mostRegistrable(calls: number, total: number): number {
  let seats = 0;
  let left = calls;
  while (left > 0 && seats < total) {
    const meeting = Math.min(SEATS, total - seats);
    const cost = 1 + Math.ceil(meeting / BATCH);
    if (left < cost) {
      seats += Math.max(0, left - 1) * BATCH;
      break;
    }
    seats += meeting;
    left -= cost;
  }
  return Math.min(seats, total);
}

export interface TopOfHourRun {
  configuration: string;
  description: string;
  changesBehaviour: boolean;
  webinars: number;
  presentersReadyAtStart: number;
  /** Webinars whose status could not be read at the start (a failing workflow task): counted as not ready. */
  unansweredAtStart: number;
  attendees: number;
  registeredAtStart: number;
  mostRegistrableAtStart: number;
  allReadySeconds: number;
  /** Calls in the floor: the webinars' planned calls plus the operator's made before the last READY. */
  calls: number;
  operatorCalls: number;
  floorSeconds: number;
  allReadyVsFloor: number;
  small: { attendees: number; readySeconds: number; calls: number; floorSeconds: number; vsFloor: number };
  promote: ReturnType<typeof latencyStats>;
  /** Every promote's seconds, for pooling the rounds. */
  promoteSamples: number[];
  /** The 3 slowest promotes, and when each was sent (seconds after the provisioning time). */
  promoteSlowest: { seconds: number; sentAtSeconds: number }[];
  /** The operator's Chime calls (promote and demote) from their history: time in the queue, and running. */
  operatorQueued: ReturnType<typeof latencyStats>;
  operatorRan: ReturnType<typeof latencyStats>;
  /** The operator's webinar's workflow tasks: waiting for a worker, and being processed. */
  operatorWorkflowTaskQueued: ReturnType<typeof latencyStats>;
  operatorWorkflowTaskRan: ReturnType<typeof latencyStats>;
  /** The storm webinars' workflow tasks, started → completed: how busy the webinar worker was. */
  stormWorkflowTaskRan: ReturnType<typeof latencyStats>;
  /** Seconds from the provisioning time to each webinar's first scheduled call. */
  firstCallLag: ReturnType<typeof latencyStats>;
  throttled: number;
  /** Calls the emulator answered in each second of the storm. */
  answeredPerSecond: number[];
  /** Calls per operation from the storm's start to the end of the run (the operator's included). */
  byOperation: Record<string, number>;
}

async function runOnce(configuration: TopOfHourConfiguration, sizes: Sizes): Promise<TopOfHourRun> {
  // The emulator runs in its own process, as Chime is never in the worker's: on the worker's event loop its work
  // (27,000 attendees' calls) would delay the operator's workflow tasks, which is what the promote figure measures.
  const stack = await startBenchStackBesideEmulatorProcess(configuration.stack);
  try {
    const config = realisticEmulatorConfig();
    const tag = `${configuration.name}-${Date.now().toString(36)}`;
    // The operator's webinar: small, READY before the storm, starting after it.
    const operatorSpec = spec(`op-${tag}`, roster(30, `op-${tag}`), Date.now() + 200_000, 199);
    const operatorHandle = await stack.start(operatorSpec);
    await waitForStatus(operatorHandle, (s) => s.phase === 'READY');
    const target = `op-${tag}-viewer-0`;

    const provisionAt = Date.now() + 4_000;
    const startAt = provisionAt + sizes.leadSeconds * 1000;
    // The webinars wake spread over the second before provisionAt (domain/wake-spread.ts): the operator and the
    // per-second sampler start with the earliest.
    const stormFrom = provisionAt - WAKE_SPREAD_MS;
    const specs = [
      ...Array.from({ length: sizes.webinars }, (_, i) =>
        spec(`k${i}-${tag}`, roster(sizes.attendees, `k${i}-${tag}`), startAt, sizes.leadSeconds),
      ),
      spec(`big-${tag}`, roster(sizes.big, `big-${tag}`), startAt, sizes.leadSeconds),
      spec(`small-${tag}`, roster(sizes.small, `small-${tag}`), startAt, sizes.leadSeconds),
    ];
    const handles = await Promise.all(specs.map((s) => stack.start(s)));
    const before = emulatorCalls(await stack.emulator.counters());

    // READY times, polled; the operator samples until every webinar is READY.
    const readyAt = new Map<string, number>();
    const finals = new Map<string, WebinarStatus>();
    let storming = true;
    const promote: number[] = [];
    const promoteSentAt: number[] = [];
    // When each operator call ended: they spend the same budget, so the floor counts those before the last READY.
    const operatorCallsAt: number[] = [];
    const operator = (async () => {
      await sleep(Math.max(0, stormFrom - Date.now()));
      while (storming) {
        const sample = await promoteAndDemote(operatorHandle, target);
        promote.push(sample.promote);
        promoteSentAt.push((sample.promotedAt - sample.promote * 1000 - provisionAt) / 1000);
        operatorCallsAt.push(sample.promotedAt, sample.demotedAt);
        await sleep(OPERATOR_PAUSE_MS);
      }
    })();
    // Calls the emulator answered, per second of the storm: shows whether the budget was spent.
    const perSecond: number[] = [];
    const sampler = (async () => {
      await sleep(Math.max(0, stormFrom - Date.now()));
      let last = emulatorCalls(await stack.emulator.counters());
      while (storming) {
        await sleep(1000);
        const now = emulatorCalls(await stack.emulator.counters());
        perSecond.push(now.calls - now.throttled - (last.calls - last.throttled));
        last = now;
      }
    })();
    let atStart: { presenters: number; registered: number; unanswered: number } | undefined;
    const atStartProbe = (async () => {
      await sleep(Math.max(0, startAt - Date.now()));
      // One status per webinar, as the dashboard reads it: `presentersReady` is the presenters' step done. (Asking
      // each presenter's `attendee` too added 80 queries at the start instant, on the one workflow thread.)
      const statuses = await Promise.all(handles.map(statusOf));
      atStart = {
        presenters: statuses.filter((s) => s?.presentersReady === true).length,
        registered: statuses.reduce((sum, s) => sum + (s?.attendees.registered ?? 0), 0),
        unanswered: statuses.filter((s) => s === undefined).length,
      };
    })();
    // A dashboard's cadence: the poll only tells when to look; READY times come from the histories.
    while (finals.size < handles.length) {
      const statuses = await Promise.all(handles.map(statusOf));
      statuses.forEach((s) => {
        if (!s) return;
        if (!finals.has(s.webinarId) && (s.phase === 'READY' || s.phase === 'LIVE'))
          finals.set(s.webinarId, s);
        if (s.phase === 'FAILED' || s.phase === 'ENDED')
          throw new Error(`${s.webinarId} ${s.phase}: ${s.lastError}`);
      });
      if (Date.now() - provisionAt > 900_000) throw new Error('the storm did not finish in 15 minutes');
      await sleep(STATUS_POLL_MS);
    }
    storming = false;
    await Promise.all([operator, atStartProbe, sampler]);
    const after = emulatorCalls(await stack.emulator.counters());
    const stormTasksRanMs: number[] = [];
    // How late each webinar scheduled its first call (the primary's CreateMeeting) after its provisioning time
    // (negative: it woke early, by its spread offset).
    const firstCallLag: number[] = [];
    // The storm starts when the first webinar starts provisioning: READY times count from there.
    const provisioningAt: number[] = [];
    for (const h of handles) {
      const history = await h.fetchHistory();
      const at = phaseReachedAtMs(history, 'READY');
      const woke = phaseReachedAtMs(history, 'PROVISIONING');
      if (at === undefined || woke === undefined)
        throw new Error(`${h.workflowId}: no PROVISIONING or no READY in its history`);
      readyAt.set(h.workflowId, at);
      provisioningAt.push(woke);
      stormTasksRanMs.push(...workflowTaskTimings(history).ranMs);
      const first = history.events?.find((e) => e.activityTaskScheduledEventAttributes);
      if (first) firstCallLag.push((tsToMs(first.eventTime) - provisionAt) / 1000);
    }
    const lastReady = Math.max(...readyAt.values());
    const stormStart = Math.min(...provisioningAt);
    const operatorCalls = operatorCallsAt.filter((t) => t >= stormStart && t <= lastReady).length;

    const stormCalls = [...finals.values()].reduce((sum, s) => sum + plannedCalls(s).calls, 0);
    const calls = stormCalls + operatorCalls;
    const floor = floorSeconds(calls, config);
    const allReadySeconds = (lastReady - stormStart) / 1000;
    const smallSpec = specs[specs.length - 1] as WebinarSpec;
    const smallStatus = finals.get(smallSpec.webinarId) as WebinarStatus;
    const smallCalls = plannedCalls(smallStatus).calls;
    const smallFloor = floorSeconds(smallCalls, config);
    const smallReady = ((readyAt.get(webinarWorkflowId(smallSpec.webinarId)) ?? 0) - stormStart) / 1000;
    const total = specs.reduce((sum, s) => sum + s.attendees.length, 0);
    const { rate, burst } = emulatorRate(config);
    const budget = budgetFor(sizes.leadSeconds, { callsPerSecond: rate, burst });

    const operatorHistory = await operatorHandle.fetchHistory();
    const operatorTimings = activityTimings(operatorHistory, 'updateAttendeeCapabilities');
    const operatorTasks = workflowTaskTimings(operatorHistory);
    await finishWebinars([...handles, operatorHandle]);
    return {
      configuration: configuration.name,
      description: configuration.description,
      changesBehaviour: configuration.changesBehaviour,
      webinars: handles.length,
      presentersReadyAtStart: atStart?.presenters ?? 0,
      unansweredAtStart: atStart?.unanswered ?? 0,
      attendees: total,
      registeredAtStart: atStart?.registered ?? 0,
      mostRegistrableAtStart: mostRegistrable(budget, total),
      allReadySeconds: round(allReadySeconds, 1),
      calls,
      operatorCalls,
      floorSeconds: round(floor, 1),
      allReadyVsFloor: round(allReadySeconds / floor),
      small: {
        attendees: smallSpec.attendees.length,
        readySeconds: round(smallReady, 1),
        calls: smallCalls,
        floorSeconds: round(smallFloor, 1),
        vsFloor: round(smallReady / Math.max(smallFloor, 0.1)),
      },
      promote: latencyStats(promote),
      promoteSamples: promote.map((p) => round(p)),
      promoteSlowest: promote
        .map((seconds, i) => ({ seconds: round(seconds), sentAtSeconds: round(promoteSentAt[i] ?? NaN, 1) }))
        .sort((a, b) => b.seconds - a.seconds)
        .slice(0, 3),
      operatorQueued: latencyStats(operatorTimings.queuedMs.map((ms) => ms / 1000)),
      operatorRan: latencyStats(operatorTimings.ranMs.map((ms) => ms / 1000)),
      operatorWorkflowTaskQueued: latencyStats(operatorTasks.queuedMs.map((ms) => ms / 1000)),
      operatorWorkflowTaskRan: latencyStats(operatorTasks.ranMs.map((ms) => ms / 1000)),
      stormWorkflowTaskRan: latencyStats(stormTasksRanMs.map((ms) => ms / 1000)),
      firstCallLag: latencyStats(firstCallLag),
      throttled: after.throttled - before.throttled,
      answeredPerSecond: perSecond,
      byOperation: Object.fromEntries(
        Object.entries(after.byOperation).map(([op, c]) => [
          op,
          c.calls - (before.byOperation[op]?.calls ?? 0),
        ]),
      ),
    };
  } finally {
    await stack.shutdown();
  }
}

/**
 * One configuration's rounds, summed up: the worst round for each goal but the promote's, whose samples are pooled
 * (one round holds about 50: its p99 would be its slowest sample).
 */
interface TopOfHourSummary {
  configuration: string;
  rounds: number;
  webinars: number;
  attendees: number;
  mostRegistrableAtStart: number;
  presentersReadyAtStart: number[];
  registeredAtStart: number[];
  allReadyVsFloor: number[];
  floorSeconds: number[];
  smallReadySeconds: number[];
  smallFloorSeconds: number;
  smallAttendees: number;
  promote: ReturnType<typeof latencyStats>;
  promoteSlowest: { seconds: number; sentAtSeconds: number }[];
  throttled: number;
}

function summarize(configuration: string, runs: TopOfHourRun[]): TopOfHourSummary {
  const first = runs[0];
  if (!first) throw new Error(`top-of-hour [${configuration}]: no round ran`);
  return {
    configuration,
    rounds: runs.length,
    webinars: first.webinars,
    attendees: first.attendees,
    mostRegistrableAtStart: first.mostRegistrableAtStart,
    presentersReadyAtStart: runs.map((r) => r.presentersReadyAtStart),
    registeredAtStart: runs.map((r) => r.registeredAtStart),
    allReadyVsFloor: runs.map((r) => r.allReadyVsFloor),
    floorSeconds: runs.map((r) => r.floorSeconds),
    smallReadySeconds: runs.map((r) => r.small.readySeconds),
    smallFloorSeconds: Math.max(...runs.map((r) => r.small.floorSeconds)),
    smallAttendees: first.small.attendees,
    promote: latencyStats(runs.flatMap((r) => r.promoteSamples)),
    promoteSlowest: runs
      .flatMap((r) => r.promoteSlowest)
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 3),
    throttled: runs.reduce((sum, r) => sum + r.throttled, 0),
  };
}

/** Full size: 3 rounds per configuration, so the promote's p99 rests on about 150 samples, not on one slowest. */
const ROUNDS = { full: 3, quick: 1 };

export async function benchTopOfHour(quick: boolean): Promise<BenchOutcome> {
  const sizes: Sizes = quick
    ? { webinars: 6, attendees: 600, big: 10_000, small: 300, leadSeconds: 15 }
    : { webinars: 14, attendees: 1_200, big: 10_000, small: 300, leadSeconds: 20 };
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const runs: TopOfHourRun[] = [];
  // Rounds interleave the configurations, so a slow spell of the shared machine falls on both.
  for (let roundNo = 1; roundNo <= rounds; roundNo++) {
    for (const configuration of CONFIGURATIONS) {
      log(
        `top-of-hour [${configuration.name}] round ${roundNo}/${rounds}: ${sizes.webinars} × ${sizes.attendees} + ` +
          `${sizes.big} + ${sizes.small} attendees, same start, lead ${sizes.leadSeconds} s`,
      );
      const run = await runOnce(configuration, sizes);
      runs.push(run);
      log(
        `  presenters ready at start ${run.presentersReadyAtStart}/${run.webinars}; registered at start ` +
          `${run.registeredAtStart}/${run.attendees} (budget allows ${run.mostRegistrableAtStart}); all READY ` +
          `${run.allReadySeconds} s = ${run.allReadyVsFloor} × floor ${run.floorSeconds} s (${run.calls} calls); ` +
          `${run.small.attendees}-attendee webinar READY ${run.small.readySeconds} s vs its floor ` +
          `${run.small.floorSeconds} s; promote p50 ${run.promote.p50} p95 ${run.promote.p95} p99 ${run.promote.p99} s (${run.promote.n}), slowest ${run.promoteSlowest.map((p) => `${p.seconds} s sent at +${p.sentAtSeconds} s`).join(', ')} (its call queued p50 ${run.operatorQueued.p50} p99 ${run.operatorQueued.p99} s, ran p99 ${run.operatorRan.p99} s; its workflow tasks queued p99 ${run.operatorWorkflowTaskQueued.p99} s, ran p99 ${run.operatorWorkflowTaskRan.p99} s); the storm's workflow tasks ran p50 ${run.stormWorkflowTaskRan.p50} p99 ${run.stormWorkflowTaskRan.p99} s (${run.stormWorkflowTaskRan.n}); first call scheduled p50 ${run.firstCallLag.p50} max ${run.firstCallLag.max} s after the provisioning time; throttled ${run.throttled}; ` +
          `${run.operatorCalls} of the calls were the operator's; answered per second: ${run.answeredPerSecond.join(' ')}; ` +
          `by operation: ${JSON.stringify(run.byOperation)}`,
      );
    }
  }
  const summaries = CONFIGURATIONS.map((c) =>
    summarize(
      c.name,
      runs.filter((r) => r.configuration === c.name),
    ),
  );
  const list = (values: number[]): string => values.join(' / ');
  console.table(
    summaries.map((r) => ({
      configuration: r.configuration,
      rounds: r.rounds,
      'presenters ready at start': `${list(r.presentersReadyAtStart)} of ${r.webinars}`,
      'registered at start': `${list(r.registeredAtStart)} of ${r.attendees}`,
      'budget allows': r.mostRegistrableAtStart,
      'all READY / floor': list(r.allReadyVsFloor),
      '300 READY s (floor)': `${list(r.smallReadySeconds)} (${r.smallFloorSeconds})`,
      'promote p50 / p95 / p99 s (n)': `${r.promote.p50} / ${r.promote.p95} / ${r.promote.p99} (${r.promote.n})`,
    })),
  );
  const same = !CONFIGURATIONS.some((c) => c.changesBehaviour);
  if (same) log('  both configurations run the same worker');
  const goals: Goal[] = summaries.flatMap((r) => {
    const bench = `top-of-hour [${r.configuration}]`;
    const eachRound = r.rounds > 1 ? ` (each of ${r.rounds} rounds)` : '';
    return [
      {
        benchmark: bench,
        metric: 'webinars whose presenters are ready at the start',
        goal: `all (their calls fit in the lead)${eachRound}`,
        measured: `${list(r.presentersReadyAtStart)} of ${r.webinars}`,
        met: r.presentersReadyAtStart.every((n) => n === r.webinars),
      },
      {
        benchmark: bench,
        metric: 'attendees registered at the start',
        goal: `vs the most the budget allows (${r.mostRegistrableAtStart})`,
        measured: `${list(r.registeredAtStart)} of ${r.attendees}`,
        met: 'n/a',
      },
      {
        benchmark: bench,
        metric: 'time until every webinar is READY / floor',
        goal: `≤ 1.05${eachRound}`,
        measured: `${list(r.allReadyVsFloor)} (floor ${list(r.floorSeconds)} s)`,
        met: r.allReadyVsFloor.every((v) => v <= 1.05),
      },
      {
        benchmark: bench,
        metric: `${r.smallAttendees}-attendee webinar READY vs its own floor (beside a ${sizes.big}-attendee one)`,
        goal: 'close to its own floor',
        measured: `${list(r.smallReadySeconds)} s vs ${r.smallFloorSeconds} s`,
        met: 'n/a',
      },
      {
        benchmark: bench,
        metric: 'operator promote p99 during the storm',
        goal: '< 0.150 s',
        measured:
          `${r.promote.p99} s (p95 ${r.promote.p95}, p50 ${r.promote.p50}; ${r.promote.n} samples pooled over ` +
          `${r.rounds} round${r.rounds > 1 ? 's' : ''}; slowest ${r.promoteSlowest.map((p) => `${p.seconds} s at +${p.sentAtSeconds} s`).join(', ')})`,
        met: r.promote.p99 < 0.15,
      },
    ];
  });
  return { name: 'top-of-hour', goals, result: { sizes, rounds, sameWorker: same, summaries, runs } };
}
