/**
 * The real Temporal server and its schema tool, built from the Go module proxy into the git-ignored .tools/
 * folder once and reused: `.tools/temporal-server-<version>/` holds bin/temporal-server, bin/temporal-sql-tool and
 * the module's own PostgreSQL schema (copied out of the Go module cache, so the folder is all the stack needs).
 * A build lands in a scratch folder renamed into place, so concurrent callers never see half a build.
 */
import { execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { delimiter, join } from 'node:path';
import { projectRoot } from '../temporal-servers';

export const TEMPORAL_SERVER_MODULE = 'go.temporal.io/server';
const PACKAGES = { server: 'cmd/server', sqlTool: 'cmd/tools/sql' } as const;
/** `go install` names binaries after their package folders; these names say what they are. */
const BINARIES = { server: ['server', 'temporal-server'], sqlTool: ['sql', 'temporal-sql-tool'] } as const;
const COMPLETE = 'build-complete.json';

export interface TemporalServerBuild {
  version: string;
  dir: string;
  server: string;
  sqlTool: string;
  /** The module's schema/postgresql/v12 (temporal/ and visibility/, each with versioned/). */
  postgresSchema: string;
  /** True when this call built it (false: reused from .tools/). */
  built: boolean;
  seconds: number;
}

export function temporalServerDir(version: string): string {
  return join(projectRoot(), '.tools', `temporal-server-${version}`);
}

function layout(dir: string, version: string, built: boolean, seconds: number): TemporalServerBuild {
  return {
    version,
    dir,
    server: join(dir, 'bin', BINARIES.server[1]),
    sqlTool: join(dir, 'bin', BINARIES.sqlTool[1]),
    postgresSchema: join(dir, 'schema', 'postgresql', 'v12'),
    built,
    seconds,
  };
}

/** `go` from GO, PATH or the usual install location. */
export function findGo(): string {
  const candidates = [
    process.env.GO,
    ...(process.env.PATH ?? '').split(delimiter).map((d) => d && join(d, 'go')),
    '/usr/local/go/bin/go',
  ];
  for (const c of candidates) {
    if (!c) continue;
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error(
    `The real Temporal server builds with Go (go install ${TEMPORAL_SERVER_MODULE}/${PACKAGES.server}), but no \`go\` ` +
      'was found: set GO to the go binary or put it on PATH.',
  );
}

async function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  what: string,
  signal?: AbortSignal,
): Promise<void> {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject); // also an abort (Ctrl-C during the build)
    child.once('exit', resolve);
  });
  if (code !== 0)
    throw new Error(
      `${what} failed (exit ${String(code)}):\n${out.trim().split('\n').slice(-30).join('\n')}`,
    );
}

/** Reuses .tools/temporal-server-<version> or builds it (minutes on a small machine: `log` says so). */
export async function ensureTemporalServer(
  version: string,
  log: (line: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<TemporalServerBuild> {
  const dir = temporalServerDir(version);
  if (existsSync(join(dir, COMPLETE))) return layout(dir, version, false, 0);

  const started = Date.now();
  const go = findGo();
  const scratch = `${dir}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(join(scratch, 'bin'), { recursive: true });
  const env = {
    ...process.env,
    GOBIN: join(scratch, 'bin'),
    GOFLAGS: process.env.GOFLAGS ?? '-buildvcs=false',
  };
  const targets = Object.values(PACKAGES).map((p) => `${TEMPORAL_SERVER_MODULE}/${p}@v${version}`);
  log(`building Temporal server ${version} from the Go module proxy (go install, a few minutes on 2 cores)`);
  try {
    // nice: the build must not starve the tests and servers already running on a shared machine.
    await run(
      'nice',
      ['-n', '10', go, 'install', ...targets],
      env,
      `go install ${targets.join(' ')}`,
      signal,
    );
    for (const [from, to] of Object.values(BINARIES)) {
      renameSync(join(scratch, 'bin', from), join(scratch, 'bin', to));
    }
    const modDir = execFileSync(
      go,
      ['list', '-m', '-f', '{{.Dir}}', `${TEMPORAL_SERVER_MODULE}@v${version}`],
      {
        env,
        encoding: 'utf8',
      },
    ).trim();
    cpSync(join(modDir, 'schema', 'postgresql', 'v12'), join(scratch, 'schema', 'postgresql', 'v12'), {
      recursive: true,
    });
    writeFileSync(
      join(scratch, COMPLETE),
      JSON.stringify({ version, module: TEMPORAL_SERVER_MODULE, builtAt: new Date().toISOString() }, null, 2),
    );
  } catch (err) {
    rmSync(scratch, { recursive: true, force: true });
    throw err;
  }
  try {
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
  } catch (err) {
    // Another process finished first; its build is as good as ours.
    rmSync(scratch, { recursive: true, force: true });
    if (!existsSync(join(dir, COMPLETE))) throw err;
  }
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  log(`built Temporal server ${version} in ${seconds} s (${dir})`);
  return layout(dir, version, true, seconds);
}
