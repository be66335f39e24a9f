/**
 * The worker's configuration, from the environment only, checked all at once at start: a ConfigError names
 * every bad variable and says what to do; `npm start` then exits with code 2 before connecting anywhere.
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_TASK_QUEUE, TEMPORAL_TLS*, TEMPORAL_API_KEY | see client/temporal/connection.ts | where Temporal is |
 * | CHIME_ENDPOINT | unset: real AWS, default credential chain | Chime SDK Meetings endpoint override (the emulator) |
 * | CHIME_REGION, else AWS_REGION | us-east-1 | control Region for webinars that name none |
 * | CHIME_CONTROL_REGIONS | none | further control Regions served explicitly, comma-separated |
 * | CHIME_BUDGET_PER_SECOND, CHIME_BUDGET_<REGION> | see worker/budget/config.ts | API budget |
 * | CHIME_MAX_CONCURRENT_ACTIVITIES | 20 | concurrent Chime calls per activity worker |
 * | METRICS_PORT | unset: no metrics endpoint | Prometheus /metrics port |
 * | METRICS_HOST | 127.0.0.1 (containers set 0.0.0.0) | address the metrics endpoint listens on |
 * | METRICS_PHASE_INTERVAL_SECONDS | 30 | how often webinars are counted by phase (visibility) |
 * | LOG_LEVEL | INFO | TRACE, DEBUG, INFO, WARN or ERROR |
 * | TEMPORAL_DEPLOYMENT_NAME, TEMPORAL_WORKER_BUILD_ID | unset: unversioned | Worker Versioning (both or neither; worker/versioning.ts) |
 * | TEMPORAL_VERSIONING_BEHAVIOR | AUTO_UPGRADE | default behaviour of the webinar workflows: AUTO_UPGRADE or PINNED |
 * | CREDENTIAL_STORE_URL, CREDENTIAL_STORE_MAX_CONNECTIONS | none (the demo: PGlite in memory) | the credential store (worker/credential-store.ts) |
 */
import { isIP } from 'node:net';
import type { LogLevel } from '@temporalio/common';
import {
  ConfigError,
  envValue,
  readTemporalConnectionConfig,
  type ConfigProblem,
  type TemporalConnectionConfig,
} from '../client/temporal/connection';
import { CONTROL_REGIONS, isControlRegion } from '../domain/regions';
import { BudgetConfigError, parseChimeBudgets, type ChimeBudgets } from './budget/config';
import {
  CREDENTIAL_STORE_ENV_VARS,
  readCredentialStoreSettings,
  type CredentialStoreSettings,
} from '../client/credential-store/settings';
import { LOG_LEVELS } from './logging';
import { DEFAULT_METRICS_HOST } from './metrics';
import { readWorkerVersioning, type WorkerVersioning } from './versioning';

export { ConfigError, type ConfigProblem };

export const DEFAULT_CONTROL_REGION = 'us-east-1';
export const DEFAULT_PHASE_INTERVAL_SECONDS = 30;

export interface WorkerConfig {
  temporal: TemporalConnectionConfig;
  chime: {
    /** Unset: real AWS. */
    endpoint?: string;
    defaultRegion: string;
    controlRegions: string[];
    budgets: ChimeBudgets;
    maxConcurrentActivities: number;
  };
  metrics: {
    /** Unset: no metrics endpoint. */
    port?: number;
    /** Listen address; 127.0.0.1 unless set (the Dockerfile and compose set 0.0.0.0 inside the container). */
    host: string;
    phaseIntervalSeconds: number;
  };
  logLevel: LogLevel;
  /** Webinar runs cached between workflow tasks (WORKFLOW_CACHE_SIZE); unset: the SDK's default. */
  workflowCacheSize?: number;
  /** Unset: the webinar worker is unversioned. */
  versioning?: WorkerVersioning;
  /** Where attendees' credentials are kept. */
  credentials: CredentialStoreSettings;
}

/** Every variable the worker reads (the compose file and docs are tested against this list). */
export const WORKER_ENV_VARS = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CERT',
  'TEMPORAL_TLS_KEY',
  'TEMPORAL_TLS_CA',
  'TEMPORAL_TLS_SERVER_NAME',
  'TEMPORAL_API_KEY',
  'CHIME_ENDPOINT',
  'CHIME_REGION',
  'AWS_REGION',
  'CHIME_CONTROL_REGIONS',
  'CHIME_BUDGET_PER_SECOND',
  'CHIME_MAX_CONCURRENT_ACTIVITIES',
  'METRICS_PORT',
  'METRICS_HOST',
  'METRICS_PHASE_INTERVAL_SECONDS',
  'PAYLOAD_ENCRYPTION_KEYS',
  'PAYLOAD_ENCRYPTION_STRICT',
  'PAYLOAD_ENCRYPTION_REQUIRE_BINDING',
  'LOG_LEVEL',
  'TEMPORAL_DEPLOYMENT_NAME',
  'TEMPORAL_WORKER_BUILD_ID',
  'TEMPORAL_VERSIONING_BEHAVIOR',
  'WORKFLOW_CACHE_SIZE',
  ...CREDENTIAL_STORE_ENV_VARS,
] as const;

