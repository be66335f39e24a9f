/** The webinar input: every field checked and reported together, then normalized (defaults filled in). */
import type { MeetingFeaturesConfiguration, Tag } from '@aws-sdk/client-chime-sdk-meetings';
import { seatingProblem } from '../seats';
import { formatCount } from '../format';
import {
  ATTENDEES_PER_MEETING,
  DEFAULT_MAX_REPLICAS,
  DEFAULT_PROMOTION_RESERVE,
  DEFAULT_PROVISION_LEAD_SECONDS,
  MAX_ATTENDEES,
  MAX_PROVISION_LEAD_SECONDS,
  MAX_REPLICAS,
} from '../limits';
import { CONTROL_REGIONS, isControlRegion, MEDIA_REGIONS, partitionOf } from '../regions';
import type { AttendeeSpec, TranscriptionSettings, WebinarSpec } from '../types';
import { checkAttendees } from './attendees';
import {
  checkArray,
  checkInteger,
  checkKnownKeys,
  checkString,
  describe,
  echoed,
  Errors,
  isAbsent,
  isObject,
  quoteList,
  requireObject,
  type Validated,
} from './fields';
import { checkMediaRegion, checkWebinarId, EXTERNAL_ID_CHAR, EXTERNAL_ID_CHARS } from './identifiers';
import { attendeesPerMeeting, checkMeetingFeatures } from './meeting-features';
import { checkInstant, checkWindow, ISO_EXAMPLE } from './schedule';
import { checkTags, checkTenantIds } from './tags';
import { checkTranscription } from './transcription';

export interface NormalizedWebinarSpec extends WebinarSpec {
  title: string;
  replicaRegions: string[];
  provisionLeadSeconds: number;
  maxReplicas: number;
  promotionReserve: number;
  tags: Tag[];
}

const SPEC_FIELDS = [
  'webinarId',
  'title',
  'startAt',
  'endAt',
  'controlRegion',
  'primaryRegion',
  'replicaRegions',
  'attendees',
  'transcription',
  'meetingFeatures',
  'tags',
  'tenantIds',
  'provisionLeadSeconds',
  'maxReplicas',
  'promotionReserve',
] as const;

function partitionName(region: string): string {
  return partitionOf(region) === 'aws-us-gov'
    ? 'the AWS GovCloud (US) partition'
    : 'the commercial AWS partition';
}

/** An optional whole-number field from 0 to `max`: its value, the default when absent, undefined when bad. */
function optionalInteger(
  input: Record<string, unknown>,
  field: 'maxReplicas' | 'promotionReserve',
  errors: Errors,
  fallback: number,
  { max, meaning }: { max: number; meaning: string },
): number | undefined {
  const value = input[field];
  if (isAbsent(value)) return fallback;
  return checkInteger(value, field, errors, 0, max, meaning) ? value : undefined;
}

/**
 * The reserve an input gets when it names none: DEFAULT_PROMOTION_RESERVE, or the primary's seats left beside
 * its hosts and speakers when fewer. Never cut to what the replicas leave over: a roster too large for its
 * reserve is refused, naming promotionReserve, rather than silently keeping no seat for promotions.
 */
export function defaultPromotionReserve(hostsAndSpeakers: number, perMeeting: number): number {
  return Math.max(0, Math.min(DEFAULT_PROMOTION_RESERVE, perMeeting - hostsAndSpeakers));
}

