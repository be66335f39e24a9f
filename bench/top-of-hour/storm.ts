/**
 * One round of the top-of-hour storm for one worker configuration, on its own stack: the storm's webinars and an
 * operator's webinar READY before it, the operator promoting throughout, and what the round measured.
 */
import { tsToMs } from '@temporalio/common/lib/time';
import { webinarWorkflowId } from '../../workflows/definitions';
import type { WebinarSpec, WebinarStatus } from '../../domain/types';
import { budgetFor } from '../../domain/budget';
import { WAKE_SPREAD_MS } from '../../domain/wake-spread';
import { activityTimings, phaseReachedAtMs, wholeHistory, workflowTaskTimings } from '../support/histories';
import { startBenchStackBesideEmulatorProcess } from '../support/stack';
import { finishWebinars, roster, stormSpec } from '../support/webinars';
import { sleep, statusOf, waitForStatus } from '../support/polling';
import { emulatorCalls, emulatorRate, realisticEmulatorConfig } from '../support/emulator';
import { floorSeconds, mostRegistrable, plannedCalls } from '../support/calls';
import { latencyStats, round } from '../support/stats';
import { promoteAndDemote } from '../operator-probe';
import type { TopOfHourConfiguration } from './configurations';

export interface Sizes {
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

export async function runOnce(configuration: TopOfHourConfiguration, sizes: Sizes): Promise<TopOfHourRun> {
  // The emulator runs in its own process, as Chime is never in the worker's: on the worker's event loop its work
  // (27,000 attendees' calls) would delay the operator's workflow tasks, which is what the promote figure measures.
  const stack = await startBenchStackBesideEmulatorProcess(configuration.stack);
  try {
    const config = realisticEmulatorConfig();
    const tag = `${configuration.name}-${Date.now().toString(36)}`;
    // The operator's webinar: small, READY before the storm, starting after it.
    const operatorSpec = stormSpec(`op-${tag}`, roster(30, `op-${tag}`), Date.now() + 200_000, 199);
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
        stormSpec(`k${i}-${tag}`, roster(sizes.attendees, `k${i}-${tag}`), startAt, sizes.leadSeconds),
      ),
      stormSpec(`big-${tag}`, roster(sizes.big, `big-${tag}`), startAt, sizes.leadSeconds),
      stormSpec(`small-${tag}`, roster(sizes.small, `small-${tag}`), startAt, sizes.leadSeconds),
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
      const history = await wholeHistory(h);
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

    const operatorHistory = await wholeHistory(operatorHandle);
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
