/**
 * What a meeting is called in Chime: the ExternalMeetingId of every meeting of a webinar (the primary and its
 * replicas, in every generation) is the webinar ID, so whatever Chime reports about a meeting (its events, a
 * GetMeeting, the console) leads back to the webinar. A webinar ID (2-48 of [-_a-zA-Z0-9]) is always a valid
 * ExternalMeetingId (2-64 characters). The title stays out of Chime: it may name people.
 */
export function externalMeetingIdOf(webinarId: string): string {
  return webinarId;
}
