/**
 * Scenario (d): a full-size webinar with the default promotion reserve, READY; while other webinars provision,
 * the operator promotes its replica viewers (at most the reserve held at once, each demoted after), a primary
 * viewer between them for reference, and one more replica viewer once the reserve is used up.
 */
import type { Client } from '@temporalio/client';
import { attendeeQuery } from '../../workflows/definitions';
import { DEFAULT_PROMOTION_RESERVE, MAX_ATTENDEES } from '../../domain/limits';
import type { WebinarStatus } from '../../domain/types';
import { DEMOTE, PROMOTE, timedAction } from '../operator-probe';
import { startBenchStackBesideEmulatorProcess } from '../support/stack';
import { finishWebinars, roster, soonSpec } from '../support/webinars';
import { sleep, waitForStatus } from '../support/polling';
import { SEATS } from '../support/calls';
import { latencyStats, round } from '../support/stats';
import { log } from '../support/results';
import { startLoad, watchLoad } from './load';

/** The full size with the default reserve: 41 full meetings hold 10,240 attendees beside the 10 reserved seats. */
const FULL_WITH_RESERVE = MAX_ATTENDEES - DEFAULT_PROMOTION_RESERVE;
/**
 * The operator's pause after each action: at most about 3 calls/s, under the operator lane's 5/s, so the lane's
 * pacing of a back-to-back operator (scenarios above) is not what this figure measures.
 */
const FULL_PAUSE_MS = 250;
export interface FullSizePromotions {
  webinar: {
    attendees: number;
    promotionReserve: number;
    meetings: number;
    /** Meetings whose seats are all taken (the primary's reserve counted as taken). */
    fullMeetings: number;
    primarySeats: number;
    readySeconds: number;
  };
  load: string;
  /** Seconds of sampling under load: first sample → every load webinar READY. */
  loadSeconds: number;
  callsDuringLoad: number;
  throttledDuringLoad: number;
  /** Replica viewers promoted (a CreateAttendee in the primary), counted only while the load provisions. */
  replicaViewer: {
    promote: ReturnType<typeof latencyStats>;
    demote: ReturnType<typeof latencyStats>;
    /** Every attempt of the run (also those after the load ended), and how many succeeded. */
    attempted: number;
    succeeded: number;
    failures: string[];
    /** The most replica viewers held promoted at once. */
    heldAtOnceMax: number;
  };
  /** Reference: a viewer seated in the primary promoted (an UpdateAttendeeCapabilities) between them. */
  primaryViewer: { promote: ReturnType<typeof latencyStats>; attempted: number; succeeded: number };
  /** One more replica viewer while the reserve is used up: it must be refused, naming promotionReserve. */
  overReserve?: { rejected: boolean; namesPromotionReserve: boolean; seconds: number; message: string };
  /** When the full webinar's later runs started (each a continue-as-new), during or after the sampling. */
  continuedAsNewAt: string[];
  /** The three slowest promotions under load, and whether a continue-as-new happened while each was in flight. */
  slowest: { ms: number; viewer: 'replica' | 'primary'; sentAt: string; duringContinueAsNew: boolean }[];
}

