/**
 * Benchmark 3: operator latency under load. A small webinar is READY; its operator promotes and demotes a
 * speaker over and over (Update round-trip, client side) while (a) nothing else runs, (b) a full-size webinar
 * (5,000 attendees in --quick) registers and saturates the bulk budget, (c) 20 webinars provision at once.
 * Only samples taken while the load is provisioning count for (b) and (c): operator-latency/under-load.ts.
 * (d) At full size with the default reserve (41 full meetings: 10,240 attendees + 10 reserved seats), the
 * operator promotes replica viewers of that webinar, at most the reserve held at once and each demoted after,
 * while other webinars provision; a primary viewer of the same webinar is promoted between them for reference:
 * operator-latency/full-size.ts.
 */
import { PROMOTE } from './operator-probe';
import { externalTemporal, startBenchStack } from './support/stack';
import { finishWebinars, roster, soonSpec } from './support/webinars';
import { waitForStatus } from './support/polling';
import { latencyStats } from './support/stats';
import { log, type BenchOutcome, type Goal } from './support/results';
import { sampleUntil, underLoad, type Scenario } from './operator-latency/under-load';
import { fullSizePromotions } from './operator-latency/full-size';
import { fullSizeGoals, printFullSize } from './operator-latency/full-size-report';

export async function benchOperator(quick: boolean): Promise<BenchOutcome> {
  const big = quick ? 5_000 : 10_250;
  const max = 60;
  const scenarios: Scenario[] = [];
  // The project's dev server (1 partition per task queue), then the server's default of 4 for comparison.
  // On an existing cluster (--temporal-address) its dynamic config decides the partitions.
  for (const partitions of externalTemporal() ? [undefined] : [undefined, 4]) {
    const tag = partitions ? ` [${partitions} partitions]` : '';
    const stack = await startBenchStack({ partitions });
    try {
      const webinar = await stack.start(soonSpec(`op-target-${Date.now() % 100000}`, roster(20, 'op'), 500));
      await waitForStatus(webinar, (s) => s.phase === 'READY');
      const target = 'op-viewer-0';
      log(`operator${tag}: idle`);
      const idle = await sampleUntil(webinar, target, () => false, partitions ? 10 : 20);
      scenarios.push({
        name: `idle${tag}`,
        load: 'none',
        promote: latencyStats(idle.promote),
        demote: latencyStats(idle.demote),
        loadSeconds: 0,
        throttledDuringLoad: 0,
        callsDuringLoad: 0,
      });
      log(`operator${tag}: under a ${big}-attendee registration`);
      scenarios.push(
        await underLoad(stack, webinar, target, `full-size${tag}`, { webinars: 1, attendees: big }, max),
      );
      if (!partitions) {
        // (The experiment skips this one to keep `npm run bench` under 10 minutes.)
        log(`operator${tag}: with 20 webinars provisioning`);
        scenarios.push(
          await underLoad(stack, webinar, target, `20-webinars${tag}`, { webinars: 20, attendees: 500 }, max),
        );
      }
      await finishWebinars([webinar]);
    } finally {
      await stack.shutdown();
    }
  }
  console.table(
    scenarios.map((s) => ({
      scenario: s.name,
      load: s.load,
      samples: s.promote.n,
      'promote p50 s': s.promote.p50,
      'p95 s': s.promote.p95,
      'p99 s': s.promote.p99,
      'max s': s.promote.max,
      'demote p99 s': s.demote.p99,
      'sampled s': s.loadSeconds,
      'throttled (load)': `${s.throttledDuringLoad}/${s.callsDuringLoad}`,
      'own webinar s': s.ownWebinarAction
        ? `${s.ownWebinarAction.seconds} (${s.ownWebinarAction.sentInPhase})`
        : '',
    })),
  );
  log(`operator: full size with the promotion reserve`);
  const fullSize = await fullSizePromotions(quick);
  const f = fullSize;
  printFullSize(f);
  const goals: Goal[] = scenarios
    .filter((s) => !s.name.startsWith('idle'))
    .map((s) => ({
      benchmark: '3 operator latency',
      metric: `${PROMOTE} p99 under ${s.load} provisioning${s.name.includes('[') ? ', 4 partitions (server default, for comparison)' : ''} (${s.promote.n} samples)`,
      goal: '< 1 s',
      measured: `p50 ${s.promote.p50}s, p95 ${s.promote.p95}s, p99 ${s.promote.p99}s`,
      met: s.promote.n > 0 && s.promote.p99 < 1,
    }));
  goals.push(...fullSizeGoals(fullSize));
  return { name: 'operator', goals, result: { scenarios, fullSize } };
}
