/**
 * The benchmarks (never tests): `npm run bench` (full sizes) or `npm run bench -- --quick` (smaller sizes).
 *   --only provisioning,diy,operator,replay,scale,rate-limits,top-of-hour,short-storm,workflow-cache,dashboard,join,attendance   run a subset (comma-separated names)
 *   --temporal-address host:port   run on that cluster (npm run stack -- --workers 0) instead of dev servers;
 *                                  results go to bench/results/<name>-cluster.json
 * Each benchmark prints a table and writes bench/results/<name>[-quick].json; the summary (goal / measured /
 * met) goes to bench/results/latest[-quick].json.
 */
import * as os from 'node:os';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { benchDashboard } from './dashboard';
import { benchDiy } from './diy';
import { benchJoin } from './join';
import { benchAttendance } from './attendance';
import { benchOperator } from './operator-latency';
import { benchProvisioning } from './provisioning';
import { benchRateLimits } from './rate-limits';
import { benchReplay } from './replay';
import { benchScale } from './scale';
import { benchShortStorm } from './short-storm';
import { benchTopOfHour } from './top-of-hour';
import { benchWorkflowCache } from './workflow-cache';
import type { ProvisioningRun } from './provisioning';
import { useTemporalAddress } from './support/stack';
import { round } from './support/stats';
import { log, writeResult, type BenchOutcome, type Goal } from './support/results';
import { runMain } from '../client/cli/run-main';

type Bench = (quick: boolean, shared: Record<string, unknown>) => Promise<BenchOutcome>;

const BENCHES: Record<string, Bench> = {
  provisioning: (quick) => benchProvisioning(quick),
  diy: (quick, shared) => benchDiy(quick, shared.provisioning as { runs?: ProvisioningRun[] } | undefined),
  operator: (quick) => benchOperator(quick),
  replay: () => benchReplay(),
  scale: (quick) => benchScale(quick),
  'rate-limits': (quick) => benchRateLimits(quick),
  'top-of-hour': (quick) => benchTopOfHour(quick),
  'short-storm': (quick) => benchShortStorm(quick),
  'workflow-cache': (quick) => benchWorkflowCache(quick),
  dashboard: (quick) => benchDashboard(quick),
  join: (quick) => benchJoin(quick),
  attendance: (quick) => benchAttendance(quick),
};

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  return v && !v.startsWith('--') ? v : '';
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const quick = option('quick') !== undefined;
  const only = option('only');
  const names = only ? only.split(',').filter(Boolean) : Object.keys(BENCHES);
  for (const n of names)
    if (!BENCHES[n]) throw new Error(`unknown benchmark ${n}; known: ${Object.keys(BENCHES).join(', ')}`);
  const address = option('temporal-address');
  if (address === '') throw new Error('--temporal-address needs host:port');
  if (address !== undefined) useTemporalAddress(address);
  const suffix = `${quick ? '-quick' : ''}${address !== undefined ? '-cluster' : ''}`;
  const started = Date.now();
  const shared: Record<string, unknown> = {};
  const goals: Goal[] = [];
  const outcomes: Record<string, { seconds: number; file: string }> = {};
  for (const name of names) {
    const bench = BENCHES[name];
    if (!bench) continue;
    log(`== ${name}${quick ? ' (quick)' : ''}`);
    const t0 = Date.now();
    const outcome = await bench(quick, shared);
    shared[name] = outcome.result;
    const seconds = round((Date.now() - t0) / 1000, 1);
    const file = writeResult(`${name}${suffix}`, {
      date: new Date().toISOString(),
      quick,
      seconds,
      goals: outcome.goals,
      ...(outcome.result as object),
    });
    outcomes[name] = { seconds, file };
    goals.push(...outcome.goals);
    log(`== ${name} done in ${seconds}s, written ${file}`);
  }
  const wallSeconds = round((Date.now() - started) / 1000, 1);
  console.log('\nSummary');
  console.table(
    goals.map((g) => ({
      benchmark: g.benchmark,
      metric: g.metric,
      goal: g.goal,
      measured: g.measured,
      met: g.met === 'n/a' ? 'n/a' : g.met ? 'yes' : 'NO',
    })),
  );
  // A subset (--only) does not replace the summary of a whole run.
  const file = writeResult(`latest${suffix}${only ? '-partial' : ''}`, {
    date: new Date().toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim().replace(/ --$/, ''),
    temporal: address ?? 'a dev server per stack (Temporal CLI)',
    quick,
    wallSeconds,
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      note: 'cores shared with other engineers: figures are noisy',
    },
    benchmarks: outcomes,
    goals,
  });
  log(`all done in ${wallSeconds}s, summary written ${file}`);
}

runMain(main, { exit: 'now' });
