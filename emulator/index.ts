export { startEmulator, createHandler, type RunningEmulator, type StartOptions } from './server';
export { Engine } from './engine';
export type {
  ApiRequest,
  ApiResponse,
  Capabilities,
  EmulatorState,
  MediaCapability,
  MeetingSummary,
  OperationCounters,
} from './engine';
export { defaultConfig, deepMerge, mulberry32 } from './config';
export type { DeepPartial, EmulatorConfig, FaultSpec, RateLimit } from './config';
export { ApiError, ERROR_STATUS, type ErrorType } from './errors';
export { MEDIA_REGIONS } from './model';
