/**
 * A throwaway PostgreSQL cluster for the Temporal server: initdb into a folder, then `postgres` in the
 * foreground as an owned child process (not `pg_ctl start`, which detaches it: a crashed stack would leave it
 * running). PostgreSQL refuses to run as root, so under root (CI) both run as the unprivileged `nobody`.
 * Trust authentication on 127.0.0.1 only: the database lives as long as the stack and holds nothing else.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnOwned, tail, type OwnedProcess, type RunAs } from './owned-process';

export const POSTGRES_USER = 'temporal';
const UNPRIVILEGED_USER = 'nobody';

export interface RunningPostgres {
  host: string;
  port: number;
  user: string;
  dataDir: string;
  process: OwnedProcess;
  stop(): Promise<void>;
}

/** initdb and postgres: PG_BIN, else on PATH, else the usual locations. */
function postgresBinary(name: 'initdb' | 'postgres'): string {
  const dirs = [
    process.env.PG_BIN,
    ...(process.env.PATH ?? '').split(':'),
    '/usr/local/bin',
    '/usr/local/pgsql/bin',
    '/usr/lib/postgresql/15/bin',
  ];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // next
    }
  }
  throw new Error(`PostgreSQL's \`${name}\` was not found: install PostgreSQL 12 or later, or set PG_BIN`);
}

function unprivileged(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number =>
    Number(execFileSync('id', [flag, UNPRIVILEGED_USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Creates the cluster in `dir` (a fresh folder) and starts it on `port`; resolves once it accepts connections. */
export async function startPostgres(dir: string, port: number): Promise<RunningPostgres> {
  const runAs = unprivileged();
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  mkdirSync(socketDir, { recursive: true });
  if (runAs) {
    // `nobody` must reach the folder through its (root-owned, private) temporary parent.
    chmodSync(dirname(dir), 0o711);
    chownSync(dir, runAs.uid, runAs.gid);
    chownSync(socketDir, runAs.uid, runAs.gid);
  }
  const initdb = spawnOwned(
    postgresBinary('initdb'),
    ['-D', dataDir, '-U', POSTGRES_USER, '--auth=trust', '--encoding=UTF8', '--locale=C', '--no-sync'],
    { name: 'initdb', runAs, cwd: dir },
  );
  const code = await initdb.exited;
  if (code !== 0) throw new Error(`initdb failed (exit ${String(code)}):\n${tail(initdb.output())}`);

  const postgres = spawnOwned(
    postgresBinary('postgres'),
    ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1'],
    { name: 'PostgreSQL', runAs, cwd: dir },
  );
  try {
    await postgres.waitFor(/database system is ready to accept connections/, 60_000);
  } catch (err) {
    await postgres.stop('SIGKILL', 0);
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    user: POSTGRES_USER,
    dataDir,
    process: postgres,
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, checkpoint, exit.
    stop: () => postgres.stop('SIGINT', 15_000),
  };
}
