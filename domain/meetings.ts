/** Facts about meetings that the capacity plan, the validators and the workflow share. */

/** A meeting of one generation: the primary, or the n-th replica. */
export type MeetingKey = 'primary' | `replica-${number}`;

/** Attendees one meeting admits (created attendees count, joined or not). */
export const ATTENDEES_PER_MEETING = 250;

/** Attendees per BatchCreateAttendee call (the service's maximum). */
export const BATCH_SIZE = 100;
