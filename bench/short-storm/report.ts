/** The short storm's report: a line per round, the rounds' table and the goals. */
import type { Goal } from '../support/results';
import { list } from '../support/stats';
import { DASHBOARD_POLL_MS, type ShortStormRun, type Sizes } from './storm';

/** Goal: all READY, as the client sees it, within this much of the floor. */
const GOAL = 1.05;

/** One round's figures and its breakdown, on one line. */
export function roundLine(run: ShortStormRun): string {
  const b = run.breakdown;
  return (
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
    `${run.dashboard.readyUpsertToClient.p50} max ${run.dashboard.readyUpsertToClient.max} s)`
  );
}

/** The rounds side by side. */
export function printRuns(runs: ShortStormRun[]): void {
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
}

export function shortStormGoals(runs: ShortStormRun[], sizes: Sizes, rounds: number): Goal[] {
  const each = rounds > 1 ? ` (each of ${rounds} rounds)` : '';
  return [
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
}
