/**
 * The service's limits and the project's defaults, each declared once; validation, the seat plan, the
 * calendar and the workflow derive from these. Pure constants: safe in the workflow sandbox. The API rate a
 * control Region allows is the budget's: domain/budget/rates.ts.
 */

/** Seats in one meeting (CreateMeeting's default; MeetingFeatures.Attendee.MaxCount can lower it). */
export const ATTENDEES_PER_MEETING = 250;
/** Attendees per BatchCreateAttendee call. */
export const BATCH_SIZE = 100;
/** Replicas per primary when the input does not say (the default service quota). */
export const DEFAULT_MAX_REPLICAS = 4;
/** Replicas per primary the service allows at most. */
export const MAX_REPLICAS = 40;
/** The most attendees a webinar can hold: 1 primary + MAX_REPLICAS replicas of ATTENDEES_PER_MEETING. */
export const MAX_ATTENDEES = (MAX_REPLICAS + 1) * ATTENDEES_PER_MEETING;
/**
 * Seats the primary keeps free for promoting replica viewers (each promoted viewer takes a primary seat for
 * its presenter credentials), unless the input's promotionReserve says otherwise; never more than the viewers.
 */
export const DEFAULT_PROMOTION_RESERVE = 10;

/** An idle primary meeting auto-ends after this long: provisioning must not start earlier than that. */
export const IDLE_AUTO_END_SECONDS = 300;
export const DEFAULT_PROVISION_LEAD_SECONDS = 120;
/** The longest provisioning lead: the idle auto-end less a minute of margin for provisioning itself. */
export const MAX_PROVISION_LEAD_SECONDS = 240;
export const MAX_WEBINAR_HOURS = 24;

/**
 * A validation failure names at most this many field errors, then says how many more there are: the
 * failure must stay far under Temporal's 2 MiB payload limit whatever the input.
 */
export const MAX_REPORTED_ERRORS = 100;

/**
 * How often a provisioned webinar checks its meetings (one GetMeeting each); the workflow's
 * HEALTH_CHECK_INTERVAL_MS (workflows/generations.ts) derives from it, and the calendar counts those calls.
 */
export const MEETING_CHECK_INTERVAL_SECONDS = 60;
