/**
 * Creates the Temporal server's two databases and brings their schemas to the version the server expects,
 * the way temporalio/auto-setup does for compose: create-database, setup-schema -v 0.0, then update-schema
 * from the module's own versioned folders.
 */
import { join } from 'node:path';
import { spawnOwned, tail } from './owned-process';
import type { RunningPostgres } from './postgres';
import type { TemporalServerBuild } from './server-build';

export const PERSISTENCE_DATABASE = 'temporal';
export const VISIBILITY_DATABASE = 'temporal_visibility';
/** The SQL plugin of the server config and the schema tool (PostgreSQL 12 and later). */
export const SQL_PLUGIN = 'postgres12';

async function sqlTool(
  build: TemporalServerBuild,
  pg: RunningPostgres,
  database: string,
  args: string[],
): Promise<void> {
  const connection = [
    '--plugin',
    SQL_PLUGIN,
    '--ep',
    pg.host,
    '-p',
    String(pg.port),
    '-u',
    pg.user,
    '--db',
    database,
  ];
  const run = spawnOwned(build.sqlTool, [...connection, ...args], {
    name: `temporal-sql-tool ${args[0] ?? ''}`,
  });
  const code = await run.exited;
  if (code !== 0) {
    throw new Error(
      `temporal-sql-tool ${[...connection, ...args].join(' ')} failed (exit ${String(code)}):\n${tail(run.output())}`,
    );
  }
}

export async function setupSchemas(build: TemporalServerBuild, pg: RunningPostgres): Promise<void> {
  const schemas: [string, string][] = [
    [PERSISTENCE_DATABASE, 'temporal'],
    [VISIBILITY_DATABASE, 'visibility'],
  ];
  for (const [database, folder] of schemas) {
    await sqlTool(build, pg, database, ['create-database']);
    await sqlTool(build, pg, database, ['setup-schema', '-v', '0.0']);
    await sqlTool(build, pg, database, [
      'update-schema',
      '-d',
      join(build.postgresSchema, folder, 'versioned'),
    ]);
  }
}
