/**
 * The workers' credential store (docs/credential-store.md) on the stack's PostgreSQL, the server Temporal
 * already uses, in a database of its own: created here if missing (docker-compose.yml's
 * `create-credentials-database` does the same), its tables created by the workers when they start. A store
 * that outlives the process is sealed with the payload keys, so the workers get PAYLOAD_ENCRYPTION_KEYS too.
 */
import { Client } from 'pg';
import type { RunningPostgres } from './postgres';

/** The same name in compose (test/cluster/compose-agreement.test.ts checks it). */
export const CREDENTIALS_DATABASE = 'chime_credentials';

export function postgresUrl(pg: Pick<RunningPostgres, 'host' | 'port' | 'user'>, database: string): string {
  return `postgres://${pg.user}@${pg.host}:${pg.port}/${database}`;
}

/** Creates `database` on the server unless it exists; returns whether it created it. */
export async function ensureDatabase(
  pg: Pick<RunningPostgres, 'host' | 'port' | 'user'>,
  database: string = CREDENTIALS_DATABASE,
): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a plain database name: ${database}`);
  const admin = new Client({ connectionString: postgresUrl(pg, 'postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rows.length > 0) return false;
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } catch (err) {
      // Another caller created it meanwhile: 42P04 duplicate_database.
      if ((err as { code?: string }).code === '42P04') return false;
      throw err;
    }
    return true;
  } finally {
    await admin.end();
  }
}
