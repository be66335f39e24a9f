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