/** Validates and normalizes the webinar input, reporting every bad field; includes the capacity check. */
export function validateWebinarSpec(input: unknown): Validated<NormalizedWebinarSpec> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'a JSON object (the webinar input)')) return errors.failure();
  checkKnownKeys(input, SPEC_FIELDS, '', errors);

  const webinarId = input.webinarId;
  if (isAbsent(webinarId))
    errors.add('webinarId', 'is required: 2-48 characters of letters, digits, - and _');
  else checkWebinarId(webinarId, 'webinarId', errors);

  let title: string | undefined;
  if (!isAbsent(input.title)) {
    if (
      checkString(input.title, 'title', errors, {
        min: 2,
        max: 64,
        charClass: EXTERNAL_ID_CHAR,
        charsDescription: EXTERNAL_ID_CHARS,
        reservedAwsPrefix: true,
      })
    ) {
      title = input.title;
    }
  }

  let start: number | undefined;
  let end: number | undefined;
  if (isAbsent(input.startAt))
    errors.add('startAt', `is required: an ISO-8601 date-time with a timezone (${ISO_EXAMPLE})`);
  else start = checkInstant(input.startAt, 'startAt', errors);
  if (isAbsent(input.endAt))
    errors.add('endAt', `is required: an ISO-8601 date-time with a timezone (${ISO_EXAMPLE})`);
  else end = checkInstant(input.endAt, 'endAt', errors);
  if (start !== undefined && end !== undefined) checkWindow(start, end, errors);

  let primaryRegion: string | undefined;
  if (isAbsent(input.primaryRegion)) {
    errors.add(
      'primaryRegion',
      `is required: the primary meeting's media Region, one of: ${quoteList(MEDIA_REGIONS)}`,
    );
  } else if (checkMediaRegion(input.primaryRegion, 'primaryRegion', errors)) {
    primaryRegion = input.primaryRegion;
  }

  const samePartition = (region: string, field: string): void => {
    if (primaryRegion !== undefined && partitionOf(region) !== partitionOf(primaryRegion)) {
      errors.add(
        field,
        `'${region}' is in ${partitionName(region)} but primaryRegion '${primaryRegion}' is in ` +
          `${partitionName(primaryRegion)}; all Regions of a webinar must be in one partition`,
      );
    }
  };

  let controlRegion: string | undefined;
  if (!isAbsent(input.controlRegion)) {
    const value = input.controlRegion;
    if (typeof value !== 'string')
      errors.add('controlRegion', `must be a Region name (a string), got ${describe(value)}`);
    else if (!isControlRegion(value)) {
      errors.add(
        'controlRegion',
        `'${echoed(value)}' has no Chime SDK meetings API endpoint; use one of: ${quoteList(CONTROL_REGIONS)} ` +
          "(or leave it out for the worker's Region)",
      );
    } else {
      samePartition(value, 'controlRegion');
      controlRegion = value;
    }
  }

  let replicaRegions: string[] | undefined = [];
  if (!isAbsent(input.replicaRegions)) {
    const value = input.replicaRegions;
    if (!checkArray(value, 'replicaRegions', errors, 'media Region names')) replicaRegions = undefined;
    else if (value.length > MEDIA_REGIONS.length) {
      errors.add(
        'replicaRegions',
        `must list each media Region at most once (${MEDIA_REGIONS.length} exist), got ${value.length} entries`,
      );
      replicaRegions = undefined;
    } else {
      const firstIndex = new Map<string, number>();
      const regions: string[] = [];
      value.forEach((region, index) => {
        const at = `replicaRegions[${index}]`;
        if (!checkMediaRegion(region, at, errors)) return;
        const first = firstIndex.get(region);
        if (first !== undefined) {
          errors.add(at, `duplicates replicaRegions[${first}] ('${region}'); list each Region once`);
          return;
        }
        firstIndex.set(region, index);
        const before = errors.count;
        samePartition(region, at);
        if (errors.count === before) regions.push(region);
      });
      replicaRegions = regions.length === value.length ? regions : undefined;
    }
  }

  let attendees: AttendeeSpec[] | undefined;
  let attendeeItems: unknown[] | undefined;
  if (isAbsent(input.attendees))
    errors.add('attendees', 'is required: an array of attendees (use [] for none)');
  else if (checkArray(input.attendees, 'attendees', errors, '{externalUserId, role, region?} objects')) {
    attendeeItems = input.attendees;
    // An oversized roster is refused before its entries are read (the capacity check below names the
    // numbers): no webinar can seat it, and checking every entry of a list of any length costs time.
    if (attendeeItems.length <= MAX_ATTENDEES) attendees = checkAttendees(attendeeItems, 'attendees', errors);
  }

  let transcription: TranscriptionSettings | undefined;
  if (!isAbsent(input.transcription))
    transcription = checkTranscription(input.transcription, 'transcription', errors);

  let meetingFeatures: MeetingFeaturesConfiguration | undefined;
  let featuresOk = true;
  if (!isAbsent(input.meetingFeatures)) {
    meetingFeatures = checkMeetingFeatures(input.meetingFeatures, 'meetingFeatures', errors);
    featuresOk = meetingFeatures !== undefined;
  }

  let tags: Tag[] | undefined = [];
  if (!isAbsent(input.tags)) tags = checkTags(input.tags, 'tags', errors);

  let tenantIds: string[] | undefined;
  if (!isAbsent(input.tenantIds)) tenantIds = checkTenantIds(input.tenantIds, 'tenantIds', errors);

  let provisionLeadSeconds = DEFAULT_PROVISION_LEAD_SECONDS;
  if (!isAbsent(input.provisionLeadSeconds)) {
    const value = input.provisionLeadSeconds;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      errors.add('provisionLeadSeconds', `must be a number of seconds, got ${describe(value)}`);
    } else if (!Number.isInteger(value) || value <= 0 || value > MAX_PROVISION_LEAD_SECONDS) {
      errors.add(
        'provisionLeadSeconds',
        `must be a whole number of seconds from 1 to ${MAX_PROVISION_LEAD_SECONDS} ` +
          `(an idle primary meeting auto-ends after 5 minutes), got ${value}`,
      );
    } else provisionLeadSeconds = value;
  }

  const maxReplicas = optionalInteger(input, 'maxReplicas', errors, DEFAULT_MAX_REPLICAS, {
    max: MAX_REPLICAS,
    meaning: "replicas the account's quota allows per primary meeting",
  });

  // Capacity: counted on the raw roster, so a roster too large is reported even when some entries are bad.
  const perMeeting = featuresOk ? attendeesPerMeeting(meetingFeatures) : ATTENDEES_PER_MEETING;
  const hostsAndSpeakers = (attendeeItems ?? []).filter(
    (item) => isObject(item) && (item.role === 'host' || item.role === 'speaker'),
  ).length;
  const promotionReserve = optionalInteger(
    input,
    'promotionReserve',
    errors,
    defaultPromotionReserve(hostsAndSpeakers, perMeeting),
    { max: perMeeting, meaning: 'seats the primary meeting keeps free for promoting replica viewers' },
  );
  if (
    attendeeItems !== undefined &&
    maxReplicas !== undefined &&
    promotionReserve !== undefined &&
    featuresOk
  ) {
    const problem = seatingProblem(
      attendeeItems.length,
      hostsAndSpeakers,
      maxReplicas,
      perMeeting,
      promotionReserve,
    );
    if (problem !== undefined) errors.add('attendees', problem);
  } else if (attendeeItems !== undefined && attendeeItems.length > MAX_ATTENDEES) {
    errors.add(
      'attendees',
      `must list at most ${formatCount(MAX_ATTENDEES)} attendees (1 primary + ${MAX_REPLICAS} replicas of ` +
        `${ATTENDEES_PER_MEETING}), got ${formatCount(attendeeItems.length)}; split them across webinars`,
    );
  }

  if (errors.count > 0) return errors.failure();
  const id = webinarId as string;
  const value: NormalizedWebinarSpec = {
    webinarId: id,
    title: title ?? id,
    startAt: input.startAt as string,
    endAt: input.endAt as string,
    primaryRegion: primaryRegion as string,
    replicaRegions: replicaRegions ?? [],
    attendees: attendees ?? [],
    provisionLeadSeconds,
    maxReplicas: maxReplicas ?? DEFAULT_MAX_REPLICAS,
    promotionReserve: promotionReserve ?? DEFAULT_PROMOTION_RESERVE,
    tags: tags ?? [],
  };
  if (controlRegion !== undefined) value.controlRegion = controlRegion;
  if (transcription !== undefined) value.transcription = transcription;
  if (meetingFeatures !== undefined) value.meetingFeatures = meetingFeatures;
  if (tenantIds !== undefined) value.tenantIds = [...tenantIds];
  return { ok: true, value };
}
