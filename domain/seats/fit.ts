/**
 * Whether a roster can be seated at all, and the fewest meetings that seat it: validation, the seat plan and
 * the capacity calendar ask the same question.
 */
import { formatCount } from '../format';
import { ATTENDEES_PER_MEETING, MAX_REPLICAS } from '../limits';

/**
 * Why a roster cannot be seated, or undefined when it can: every host and speaker must fit in the primary
 * beside the promotion reserve, and everyone plus the reserve must fit in 1 primary + maxReplicas replicas.
 */
export function seatingProblem(
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

/** The fewest meetings that seat `attendees`: ceil(attendees / perMeeting), and at least the primary. */
export function floorMeetings(attendees: number, perMeeting: number = ATTENDEES_PER_MEETING): number {
  return Math.max(1, Math.ceil(attendees / perMeeting));
}
