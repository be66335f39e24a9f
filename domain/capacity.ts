/**
 * The capacity plan: which meeting (the primary or one of its replicas) each attendee joins.
 * Pure and deterministic (the workflow recomputes it on replay): the same input always gives the same plan.
 */
import { formatCount } from './format';
import { ATTENDEES_PER_MEETING, DEFAULT_PROMOTION_RESERVE, MAX_REPLICAS } from './limits';
import { nearestRegion, REGION_COORDINATES, regionDistanceKm } from './regions';
import type { AttendeeSpec } from './types';

/**
 * How placement trades Region affinity against meeting count (docs/input.md, "Placement"):
 * - 'region-first' (the original rule, what histories recorded before the change replay with): every
 *   Region's remainder gets its own replica while maxReplicas allows, however few viewers it holds;
 * - 'fewest-meetings': ceil(attendees / seats) meetings, plus at most PLACEMENT_ALLOWANCE more, and only
 *   when no replica of that plan holds fewer than MIN_REPLICA_FILL_SHARE of a meeting.
 */
export type PlacementRule = 'region-first' | 'fewest-meetings';
export const PLACEMENT_RULES: readonly PlacementRule[] = ['region-first', 'fewest-meetings'];
/** The default until the workflow chooses per patch (workflows keep replaying the rule they recorded). */
export const DEFAULT_PLACEMENT_RULE: PlacementRule = 'region-first';
/** Meetings 'fewest-meetings' may open beyond ceil(attendees / seats), for Region affinity. */
export const PLACEMENT_ALLOWANCE = 1;
/** Under 'fewest-meetings' a meeting beyond the floor is opened only if every replica holds this share. */
export const MIN_REPLICA_FILL_SHARE = 0.2;

/**
 * How the primary's promotion reserve is kept (docs/input.md, "The promotion reserve"):
 * - 'as-budget-allows' (what histories recorded before the reserve replay with): the reserve shrinks to the
 *   seats the replica budget leaves over, so a roster that fills its meetings leaves none;
 * - 'held': the reserve counts as seats taken in every plan, check and late placement, so promoting up to
 *   promotionReserve replica viewers always finds a seat in the primary.
 */
export type ReserveRule = 'as-budget-allows' | 'held';
export const DEFAULT_RESERVE_RULE: ReserveRule = 'as-budget-allows';

export interface CapacityOptions {
  maxReplicas: number;
  /** Seats per meeting (default 250, or MeetingFeatures.Attendee.MaxCount when set). */
  attendeesPerMeeting?: number;
  /** Seats kept free in the primary for promoting replica viewers (default DEFAULT_PROMOTION_RESERVE). */
  promotionReserve?: number;
  /** Default DEFAULT_RESERVE_RULE ('as-budget-allows'). */
  reserveRule?: ReserveRule;
  /** Default DEFAULT_PLACEMENT_RULE ('region-first'). */
  placementRule?: PlacementRule;
}

function holdsReserve(options: CapacityOptions): boolean {
  return (options.reserveRule ?? DEFAULT_RESERVE_RULE) === 'held';
}

export type MeetingKey = 'primary' | `replica-${number}`;

export interface PlannedMeeting {
  key: MeetingKey;
  region: string;
  attendees: AttendeeSpec[];
}

export interface CapacityPlan {
  primary: PlannedMeeting;
  replicas: PlannedMeeting[];
}

export interface MeetingLoad {
  key: MeetingKey;
  region: string;
  /** Seats taken, promoted replica viewers' presenter seats included. */
  attendees: number;
  /** Of those, the seats of promoted replica viewers (the primary only): they use the reserve. */
  promoted?: number;
}

export interface PlanInput {
  primaryRegion: string;
  replicaRegions: string[];
  attendees: AttendeeSpec[];
}

/**
 * Why a roster cannot be seated, or undefined when it can: every host and speaker must fit in the primary
 * beside the promotion reserve, and everyone plus the reserve must fit in 1 primary + maxReplicas replicas.
 */
