/**
 * `npm run chaos:trials -- --trials 20 [--seed S] [--kills K] [--stale-windows W] [--production-workers]`: the
 * operations chaos scenario (test/chaos/operations-trial.ts) many times with different seeds, by hand, and a
 * figures table for docs/reliability.md. Seeds are S, S+1, ... (default S = 1); W stale-run windows per trial
 * (default 2, as in CI). One dev server and one emulator serve every trial; each trial has its own task queue
 * and worker processes. `--production-workers` runs worker/main.ts itself (it bundles at every start: slower
 * restarts). Failed trials' histories go to chaos-histories/seed-N. Exit code 1 when any trial failed.
 */
import {
  FAILED_HISTORIES_DIR,
  describeTrial,
  runOperationsTrial,
  startChaosStack,
  trialPassed,
  type TrialResult,
} from '../test/chaos/operations-trial';
import { runMain } from '../client/cli/run-main';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function count(name: string, fallback: number): number {
  const raw = flag(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a whole number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<number> {
  const trials = count('trials', 20);
  const first = count('seed', 1);
  const kills = count('kills', 4);
  const staleWindows = count('stale-windows', 2);
  const entry = process.argv.includes('--production-workers') ? 'production' : 'harness';
  const stack = await startChaosStack();
  const results: TrialResult[] = [];
  const began = Date.now();
  try {
    for (let i = 0; i < trials; i++) {
      const r = await runOperationsTrial(stack, {
        seed: first + i,
        kills,
        staleWindows,
        entry,
        failedHistoriesDir: FAILED_HISTORIES_DIR,
        log: (line) => process.stderr.write(`  ${line}\n`),
      });
      results.push(r);
      process.stdout.write(`${trialPassed(r) ? 'PASS' : 'FAIL'} ${describeTrial(r)}\n`);
    }
  } finally {
    await stack.close();
  }
  const sum = (f: (r: TrialResult) => number): number => results.reduce((n, r) => n + f(r), 0);
  const rows: [string, string][] = [
    ['trials (seeds)', `${results.length} (${first}–${first + results.length - 1})`],
    ['trials passed', `${results.filter(trialPassed).length}`],
    ['webinars ENDED', `${sum((r) => r.completed)} / ${sum((r) => r.webinars)}`],
    ['nondeterminism errors (histories)', `${sum((r) => r.nondeterminism.length)}`],
    ['trials with nondeterminism', `${results.filter((r) => r.nondeterminism.length > 0).length}`],
    ['nondeterminism reported (worker logs, queries)', `${sum((r) => r.nondeterminismReported.length)}`],
    [
      'stale-run windows landed / queries answered from an advanced run',
      `${sum((r) => r.staleWindowsLanded)} of ${sum((r) => r.staleWindowsPlanned)} / ${sum((r) => r.staleAnswers.length)}`,
    ],
    ['duplicates', `${sum((r) => r.duplicates.length)}`],
    ['leaked meetings', `${sum((r) => r.leakedMeetings)}`],
    [
      'histories replayed',
      `${sum((r) => r.histories - r.replayFailures.length)} / ${sum((r) => r.histories)} ` +
        `(replayer results: ${sum((r) => r.replayed)}; runs listed: ${sum((r) => r.runsListed)})`,
    ],
    [
      'SIGKILLs landed / graceful restarts',
      `${sum((r) => r.killsLanded)} of ${sum((r) => r.kills.length)} / ${sum((r) => r.restarts.length)}`,
    ],
    [
      'queries answered (failed: refused by the guard / unanswered / other)',
      `${sum((r) => r.queries.ok)} (${sum((r) => r.queries.failed)}: ${sum((r) => r.queries.refused)} / ` +
        `${sum((r) => r.queries.unanswered)} / ${sum((r) => r.queries.otherErrors.length)} kinds)`,
    ],
    [
      'operator actions ok / rejected / failed',
      `${sum((r) => r.operator.ok)} / ${sum((r) => r.operator.rejected)} / ${sum((r) => r.operator.failed)}`,
    ],
    ['wall time', `${Math.round((Date.now() - began) / 1000)} s (${entry} workers)`],
  ];
  process.stdout.write(
    `\n| figure | value |\n|---|---|\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`,
  );
  return results.every(trialPassed) ? 0 : 1;
}

runMain(main, { exit: 'now' });
