/**
 * The events bridge's settings, from the environment, every bad variable named at once (ConfigError; the
 * command exits with code 2 on it):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | EVENTS_QUEUE_URL | — | the queue the EventBridge rule (or the emulator) puts the meeting events on |
 * | EVENTS_DLQ_URL | — | its dead-letter queue: malformed messages and those past EVENTS_MAX_TRIES go there at once; unset, the queue's RedrivePolicy moves them |
 * | EVENTS_SQS_ENDPOINT | — | an SQS endpoint override (the emulator); unset, AWS with the default credential chain |
 * | EVENTS_SQS_REGION | from the queue URL | the queue's Region (`sqs.<region>.amazonaws.com`; us-east-1 with an endpoint) |
 * | EVENTS_MAX_TRIES | 5 | receives of a message before the bridge dead-letters it |
 * | EVENTS_POLLERS | 4 | concurrent long polls |
 * | EVENTS_WAIT_SECONDS | 20 | ReceiveMessage's WaitTimeSeconds (0-20) |
 * | EVENTS_VISIBILITY_SECONDS | 60 | the VisibilityTimeout each receive sets (extended while a batch waits) |
 * | EVENTS_MAX_PENDING | 20000 | messages held before the pollers pause |
 * | EVENTS_SIGNAL_TIMEOUT_MS | 10000 | deadline of one Signal |
 * | EVENTS_BRIDGE_PORT / _HOST | 9465 / 127.0.0.1 | where /healthz and /metrics are served |
 * | LOG_LEVEL | info | debug (or trace), info, warn or error, in any case |
 * | TEMPORAL_*, PAYLOAD_ENCRYPTION_KEYS | as the client library | the workers' Temporal and codec |
 */
import {
  ConfigError,
  envValue,
  readTemporalConnectionConfig,
  type ConfigProblem,
  type TemporalConnectionConfig,
} from '../temporal/connection';
import { LOG_LEVELS, type LogLevel } from './log';

export const DEFAULT_EVENTS_BRIDGE_PORT = 9465;

export interface SqsSettings {
  queueUrl: string;
  dlqUrl?: string;
  region: string;
  /** The emulator's endpoint; unset: AWS. */
  endpoint?: string;
}

export interface BridgeTuning {
  maxTries: number;
  pollers: number;
  waitSeconds: number;
  visibilitySeconds: number;
  maxPending: number;
  signalTimeoutMs: number;
}

export interface EventsBridgeConfig {
  sqs: SqsSettings;
  tuning: BridgeTuning;
  port: number;
  host: string;
  logLevel: LogLevel;
  temporal: TemporalConnectionConfig;
}

export const DEFAULT_TUNING: BridgeTuning = {
  maxTries: 5,
  pollers: 4,
  waitSeconds: 20,
  visibilitySeconds: 60,
  maxPending: 20_000,
  signalTimeoutMs: 10_000,
};

const AWS_QUEUE_HOST = /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d)\.amazonaws\.com(?:\.cn)?$/;

function readInt(
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  variable: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = envValue(env, variable);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (/^\d+$/.test(raw) && n >= min && n <= max) return n;
  problems.push({ variable, message: `${JSON.stringify(raw)} is not a whole number in ${min}-${max}` });
  return fallback;
}

function readUrl(
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  variable: string,
  what: string,
): URL | undefined {
  const raw = envValue(env, variable);
  if (raw === undefined) return undefined;
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // reported below
  }
  problems.push({ variable, message: `${JSON.stringify(raw)} is not an http(s) URL of ${what}` });
  return undefined;
}

export function readEventsBridgeConfig(env: NodeJS.ProcessEnv): EventsBridgeConfig {
  const problems: ConfigProblem[] = [];
  const queue = readUrl(env, problems, 'EVENTS_QUEUE_URL', 'an SQS queue');
  if (envValue(env, 'EVENTS_QUEUE_URL') === undefined) {
    problems.push({
      variable: 'EVENTS_QUEUE_URL',
      message: 'must be set to the URL of the queue the meeting events arrive on',
    });
  }
  const dlq = readUrl(env, problems, 'EVENTS_DLQ_URL', 'an SQS queue');
  if (queue && dlq && queue.href === dlq.href) {
    problems.push({
      variable: 'EVENTS_DLQ_URL',
      message: 'is the events queue itself: name its dead-letter queue',
    });
  }
  const endpoint = readUrl(env, problems, 'EVENTS_SQS_ENDPOINT', 'an SQS endpoint');
  const fromUrl = queue ? AWS_QUEUE_HOST.exec(queue.hostname)?.[1] : undefined;
  const region = envValue(env, 'EVENTS_SQS_REGION') ?? fromUrl ?? (endpoint ? 'us-east-1' : undefined);
  if (region === undefined && queue) {
    problems.push({
      variable: 'EVENTS_SQS_REGION',
      message: "must be set: the queue URL's host does not name a Region",
    });
  } else if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    problems.push({ variable: 'EVENTS_SQS_REGION', message: `${JSON.stringify(region)} is not a Region` });
  }
  const d = DEFAULT_TUNING;
  const tuning: BridgeTuning = {
    maxTries: readInt(env, problems, 'EVENTS_MAX_TRIES', d.maxTries, 1, 100),
    pollers: readInt(env, problems, 'EVENTS_POLLERS', d.pollers, 1, 64),
    waitSeconds: readInt(env, problems, 'EVENTS_WAIT_SECONDS', d.waitSeconds, 0, 20),
    visibilitySeconds: readInt(env, problems, 'EVENTS_VISIBILITY_SECONDS', d.visibilitySeconds, 1, 43_200),
    maxPending: readInt(env, problems, 'EVENTS_MAX_PENDING', d.maxPending, 10, 1_000_000),
    signalTimeoutMs: readInt(env, problems, 'EVENTS_SIGNAL_TIMEOUT_MS', d.signalTimeoutMs, 100, 120_000),
  };
  // A Signal that may outlast a third of the visibility timeout could see its messages come back meanwhile.
  if (tuning.signalTimeoutMs > (tuning.visibilitySeconds * 1000) / 3) {
    problems.push({
      variable: 'EVENTS_SIGNAL_TIMEOUT_MS',
      message: `must be at most a third of EVENTS_VISIBILITY_SECONDS (${tuning.visibilitySeconds} s)`,
    });
  }
  const port = readInt(env, problems, 'EVENTS_BRIDGE_PORT', DEFAULT_EVENTS_BRIDGE_PORT, 0, 65535);
  const host = envValue(env, 'EVENTS_BRIDGE_HOST') ?? '127.0.0.1';
  const rawLevel = (envValue(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  // The worker's TRACE is the bridge's debug: one LOG_LEVEL serves both.
  const logLevel = LOG_LEVELS.find((l) => l === (rawLevel === 'trace' ? 'debug' : rawLevel));
  if (!logLevel) {
    problems.push({
      variable: 'LOG_LEVEL',
      message: `${JSON.stringify(rawLevel)} is not one of ${LOG_LEVELS.join(', ')}`,
    });
  }
  const temporal = readTemporalConnectionConfig(env, problems);
  if (problems.length > 0 || !queue || region === undefined) {
    throw new ConfigError(problems, 'events bridge configuration');
  }
  return {
    sqs: {
      queueUrl: queue.href,
      ...(dlq ? { dlqUrl: dlq.href } : {}),
      region,
      ...(endpoint ? { endpoint: endpoint.href.replace(/\/$/, '') } : {}),
    },
    tuning,
    port,
    host,
    logLevel: logLevel ?? 'info',
    temporal,
  };
}
