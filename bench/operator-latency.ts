/**
 * Benchmark 3: operator latency under load. A small webinar is READY; its operator promotes and demotes a
 * speaker over and over (Update round-trip, client side) while (a) nothing else runs, (b) a full-size webinar
 * (5,000 attendees in --quick) registers and saturates the bulk budget, (c) 20 webinars provision at once.
 * Only samples taken while the load is provisioning count for (b) and (c).
 */
import type { WorkflowHandle } from '@temporalio/client';
import { attendeeQuery, statusQuery } from '../workflows/definitions';
import type { webinarWorkflow } from '../workflows';
import { demote, DEMOTE, PROMOTE, promoteAndDemote } from './operator-probe';
import {
  finishWebinars,
  externalTemporal,
  latencyStats,
  log,
  round,
  roster,
  sleep,
  soonSpec,
  startBenchStack,
  waitForStatus,
  type BenchOutcome,
  type BenchStack,
  type Goal,
} from './support';

type Handle = WorkflowHandle<typeof webinarWorkflow>;

interface Scenario {
  name: string;
  load: string;
  promote: ReturnType<typeof latencyStats>;
  demote: ReturnType<typeof latencyStats>;
  /** Seconds of sampling under load: first sample → last load webinar READY, or the 60th sample if sooner. */
  loadSeconds: number;
  throttledDuringLoad: number;
  callsDuringLoad: number;
  /** An operator action on a loaded webinar itself while it registers (it queues behind its provisioning). */
  ownWebinarAction?: { sentInPhase: string; seconds: number };
}

/** Promote/demote `target` in `webinar` until `done()` or `max` promote samples. */
async function sampleUntil(
  webinar: Handle,
  target: string,
  done: () => boolean,
  max: number,
): Promise<{ promote: number[]; demote: number[] }> {
  const promote: number[] = [];
  const demote: number[] = [];
  while (!done() && promote.length < max) {
    const sample = await promoteAndDemote(webinar, target);
    // A sample that straddles the end of the load is not a sample under load.
    if (done()) break;
    promote.push(sample.promote);
    demote.push(sample.demote);
  }
  return { promote, demote };
}

async function underLoad(
  stack: BenchStack,
  webinar: Handle,
  target: string,
  name: string,
  load: { webinars: number; attendees: number },
  max: number,
): Promise<Scenario> {
  const handles: Handle[] = [];
  for (let i = 0; i < load.webinars; i++) {
    handles.push(
      await stack.start(
        soonSpec(
          `op-load-${name.replace(/[^-_a-zA-Z0-9]/g, '')}-${i}-${Date.now() % 100000}`,
          roster(load.attendees, `l${i}`),
          500,
        ),
      ),
    );
  }
  // Sampling starts once every load webinar is registering (its meetings exist): the queue is saturated.
  await Promise.all(
    handles.map((h) =>
      // A small webinar can pass PROVISIONING between two polls: READY counts as past it.
      waitForStatus(h, (s) => (s.phase === 'PROVISIONING' && s.primary !== null) || s.phase === 'READY'),
    ),
  );
  let ready = 0;
  const before = stack.emulator.state().totals;
  const t0 = performance.now();
  const allReady = Promise.all(
    handles.map(async (h) => {
      await waitForStatus(h, (s) => s.phase === 'READY', 300_000, 200);
      ready++;
    }),
  );
  // One action on the loaded webinar itself while it is still registering (its host is registered first).
  const first = handles[0] as Handle;
  const ownAction = (async () => {
    const host = `l0-host`;
    for (;;) {
      const ok = await first.query(attendeeQuery, { externalUserId: host }).then(
        () => true,
        () => false,
      );
      if (ok) break;
      await sleep(100);
    }
    const phase = (await first.query(statusQuery)).phase;
    return { sentInPhase: phase, seconds: round(await demote(first, host)) };
  })();
  // Samples count while any load webinar is still provisioning.
  const samples = await sampleUntil(webinar, target, () => ready === handles.length, max);
  const firstReadyAt = performance.now();
  await allReady;
  const own = await ownAction;
  log(`  ${name}: ${DEMOTE} on the loaded webinar itself, sent in ${own.sentInPhase}: ${own.seconds}s`);
  const after = stack.emulator.state().totals;
  log(`  ${name}: ${samples.promote.length} samples in ${round((firstReadyAt - t0) / 1000, 1)}s of load`);
  await finishWebinars(handles);
  return {
    name,
    load: `${load.webinars} × ${load.attendees}`,
    promote: latencyStats(samples.promote),
    demote: latencyStats(samples.demote),
    loadSeconds: round((firstReadyAt - t0) / 1000, 1),
    throttledDuringLoad: after.throttled - before.throttled,
    callsDuringLoad: after.calls - before.calls,
    ownWebinarAction: own,
  };
}

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
  const goals: Goal[] = scenarios
    .filter((s) => !s.name.startsWith('idle'))
    .map((s) => ({
      benchmark: '3 operator latency',
      metric: `${PROMOTE} p99 under ${s.load} provisioning${s.name.includes('[') ? ', 4 partitions (server default, for comparison)' : ''} (${s.promote.n} samples)`,
      goal: '< 1 s',
      measured: `p50 ${s.promote.p50}s, p95 ${s.promote.p95}s, p99 ${s.promote.p99}s`,
      met: s.promote.n > 0 && s.promote.p99 < 1,
    }));
  return { name: 'operator', goals, result: { scenarios } };
}
