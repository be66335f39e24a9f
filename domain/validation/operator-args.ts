/** The arguments of the operator actions (Update and Signal of the same name). */
import { MAX_ATTENDEES } from '../limits';
import type {
  AddAttendeesArgs,
  AttendeeSpec,
  EndWebinarArgs,
  MuteAllExceptArgs,
  RemoveAttendeeArgs,
  RescheduleArgs,
  SpeakerArgs,
} from '../types';
import { checkAttendees } from './attendees';
import {
  checkArray,
  checkKnownKeys,
  checkString,
  Errors,
  isAbsent,
  requireObject,
  result,
  ROOT_FIELD,
  type Validated,
} from './fields';
import { checkExternalUserId } from './identifiers';
import { checkInstant, checkWindow, ISO_EXAMPLE } from './schedule';

function checkSingleUser(input: unknown): Validated<{ externalUserId: string }> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {externalUserId}')) return errors.failure();
  checkKnownKeys(input, ['externalUserId'], '', errors);
  if (isAbsent(input.externalUserId)) errors.add('externalUserId', 'is required');
  else checkExternalUserId(input.externalUserId, 'externalUserId', errors);
  return result(errors, () => ({ externalUserId: input.externalUserId as string }));
}

/** promoteSpeaker / demoteSpeaker: `{externalUserId}`. */
export function validateSpeakerArgs(input: unknown): Validated<SpeakerArgs> {
  return checkSingleUser(input);
}

/** removeAttendee: `{externalUserId}`. */
export function validateRemoveAttendeeArgs(input: unknown): Validated<RemoveAttendeeArgs> {
  return checkSingleUser(input);
}

/** The service's limit on ExcludedAttendeeIds in BatchUpdateAttendeeCapabilitiesExcept. */
export const MAX_MUTE_EXCEPTIONS = 250;

/** muteAllExcept: `{externalUserIds}`, 1-250 distinct external user IDs. */
export function validateMuteAllExceptArgs(input: unknown): Validated<MuteAllExceptArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {externalUserIds}')) return errors.failure();
  checkKnownKeys(input, ['externalUserIds'], '', errors);
  const ids = input.externalUserIds;
  if (isAbsent(ids)) {
    errors.add('externalUserIds', `is required: 1-${MAX_MUTE_EXCEPTIONS} external user IDs to keep unmuted`);
  } else if (checkArray(ids, 'externalUserIds', errors, 'external user ID strings')) {
    if (ids.length < 1 || ids.length > MAX_MUTE_EXCEPTIONS) {
      errors.add(
        'externalUserIds',
        `must list 1-${MAX_MUTE_EXCEPTIONS} external user IDs to keep unmuted, got ${ids.length}`,
      );
    } else {
      const firstIndex = new Map<string, number>();
      ids.forEach((id, index) => {
        const at = `externalUserIds[${index}]`;
        if (!checkExternalUserId(id, at, errors)) return;
        const first = firstIndex.get(id);
        if (first !== undefined) errors.add(at, `duplicates externalUserIds[${first}]; list each ID once`);
        else firstIndex.set(id, index);
      });
    }
  }
  return result(errors, () => ({ externalUserIds: [...(ids as string[])] }));
}

/** addAttendees: `{attendees}`, 1-10,250 attendees with the same rules as the webinar input. */
export function validateAddAttendeesArgs(input: unknown): Validated<AddAttendeesArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {attendees}')) return errors.failure();
  checkKnownKeys(input, ['attendees'], '', errors);
  let attendees: AttendeeSpec[] | undefined;
  const items = input.attendees;
  if (isAbsent(items)) errors.add('attendees', 'is required: an array of 1 or more attendees to add');
  else if (checkArray(items, 'attendees', errors, '{externalUserId, role, region?} objects')) {
    if (items.length < 1 || items.length > MAX_ATTENDEES) {
      errors.add('attendees', `must list 1-${MAX_ATTENDEES} attendees, got ${items.length}`);
    } else attendees = checkAttendees(items, 'attendees', errors);
  }
  return result(errors, () => ({ attendees: attendees ?? [] }));
}

/** reschedule: `{startAt?, endAt?}`, at least one, each ISO-8601 with a timezone; both: endAt after startAt. */
export function validateRescheduleArgs(input: unknown): Validated<RescheduleArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {startAt?, endAt?}')) return errors.failure();
  checkKnownKeys(input, ['startAt', 'endAt'], '', errors);
  const hasStart = !isAbsent(input.startAt);
  const hasEnd = !isAbsent(input.endAt);
  if (!hasStart && !hasEnd) {
    errors.add(ROOT_FIELD, `must give startAt, endAt or both (ISO-8601 with a timezone, ${ISO_EXAMPLE})`);
  }
  const start = hasStart ? checkInstant(input.startAt, 'startAt', errors) : undefined;
  const end = hasEnd ? checkInstant(input.endAt, 'endAt', errors) : undefined;
  if (start !== undefined && end !== undefined) checkWindow(start, end, errors);
  return result(errors, () => {
    const args: RescheduleArgs = {};
    if (hasStart) args.startAt = input.startAt as string;
    if (hasEnd) args.endAt = input.endAt as string;
    return args;
  });
}

export const MAX_END_REASON_LENGTH = 256;

/** endWebinar: `{reason?}` (a missing argument is the same as `{}`). */
export function validateEndWebinarArgs(input: unknown): Validated<EndWebinarArgs> {
  const errors = new Errors();
  if (isAbsent(input)) return { ok: true, value: {} };
  if (!requireObject(input, '', errors, 'an object {reason?}')) return errors.failure();
  checkKnownKeys(input, ['reason'], '', errors);
  if (!isAbsent(input.reason)) {
    checkString(input.reason, 'reason', errors, { min: 0, max: MAX_END_REASON_LENGTH });
  }
  return result(errors, () => (isAbsent(input.reason) ? {} : { reason: input.reason as string }));
}