export function capacityProblem(
  total: number,
  hostsAndSpeakers: number,
  maxReplicas: number,
  attendeesPerMeeting: number = ATTENDEES_PER_MEETING,
  reserve = 0,
): string | undefined {
  const allowed = maxReplicas + 1;
  const seats = total + reserve;
  const reserved = reserve > 0 ? ` and a promotion reserve of ${formatCount(reserve)} seats` : '';
  const lowerReserve = reserve > 0 ? ', lower promotionReserve (0 keeps no seat for promotions)' : '';
  if (seats > allowed * attendeesPerMeeting) {
    const needed = Math.ceil(seats / attendeesPerMeeting);
    const hint =
      maxReplicas < MAX_REPLICAS
        ? `raise maxReplicas (at most ${MAX_REPLICAS}, within your account's replica quota)${lowerReserve} or remove attendees`
        : reserve > 0
          ? 'remove attendees, split them across webinars or lower promotionReserve (0 keeps no seat for promotions)'
          : 'remove attendees or split them across webinars';
    return (
      `${formatCount(total)} attendees${reserved} need ${formatCount(needed)} meetings of ${attendeesPerMeeting} ` +
      `but at most ${allowed} are allowed (1 primary + ${maxReplicas} replicas); ${hint}`
    );
  }
  if (hostsAndSpeakers + reserve > attendeesPerMeeting) {
    return (
      `${formatCount(hostsAndSpeakers)} hosts and speakers must all join the primary meeting, ` +
      `which holds at most ${attendeesPerMeeting}` +
      (reserve > 0 ? ` beside its promotion reserve of ${formatCount(reserve)} seats` : '') +
      `; make some of them viewers${lowerReserve}`
    );
  }
  return undefined;
}

function effectiveReplicaRegions(primaryRegion: string, replicaRegions: string[]): string[] {
  const unique: string[] = [];
  for (const region of replicaRegions) if (!unique.includes(region)) unique.push(region);
  return unique.length > 0 ? unique : [primaryRegion];
}

/** True when the attendee's own Region can steer placement (listed, or in the geography table). */
function hasUsableRegion(region: string | undefined, regions: string[]): region is string {
  return region !== undefined && (regions.includes(region) || REGION_COORDINATES[region] !== undefined);
}

/** Distance used to order Regions by closeness to the primary; unknown Regions rank last. */
function distanceFrom(from: string, to: string): number {
  return regionDistanceKm(from, to) ?? Infinity;
}

/** The fewest meetings that seat `attendees`: ceil(attendees / perMeeting), and at least the primary. */
export function floorMeetings(attendees: number, perMeeting: number = ATTENDEES_PER_MEETING): number {
  return Math.max(1, Math.ceil(attendees / perMeeting));
}

/**
 * Plans the meetings of a webinar.
 * - Hosts and speakers go to the primary.
 * - The primary keeps `promotionReserve` seats free: all of them when the reserve is held, else as many as
 *   the replica budget allows.
 * - Viewers without a Region fill the primary first; the rest of the primary is filled with the viewers whose
 *   moving saves the most replicas, then with viewers of the Region nearest the primary.
 * - Other viewers go to replicas in their own Region when it is listed, else in the listed Region nearest
 *   theirs (viewers without a Region: the Region nearest the primary's). No replicaRegions: replicas are in
 *   the primaryRegion.
 * - Replicas are filled to capacity; when the budget (maxReplicas) cannot give every Region its own
 *   replicas, the smallest remainders go to the nearest Region that still has room.
 */
