/** The client library: `WebinarClient` plus the contract's names, for scheduling systems and operators. */
export * from './webinar-client';
export * from './errors';
export * from './operator-actions';
export type { ListOptions, WebinarSummary } from './webinar-list';
export * from './webinar-spec';
export * from './patch-readiness';
export * from './join-link';
export { WEBINAR_PHASES } from '../../domain/phases';
export type { StatusMemo, WebinarStatusRead } from '../../domain/status-memo';
export {
  calendarConfigFromEnv,
  consultCalendar,
  WebinarOverCommittedError,
  type CalendarConfig,
} from './calendar';
export {
  adaptiveLeadSeconds,
  describeAnswer,
  describeReadiness,
  planCalls,
  type CalendarDecision,
  type CalendarPolicy,
  type WindowAnswer,
} from '../../domain/calendar';
export {
  ConfigError,
  connectClient,
  readTemporalConnectionConfig,
  type TemporalConnectionConfig,
} from '../temporal/connection';
export { dataConverterFromEnvironment } from '../temporal/data-converter';
export {
  WEBINAR_WORKFLOW_TYPE,
  DEFAULT_WEBINAR_TASK_QUEUE,
  OPERATOR_ACTIONS,
  webinarWorkflowId,
  operatorUpdates,
  operatorSignals,
  statusQuery,
  attendeeQuery,
  type OperatorAction,
  type OperatorActionArgs,
} from '../../workflows/definitions';
export type * from '../../domain/types';
export * from './series-client';
