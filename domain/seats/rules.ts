/**
 * The seat plan's rules and shapes: the placement rule, how the primary's promotion reserve is kept, the
 * options a plan is made with, and the meetings it fills. Pure: the workflow recomputes plans on replay.
 */
import { REGION_COORDINATES } from '../regions';
import type { AttendeeSpec } from '../types';

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

export interface SeatOptions {
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

export function holdsReserve(options: SeatOptions): boolean {
  return (options.reserveRule ?? DEFAULT_RESERVE_RULE) === 'held';
}

export type MeetingKey = 'primary' | `replica-${number}`;

export interface PlannedMeeting {
  key: MeetingKey;
  region: string;
  attendees: AttendeeSpec[];
}

export interface SeatPlan {
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

export interface SeatPlanInput {
  primaryRegion: string;
  replicaRegions: string[];
  attendees: AttendeeSpec[];
}

export function effectiveReplicaRegions(primaryRegion: string, replicaRegions: string[]): string[] {
  const unique: string[] = [];
  for (const region of replicaRegions) if (!unique.includes(region)) unique.push(region);
  return unique.length > 0 ? unique : [primaryRegion];
}

/** True when the attendee's own Region can steer placement (listed, or in the geography table). */
export function hasUsableRegion(region: string | undefined, regions: string[]): region is string {
  return region !== undefined && (regions.includes(region) || REGION_COORDINATES[region] !== undefined);
}
