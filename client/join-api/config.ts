/**
 * The join API's settings, from the environment, every bad variable named at once (ConfigError; the command
 * exits with code 2 on it):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | JOIN_API_PORT | 8090 | port to listen on |
 * | JOIN_API_HOST | 127.0.0.1 | address to listen on (0.0.0.0 in a container, behind the TLS proxy) |
 * | JOIN_LINK_KEYS | — | keys that verify join links (the link flow) |
 * | JOIN_SERVICE_TOKENS | — | `name:secret,...`, secrets ≥ 32 characters (the backend flow); at least one of the two |
 * | CREDENTIAL_STORE_URL | — | the workers' store: PostgreSQL (`postgres://…`), which other processes can read |
 * | PAYLOAD_ENCRYPTION_KEYS | — | the keys the rows are sealed with |
 * | TEMPORAL_* | as the client library | where the webinars' published status is read |
 */
import type { CredentialStoreConfig } from '../../activities/credentials';
import type { StoreKey } from '../../domain/credentials';
import { readCredentialStoreSettings } from '../credential-store/settings';
import { JOIN_LINK_KEYS_ENV, joinLinkKeysFromEnv } from '../library/join-link';
import { KEYS_ENV, type EncryptionKey } from '../temporal/codec';
import {
  ConfigError,
  envValue,
  readTemporalConnectionConfig,
  type ConfigProblem,
  type TemporalConnectionConfig,
} from '../temporal/connection';
import { DEFAULT_JOIN_API_PORT } from './server';
import { JOIN_SERVICE_TOKENS_ENV, parseServiceTokens, type ServiceToken } from './service-tokens';

export interface JoinApiConfig {
  port: number;
  host: string;
  linkKeys?: EncryptionKey[];
  serviceTokens?: ServiceToken[];
  store: CredentialStoreConfig & { engine: 'postgres' };
  storeKeys: StoreKey[];
  temporal: TemporalConnectionConfig;
}

function readPort(env: NodeJS.ProcessEnv, problems: ConfigProblem[]): number {
  const raw = envValue(env, 'JOIN_API_PORT');
  if (raw === undefined) return DEFAULT_JOIN_API_PORT;
  const port = Number(raw);
  if (/^\d{1,5}$/.test(raw) && port >= 1 && port <= 65535) return port;
  problems.push({ variable: 'JOIN_API_PORT', message: `${JSON.stringify(raw)} is not a port (1-65535)` });
  return DEFAULT_JOIN_API_PORT;
}

/** Runs `read`, turning its throw into a problem of `variable` (its message never repeats a secret). */
function attempt<T>(variable: string, problems: ConfigProblem[], read: () => T): T | undefined {
  try {
    return read();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    problems.push({ variable, message: message.replace(new RegExp(`^${variable}:?\\s*`), '') });
    return undefined;
  }
}

export function readJoinApiConfig(env: NodeJS.ProcessEnv): JoinApiConfig {
  const problems: ConfigProblem[] = [];
  const port = readPort(env, problems);
  const host = envValue(env, 'JOIN_API_HOST') ?? '127.0.0.1';
  const linkKeys = attempt(JOIN_LINK_KEYS_ENV, problems, () => joinLinkKeysFromEnv(env));
  const rawTokens = envValue(env, JOIN_SERVICE_TOKENS_ENV);
  const serviceTokens =
    rawTokens === undefined
      ? undefined
      : attempt(JOIN_SERVICE_TOKENS_ENV, problems, () => parseServiceTokens(rawTokens));
  if (envValue(env, JOIN_LINK_KEYS_ENV) === undefined && rawTokens === undefined) {
    problems.push({
      variable: `${JOIN_LINK_KEYS_ENV} or ${JOIN_SERVICE_TOKENS_ENV}`,
      message: 'set at least one: the keys that verify join links, or the tokens backends call with',
    });
  }
  const storeSettings = readCredentialStoreSettings(env, problems);
  const store = storeSettings?.store;
  if (storeSettings && store?.engine !== 'postgres') {
    problems.push({
      variable: 'CREDENTIAL_STORE_URL',
      message: store
        ? "must be the workers' PostgreSQL store (postgres://…): a PGlite store lives inside one worker process"
        : "must be set to the workers' PostgreSQL store (postgres://…), the one they write credentials to",
    });
  }
  const temporal = readTemporalConnectionConfig(env, problems);
  if (problems.length > 0 || store?.engine !== 'postgres' || !storeSettings?.keys) {
    if (problems.length === 0)
      problems.push({ variable: KEYS_ENV, message: 'must be set (it opens the rows)' });
    throw new ConfigError(problems, 'join API configuration');
  }
  return {
    port,
    host,
    ...(linkKeys ? { linkKeys } : {}),
    ...(serviceTokens ? { serviceTokens } : {}),
    store,
    storeKeys: storeSettings.keys,
    temporal,
  };
}