export function planCapacity(
  input: PlanInput,
  options: CapacityOptions,
): { ok: true; plan: CapacityPlan } | { ok: false; message: string } {
  const perMeeting = options.attendeesPerMeeting ?? ATTENDEES_PER_MEETING;
  const hostsAndSpeakers = input.attendees.filter((attendee) => attendee.role !== 'viewer').length;
  const reserve = options.promotionReserve ?? DEFAULT_PROMOTION_RESERVE;
  const held = holdsReserve(options) ? reserve : 0;
  const problem = capacityProblem(
    input.attendees.length,
    hostsAndSpeakers,
    options.maxReplicas,
    perMeeting,
    held,
  );
  if (problem !== undefined) return { ok: false, message: problem };
  const place = (replicaBudget: number): CapacityPlan =>
    placeWithin(input, perMeeting, reserve, holdsReserve(options), replicaBudget);
  if ((options.placementRule ?? DEFAULT_PLACEMENT_RULE) === 'region-first') {
    return { ok: true, plan: place(options.maxReplicas) };
  }
  // Fewest meetings: the floor, then one meeting more only if no replica of that plan is nearly empty.
  const floor = floorMeetings(input.attendees.length + held, perMeeting);
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

/** The placement of planCapacity with at most `maxReplicas` replicas (capacity already checked). */
function placeWithin(
  input: PlanInput,
  perMeeting: number,
  reserve: number,
  held: boolean,
  maxReplicas: number,
): CapacityPlan {
  const primaryRegion = input.primaryRegion;
  const regions = effectiveReplicaRegions(primaryRegion, input.replicaRegions);

  const primary: AttendeeSpec[] = [];
  const viewers: AttendeeSpec[] = [];
  for (const attendee of input.attendees) {
    if (attendee.role === 'viewer') viewers.push(attendee);
    else primary.push(attendee);
  }
  const budgetSeats = (maxReplicas + 1) * perMeeting;
  const keepFree = held ? reserve : Math.min(reserve, budgetSeats - input.attendees.length);
  let room = Math.max(0, perMeeting - primary.length - keepFree);

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

function replicaIndex(key: MeetingKey): number {
  return key === 'primary' ? -1 : Number(key.slice('replica-'.length));
}

/**
 * Where a late attendee (registered after provisioning) goes, given the current load of every meeting.
 * Hosts and speakers: the primary (every seat, short of a held reserve). Viewers: a replica of their Region
 * with room; else the primary while it keeps its promotion reserve (viewers without a Region try the primary
 * first); else a new replica in their Region if the budget allows; else the nearest Region with a replica
 * that has room; else the primary's reserve unless it is held; else full. Under 'fewest-meetings' the
 * nearest replica with room comes before a new replica, so a new replica opens only when every seat short
 * of the reserve is taken. A held reserve is the seats promoted viewers may still take: their own seats
 * count against it, not against the other attendees.
 */
export function placeLateAttendee(
  meetings: MeetingLoad[],
  attendee: AttendeeSpec,
  input: { primaryRegion: string; replicaRegions: string[] },
  options: CapacityOptions,
): { meeting: MeetingKey } | { newReplica: { key: `replica-${number}`; region: string } } | { full: string } {
  const perMeeting = options.attendeesPerMeeting ?? ATTENDEES_PER_MEETING;
  const reserve = options.promotionReserve ?? DEFAULT_PROMOTION_RESERVE;
  const held = holdsReserve(options);
  const primaryMeeting = meetings.find((meeting) => meeting.key === 'primary');
  const primaryLoad = primaryMeeting?.attendees ?? 0;
  // Under a held reserve the promoted viewers' seats come out of the reserve, so they are not counted twice.
  const primaryFor = (kept: number): boolean =>
    primaryLoad < perMeeting &&
    primaryLoad - (held ? (primaryMeeting?.promoted ?? 0) : 0) < perMeeting - kept;
  const replicas = meetings
    .filter((meeting) => meeting.key !== 'primary')
    .sort((a, b) => replicaIndex(a.key) - replicaIndex(b.key));

  if (attendee.role !== 'viewer') {
    if (primaryFor(held ? reserve : 0)) return { meeting: 'primary' };
    return {
      full:
        held && reserve > 0
          ? `the primary meeting has no seat left beside its promotion reserve (${reserve} of ${perMeeting} ` +
            'seats, promotionReserve) and hosts and speakers must join it; remove an attendee from it or add ' +
            'this one as a viewer'
          : `the primary meeting is full (${perMeeting} of ${perMeeting} seats) and hosts and speakers ` +
            'must join it; remove an attendee from it or add this one as a viewer',
    };
  }

  const regions = effectiveReplicaRegions(input.primaryRegion, input.replicaRegions);
  const regioned = hasUsableRegion(attendee.region, regions);
  const target = regioned
    ? nearestRegion(attendee.region as string, regions)
    : nearestRegion(input.primaryRegion, regions);
  const primaryKeepsHeadroom = primaryFor(reserve);
  const hasRoom = (meeting: MeetingLoad): boolean => meeting.attendees < perMeeting;

  if (!regioned && primaryKeepsHeadroom) return { meeting: 'primary' };
  const inTarget = replicas.find((replica) => replica.region === target && hasRoom(replica));
  if (inTarget) return { meeting: inTarget.key };
  if (primaryKeepsHeadroom) return { meeting: 'primary' };
  const nearestWithRoom = (): MeetingKey | undefined => {
    const withRoom = replicas.filter(hasRoom);
    const from = regioned ? (attendee.region as string) : target;
    const region = nearestRegion(
      from,
      withRoom.map((replica) => replica.region),
    );
    return withRoom.find((candidate) => candidate.region === region)?.key;
  };
  // Fewest meetings: a free seat in another Region's replica comes before a new, nearly empty replica.
  const fewest = (options.placementRule ?? DEFAULT_PLACEMENT_RULE) === 'fewest-meetings';
  const elsewhere = fewest ? nearestWithRoom() : undefined;
  if (elsewhere !== undefined) return { meeting: elsewhere };
  if (replicas.length < options.maxReplicas) {
    const next = replicas.reduce((max, replica) => Math.max(max, replicaIndex(replica.key)), -1) + 1;
    return { newReplica: { key: `replica-${next}`, region: target } };
  }
  const withRoom = nearestWithRoom();
  if (withRoom !== undefined) return { meeting: withRoom };
  if (!held && primaryLoad < perMeeting) return { meeting: 'primary' };
  const kept = held && reserve > 0 ? ` (the primary's ${reserve} promotion-reserve seats apart)` : '';
  return {
    full:
      `every meeting is full: 1 primary + ${replicas.length} replicas hold ` +
      `${formatCount((replicas.length + 1) * perMeeting)} attendees${kept} and maxReplicas ` +
      `(${options.maxReplicas}) allows no more replicas; remove attendees first`,
  };
}

export { DEFAULT_PROMOTION_RESERVE, formatCount, nearestRegion };
