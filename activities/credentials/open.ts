/**
 * Opens the credential store on the engine its configuration names, and migrates it: PostgreSQL (`pg`) in
 * production, else PGlite in this process, in memory or in a data folder. The engines load only when used.
 */
import type { StoreKey } from '../../domain/credentials';
import { KeyRing } from './sealing';
import { pgliteSql, postgresSql } from './sql';
import { SqlCredentialStore } from './store';

export type CredentialStoreConfig =
  /** PGlite: in memory when `dataDir` is unset (rows live as long as the process). */
  { engine: 'pglite'; dataDir?: string } | { engine: 'postgres'; url: string; maxConnections?: number };

/** Whether rows outlive the process, and so must be sealed with configured keys rather than a random one. */
export function isDurable(config: CredentialStoreConfig): boolean {
  return config.engine === 'postgres' || config.dataDir !== undefined;
}

/**
 * `keys` are the payload keys (the first seals). Without keys only an in-memory store opens, sealed with a random
 * key that dies with it.
 */
export async function openCredentialStore(
  config: CredentialStoreConfig,
  keys: readonly StoreKey[] | undefined,
): Promise<SqlCredentialStore> {
  if (!keys?.length && isDurable(config)) {
    throw new Error('a durable credential store needs the payload keys (PAYLOAD_ENCRYPTION_KEYS)');
  }
  const ring = keys?.length ? new KeyRing(keys) : KeyRing.ephemeral();
  if (config.engine === 'postgres') {
    const { Pool } = await import('pg');
    const pool = new Pool({ connectionString: config.url, max: config.maxConnections ?? 10 });
    // An idle client's error (the server restarted) is the pool's to recover from; unhandled, it would crash.
    pool.on('error', () => undefined);
    return SqlCredentialStore.open(postgresSql(pool), ring);
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(config.dataDir);
  return SqlCredentialStore.open(pgliteSql(db), ring);
}