const controlRegionHint = `one of ${CONTROL_REGIONS.join(', ')}`;

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  min: number,
  max: number,
  problems: ConfigProblem[],
): number | undefined {
  const raw = envValue(env, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    problems.push({
      variable: name,
      message: `${JSON.stringify(raw)} is not a whole number in ${min}-${max}`,
    });
    return undefined;
  }
  return value;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const problems: ConfigProblem[] = [];
  const temporal = readTemporalConnectionConfig(env, problems);

  const endpoint = envValue(env, 'CHIME_ENDPOINT');
  if (endpoint !== undefined) {
    let ok = false;
    try {
      const url = new URL(endpoint);
      ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
    } catch {
      ok = false;
    }
    if (!ok) {
      problems.push({
        variable: 'CHIME_ENDPOINT',
        message: `${JSON.stringify(endpoint)} is not an http(s) URL (e.g. http://localhost:8080 for the emulator); unset it to use real AWS`,
      });
    }
  }

  const regionVar = envValue(env, 'CHIME_REGION') !== undefined ? 'CHIME_REGION' : 'AWS_REGION';
  const defaultRegion = envValue(env, regionVar) ?? DEFAULT_CONTROL_REGION;
  if (!isControlRegion(defaultRegion)) {
    problems.push({
      variable: regionVar,
      message: `${JSON.stringify(defaultRegion)} has no Chime SDK Meetings API endpoint: use ${controlRegionHint}`,
    });
  }

  const controlRegions: string[] = [];
  const rawRegions = envValue(env, 'CHIME_CONTROL_REGIONS');
  if (rawRegions !== undefined) {
    const bad: string[] = [];
    for (const part of rawRegions.split(',').map((s) => s.trim())) {
      if (part === '') continue;
      if (isControlRegion(part)) {
        if (!controlRegions.includes(part)) controlRegions.push(part);
      } else bad.push(JSON.stringify(part));
    }
    if (bad.length > 0) {
      problems.push({
        variable: 'CHIME_CONTROL_REGIONS',
        message: `${bad.join(', ')} ${bad.length === 1 ? 'is not a control Region' : 'are not control Regions'}: list ${controlRegionHint}, comma-separated`,
      });
    }
  }

  let budgets: ChimeBudgets | undefined;
  try {
    budgets = parseChimeBudgets(env);
  } catch (err) {
    if (!(err instanceof BudgetConfigError)) throw err;
    const variable = /^[A-Z0-9_]+/.exec(err.message)?.[0] ?? 'CHIME_BUDGET_*';
    problems.push({ variable, message: err.message });
  }

  const maxConcurrentActivities = integer(env, 'CHIME_MAX_CONCURRENT_ACTIVITIES', 1, 1000, problems) ?? 20;
  const port = integer(env, 'METRICS_PORT', 1, 65535, problems);
  const metricsHost = envValue(env, 'METRICS_HOST') ?? DEFAULT_METRICS_HOST;
  if (
    isIP(metricsHost) === 0 &&
    !/^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
      metricsHost,
    )
  ) {
    problems.push({
      variable: 'METRICS_HOST',
      message: `${JSON.stringify(metricsHost)} is not an IP address or host name (127.0.0.1 for this machine only, 0.0.0.0 for every interface)`,
    });
  }
  const phaseIntervalSeconds =
    integer(env, 'METRICS_PHASE_INTERVAL_SECONDS', 1, 86_400, problems) ?? DEFAULT_PHASE_INTERVAL_SECONDS;

  const rawLevel = envValue(env, 'LOG_LEVEL')?.toUpperCase() ?? 'INFO';
  const logLevel = LOG_LEVELS.find((l) => l === rawLevel);
  if (!logLevel) {
    problems.push({
      variable: 'LOG_LEVEL',
      message: `${JSON.stringify(rawLevel)} is not one of ${LOG_LEVELS.join(', ')}`,
    });
  }

  const versioning = readWorkerVersioning(env, problems);

  const workflowCacheSize = integer(env, 'WORKFLOW_CACHE_SIZE', 0, 100_000, problems);

  const credentials = readCredentialStoreSettings(env, problems);

  if (problems.length > 0 || !budgets || !logLevel || !credentials) {
    throw new ConfigError(problems, 'worker configuration');
  }
  return {
    temporal,
    chime: {
      ...(endpoint !== undefined ? { endpoint } : {}),
      defaultRegion,
      controlRegions,
      budgets,
      maxConcurrentActivities,
    },
    metrics: { ...(port !== undefined ? { port } : {}), host: metricsHost, phaseIntervalSeconds },
    logLevel,
    ...(workflowCacheSize !== undefined ? { workflowCacheSize } : {}),
    ...(versioning ? { versioning } : {}),
    credentials,
  };
}
