/**
 * Top of the hour: K webinars of N attendees, one 10,000-attendee and one 300-attendee webinar,
 * all with the same start on one control Region (the worker's default), the emulator at the real limits (10
 * calls/s, burst 20) in its own process, and a provisioning lead shorter than the work. An operator promotes and
 * demotes a viewer of an already READY webinar during the storm.
 *
 * The scenario runs per worker configuration in the same process (CONFIGURATIONS), in interleaved rounds (3 at
 * full size), so a change is measured beside today's behaviour. Figures: webinars whose presenters are registered
 * at the start, attendees registered at the start vs the most the window's budget allows, time until every
 * webinar is READY vs the floor ((calls − burst) / rate), the 300-attendee webinar's time to READY vs its own
 * floor, and the operator's promote p99 over the rounds' pooled samples.
 *
 * In bench/top-of-hour/: the configurations, one round's storm and its measurement, and the report.
 */
import { log, type BenchOutcome } from './support/results';
import { CONFIGURATIONS } from './top-of-hour/configurations';
import { runOnce, type Sizes, type TopOfHourRun } from './top-of-hour/storm';
import { printSummaries, roundLine, summarize, topOfHourGoals } from './top-of-hour/report';

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
      log(roundLine(run));
    }
  }
  const summaries = CONFIGURATIONS.map((c) =>
    summarize(
      c.name,
      runs.filter((r) => r.configuration === c.name),
    ),
  );
  printSummaries(summaries);
  const same = !CONFIGURATIONS.some((c) => c.changesBehaviour);
  if (same) log('  both configurations run the same worker');
  const goals = topOfHourGoals(summaries, sizes);
  return { name: 'top-of-hour', goals, result: { sizes, rounds, sameWorker: same, summaries, runs } };
}
