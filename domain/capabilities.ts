import type { AttendeeCapabilities, MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';

/** What an attendee may do: speakers (hosts, speakers, promoted viewers) send; viewers only receive. */
export type CapabilityLevel = 'speaker' | 'viewer';

/**
 * Capabilities that the service will accept for a meeting's features: a MaxResolution of None forbids that
 * media, and Content Send/Receive needs Video at least Receive, so content goes with video.
 */
export function attendeeCapabilities(
  level: CapabilityLevel,
  features?: MeetingFeaturesConfiguration,
): AttendeeCapabilities {
  const mode = level === 'speaker' ? 'SendReceive' : 'Receive';
  const videoAllowed = features?.Video?.MaxResolution !== 'None';
  const contentAllowed = videoAllowed && features?.Content?.MaxResolution !== 'None';
  return {
    Audio: mode,
    Video: videoAllowed ? mode : 'None',
    Content: contentAllowed ? mode : 'None',
  };
}

/** What a join answer tells the page: a presenter may send audio (and so video and content); a viewer receives. */
export type JoinRole = 'presenter' | 'viewer';

/**
 * The role a stored Attendee's capabilities give. Audio decides, as it does for the speakers' attendees
 * (attendeeCapabilities): video and content may be None whatever the level. Absent capabilities are the
 * service's default, SendReceive.
 */
export function joinRoleOf(capabilities: AttendeeCapabilities | undefined): JoinRole {
  return (capabilities?.Audio ?? 'SendReceive') === 'SendReceive' ? 'presenter' : 'viewer';
}
