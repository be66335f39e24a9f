/**
 * The credential store's settings, from the environment, checked with the rest of the worker's (and the join
 * API's, which reads the same rows):
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | CREDENTIAL_STORE_URL | unset: none | `postgres://…` or `postgresql://…` (PostgreSQL), `pglite:memory`, or `pglite:<absolute folder>` (PGlite keeping its data there) |
 * | CREDENTIAL_STORE_MAX_CONNECTIONS | 10 | PostgreSQL connections per worker process |
 *
 * Unset, the worker keeps no credentials and says so at start: a PGlite in each worker's memory would cost every
 * process about 0.5 GB and seconds to start, and hold rows no other process can read. The demo, one process,
 * asks for `pglite:memory`.
 *
 * A store whose rows outlive the process (PostgreSQL, a PGlite folder) is sealed with PAYLOAD_ENCRYPTION_KEYS,
 * which it then requires; an in-memory one, without them, with a random key that dies with it. Errors never
 * repeat the URL (it may hold a password).
 */
import { isAbsolute } from 'node:path';
import { isDurable, openCredentialStore, type CredentialStoreConfig } from '../../activities/credentials';
import { ConfigError, envValue, type ConfigProblem } from '../temporal/connection';
import { KEYS_ENV, parseEncryptionKeys } from '../temporal/codec';
import type { CredentialStore, StoreKey } from '../../domain/credentials';

export const CREDENTIAL_STORE_ENV_VARS = [
  'CREDENTIAL_STORE_URL',
  'CREDENTIAL_STORE_MAX_CONNECTIONS',
] as const;

export interface CredentialStoreSettings {
  /** Absent: no store, no credentials kept. */
  store?: CredentialStoreConfig;
  /** The payload keys, when configured (the first seals). */
  keys?: StoreKey[];
}

function readStore(
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
): CredentialStoreConfig | 'none' | undefined {
  const url = envValue(env, 'CREDENTIAL_STORE_URL');
  if (url === undefined) return 'none';
  if (url === 'pglite:memory') return { engine: 'pglite' };
  if (url.startsWith('pglite:')) {
    const dataDir = url.slice('pglite:'.length);
    if (isAbsolute(dataDir)) return { engine: 'pglite', dataDir };
    problems.push({
      variable: 'CREDENTIAL_STORE_URL',
      message: 'a PGlite store is "pglite:memory" or "pglite:" followed by an absolute folder path',
    });
    return undefined;
  }
  let scheme = '';
  try {
    scheme = new URL(url).protocol;
  } catch {
    scheme = '';
  }
  if (scheme === 'postgres:' || scheme === 'postgresql:') {
    const raw = envValue(env, 'CREDENTIAL_STORE_MAX_CONNECTIONS');
    const max = raw === undefined ? undefined : Number(raw);
    if (max !== undefined && !(/^\d+$/.test(raw ?? '') && max >= 1 && max <= 1000)) {
      problems.push({
        variable: 'CREDENTIAL_STORE_MAX_CONNECTIONS',
        message: `${JSON.stringify(raw)} is not a whole number in 1-1000`,
      });
      return undefined;
    }
    return { engine: 'postgres', url, ...(max !== undefined ? { maxConnections: max } : {}) };
  }
  problems.push({
    variable: 'CREDENTIAL_STORE_URL',
    message:
      'is not a postgres:// or postgresql:// URL, "pglite:memory" or "pglite:<absolute folder>" (unset: no store)',
  });
  return undefined;
}

/** The settings, or undefined with the problems pushed (a bad key itself is reported by the codec's check). */
export function readCredentialStoreSettings(
  env: NodeJS.ProcessEnv,
  problems: ConfigProblem[],
): CredentialStoreSettings | undefined {
  const store = readStore(env, problems);
  let keys: StoreKey[] | undefined;
  const rawKeys = envValue(env, KEYS_ENV);
  if (rawKeys !== undefined) {
    try {
      keys = parseEncryptionKeys(rawKeys);
    } catch {
      return undefined;
    }
  }
  if (!store) return undefined;
  if (store === 'none') return keys ? { keys } : {};
  if (isDurable(store) && !keys) {
    problems.push({
      variable: KEYS_ENV,
      message: `must be set when CREDENTIAL_STORE_URL names a store that outlives the process (it seals the rows)`,
    });
    return undefined;
  }
  return { store, ...(keys ? { keys } : {}) };
}

/** The store the settings name, or undefined when they name none. */
export async function openConfiguredCredentialStore(
  settings: CredentialStoreSettings,
): Promise<CredentialStore | undefined> {
  return settings.store ? openCredentialStore(settings.store, settings.keys) : undefined;
}

/**
 * The store a process other than a worker reads (the CLI's `report`): the workers' own, so one that outlives its
 * process (PostgreSQL, or a PGlite folder no worker holds open); ConfigError naming each bad variable otherwise.
 */
export function readSharedCredentialStoreSettings(
  env: NodeJS.ProcessEnv,
  subject: string,
): CredentialStoreSettings & { store: CredentialStoreConfig } {
  const problems: ConfigProblem[] = [];
  const settings = readCredentialStoreSettings(env, problems);
  const raw = envValue(env, KEYS_ENV);
  if (!settings && problems.length === 0 && raw !== undefined) {
    // The codec's check reports a bad key for the others; here nothing else reads the variable.
    try {
      parseEncryptionKeys(raw);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      problems.push({ variable: KEYS_ENV, message: message.replace(new RegExp(`^${KEYS_ENV}:?\\s*`), '') });
    }
  }
  if (settings && (!settings.store || !isDurable(settings.store))) {
    problems.push({
      variable: 'CREDENTIAL_STORE_URL',
      message: settings.store
        ? "must name the workers' store (postgres://…): an in-memory store lives and dies inside one process"
        : "must be set to the workers' store (postgres://…), the one they write to",
    });
  }
  if (problems.length > 0 || !settings?.store) throw new ConfigError(problems, subject);
  return { ...settings, store: settings.store };
}