/** Start times (epoch ms) of every run of a workflow ID, oldest first, from visibility. */
async function runStarts(stack: { env: { client: Client } }, workflowId: string): Promise<number[]> {
  const starts: number[] = [];
  for await (const run of stack.env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
    starts.push(run.startTime.getTime());
  return starts.sort((a, b) => a - b);
}

/** Promotions of replica viewers in a full-size webinar (the reserve in use) while others provision. */
export async function fullSizePromotions(quick: boolean): Promise<FullSizePromotions> {
  // The emulator in its own process (as top-of-hour runs it): its work on the worker's event loop would delay the
  // operator's workflow tasks, which is what a 150 ms goal measures.
  const stack = await startBenchStackBesideEmulatorProcess();
  try {
    const tag = Date.now() % 100000;
    const prefix = 'pf';
    // No promotionReserve in the input: the default (10) is what the figure is for.
    const webinar = await stack.start(soonSpec(`op-full-${tag}`, roster(FULL_WITH_RESERVE, prefix), 500));
    const t0 = performance.now();
    const status: WebinarStatus = await waitForStatus(webinar, (s) => s.phase === 'READY', 300_000, 200);
    const readySeconds = round((performance.now() - t0) / 1000, 1);
    const primaryId = status.primary?.meetingId;
    if (!primaryId) throw new Error('full-size webinar READY without a primary meeting');
    const inReplicas = status.replicas.reduce((sum, r) => sum + r.attendees, 0);
    const primarySeats = status.attendees.registered - inReplicas;
    const reserve = DEFAULT_PROMOTION_RESERVE;
    const fullMeetings =
      status.replicas.filter((r) => r.attendees >= SEATS).length + (primarySeats + reserve >= SEATS ? 1 : 0);
    log(
      `operator: full size ${FULL_WITH_RESERVE} READY in ${readySeconds}s: ${status.replicas.length + 1} meetings, ` +
        `${fullMeetings} full, primary ${primarySeats} + ${reserve} reserved`,
    );
    // Viewers by meeting: the first viewers sit in replicas, the primary's are taken from the Regions' ends.
    const viewers = FULL_WITH_RESERVE - 5;
    const inPrimary = async (i: number): Promise<boolean> =>
      (await webinar.query(attendeeQuery, { externalUserId: `${prefix}-viewer-${i}` })).meetingId ===
      primaryId;
    const replicaViewers: string[] = [];
    for (let i = 0; replicaViewers.length <= reserve && i < viewers; i++)
      if (!(await inPrimary(i))) replicaViewers.push(`${prefix}-viewer-${i}`);
    let primaryViewer: string | undefined;
    for (let i = viewers - 1; primaryViewer === undefined && i >= viewers - 2 * SEATS; i--)
      if (await inPrimary(i)) primaryViewer = `${prefix}-viewer-${i}`;
    if (!primaryViewer || replicaViewers.length <= reserve)
      throw new Error('full-size webinar: no primary viewer or too few replica viewers found');
    // The 11th replica viewer: promoted only while the 10 others hold the whole reserve.
    const extra = replicaViewers.pop() as string;

    const load = quick ? { webinars: 2, attendees: 5_000 } : { webinars: 3, attendees: 10_250 };
    const handles = await startLoad(stack, load.webinars, (i) =>
      soonSpec(`op-fload-${i}-${tag}`, roster(load.attendees, `fl${i}`), 500),
    );
    const before = await stack.emulator.counters();
    const s0 = performance.now();
    const watch = watchLoad(handles);
    const loading = watch.loading;
    const max = 200;
    const replicaPromote: number[] = [];
    const replicaDemote: number[] = [];
    const primaryPromote: number[] = [];
    const failures: string[] = [];
    /** Every promotion sampled under load, when it was sent (epoch ms): the slowest are set beside the runs. */
    const sent: { seconds: number; sentAt: number; viewer: 'replica' | 'primary' }[] = [];
    let attempted = 0;
    let succeeded = 0;
    let refAttempted = 0;
    let refSucceeded = 0;
    let heldAtOnceMax = 0;
    let overReserve: FullSizePromotions['overReserve'];
    const pause = (): Promise<void> => sleep(FULL_PAUSE_MS);
    while (loading() && replicaPromote.length < max) {
      // A round: the reserve's 10 replica viewers promoted one by one and held, then each demoted.
      const held: string[] = [];
      for (const [i, viewer] of replicaViewers.entries()) {
        if (!loading()) break;
        attempted++;
        const sentAt = Date.now();
        const p = await timedAction(webinar, PROMOTE, viewer);
        if (p.ok) {
          succeeded++;
          held.push(viewer);
          if (loading()) {
            replicaPromote.push(p.seconds);
            sent.push({ seconds: p.seconds, sentAt, viewer: 'replica' });
          }
        } else failures.push(p.message ?? 'rejected');
        heldAtOnceMax = Math.max(heldAtOnceMax, held.length);
        await pause();
        if (i % 2 === 1 && loading()) {
          // Reference, same webinar, same load: a primary viewer (no reserve seat needed), promoted and demoted.
          refAttempted++;
          const refSentAt = Date.now();
          const r = await timedAction(webinar, PROMOTE, primaryViewer);
          if (r.ok) refSucceeded++;
          if (r.ok && loading()) {
            primaryPromote.push(r.seconds);
            sent.push({ seconds: r.seconds, sentAt: refSentAt, viewer: 'primary' });
          }
          await pause();
          await timedAction(webinar, DEMOTE, primaryViewer);
          await pause();
        }
      }
      if (overReserve === undefined && held.length === reserve && loading()) {
        const o = await timedAction(webinar, PROMOTE, extra);
        if (o.ok) await timedAction(webinar, DEMOTE, extra);
        overReserve = {
          rejected: !o.ok,
          namesPromotionReserve: (o.message ?? '').includes('promotionReserve'),
          seconds: round(o.seconds),
          message: o.message ?? 'accepted',
        };
        log(`  full size: an 11th replica viewer with the reserve used up: ${overReserve.message}`);
        await pause();
      }
      for (const viewer of held) {
        const d = await timedAction(webinar, DEMOTE, viewer);
        if (!d.ok) throw new Error(`demoting ${viewer} failed: ${d.message}`);
        if (loading()) replicaDemote.push(d.seconds);
        await pause();
      }
    }
    const stoppedAt = performance.now();
    await watch.allReady;
    const after = await stack.emulator.counters();
    const loadSeconds = round((Math.min(watch.endedAt() ?? s0, stoppedAt) - s0) / 1000, 1);
    log(
      `  full size: ${replicaPromote.length} replica-viewer promotions (${succeeded}/${attempted} succeeded) ` +
        `and ${primaryPromote.length} primary-viewer ones in ${loadSeconds}s of load`,
    );
    const runsStartedAt = await runStarts(stack, webinar.workflowId);
    const slowest = [...sent]
      .sort((a, b) => b.seconds - a.seconds)
      .slice(0, 3)
      .map((x) => ({
        ms: Math.round(x.seconds * 1000),
        viewer: x.viewer,
        sentAt: new Date(x.sentAt).toISOString(),
        // A new run (continue-as-new) started while this promotion was in flight.
        duringContinueAsNew: runsStartedAt.some(
          (t) => t >= x.sentAt - 1_000 && t <= x.sentAt + x.seconds * 1000,
        ),
      }));
    log(`  full size: slowest promotions ${JSON.stringify(slowest)}; runs started ${runsStartedAt.length}`);
    await finishWebinars([...handles, webinar]);
    return {
      webinar: {
        attendees: FULL_WITH_RESERVE,
        promotionReserve: reserve,
        meetings: status.replicas.length + 1,
        fullMeetings,
        primarySeats,
        readySeconds,
      },
      load: `${load.webinars} × ${load.attendees}`,
      loadSeconds,
      callsDuringLoad: after.totals.calls - before.totals.calls,
      throttledDuringLoad: after.totals.throttled - before.totals.throttled,
      replicaViewer: {
        promote: latencyStats(replicaPromote),
        demote: latencyStats(replicaDemote),
        attempted,
        succeeded,
        failures,
        heldAtOnceMax,
      },
      primaryViewer: {
        promote: latencyStats(primaryPromote),
        attempted: refAttempted,
        succeeded: refSucceeded,
      },
      ...(overReserve ? { overReserve } : {}),
      continuedAsNewAt: runsStartedAt.slice(1).map((t) => new Date(t).toISOString()),
      slowest,
    };
  } finally {
    await stack.shutdown();
  }
}
