/**
 * What can be tested of the deployment files without a Docker engine: the compose file parses and wires the
 * services the README promises, its worker environment is one the worker accepts, and the IAM policy lists
 * exactly the Chime actions the activities call (the Dockerfile: test/deploy/dockerfile.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createChimeActivities, createChimeClientFactory } from '../../activities';
import { webinarSearchAttributeKeys } from '../../domain/search-attributes';
import { loadWorkerConfig, WORKER_ENV_VARS } from '../../worker/config';

const root = join(__dirname, '../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  environment?: Record<string, string>;
  entrypoint?: string[];
  command?: string[];
  depends_on?: unknown;
  ports?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const services = compose.services;

/** `${VAR:-default}` → default, as compose resolves it with VAR unset. */
function resolveDefaults(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]),
  );
}

describe('docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL, the UI, the search-attribute setup and the worker, from official images', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['emulator', 'postgresql', 'register-search-attributes', 'temporal', 'temporal-ui', 'worker'].sort(),
    );
    expect(services.postgresql?.image).toMatch(/^postgres:\d+$/);
    expect(services.temporal?.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['register-search-attributes']?.image).toMatch(/^temporalio\/admin-tools:/);
    for (const [name, service] of Object.entries(services)) {
      if (service.image)
        expect({ name, image: service.image }).toEqual({
          name,
          image: expect.stringMatching(/^(postgres|temporalio\/[a-z-]+):/) as unknown,
        });
      else
        expect({ name, build: service.build }).toEqual({
          name,
          build: name === 'emulator' ? { context: '.', target: 'emulator' } : '.',
        });
    }
  });

  it("registers exactly the contract's search attributes with their types", () => {
    const script = (services['register-search-attributes']?.entrypoint ?? []).join(' ');
    const created = [...script.matchAll(/--name (\w+) --type (\w+)/g)].map((m) => [
      m[1],
      m[2]?.toUpperCase(),
    ]);
    expect(created).toEqual(webinarSearchAttributeKeys.map((k) => [k.name, k.type]));
  });

  it('gives the worker only variables the worker reads, and a configuration it accepts', () => {
    const env = services.worker?.environment ?? {};
    const awsCredentials = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];
    const known: string[] = [...WORKER_ENV_VARS, ...awsCredentials];
    expect(Object.keys(env).filter((k) => !known.includes(k))).toEqual([]);
    const config = loadWorkerConfig(resolveDefaults(env));
    expect(config.temporal).toMatchObject({
      address: 'temporal:7233',
      namespace: 'default',
      taskQueue: 'webinars',
    });
    expect(config.chime.endpoint).toBeUndefined(); // real AWS unless CHIME_ENDPOINT is given
    expect(services.worker?.ports).toContain(`${config.metrics.port}:${config.metrics.port}`);
    // With the emulator profile, the documented CHIME_ENDPOINT reaches the emulator service's port.
    expect(
      loadWorkerConfig({ ...resolveDefaults(env), CHIME_ENDPOINT: 'http://emulator:8088' }).chime.endpoint,
    ).toBe('http://emulator:8088');
    expect(services.emulator?.profiles).toEqual(['emulator']);
    expect(services.emulator?.command).toEqual(['npm', 'run', 'emulator', '--', '--port', '8088']);
    expect(services.emulator?.environment?.CHIME_EMULATOR_HOST).toBe('0.0.0.0');
  });
});

// The Dockerfile: test/deploy/dockerfile.test.ts.

describe('deploy/iam-policy.json', () => {
  const policy = JSON.parse(read('deploy/iam-policy.json')) as {
    Statement: { Effect: string; Action: string[]; Resource: string }[];
  };

  it('allows exactly the chime: actions of the Chime activities, one to one', () => {
    const activities = createChimeActivities({
      clients: createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint: 'http://127.0.0.1:1' }),
    });
    const expected = Object.keys(activities)
      .map((op) => `chime:${op[0]?.toUpperCase() ?? ''}${op.slice(1)}`)
      .sort();
    expect(expected).toHaveLength(16);
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(new Set(actions).size).toBe(actions.length);
    expect([...actions].sort()).toEqual(expected);
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('names only operations the Chime SDK Meetings API has', () => {
    const model = JSON.parse(read('emulator/service-2.json')) as { operations: Record<string, unknown> };
    for (const action of policy.Statement.flatMap((s) => s.Action)) {
      expect(Object.keys(model.operations)).toContain(action.replace(/^chime:/, ''));
    }
  });
});
