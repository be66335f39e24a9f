/**
 * A seat for a late attendee (registered after provisioning), given the current load of every meeting.
 * Pure and deterministic, like the seat plan (plan.ts).
 */
import { formatCount } from '../format';
import { ATTENDEES_PER_MEETING, DEFAULT_PROMOTION_RESERVE } from '../limits';
import { nearestRegion } from '../regions';
import type { AttendeeSpec } from '../types';
import {
  effectiveReplicaRegions,
  hasUsableRegion,
  type MeetingKey,
  type MeetingLoad,
  type SeatOptions,
} from './rules';

function replicaIndex(key: MeetingKey): number {
  return key === 'primary' ? -1 : Number(key.slice('replica-'.length));
}

/**
 * Where a late attendee (registered after provisioning) goes, given the current load of every meeting.
 * Hosts and speakers: the primary (every seat short of the promotion reserve). Viewers: a replica of their
 * Region with room; else the primary while it keeps its promotion reserve (viewers without a Region try the
 * primary first); else the nearest replica with room; else a new replica in their Region if the budget
 * allows; else full. So a new replica opens only when every seat short of the reserve is taken. The reserve
 * is the seats promoted viewers may still take: their own seats count against it, not against the other
 * attendees.
 */
export function placeLateAttendee(
  meetings: MeetingLoad[],
  attendee: AttendeeSpec,
  input: { primaryRegion: string; replicaRegions: string[] },
  options: SeatOptions,
): { meeting: MeetingKey } | { newReplica: { key: `replica-${number}`; region: string } } | { full: string } {
  const perMeeting = options.attendeesPerMeeting ?? ATTENDEES_PER_MEETING;
  const reserve = options.promotionReserve ?? DEFAULT_PROMOTION_RESERVE;
  const primaryMeeting = meetings.find((meeting) => meeting.key === 'primary');
  const primaryLoad = primaryMeeting?.attendees ?? 0;
  // The promoted viewers' seats come out of the reserve, so they are not counted twice.
  const primaryKeepsReserve =
    primaryLoad < perMeeting && primaryLoad - (primaryMeeting?.promoted ?? 0) < perMeeting - reserve;
  const replicas = meetings
    .filter((meeting) => meeting.key !== 'primary')
    .sort((a, b) => replicaIndex(a.key) - replicaIndex(b.key));

  if (attendee.role !== 'viewer') {
    if (primaryKeepsReserve) return { meeting: 'primary' };
    return {
      full:
        reserve > 0
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
  const hasRoom = (meeting: MeetingLoad): boolean => meeting.attendees < perMeeting;

  if (!regioned && primaryKeepsReserve) return { meeting: 'primary' };
  const inTarget = replicas.find((replica) => replica.region === target && hasRoom(replica));
  if (inTarget) return { meeting: inTarget.key };
  if (primaryKeepsReserve) return { meeting: 'primary' };
  // Fewest meetings: a free seat in another Region's replica comes before a new, nearly empty replica.
  const withRoom = replicas.filter(hasRoom);
  const nearest = nearestRegion(
    regioned ? (attendee.region as string) : target,
    withRoom.map((replica) => replica.region),
  );
  const elsewhere = withRoom.find((candidate) => candidate.region === nearest);
  if (elsewhere) return { meeting: elsewhere.key };
  if (replicas.length < options.maxReplicas) {
    const next = replicas.reduce((max, replica) => Math.max(max, replicaIndex(replica.key)), -1) + 1;
    return { newReplica: { key: `replica-${next}`, region: target } };
  }
  const kept = reserve > 0 ? ` (the primary's ${reserve} promotion-reserve seats apart)` : '';
  return {
    full:
      `every meeting is full: 1 primary + ${replicas.length} replicas hold ` +
      `${formatCount((replicas.length + 1) * perMeeting)} attendees${kept} and maxReplicas ` +
      `(${options.maxReplicas}) allows no more replicas; remove attendees first`,
  };
}
