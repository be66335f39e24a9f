/** Scenario (d)'s report: its table and its goals. */
import { PROMOTE } from '../operator-probe';
import type { Goal } from '../support/results';
import type { latencyStats } from '../support/stats';
import type { FullSizePromotions } from './full-size';

/** Replica viewers against the primary viewer of the same webinar. */
export function printFullSize(f: FullSizePromotions): void {
  console.table([
    {
      promoted: 'replica viewer (CreateAttendee in the primary)',
      load: f.load,
      samples: f.replicaViewer.promote.n,
      'p50 s': f.replicaViewer.promote.p50,
      'p95 s': f.replicaViewer.promote.p95,
      'p99 s': f.replicaViewer.promote.p99,
      'max s': f.replicaViewer.promote.max,
      succeeded: `${f.replicaViewer.succeeded}/${f.replicaViewer.attempted}`,
      'demote p99 s': f.replicaViewer.demote.p99,
    },
    {
      promoted: 'primary viewer (reference)',
      load: f.load,
      samples: f.primaryViewer.promote.n,
      'p50 s': f.primaryViewer.promote.p50,
      'p95 s': f.primaryViewer.promote.p95,
      'p99 s': f.primaryViewer.promote.p99,
      'max s': f.primaryViewer.promote.max,
      succeeded: `${f.primaryViewer.succeeded}/${f.primaryViewer.attempted}`,
      'demote p99 s': '',
    },
  ]);
}

/** The goal for promoting a replica viewer of a full webinar: as fast as an idle webinar's operator lane. */
const FULL_PROMOTE_GOAL_SECONDS = 0.15;

/** The goals of scenario (d): the replica viewers' p99, every promotion succeeding, the rejection. */
export function fullSizeGoals(f: FullSizePromotions): Goal[] {
  const r = f.replicaViewer;
  const ms = (s: number): string => `${Math.round(s * 1000)} ms`;
  const stats = (x: ReturnType<typeof latencyStats>): string =>
    `p50 ${ms(x.p50)}, p95 ${ms(x.p95)}, p99 ${ms(x.p99)}`;
  const goals: Goal[] = [
    {
      benchmark: '3 operator latency',
      metric:
        `${PROMOTE} p99 of a replica viewer, full size (${f.webinar.fullMeetings} full meetings: ` +
        `${f.webinar.attendees} + reserve ${f.webinar.promotionReserve}), under ${f.load} provisioning ` +
        `(${r.promote.n} samples)`,
      goal: `< ${FULL_PROMOTE_GOAL_SECONDS * 1000} ms`,
      measured: `${stats(r.promote)}; reference, a primary viewer of the same webinar: ${stats(f.primaryViewer.promote)} (${f.primaryViewer.promote.n} samples)`,
      met: r.promote.n > 0 && r.promote.p99 < FULL_PROMOTE_GOAL_SECONDS,
    },
    {
      benchmark: '3 operator latency',
      metric: `replica viewers promoted at full size, at most ${f.webinar.promotionReserve} held at once`,
      goal: 'all succeed',
      measured: `${r.succeeded}/${r.attempted} (at most ${r.heldAtOnceMax} held)`,
      met: r.attempted > 0 && r.succeeded === r.attempted,
    },
  ];
  if (f.overReserve) {
    goals.push({
      benchmark: '3 operator latency',
      metric: 'one more replica viewer with the reserve used up',
      goal: 'refused, naming promotionReserve',
      measured: `${f.overReserve.rejected ? 'refused' : 'ACCEPTED'} in ${ms(f.overReserve.seconds)}${f.overReserve.namesPromotionReserve ? ', names promotionReserve' : ''}`,
      met: f.overReserve.rejected && f.overReserve.namesPromotionReserve,
    });
  }
  return goals;
}
