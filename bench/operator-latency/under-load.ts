/**
 * Scenarios (a) to (c): the operator promotes and demotes one viewer of a small READY webinar, back to back,
 * with nothing else running or while a load provisions; only samples taken under the load count.
 */
import { attendeeQuery, statusQuery } from '../../workflows/definitions';
import { demote, DEMOTE, promoteAndDemote } from '../operator-probe';
import type { BenchStack } from '../support/stack';
import { finishWebinars, roster, soonSpec } from '../support/webinars';
import { sleep } from '../support/polling';
import { latencyStats, round } from '../support/stats';
import { log } from '../support/results';
import { startLoad, watchLoad, type Handle } from './load';

export interface Scenario {
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
export async function sampleUntil(
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

export async function underLoad(
  stack: BenchStack,
  webinar: Handle,
  target: string,
  name: string,
  load: { webinars: number; attendees: number },
  max: number,
): Promise<Scenario> {
  const handles = await startLoad(stack, load.webinars, (i) =>
    soonSpec(
      `op-load-${name.replace(/[^-_a-zA-Z0-9]/g, '')}-${i}-${Date.now() % 100000}`,
      roster(load.attendees, `l${i}`),
      500,
    ),
  );
  const before = stack.emulator.state().totals;
  const t0 = performance.now();
  const watch = watchLoad(handles);
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
  const samples = await sampleUntil(webinar, target, () => !watch.loading(), max);
  const firstReadyAt = performance.now();
  await watch.allReady;
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
