import { badRequest } from '../errors';

export type MediaCapability = 'SendReceive' | 'Send' | 'Receive' | 'None';

export interface Capabilities {
  Audio: MediaCapability;
  Video: MediaCapability;
  Content: MediaCapability;
}

export interface MeetingFeatures {
  Audio?: { EchoReduction?: string };
  Video?: { MaxResolution?: string };
  Content?: { MaxResolution?: string };
  Attendee?: { MaxCount?: number };
}

const RECEIVES = new Set<MediaCapability>(['SendReceive', 'Receive']);

/** Capability rules of the service (see AttendeeCapabilities in the API reference). */
export function checkCapabilities(
  caps: Capabilities | undefined,
  features: MeetingFeatures | undefined,
): void {
  if (!caps) return;
  if (RECEIVES.has(caps.Content) && !RECEIVES.has(caps.Video)) {
    throw badRequest(
      `Content capability ${caps.Content} requires a Video capability of SendReceive or Receive (got ${caps.Video})`,
    );
  }
  if (features?.Video?.MaxResolution === 'None' && caps.Video !== 'None') {
    throw badRequest(
      `Video capability ${caps.Video} is not allowed: the meeting's Video MaxResolution is None`,
    );
  }
  if (features?.Content?.MaxResolution === 'None' && caps.Content !== 'None') {
    throw badRequest(
      `Content capability ${caps.Content} is not allowed: the meeting's Content MaxResolution is None`,
    );
  }
}

/** SendReceive for all three, except where the meeting's MaxResolution is None. */
export function defaultCapabilities(features: MeetingFeatures | undefined): Capabilities {
  const video: MediaCapability = features?.Video?.MaxResolution === 'None' ? 'None' : 'SendReceive';
  const content: MediaCapability =
    features?.Content?.MaxResolution === 'None' || video === 'None' ? 'None' : 'SendReceive';
  return { Audio: 'SendReceive', Video: video, Content: content };
}
