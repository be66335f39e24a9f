/**
 * Seats: attendees placed into meetings (1 primary + replicas of 250 seats, the primary keeping its promotion
 * reserve), not to be confused with the API-call capacity of the calendar (domain/calendar.ts):
 * - rules.ts: the placement and reserve rules, the options and the shapes of a plan;
 * - fit.ts: whether a roster can be seated, and the fewest meetings that seat it;
 * - plan.ts: the seat plan made at provisioning (planSeats);
 * - late-attendee.ts: a seat for an attendee added after provisioning (placeLateAttendee).
 */
export * from './fit';
export * from './late-attendee';
export * from './plan';
export {
  DEFAULT_PLACEMENT_RULE,
  DEFAULT_RESERVE_RULE,
  MIN_REPLICA_FILL_SHARE,
  PLACEMENT_ALLOWANCE,
  PLACEMENT_RULES,
  type MeetingKey,
  type MeetingLoad,
  type PlacementRule,
  type PlannedMeeting,
  type ReserveRule,
  type SeatOptions,
  type SeatPlan,
  type SeatPlanInput,
} from './rules';
