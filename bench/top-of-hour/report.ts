/** The top-of-hour benchmark's report: a line per round, each configuration's rounds summed up, its table and goals. */
import type { Goal } from '../support/results';
import { latencyStats, list } from '../support/stats';
import type { Sizes, TopOfHourRun } from './storm';

/** One round's figures, on one line. */
export function roundLine(run: TopOfHourRun): string {
  return (
    `  presenters ready at start ${run.presentersReadyAtStart}/${run.webinars}; registered at start ` +
    `${run.registeredAtStart}/${run.attendees} (budget allows ${run.mostRegistrableAtStart}); all READY ` +
    `${run.allReadySeconds} s = ${run.allReadyVsFloor} × floor ${run.floorSeconds} s (${run.calls} calls); ` +
    `${run.small.attendees}-attendee webinar READY ${run.small.readySeconds} s vs its floor ` +
    `${run.small.floorSeconds} s; promote p50 ${run.promote.p50} p95 ${run.promote.p95} p99 ${run.promote.p99} s (${run.promote.n}), slowest ${run.promoteSlowest.map((p) => `${p.seconds} s sent at +${p.sentAtSeconds} s`).join(', ')} (its call queued p50 ${run.operatorQueued.p50} p99 ${run.operatorQueued.p99} s, ran p99 ${run.operatorRan.p99} s; its workflow tasks queued p99 ${run.operatorWorkflowTaskQueued.p99} s, ran p99 ${run.operatorWorkflowTaskRan.p99} s); the storm's workflow tasks ran p50 ${run.stormWorkflowTaskRan.p50} p99 ${run.stormWorkflowTaskRan.p99} s (${run.stormWorkflowTaskRan.n}); first call scheduled p50 ${run.firstCallLag.p50} max ${run.firstCallLag.max} s after the provisioning time; throttled ${run.throttled}; ` +
    `${run.operatorCalls} of the calls were the operator's; answered per second: ${run.answeredPerSecond.join(' ')}; ` +
    `by operation: ${JSON.stringify(run.byOperation)}`
  );
}

/**
 * One configuration's rounds, summed up: the worst round for each goal but the promote's, whose samples are pooled
 * (one round holds about 50: its p99 would be its slowest sample).
 */
export interface TopOfHourSummary {
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

export function summarize(configuration: string, runs: TopOfHourRun[]): TopOfHourSummary {
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

/** The configurations side by side. */
export function printSummaries(summaries: TopOfHourSummary[]): void {
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
}

/** Per configuration: presenters ready and registered at the start, all READY / floor, the small webinar, the promote. */
export function topOfHourGoals(summaries: TopOfHourSummary[], sizes: Sizes): Goal[] {
  return summaries.flatMap((r) => {
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
}
