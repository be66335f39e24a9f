/**
 * The Docker image without a Docker engine: the Dockerfile's stages are checked as written (every COPY source
 * exists and reaches the build context, each `--from` names an earlier stage that produces what is copied, the
 * production stage installs runtime dependencies only and runs as a non-root user, its CMD runs what
 * `npm run build` produces), and then the build and production stages' commands are run for real in a scratch
 * folder: `npm run build` on the copied sources, `npm ci --omit=dev` on the lock file, and the CMD against a dev
 * server, which must start the worker (bundling the workflows with runtime dependencies only) without a warning.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer } from '../../tooling/temporal-servers';
import { NODE_LTS_RELEASES } from '../../tooling/node-lts';

const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string;
  instructions: Instruction[];
}

/** Stages of a Dockerfile: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [image = '', as, name] = args.split(/\s+/);
      stages.push({
        image,
        name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length),
        instructions: [],
      });
    } else {
      const stage = stages[stages.length - 1];
      if (!stage) throw new Error(`${line}: before any FROM`);
      stage.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** `COPY [--from=x] a b dest` → { from, sources, dest }. */
function copyArgs(args: string): { from?: string; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const flags = words.filter((w) => w.startsWith('--'));
  const paths = words.filter((w) => !w.startsWith('--'));
  const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
  return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths[paths.length - 1] ?? '' };
}

const stages = parseDockerfile(read('Dockerfile'));
const production = stages[stages.length - 1];
const byName = new Map(stages.map((s) => [s.name, s]));
const dockerignore = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};
const buildConfig = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
const baseConfig = JSON.parse(read('tsconfig.json')) as {
  compilerOptions: { outDir: string; rootDir: string };
};

