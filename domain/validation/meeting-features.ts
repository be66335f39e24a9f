/** MeetingFeatures: the resolutions, echo reduction and seat count a meeting is created with. */
import type { MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import { ATTENDEES_PER_MEETING } from '../limits';
import {
  checkEnum,
  checkInteger,
  checkKnownKeys,
  isAbsent,
  join,
  requireObject,
  type Errors,
  type Obj,
} from './fields';

const FEATURE_STATUS = ['AVAILABLE', 'UNAVAILABLE'] as const;
const VIDEO_RESOLUTIONS = ['None', 'HD', 'FHD'] as const;
const CONTENT_RESOLUTIONS = ['None', 'FHD', 'UHD'] as const;
const HIGH_RESOLUTION_MAX_ATTENDEES = 25;

export function checkMeetingFeatures(
  value: unknown,
  path: string,
  errors: Errors,
): MeetingFeaturesConfiguration | undefined {
  if (!requireObject(value, path, errors, 'an object {Audio?, Video?, Content?, Attendee?}'))
    return undefined;
  const before = errors.count;
  checkKnownKeys(value, ['Audio', 'Video', 'Content', 'Attendee'], path, errors);
  const result: Obj = {};
  const section = (name: string, member: string, check: (v: unknown, at: string) => boolean): void => {
    const raw = value[name];
    if (isAbsent(raw)) return;
    const at = join(path, name);
    if (!requireObject(raw, at, errors, `an object {${member}?}`)) return;
    checkKnownKeys(raw, [member], at, errors);
    const inner = raw[member];
    if (isAbsent(inner)) {
      result[name] = {};
      return;
    }
    if (check(inner, join(at, member))) result[name] = { [member]: inner };
  };
  section('Audio', 'EchoReduction', (v, at) => checkEnum(v, FEATURE_STATUS, at, errors));
  section('Video', 'MaxResolution', (v, at) => checkEnum(v, VIDEO_RESOLUTIONS, at, errors));
  section('Content', 'MaxResolution', (v, at) => checkEnum(v, CONTENT_RESOLUTIONS, at, errors));
  section('Attendee', 'MaxCount', (v, at) =>
    checkInteger(v, at, errors, 1, ATTENDEES_PER_MEETING, 'the most attendees one meeting admits'),
  );
  if (errors.count > before) return undefined;
  const features = result as MeetingFeaturesConfiguration;
  const highResolution = features.Video?.MaxResolution === 'FHD' || features.Content?.MaxResolution === 'UHD';
  const maxCount = features.Attendee?.MaxCount;
  if (highResolution && (maxCount === undefined || maxCount > HIGH_RESOLUTION_MAX_ATTENDEES)) {
    errors.add(
      join(path, 'Attendee.MaxCount'),
      `must be set to at most ${HIGH_RESOLUTION_MAX_ATTENDEES} when Video.MaxResolution is FHD or ` +
        `Content.MaxResolution is UHD (the service limits such meetings to ${HIGH_RESOLUTION_MAX_ATTENDEES} attendees)` +
        (maxCount === undefined ? '' : `, got ${maxCount}`),
    );
    return undefined;
  }
  return features;
}

/** Seats in each meeting of the webinar: MeetingFeatures.Attendee.MaxCount when set, else 250. */
export function attendeesPerMeeting(features?: MeetingFeaturesConfiguration): number {
  return features?.Attendee?.MaxCount ?? ATTENDEES_PER_MEETING;
}
