/**
 * The short storm: K webinars of N attendees with one start on one control Region, a lead shorter
 * than the work, no other webinar and no operator, measured as a plain client sees it. A client polls
 * `WebinarClient.status()` (the published memo, read through describe) for every webinar and records when it
 * first reads READY (or LIVE: the start may come first); the histories' READY upserts give the same figure from
 * inside, in the same run. Full size: 14 × 1,200, lead 20 s, a floor of 26 s, where fixed costs that a long
 * floor hides show. The JSON breaks the client's all-READY time down along the critical path (see `Breakdown`).
 *
 * In bench/short-storm/: one round's storm, its critical-path breakdown, and the report.
 */
import { log, type BenchOutcome } from './support/results';
import {
  CLIENT_POLL_MS,
  DASHBOARD_POLL_MS,
  runOnce,
  type ShortStormRun,
  type Sizes,
} from './short-storm/storm';
import { printRuns, roundLine, shortStormGoals } from './short-storm/report';

const SIZES: Record<'full' | 'quick', Sizes> = {
  full: { webinars: 14, attendees: 1_200, leadSeconds: 20 },
  quick: { webinars: 6, attendees: 600, leadSeconds: 15 },
};
const ROUNDS = { full: 3, quick: 1 };

export async function benchShortStorm(quick: boolean): Promise<BenchOutcome> {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const runs: ShortStormRun[] = [];
  for (let n = 1; n <= rounds; n++) {
    log(
      `short-storm round ${n}/${rounds}: ${sizes.webinars} × ${sizes.attendees}, one start, lead ${sizes.leadSeconds} s`,
    );
    const run = await runOnce(sizes);
    runs.push(run);
    log(roundLine(run));
  }
  printRuns(runs);
  const goals = shortStormGoals(runs, sizes, rounds);
  return {
    name: 'short-storm',
    goals,
    result: { sizes, rounds, clientPollMs: CLIENT_POLL_MS, dashboardPollMs: DASHBOARD_POLL_MS, runs },
  };
}
