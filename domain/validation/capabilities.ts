/** AttendeeCapabilities as the service accepts them, given the meeting's features. */
import type { AttendeeCapabilities, MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import {
  checkEnum,
  checkKnownKeys,
  Errors,
  isAbsent,
  join,
  quoteList,
  requireObject,
  result,
  type Validated,
} from './fields';

const MEDIA_CAPABILITIES = ['SendReceive', 'Send', 'Receive', 'None'] as const;
type MediaCapability = (typeof MEDIA_CAPABILITIES)[number];
const RECEIVES: readonly string[] = ['SendReceive', 'Receive'];

/**
 * Validates AttendeeCapabilities against the service's rules: Audio, Video and Content required; Content can
 * only receive when Video receives; and with MeetingFeatures Video (or Content) MaxResolution None, that
 * capability must be None.
 */
export function validateAttendeeCapabilities(
  input: unknown,
  field = 'capabilities',
  features?: MeetingFeaturesConfiguration,
): Validated<AttendeeCapabilities> {
  const errors = new Errors();
  if (!requireObject(input, field, errors, 'an object {Audio, Video, Content}')) {
    return errors.failure();
  }
  checkKnownKeys(input, ['Audio', 'Video', 'Content'], field, errors);
  for (const key of ['Audio', 'Video', 'Content'] as const) {
    if (isAbsent(input[key]))
      errors.add(join(field, key), `is required; one of: ${quoteList(MEDIA_CAPABILITIES)}`);
    else checkEnum(input[key], MEDIA_CAPABILITIES, join(field, key), errors);
  }
  if (errors.count === 0) {
    const { Video: video, Content: content } = input as Record<
      'Audio' | 'Video' | 'Content',
      MediaCapability
    >;
    if (RECEIVES.includes(content) && !RECEIVES.includes(video)) {
      errors.add(join(field, 'Content'), `can only be ${content} when Video is SendReceive or Receive`);
    }
    if (features?.Video?.MaxResolution === 'None' && video !== 'None') {
      errors.add(join(field, 'Video'), 'must be None: the meeting has Video.MaxResolution None');
    }
    if (features?.Content?.MaxResolution === 'None' && content !== 'None') {
      errors.add(join(field, 'Content'), 'must be None: the meeting has Content.MaxResolution None');
    }
  }
  return result(errors, () => {
    const caps = input as Record<'Audio' | 'Video' | 'Content', MediaCapability>;
    return { Audio: caps.Audio, Video: caps.Video, Content: caps.Content };
  });
}
