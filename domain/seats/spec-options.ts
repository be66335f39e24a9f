/** A webinar's seat options from its validated input (NormalizedWebinarSpec): the one place the workflow and the calendar take them. */
import { attendeesPerMeeting } from '../validation/meeting-features';
import type { SeatOptions } from './rules';

/** How the webinar's attendees are seated: its meetings' size, its replicas and its promotion reserve. */
export function seatOptions(spec: {
  maxReplicas: number;
  meetingFeatures?: Parameters<typeof attendeesPerMeeting>[0];
  promotionReserve: number;
}): SeatOptions {
  return {
    maxReplicas: spec.maxReplicas,
    attendeesPerMeeting: attendeesPerMeeting(spec.meetingFeatures),
    promotionReserve: spec.promotionReserve,
  };
}
