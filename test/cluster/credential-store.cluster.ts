/**
 * The credential store's cases (test/support/credential-store-cases.ts) on a real PostgreSQL, the production
 * engine, each in a fresh database, and its attendance rows' (test/support/attendance-store-cases.ts); plus
 * workers that migrate one database at the same moment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { KeyRing, MIGRATIONS, SqlCredentialStore, postgresSql } from '../../activities/credentials';
import { freePorts } from '../../tooling/stack/ports';
import { startPostgres, type RunningPostgres } from '../../tooling/stack/postgres';
import { attendanceStoreCases } from '../support/attendance-store-cases';
import { credentialStoreCases } from '../support/credential-store-cases';

jest.setTimeout(120_000);

let postgres: RunningPostgres;
let dir: string;
let n = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'credential-store-'));
  const [port] = await freePorts(1);
  postgres = await startPostgres(dir, port ?? 25_432);
});
afterAll(async () => {
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const url = (database: string): string =>
  `postgres://${postgres.user}@${postgres.host}:${postgres.port}/${database}`;

/** A pool as open.ts makes one: an idle client's error (the server stopping) is not an unhandled one. */
function pool(database: string): Pool {
  const p = new Pool({ connectionString: url(database) });
  p.on('error', () => undefined);
  return p;
}

async function freshDatabase(): Promise<string> {
  n += 1;
  const name = `credentials_${process.pid}_${n}`;
  const admin = pool('postgres');
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return name;
}

describe('credential store on PostgreSQL', () => {
  credentialStoreCases(async () => postgresSql(pool(await freshDatabase())));

  it('migrates once when several workers start on one database together', async () => {
    const database = await freshDatabase();
    const sqls = Array.from({ length: 4 }, () => postgresSql(pool(database)));
    const stores = await Promise.all(sqls.map((s) => SqlCredentialStore.open(s, KeyRing.ephemeral())));
    const { rows } = await sqls[0]!.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM credential_store_migrations',
    );
    // Each migration once, not once per worker.
    expect(rows[0]?.n).toBe(MIGRATIONS.length);
    await Promise.all(stores.map((s) => s.close()));
  });
});

describe('attendance store on PostgreSQL', () => {
  attendanceStoreCases(async () => postgresSql(pool(await freshDatabase())));
});
