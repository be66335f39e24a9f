/**
 * Validation of the webinar input and of every operator action, before any Chime call. Pure and
 * deterministic (it runs in the workflow sandbox). Every bad field is reported (at most MAX_REPORTED_ERRORS,
 * then a count of the rest), each with a path ('attendees[3].externalUserId', 'tags[0].Key') and a message a
 * person can act on. Values the service marks sensitive (external user and meeting IDs) are never echoed back
 * in messages.
 *
 * The public entry point; each concern lives in its own file under validation/.
 */
export {
  ATTENDEES_PER_MEETING,
  BATCH_SIZE,
  DEFAULT_MAX_REPLICAS,
  DEFAULT_PROVISION_LEAD_SECONDS,
  MAX_ATTENDEES,
  MAX_PROVISION_LEAD_SECONDS,
  MAX_REPLICAS,
  MAX_REPORTED_ERRORS,
  MAX_WEBINAR_HOURS,
} from './limits';
export {
  boundFieldErrors,
  formatFieldErrors,
  ROOT_FIELD,
  type FieldError,
  type MoreFieldErrors,
  type Validated,
} from './validation/fields';
export { parseIsoInstant, validateSchedule } from './validation/schedule';
export { attendeesPerMeeting } from './validation/meeting-features';
export { toTranscriptionConfiguration, validateTranscriptionSettings } from './validation/transcription';
export { validateWebinarSpec, type NormalizedWebinarSpec } from './validation/spec';
export {
  MAX_END_REASON_LENGTH,
  MAX_MUTE_EXCEPTIONS,
  validateAddAttendeesArgs,
  validateEndWebinarArgs,
  validateMuteAllExceptArgs,
  validateRemoveAttendeeArgs,
  validateRescheduleArgs,
  validateSpeakerArgs,
} from './validation/operator-args';
export { validateAttendeeCapabilities } from './validation/capabilities';
