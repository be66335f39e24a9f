/**
 * How every program of this project reaches Temporal: the address, namespace, TLS (mTLS certificates for a
 * self-hosted cluster or Temporal Cloud) and an API key (Temporal Cloud), read from the environment and
 * checked before anything connects. The worker (NativeConnection) and the client library / CLI (Connection)
 * share these rules, so one set of variables configures both.
 *
 *   TEMPORAL_ADDRESS           host:port                       default localhost:7233
 *   TEMPORAL_NAMESPACE         namespace                       default "default"
 *   TEMPORAL_TASK_QUEUE        the webinar workflows' queue    default "webinars"
 *   TEMPORAL_TLS               "true" for TLS without client certificates (implied by any TLS_* or API key)
 *   TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY   paths of the client certificate and key (mTLS; both or neither)
 *   TEMPORAL_TLS_CA            path of a CA bundle for the server's certificate (default: system roots)
 *   TEMPORAL_TLS_SERVER_NAME   server name to verify instead of the address's host
 *   TEMPORAL_API_KEY           API key (Temporal Cloud); sent as a bearer token over TLS
 */
import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { DEFAULT_WEBINAR_TASK_QUEUE } from '../../workflows/definitions';
import { CodecConfigError } from './codec';
import { dataConverterFromEnvironment } from './data-converter';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

/** One bad variable: which one, and what a person should do about it. */
export interface ConfigProblem {
  variable: string;
  message: string;
}

