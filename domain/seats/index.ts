/**
 * Seats: attendees placed into meetings (1 primary + replicas of 250 seats, the primary keeping its promotion
 * reserve), not to be confused with the API-call capacity of the calendar (domain/calendar.ts):
 * - rules.ts: the placement rule's bounds, the options and the shapes of a plan;
 * - fit.ts: whether a roster can be seated, and the fewest meetings that seat it;
 * - plan.ts: the seat plan made at provisioning (planSeats);
 * - late-attendee.ts: a seat for an attendee added after provisioning (placeLateAttendee);
 * - spec-options.ts: a webinar's seat options from its input (seatOptions).
 */
export * from './fit';
export * from './late-attendee';
export * from './plan';
export * from './spec-options';
export {
  MIN_REPLICA_FILL_SHARE,
  PLACEMENT_ALLOWANCE,
  type MeetingKey,
  type MeetingLoad,
  type PlannedMeeting,
  type SeatOptions,
  type SeatPlan,
} from './rules';
