/**
 * The status read model's freshness and cost: a dashboard polls every webinar of a top-of-the-hour
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
 *
 * In bench/dashboard/: the modes, the stack (a worker process of its own), the poller (the dashboard), one storm
 * and its measurement, and the report.
 */
import { roster, soonSpec, finishWebinars } from './support/webinars';
import { waitForStatus } from './support/polling';
import { sum } from './support/stats';
import { loadAverage } from './support/process';
import { log, type BenchOutcome } from './support/results';
import { MODES } from './dashboard/modes';
import { startStack } from './dashboard/stack';
import { runStorm, type ModeRun, type Sizes } from './dashboard/storm';
import { dashboardOutcome, stormLine } from './dashboard/report';

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
        log(stormLine(r));
      }
    }
  } finally {
    await stack.shutdown();
  }
  return dashboardOutcome(runs, sizes, webinars);
}
