export { startEmulator, createHandler, type RunningEmulator, type StartOptions } from './server';
export { Engine, errorResponse } from './engine';
export type {
  ApiRequest,
  ApiResponse,
  Capabilities,
  EmulatorCounters,
  EmulatorState,
  EventTotals,
  MeetingEventDetail,
  MeetingEventEnvelope,
  MeetingEventType,
  QueueDepth,
  SqsCounters,
  MediaCapability,
  MeetingSummary,
  OperationCounters,
} from './engine';
export { ConfigPatchError, defaultConfig, deepMerge, mulberry32 } from './config';
export type { DeepPartial, EmulatorConfig, FaultSpec, RateLimit } from './config';
export { ApiError, ERROR_STATUS, type ErrorType } from './errors';
export { MEDIA_REGIONS } from './model';
export { parseCredentialScope, MAX_AUTHORIZATION_LENGTH } from './pipeline/sigv4';
export type { CreationTotals } from './store/ledger';
export type { FaultCounts } from './pipeline/faults';
export { DETAIL_TYPE, EVENT_SOURCE, MEETING_EVENT_TYPES } from './events/events';
export { SQS_OPERATIONS } from './sqs/protocol';
