/** Numeric limits of the service that the model does not state, or states more loosely than the service. */

/**
 * CreateMeetingWithAttendees creates at most 10 attendees: the throttling guide ("Verifying SDK quotas and API
 * throttling", CreateMeetingWithAttendees "creates up to 10 attendees per meeting"), and calls with more are
 * refused. service-2.json says `max: 20` for the list; the service is stricter, so the emulator follows it.
 */
export const MAX_ATTENDEES_WITH_MEETING = 10;

/** ListAttendees page size when MaxResults is absent (emulator choice: not documented). */
export const DEFAULT_ATTENDEE_PAGE = 10;

/** Tags per meeting: TagResource past it answers TooManyTagsException. */
export const MAX_TAGS_PER_RESOURCE = 50;
