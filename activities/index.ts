/**
 * The Chime activities and their client factory. A worker wires them as
 * `createChimeActivities({ clients: createChimeClientFactory({ defaultRegion, endpoint }) })`.
 */
export { createChimeActivities, type ChimeActivityDeps } from './chime-activities';
export {
  createChimeClientFactory,
  AWS_MAX_ATTEMPTS,
  EMULATOR_CREDENTIALS,
  type ChimeClientFactory,
  type ChimeClientFactoryOptions,
} from './clients';
export {
  AWS_ERROR_RULES,
  OPERATION_ERROR_RULES,
  TRANSIENT_ERROR_NAMES,
  MAX_RETRY_AFTER_MS,
  classify,
  isNotFound,
  retryAfterMs,
  toActivityFailure,
  type ErrorRule,
  type FailureDecision,
} from './errors';
export { redact } from './redact';
export {
  createAttendanceActivities,
  ATTENDANCE_INPUT_FAILURE_TYPE,
  type AttendanceActivityDeps,
} from './attendance';
