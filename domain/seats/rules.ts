/**
 * The seat plan's rules and shapes: the placement rule's bounds, the options a plan is made with, and the
 * meetings it fills. Pure: the workflow recomputes plans on replay.
 */
import { REGION_COORDINATES } from '../regions';
import type { AttendeeSpec } from '../types';

/**
 * Meetings a plan may open beyond the fewest that seat everyone, ceil((attendees + reserve) / seats), for
 * Region affinity (docs/input.md, "Placement").
 */
export const PLACEMENT_ALLOWANCE = 1;
/** A meeting beyond the floor is opened only if every replica of the plan holds this share of its seats. */
export const MIN_REPLICA_FILL_SHARE = 0.2;

export interface SeatOptions {
  maxReplicas: number;
  /** Seats per meeting (default 250, or MeetingFeatures.Attendee.MaxCount when set). */
  attendeesPerMeeting?: number;
  /**
   * Seats the primary keeps free for promoting replica viewers (default DEFAULT_PROMOTION_RESERVE). They count
   * as seats taken in every plan, check and late placement (docs/input.md, "The promotion reserve").
   */
  promotionReserve?: number;
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
