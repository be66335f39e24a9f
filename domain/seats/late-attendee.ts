/**
 * A seat for a late attendee (registered after provisioning), given the current load of every meeting.
 * Pure and deterministic, like the seat plan (plan.ts).
 */
import { formatCount } from '../format';
import { ATTENDEES_PER_MEETING, DEFAULT_PROMOTION_RESERVE } from '../limits';
import { nearestRegion } from '../regions';
import type { AttendeeSpec } from '../types';
import {
  DEFAULT_PLACEMENT_RULE,
  effectiveReplicaRegions,
  hasUsableRegion,
  holdsReserve,
  type MeetingKey,
  type MeetingLoad,
  type SeatOptions,
} from './rules';

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
  options: SeatOptions,
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