/** Every bad variable at once, each named. The worker exits with code 2 on it. */
export class ConfigError extends Error {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], subject = 'configuration') {
    super(`Invalid ${subject}:\n${problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface TemporalConnectionConfig {
  address: string;
  namespace: string;
  taskQueue: string;
  /** false: plaintext; true: TLS with system roots; object: custom TLS. */
  tls: TLSConfig | boolean;
  apiKey?: string;
  /** The payload codec (client/temporal/codec.ts) when PAYLOAD_ENCRYPTION_KEYS configures one. */
  dataConverter?: DataConverter;
}

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** A value, or undefined when the variable is unset or blank. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export function checkHostPort(value: string): string | undefined {
  const m = HOST_PORT.exec(value);
  if (!m)
    return `${JSON.stringify(value)} is not host:port (e.g. localhost:7233 or my-ns.a1b2c.tmprl.cloud:7233)`;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  return undefined;
}

function readPem(env: NodeJS.ProcessEnv, name: string, problems: ConfigProblem[]): Buffer | undefined {
  const path = envValue(env, name);
  if (path === undefined) return undefined;
  try {
    const content = readFileSync(path);
    if (!content.toString('utf8').includes('-----BEGIN')) {
      problems.push({ variable: name, message: `${path} is not a PEM file (no "-----BEGIN" line)` });
      return undefined;
    }
    return content;
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'error';
    problems.push({ variable: name, message: `cannot read ${path} (${code}): give the path of a PEM file` });
    return undefined;
  }
}

/**
 * The Temporal connection settings; pushes a problem per bad variable instead of stopping at the first.
 * `overrides` are values given on a command line, which win over the environment.
 */
export function readTemporalConnectionConfig(
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
  overrides: { address?: string; namespace?: string; taskQueue?: string } = {},
): TemporalConnectionConfig {
  const address = overrides.address ?? envValue(env, 'TEMPORAL_ADDRESS') ?? DEFAULT_TEMPORAL_ADDRESS;
  const addressProblem = checkHostPort(address);
  if (addressProblem) {
    problems.push({
      variable: overrides.address ? '--address' : 'TEMPORAL_ADDRESS',
      message: addressProblem,
    });
  }
  const namespace = overrides.namespace ?? envValue(env, 'TEMPORAL_NAMESPACE') ?? DEFAULT_TEMPORAL_NAMESPACE;
  if (!NAME.test(namespace)) {
    problems.push({
      variable: overrides.namespace ? '--namespace' : 'TEMPORAL_NAMESPACE',
      message: `${JSON.stringify(namespace)} is not a namespace name (letters, digits, ".", "_", "-")`,
    });
  }
  const taskQueue = overrides.taskQueue ?? envValue(env, 'TEMPORAL_TASK_QUEUE') ?? DEFAULT_WEBINAR_TASK_QUEUE;
  if (!NAME.test(taskQueue) || taskQueue.startsWith('chime.')) {
    problems.push({
      variable: overrides.taskQueue ? '--task-queue' : 'TEMPORAL_TASK_QUEUE',
      message: `${JSON.stringify(taskQueue)} is not usable as the webinar task queue (letters, digits, ".", "_", "-"; the "chime." prefix is reserved for the Chime activity queues)`,
    });
  }

  const rawTls = envValue(env, 'TEMPORAL_TLS');
  let tlsFlag: boolean | undefined;
  if (rawTls !== undefined) {
    if (/^(true|1|yes)$/i.test(rawTls)) tlsFlag = true;
    else if (/^(false|0|no)$/i.test(rawTls)) tlsFlag = false;
    else
      problems.push({ variable: 'TEMPORAL_TLS', message: `${JSON.stringify(rawTls)} is not true or false` });
  }
  const certSet = envValue(env, 'TEMPORAL_TLS_CERT') !== undefined;
  const keySet = envValue(env, 'TEMPORAL_TLS_KEY') !== undefined;
  if (certSet !== keySet) {
    const missing = certSet ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT';
    problems.push({
      variable: missing,
      message: `is required when ${certSet ? 'TEMPORAL_TLS_CERT' : 'TEMPORAL_TLS_KEY'} is set: mTLS needs both the client certificate and its private key`,
    });
  }
  const crt = readPem(env, 'TEMPORAL_TLS_CERT', problems);
  const key = readPem(env, 'TEMPORAL_TLS_KEY', problems);
  const ca = readPem(env, 'TEMPORAL_TLS_CA', problems);
  const serverName = envValue(env, 'TEMPORAL_TLS_SERVER_NAME');
  const apiKey = envValue(env, 'TEMPORAL_API_KEY');
  if (apiKey !== undefined && /\s/.test(apiKey)) {
    problems.push({ variable: 'TEMPORAL_API_KEY', message: 'contains whitespace: paste the key exactly' });
  }

  const anyTlsSetting = certSet || keySet || ca !== undefined || serverName !== undefined;
  if (tlsFlag === false && (anyTlsSetting || apiKey !== undefined)) {
    problems.push({
      variable: 'TEMPORAL_TLS',
      message: 'is false, but TLS settings or TEMPORAL_API_KEY are set: an API key or certificate needs TLS',
    });
  }
  let tls: TLSConfig | boolean = tlsFlag ?? (anyTlsSetting || apiKey !== undefined);
  if (tls && anyTlsSetting) {
    tls = {
      ...(serverName !== undefined ? { serverNameOverride: serverName } : {}),
      ...(ca !== undefined ? { serverRootCACertificate: ca } : {}),
      ...(crt !== undefined && key !== undefined ? { clientCertPair: { crt, key } } : {}),
    };
  }

  let dataConverter: DataConverter | undefined;
  try {
    dataConverter = dataConverterFromEnvironment(env);
  } catch (err) {
    problems.push({
      variable: err instanceof CodecConfigError ? err.variable : 'PAYLOAD_ENCRYPTION_KEYS',
      message: err instanceof Error ? err.message : String(err),
    });
  }

  return {
    address,
    namespace,
    taskQueue,
    tls,
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(dataConverter ? { dataConverter } : {}),
  };
}

/** A Temporal client for these settings (close it with `client.connection.close()`). */
export async function connectClient(config: TemporalConnectionConfig): Promise<Client> {
  const connection = await Connection.connect({
    address: config.address,
    tls: config.tls,
    ...(config.apiKey !== undefined ? { apiKey: config.apiKey } : {}),
  });
  return new Client({
    connection,
    namespace: config.namespace,
    ...(config.dataConverter ? { dataConverter: config.dataConverter } : {}),
  });
}