function run(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

function cmdOf(stage: Stage): string[] {
  const cmd = run(stage, 'CMD').pop();
  return JSON.parse(cmd ?? '[]') as string[];
}

describe('the Dockerfile as written', () => {
  it('is multi-stage on the Node LTS image npm test runs on, and the last stage is production', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(production?.name).toBe('production');
    const tested = NODE_LTS_RELEASES.map((r) => r.version);
    for (const stage of stages) {
      const base = byName.get(stage.image);
      if (base) continue; // FROM an earlier stage
      const tag = /^node:(\d+\.\d+\.\d+)-bookworm-slim$/.exec(stage.image)?.[1];
      expect({ stage: stage.name, tag }).toEqual({ stage: stage.name, tag: tested[0] });
    }
    // engines names the image's release line too.
    expect(pkg.engines.node).toContain(`^${tested[0] ?? ''}`);
  });

  it('copies only sources that exist and that .dockerignore lets into the build context', () => {
    for (const stage of stages) {
      for (const copy of run(stage, 'COPY').map(copyArgs)) {
        if (copy.from) continue;
        for (const source of copy.sources) {
          expect({ stage: stage.name, source, exists: existsSync(join(root, source)) }).toEqual({
            stage: stage.name,
            source,
            exists: true,
          });
          const top = source.split('/')[0] ?? source;
          expect({ source, ignored: dockerignore.includes(top) }).toEqual({ source, ignored: false });
        }
      }
    }
  });

  it('copies from an earlier stage only what that stage produces: dist/ from npm run build', () => {
    const names = stages.map((s) => s.name);
    for (const [index, stage] of stages.entries()) {
      for (const copy of run(stage, 'COPY').map(copyArgs)) {
        if (!copy.from) continue;
        expect(names.slice(0, index)).toContain(copy.from);
        const source = byName.get(copy.from);
        expect(copy.sources).toEqual(['/app/dist']);
        expect(
          source && run(source, 'WORKDIR').concat(run(byName.get(source.image) ?? source, 'WORKDIR')),
        ).toContain('/app');
        expect(source && run(source, 'RUN')).toContain('npm run build');
      }
    }
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(baseConfig.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    // The build stage copies exactly what tsconfig.build.json compiles.
    const build = byName.get('build');
    const copied = (build ? run(build, 'COPY') : []).map(copyArgs).flatMap((c) => c.sources);
    for (const folder of buildConfig.include) expect(copied).toContain(folder);
  });

  it('production: runtime dependencies only, the build output, a non-root user, the worker that npm run build produces', () => {
    if (!production) throw new Error('no stage');
    const installs = run(production, 'RUN').filter((r) => r.startsWith('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/^npm ci --omit=dev( |$)/);
    const sources = run(production, 'COPY').map(copyArgs);
    // Nothing but the manifest and lock file from the context: no sources, no dev tooling.
    expect(sources.filter((c) => !c.from).flatMap((c) => c.sources)).toEqual([
      'package.json',
      'package-lock.json',
    ]);
    const user = run(production, 'USER').pop();
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user?.split(':')[0]);
    const cmd = cmdOf(production);
    expect(cmd).toEqual(['node', 'dist/worker/main.js']);
    expect(pkg.scripts['start:dist']).toBe(cmd.join(' '));
    expect(buildConfig.include).toContain('worker');
    expect(existsSync(join(root, 'worker', 'main.ts'))).toBe(true);
  });
});

describe("the production stage's commands, run in a scratch folder", () => {
  let dir: string;
  let env: TestWorkflowEnvironment | undefined;
  const app = (): string => join(dir, 'production');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'image-'));
    const build = byName.get('build');
    if (!build || !production) throw new Error('no build or production stage');
    // build stage: FROM deps (node_modules of the lock file: ours) + its COPY sources + npm run build.
    const buildDir = join(dir, 'build');
    for (const copy of [...run(byName.get(build.image) ?? build, 'COPY'), ...run(build, 'COPY')].map(
      copyArgs,
    )) {
      for (const source of copy.sources)
        cpSync(join(root, source), join(buildDir, copy.dest.endsWith('/') ? source : copy.dest), {
          recursive: true,
        });
    }
    symlinkSync(join(root, 'node_modules'), join(buildDir, 'node_modules'));
    // The two stages run side by side, as BuildKit runs them: the production stage waits for the build stage
    // only at its COPY --from.
    const built = (async () => {
      for (const command of run(build, 'RUN').filter((r) => !r.startsWith('npm ci')))
        await sh(command, buildDir);
    })();
    built.catch(() => undefined); // awaited below; a failure of the other stage must not go unhandled meanwhile
    // production stage, in its order: its COPY sources, its RUN, the build stage's dist.
    for (const { keyword, args } of production.instructions) {
      if (keyword === 'COPY') {
        const copy = copyArgs(args);
        if (copy.from) {
          await built;
          cpSync(join(buildDir, 'dist'), join(app(), 'dist'), { recursive: true });
        } else for (const source of copy.sources) cpSync(join(root, source), join(app(), source));
      } else if (keyword === 'RUN') {
        // `npm cache clean` only shrinks the image's layer; here it would empty the machine's shared npm cache.
        await sh(args.replace(/\s*&&\s*npm cache clean --force/, ''), app());
      }
    }
    await built;
  }, 900_000);

  afterAll(async () => {
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  async function sh(command: string, cwd: string): Promise<void> {
    const child = spawn('sh', ['-c', command], {
      cwd,
      env: { ...process.env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (status !== 0) throw new Error(`${command} (in ${cwd}) failed: ${output}`);
  }

  it('installs no development tooling', () => {
    for (const devOnly of ['@temporalio/testing', 'typescript', 'ts-node', 'jest']) {
      expect({ devOnly, installed: existsSync(join(app(), 'node_modules', devOnly)) }).toEqual({
        devOnly,
        installed: false,
      });
    }
    expect(existsSync(join(app(), 'dist', 'worker', 'main.js'))).toBe(true);
    expect(existsSync(join(app(), 'dist', 'workflows', 'index.js'))).toBe(true);
    // Only what ships was compiled.
    for (const devOnly of ['test', 'emulator', 'scripts', 'bench', 'tooling']) {
      expect({ devOnly, compiled: existsSync(join(app(), 'dist', devOnly)) }).toEqual({
        devOnly,
        compiled: false,
      });
    }
  });

  it('the CMD checks its configuration and exits 2 naming the bad variable', () => {
    const [node = '', ...args] = production ? cmdOf(production) : [];
    const result = spawnSync(node === 'node' ? process.execPath : node, args, {
      cwd: app(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, TEMPORAL_ADDRESS: 'temporal', TEMPORAL_WORKER_BUILD_ID: 'b1' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('TEMPORAL_ADDRESS');
    expect(result.stderr).toContain(
      'TEMPORAL_DEPLOYMENT_NAME: is required when TEMPORAL_WORKER_BUILD_ID is set',
    );
  });

  it("the join API's command is in the image, and exits 2 naming what it needs", () => {
    const main = join(app(), 'dist', 'client', 'join-api', 'main.js');
    expect(existsSync(main)).toBe(true);
    const result = spawnSync(process.execPath, [main], {
      cwd: app(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_ENV: 'production', JOIN_SERVICE_TOKENS: 'crm:short' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'JOIN_SERVICE_TOKENS: the secret of "crm" must be at least 32 characters',
    );
    expect(result.stderr).toContain('CREDENTIAL_STORE_URL: must be set');
  });

  it("the events bridge's command is in the image, and exits 2 naming what it needs", () => {
    const main = join(app(), 'dist', 'client', 'events-bridge', 'main.js');
    expect(existsSync(main)).toBe(true);
    const result = spawnSync(process.execPath, [main], {
      cwd: app(),
      encoding: 'utf8',
      env: { PATH: process.env.PATH, NODE_ENV: 'production', EVENTS_POLLERS: '0' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('EVENTS_QUEUE_URL: must be set');
    expect(result.stderr).toContain('EVENTS_POLLERS: "0" is not a whole number in 1-64');
  });

  it('the CMD starts the worker against a Temporal server, without a warning, and stops on SIGTERM', async () => {
    env = await startDevServer();
    const [, ...args] = production ? cmdOf(production) : [];
    const child = spawn(process.execPath, args, {
      cwd: app(),
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: `image-${process.pid}`,
        CHIME_ENDPOINT: 'http://127.0.0.1:9',
        TEMPORAL_DEPLOYMENT_NAME: 'webinars',
        TEMPORAL_WORKER_BUILD_ID: 'image-test',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 240_000;
    while (!output.includes('"msg":"Worker started"') && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill('SIGTERM');
    const code = await exited;
    const lines = output.split('\n').filter((l) => l.trim() !== '');
    expect(lines.find((l) => l.includes('"msg":"Worker started"'))).toContain(
      '"workerVersion":"webinars/image-test (AUTO_UPGRADE)"',
    );
    // No warning of any kind: not the SDKs', not Node's.
    expect(lines.filter((l) => /"level":"(WARN|ERROR)"|Warning/.test(l))).toEqual([]);
    expect(code).toBe(0);
  }, 300_000);
});
