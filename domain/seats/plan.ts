/**
 * The seat plan: which meeting (the primary or one of its replicas) each attendee joins at provisioning.
 * Pure and deterministic (the workflow recomputes it on replay): the same input always gives the same plan.
 */
import { ATTENDEES_PER_MEETING, DEFAULT_PROMOTION_RESERVE } from '../limits';
import { nearestRegion, REGION_COORDINATES, regionDistanceKm } from '../regions';
import type { AttendeeSpec } from '../types';
import { floorMeetings, seatingProblem } from './fit';
import {
  effectiveReplicaRegions,
  hasUsableRegion,
  MIN_REPLICA_FILL_SHARE,
  PLACEMENT_ALLOWANCE,
  type PlannedMeeting,
  type SeatOptions,
  type SeatPlan,
  type SeatPlanInput,
} from './rules';

/** Distance used to order Regions by closeness to the primary; unknown Regions rank last. */
function distanceFrom(from: string, to: string): number {
  return regionDistanceKm(from, to) ?? Infinity;
}

/**
 * Plans the meetings of a webinar in the fewest meetings: ceil((attendees + reserve) / seats), and up to
 * PLACEMENT_ALLOWANCE more only when the plan with them does open more replicas and none of its replicas holds
 * fewer than MIN_REPLICA_FILL_SHARE of a meeting. Within that replica budget:
 * - Hosts and speakers go to the primary.
 * - The primary keeps `promotionReserve` seats free.
 * - Viewers without a Region fill the primary first; the rest of the primary is filled with the viewers whose
 *   moving saves the most replicas, then with viewers of the Region nearest the primary.
 * - Other viewers go to replicas in their own Region when it is listed, else in the listed Region nearest
 *   theirs (viewers without a Region: the Region nearest the primary's). No replicaRegions: replicas are in
 *   the primaryRegion.
 * - Replicas are filled to capacity; when the budget cannot give every Region its own replicas, the smallest
 *   remainders go to the nearest Region that still has room.
 */
export function planSeats(
  input: SeatPlanInput,
  options: SeatOptions,
): { ok: true; plan: SeatPlan } | { ok: false; message: string } {
  const perMeeting = options.attendeesPerMeeting ?? ATTENDEES_PER_MEETING;
  const hostsAndSpeakers = input.attendees.filter((attendee) => attendee.role !== 'viewer').length;
  const reserve = options.promotionReserve ?? DEFAULT_PROMOTION_RESERVE;
  const problem = seatingProblem(
    input.attendees.length,
    hostsAndSpeakers,
    options.maxReplicas,
    perMeeting,
    reserve,
  );
  if (problem !== undefined) return { ok: false, message: problem };
  const place = (replicaBudget: number): SeatPlan => placeWithin(input, perMeeting, reserve, replicaBudget);
  // The floor, then one meeting more only if no replica of that plan is nearly empty.
  const floor = floorMeetings(input.attendees.length + reserve, perMeeting);
  let plan = place(Math.min(options.maxReplicas, floor - 1));
  const minFill = Math.ceil(perMeeting * MIN_REPLICA_FILL_SHARE);
  for (let extra = 1; extra <= PLACEMENT_ALLOWANCE; extra++) {
    const budget = Math.min(options.maxReplicas, floor - 1 + extra);
    if (budget <= plan.replicas.length) break;
    const wider = place(budget);
    if (wider.replicas.length <= plan.replicas.length) break;
    if (wider.replicas.some((replica) => replica.attendees.length < minFill)) break;
    plan = wider;
  }
  return { ok: true, plan };
}

