/**
 * The cost of running webinar workers with no workflow cache (WORKFLOW_CACHE_SIZE=0, client/temporal/workflow-code.ts),
 * beside workers that cache runs (WORKFLOW_CACHE_SIZE=1000, the reference), measured in the same run: one webinar provisions, then a
 * client reads `status` in a loop and an operator promotes and demotes a speaker. Reported: the worker process's
 * CPU time per phase and the client-side latencies, and each figure's ratio uncached / cached.
 */
import { statusQuery } from '../workflows/definitions';
import { PROMOTE, promoteAndDemote } from './operator-probe';
import { startBenchStack } from './support/stack';
import { finishWebinars, roster, soonSpec } from './support/webinars';
import { waitForStatus } from './support/polling';
import { latencyStats, round } from './support/stats';
import { log, type BenchOutcome, type Goal } from './support/results';
import { wholeHistory } from './support/histories';

interface CacheRun {
  workflowCacheSize: number;
  attendees: number;
  historyEvents: number;
  provisioningSeconds: number;
  provisioningCpuSeconds: number;
  queries: ReturnType<typeof latencyStats>;
  cpuMsPerQuery: number;
  promote: ReturnType<typeof latencyStats>;
}

const cpuSeconds = (since: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1e6;
};

async function measure(workflowCacheSize: number, attendees: number, queries: number): Promise<CacheRun> {
  const stack = await startBenchStack({ workflowCacheSize });
  try {
    const t0 = performance.now();
    let cpu = process.cpuUsage();
    const handle = await stack.start(
      soonSpec(`cache-${workflowCacheSize}-${Date.now() % 100000}`, roster(attendees)),
    );
    await waitForStatus(handle, (s) => s.phase === 'READY', 600_000, 500);
    const provisioningSeconds = (performance.now() - t0) / 1000;
    const provisioningCpuSeconds = cpuSeconds(cpu);

    const latencies: number[] = [];
    cpu = process.cpuUsage();
    for (let i = 0; i < queries; i++) {
      const t = performance.now();
      await handle.query(statusQuery);
      latencies.push((performance.now() - t) / 1000);
    }
    const cpuMsPerQuery = (cpuSeconds(cpu) * 1000) / queries;

    const promote: number[] = [];
    for (let i = 0; i < 20; i++) {
      promote.push((await promoteAndDemote(handle, 'u-viewer-0')).promote);
    }
    const historyEvents = (await wholeHistory(handle)).events?.length ?? 0;
    await finishWebinars([handle]);
    return {
      workflowCacheSize,
      attendees,
      historyEvents,
      provisioningSeconds: round(provisioningSeconds, 1),
      provisioningCpuSeconds: round(provisioningCpuSeconds, 2),
      queries: latencyStats(latencies),
      cpuMsPerQuery: round(cpuMsPerQuery, 2),
      promote: latencyStats(promote),
    };
  } finally {
    await stack.shutdown();
  }
}

export async function benchWorkflowCache(quick: boolean): Promise<BenchOutcome> {
  const attendees = quick ? 2_000 : 10_000;
  const queries = quick ? 200 : 500;
  const cached = await measure(1_000, attendees, queries);
  const uncached = await measure(0, attendees, queries);
  const ratio = (a: number, b: number): number => (b > 0 ? round(a / b, 2) : 0);
  const rows = [
    ['history events at the end', cached.historyEvents, uncached.historyEvents, '–'],
    [
      'provisioning wall time (s)',
      cached.provisioningSeconds,
      uncached.provisioningSeconds,
      ratio(uncached.provisioningSeconds, cached.provisioningSeconds),
    ],
    [
      'provisioning CPU of this process (s)',
      cached.provisioningCpuSeconds,
      uncached.provisioningCpuSeconds,
      ratio(uncached.provisioningCpuSeconds, cached.provisioningCpuSeconds),
    ],
    [
      'status query p50 (ms)',
      cached.queries.p50 * 1000,
      uncached.queries.p50 * 1000,
      ratio(uncached.queries.p50, cached.queries.p50),
    ],
    [
      'status query p99 (ms)',
      cached.queries.p99 * 1000,
      uncached.queries.p99 * 1000,
      ratio(uncached.queries.p99, cached.queries.p99),
    ],
    [
      'CPU per status query (ms)',
      cached.cpuMsPerQuery,
      uncached.cpuMsPerQuery,
      ratio(uncached.cpuMsPerQuery, cached.cpuMsPerQuery),
    ],
    [
      `${PROMOTE} p50 (ms)`,
      cached.promote.p50 * 1000,
      uncached.promote.p50 * 1000,
      ratio(uncached.promote.p50, cached.promote.p50),
    ],
    [
      `${PROMOTE} p99 (ms)`,
      cached.promote.p99 * 1000,
      uncached.promote.p99 * 1000,
      ratio(uncached.promote.p99, cached.promote.p99),
    ],
  ] as const;
  log(`\nWorkflow cache: one webinar of ${attendees} attendees, ${queries} status queries, 20 promotions`);
  log('| figure | cache 1000 (reference) | no cache | ratio |\n|---|---|---|---|');
  for (const [name, a, b, r] of rows)
    log(`| ${name} | ${round(Number(a), 2)} | ${round(Number(b), 2)} | ${r} |`);
  const goals: Goal[] = [];
  return { name: 'workflow-cache', result: { cached, uncached }, goals };
}
