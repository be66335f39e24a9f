/**
 * Notices the worker's dependencies print that are expected by design, and what this project does with each. Any
 * other warning still reaches the log (worker/main.ts turns process warnings into JSON log lines).
 *
 * - The AWS SDK warns once per process, on Node < 22, that SDK releases published after the first week of
 *   January 2027 will need Node 22. The SDK version in package-lock.json runs on Node 20, which this project tests
 *   until then (docs/reference.md, "Node versions"); the notice is for whoever upgrades the SDK, and says nothing
 *   about the running worker. It is switched off with the SDK's own setting, unless the operator set that
 *   setting. The production image runs Node 24, where the SDK prints nothing.
 * - The Temporal SDK warns when a worker has no activities, or no workflows. The fleet is split on purpose: the
 *   webinar worker runs the workflows (and only the attendance activity), each Chime worker activities only
 *   (worker/assembly.ts). Those messages are logged at DEBUG instead of WARN.
 */
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';

export const AWS_NODE_NOTICE_SETTING = 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
/** The first Node major the AWS SDK's next releases support. */
export const AWS_SDK_NEXT_NODE_MAJOR = 22;

export function acknowledgeExpectedNodeNotice(
  env: NodeJS.ProcessEnv = process.env,
  version = process.version,
): void {
  const major = Number(/^v(\d+)\./.exec(version)?.[1] ?? '0');
  if (major < AWS_SDK_NEXT_NODE_MAJOR && env[AWS_NODE_NOTICE_SETTING] === undefined) {
    env[AWS_NODE_NOTICE_SETTING] = 'true';
  }
}

const SPLIT_FLEET_NOTICES = new Set([
  'No activities registered, not polling for activity tasks',
  'No workflows registered, not polling for workflow tasks',
]);

/** The worker's logger with the split-fleet notices moved to DEBUG. */
export function withExpectedNoticesAtDebug(logger: Logger): Logger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata): void => {
    logger.log(level === 'WARN' && SPLIT_FLEET_NOTICES.has(message) ? 'DEBUG' : level, message, meta);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