/** The placement of planSeats with at most `maxReplicas` replicas (capacity already checked). */
function placeWithin(
  input: SeatPlanInput,
  perMeeting: number,
  reserve: number,
  maxReplicas: number,
): SeatPlan {
  const primaryRegion = input.primaryRegion;
  const regions = effectiveReplicaRegions(primaryRegion, input.replicaRegions);

  const primary: AttendeeSpec[] = [];
  const viewers: AttendeeSpec[] = [];
  for (const attendee of input.attendees) {
    if (attendee.role === 'viewer') viewers.push(attendee);
    else primary.push(attendee);
  }
  let room = Math.max(0, perMeeting - primary.length - reserve);

  // Viewers by the Region of the replica they prefer; viewers without a Region take the primary first.
  const regionlessTarget = nearestRegion(primaryRegion, regions);
  const buckets = new Map<string, AttendeeSpec[]>(regions.map((region) => [region, []]));
  const targetOf = new Map<string, string>();
  for (const viewer of viewers) {
    let target: string;
    if (hasUsableRegion(viewer.region, regions)) {
      const own = viewer.region;
      target = targetOf.get(own) ?? nearestRegion(own, regions);
      targetOf.set(own, target);
    } else if (room > 0) {
      primary.push(viewer);
      room -= 1;
      continue;
    } else {
      target = regionlessTarget;
    }
    buckets.get(target)?.push(viewer);
  }

  // Regions ordered by closeness to the primary (then name): who fills the primary's remaining seats.
  const byCloseness = [...regions].sort(
    (a, b) => distanceFrom(primaryRegion, a) - distanceFrom(primaryRegion, b) || (a < b ? -1 : a > b ? 1 : 0),
  );
  const moveToPrimary = (region: string, count: number): void => {
    const bucket = buckets.get(region) ?? [];
    primary.push(...bucket.splice(bucket.length - count, count));
    room -= count;
  };
  // 1. Fewest replicas: move the smallest last-replica loads into the primary while they fit.
  for (;;) {
    let best: string | undefined;
    let bestLoad = Infinity;
    for (const region of byCloseness) {
      const count = buckets.get(region)?.length ?? 0;
      if (count === 0) continue;
      const lastLoad = count - (Math.ceil(count / perMeeting) - 1) * perMeeting;
      if (lastLoad <= room && lastLoad < bestLoad) {
        best = region;
        bestLoad = lastLoad;
      }
    }
    if (best === undefined) break;
    moveToPrimary(best, bestLoad);
  }
  // 2. The primary fills while it has room, from the Regions nearest it.
  for (const region of byCloseness) {
    if (room <= 0) break;
    moveToPrimary(region, Math.min(room, buckets.get(region)?.length ?? 0));
  }

  // Replicas: full ones first, then each Region's remainder, largest first, while the budget lasts.
  const replicas: PlannedMeeting[] = [];
  const open = (region: string, attendees: AttendeeSpec[]): void => {
    replicas.push({ key: `replica-${replicas.length}`, region, attendees });
  };
  const remainders: { region: string; viewers: AttendeeSpec[]; order: number }[] = [];
  regions.forEach((region, order) => {
    const bucket = buckets.get(region) ?? [];
    const full = Math.floor(bucket.length / perMeeting);
    for (let i = 0; i < full; i++) open(region, bucket.slice(i * perMeeting, (i + 1) * perMeeting));
    const rest = bucket.slice(full * perMeeting);
    if (rest.length > 0) remainders.push({ region, viewers: rest, order });
  });
  remainders.sort((a, b) => b.viewers.length - a.viewers.length || a.order - b.order);
  const overflow: { region: string; viewers: AttendeeSpec[] }[] = [];
  for (const remainder of remainders) {
    if (replicas.length < maxReplicas) open(remainder.region, remainder.viewers);
    else overflow.push(remainder);
  }
  overflow.sort(
    (a, b) => regions.indexOf(a.region) - regions.indexOf(b.region), // stable, listed order
  );
  for (const { region, viewers: rest } of overflow) {
    for (const viewer of rest) {
      const from = viewer.region !== undefined && REGION_COORDINATES[viewer.region] ? viewer.region : region;
      const withRoom = replicas.filter((replica) => replica.attendees.length < perMeeting);
      const target = nearestRegion(
        from,
        withRoom.map((replica) => replica.region),
      );
      const replica = withRoom.find((candidate) => candidate.region === target);
      // The budget check above guarantees room; the primary is the last resort if that ever changes.
      if (replica) replica.attendees.push(viewer);
      else primary.push(viewer);
    }
  }

  return { primary: { key: 'primary', region: primaryRegion, attendees: primary }, replicas };
}
