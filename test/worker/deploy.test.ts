/**
 * What can be tested of the deployment files without a Docker engine: the compose file parses and wires the
 * services the README promises, its worker environment is one the worker accepts, and the IAM policy lists
 * exactly the Chime actions the activities call (the Dockerfile: test/deploy/dockerfile.test.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ListTagsForResourceCommand } from '@aws-sdk/client-chime-sdk-meetings';
import ts from 'typescript';
import { parse } from 'yaml';
import { createChimeActivities, createChimeClientFactory } from '../../activities';
import { AesGcmPayloadCodec, codecFromEnv, generateEncryptionKey } from '../../client/temporal/codec';
import { readCodecServerConfig } from '../../client/codec-server/main';
import { readJoinApiConfig } from '../../client/join-api/config';
import { WORKER_TAG } from '../../activities/worker-tag';
import { CONTROL_REGIONS, partitionOf } from '../../domain/regions';
import { startEmulator } from '../../emulator';
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
  expose?: string[];
}
const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service> };
const services = compose.services;

/** What the user's .env gives the required variables (`${VAR:?message}`) in these tests. */
const DOT_ENV: Record<string, string> = {
  PAYLOAD_ENCRYPTION_KEYS: generateEncryptionKey('k1'),
  CODEC_SERVER_TOKENS: `ops:decode:${'a'.repeat(32)}`,
};

/** `${VAR:-default}` → default, `${VAR:?message}` → DOT_ENV[VAR], as compose resolves them. */
function resolveDefaults(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      String(v)
        .replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')
        .replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_m, name: string) => DOT_ENV[name] ?? ''),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('runs Temporal on PostgreSQL, the UI, the search-attribute setup and the worker, from official images', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'codec-server',
        'create-credentials-database',
        'emulator',
        'events-bridge',
        'join-api',
        'postgresql',
        'register-search-attributes',
        'temporal',
        'temporal-ui',
        'worker',
      ].sort(),
    );
    expect(services.postgresql?.image).toMatch(/^postgres:16\.\d+-bookworm@/);
    expect(services.temporal?.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+@/);
    expect(services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services['temporal-ui']?.image).toMatch(/^temporalio\/ui:/);
    expect(services['temporal-ui']?.environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['register-search-attributes']?.image).toMatch(/^temporalio\/admin-tools:/);
    expect(services['codec-server']?.command).toEqual(['node', 'dist/client/codec-server/main.js']);
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
    // The credential store: its own database on compose's PostgreSQL, sealed with the payload keys.
    expect(config.credentials.store).toEqual({
      engine: 'postgres',
      url: 'postgres://temporal:temporal@postgresql:5432/chime_credentials',
    });
    expect(services.worker?.depends_on).toMatchObject({
      'create-credentials-database': { condition: 'service_completed_successfully' },
    });
    expect(services.worker?.ports).toContain(`127.0.0.1:${config.metrics.port}:${config.metrics.port}`);
    // With the emulator profile, the documented CHIME_ENDPOINT reaches the emulator service's port.
    expect(
      loadWorkerConfig({ ...resolveDefaults(env), CHIME_ENDPOINT: 'http://emulator:8088' }).chime.endpoint,
    ).toBe('http://emulator:8088');
    expect(services.emulator?.profiles).toEqual(['emulator']);
    expect(services.emulator?.command).toEqual(['npm', 'run', 'emulator', '--', '--port', '8088']);
    expect(services.emulator?.environment?.CHIME_EMULATOR_HOST).toBe('0.0.0.0');
    expect(services.emulator?.expose).toEqual(['8088']);
  });

  it('runs the join API on its profile, with a configuration it accepts once the store and keys are given', () => {
    const joinApi = services['join-api'];
    expect(joinApi?.profiles).toEqual(['join']);
    expect(joinApi?.command).toEqual(['node', 'dist/client/join-api/main.js']);
    const env = resolveDefaults(joinApi?.environment ?? {});
    // As compose gives it with an empty .env: refused, naming what to set.
    expect(() => readJoinApiConfig(env)).toThrow(/JOIN_LINK_KEYS or JOIN_SERVICE_TOKENS: set at least one/);
    const config = readJoinApiConfig({ ...env, JOIN_LINK_KEYS: generateEncryptionKey('j1') });
    // The workers' store, created before either starts.
    expect(config.store).toEqual(
      loadWorkerConfig(resolveDefaults(services.worker?.environment ?? {})).credentials.store,
    );
    expect(joinApi?.depends_on).toMatchObject({
      'create-credentials-database': { condition: 'service_completed_successfully' },
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 8090, temporal: { address: 'temporal:7233' } });
    expect(joinApi?.ports).toContain(`127.0.0.1:${config.port}:${config.port}`);
  });

  it('publishes only what a person opens, on 127.0.0.1; PostgreSQL and the emulator on the compose network only', () => {
    const published = Object.entries(services).flatMap(([name, s]) =>
      (s.ports ?? []).map((p) => `${name} ${p}`),
    );
    expect(published.sort()).toEqual([
      'codec-server 127.0.0.1:8888:8888', // the temporal CLI's --codec-endpoint
      'events-bridge 127.0.0.1:9465:9465', // Prometheus /metrics, /healthz
      'join-api 127.0.0.1:8090:8090', // behind the join page's TLS proxy
      'temporal 127.0.0.1:7233:7233', // npm run cli, the temporal CLI
      'temporal-ui 127.0.0.1:8080:8080', // the web UI
      'worker 127.0.0.1:9464:9464', // Prometheus /metrics
    ]);
    expect(services.postgresql?.ports).toBeUndefined();
    expect(services.emulator?.ports).toBeUndefined();
    // Inside their containers they listen on the container's interfaces, so the published loopback port reaches them.
    expect(services.worker?.environment?.METRICS_HOST).toBe('0.0.0.0');
    expect(services['codec-server']?.environment?.CODEC_SERVER_HOST).toBe('0.0.0.0');
    expect(services['join-api']?.environment?.JOIN_API_HOST).toBe('0.0.0.0');
    expect(services['events-bridge']?.environment?.EVENTS_BRIDGE_HOST).toBe('0.0.0.0');
    // The image says it runs inside a container too (explicit, not sniffed): its production stage sets it.
    expect(
      read('Dockerfile')
        .split(/^FROM /m)
        .find((stage) => / AS production\b/.test(stage)),
    ).toMatch(/^ENV METRICS_HOST=0\.0\.0\.0$/m);
  });

  it('pins every image by exact version and digest (admin-tools by version: its digest is a documented check)', () => {
    const noDigest = new Set(['register-search-attributes']);
    for (const [name, service] of Object.entries(services)) {
      if (!service.image) continue;
      const pattern = noDigest.has(name)
        ? /^[a-z0-9/-]+:\d+\.\d+\.\d+[-.\w]*$/
        : /^[a-z0-9/-]+:\d+\.\d+(\.\d+)?[-.\w]*@sha256:[0-9a-f]{64}$/;
      expect({ name, image: service.image }).toEqual({
        name,
        image: expect.stringMatching(pattern) as unknown,
      });
    }
    const image = services['register-search-attributes']?.image ?? '';
    expect(read('docs/security.md')).toContain(image);
  });

  it('gives the worker and the codec server the payload keys (required), strict by default', () => {
    for (const name of ['worker', 'codec-server', 'join-api', 'events-bridge']) {
      expect(services[name]?.environment?.PAYLOAD_ENCRYPTION_KEYS).toMatch(
        /^\$\{PAYLOAD_ENCRYPTION_KEYS:\?.+\}$/,
      );
    }
    expect(services['codec-server']?.environment?.CODEC_SERVER_TOKENS).toMatch(
      /^\$\{CODEC_SERVER_TOKENS:\?.+\}$/,
    );
    const env = resolveDefaults(services.worker?.environment ?? {});
    const codec = codecFromEnv(env);
    expect(codec?.strict).toBe(true);
    expect(loadWorkerConfig(env).temporal.dataConverter?.payloadCodecs?.[0]).toBeInstanceOf(
      AesGcmPayloadCodec,
    );
    // The codec server accepts compose's configuration (its users, the default namespace).
    const codecServer = readCodecServerConfig(resolveDefaults(services['codec-server']?.environment ?? {}));
    expect(codecServer.namespaces).toEqual(['default']);
    expect(codecServer.users.map((u) => u.role)).toEqual(['decode']);
    // The example env file names every required variable, and .env stays out of git and of the image.
    const example = read('deploy/compose.env.example');
    const joinApiVars = ['JOIN_LINK_KEYS', 'JOIN_SERVICE_TOKENS'];
    for (const v of [
      'PAYLOAD_ENCRYPTION_KEYS',
      'CODEC_SERVER_TOKENS',
      'PAYLOAD_ENCRYPTION_STRICT',
      'PAYLOAD_ENCRYPTION_REQUIRE_BINDING',
      ...joinApiVars,
    ]) {
      expect(example).toMatch(new RegExp(`^${v}=`, 'm'));
    }
    expect(read('.gitignore').split('\n')).toContain('.env');
    expect(read('.dockerignore').split('\n')).toContain('.env');
  });
});

// The Dockerfile: test/deploy/dockerfile.test.ts.

/**
 * The Chime activities the webinar workflow calls in production, read from the workflow code with the
 * TypeScript checker: every property read on a value typed ChimeActivities (the proxies of proxyActivities)
 * under workflows/. A new call, a removed one or a renamed one changes this set, and the policy test with it.
 */
function activitiesCalledByWorkflows(): string[] {
  const dir = join(root, 'workflows');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
  const program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true, types: [] });
  const checker = program.getTypeChecker();
  const called = new Set<string>();
  const isActivities = (node: ts.Node): boolean => {
    const type = checker.getTypeAtLocation(node);
    return (type.aliasSymbol ?? type.getSymbol())?.getName() === 'ChimeActivities';
  };
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node) && isActivities(node.expression)) called.add(node.name.text);
    if (ts.isElementAccessExpression(node) && isActivities(node.expression)) {
      if (!ts.isStringLiteralLike(node.argumentExpression)) throw new Error('computed activity name');
      called.add(node.argumentExpression.text);
    }
    if (ts.isVariableDeclaration(node) && ts.isObjectBindingPattern(node.name) && node.initializer) {
      if (isActivities(node.initializer)) {
        for (const el of node.name.elements) called.add((el.propertyName ?? el.name).getText());
      }
    }
    ts.forEachChild(node, visit);
  };
  for (const sf of program.getSourceFiles()) if (sf.fileName.startsWith(dir)) visit(sf);
  return [...called].sort();
}

const toAction = (operation: string): string =>
  `chime:${operation[0]?.toUpperCase() ?? ''}${operation.slice(1)}`;

describe('deploy/iam-policy.json', () => {
  interface Statement {
    Sid: string;
    Effect: string;
    Action: string[];
    Resource: string;
    Condition?: Record<string, Record<string, string | string[]>>;
  }
  const policy = JSON.parse(read('deploy/iam-policy.json')) as { Statement: Statement[] };
  const actions = policy.Statement.flatMap((s) => s.Action);
  const workerTagKey = `aws:RequestTag/${WORKER_TAG.Key}`;
  const workerResourceTagKey = `aws:ResourceTag/${WORKER_TAG.Key}`;
  // Service Authorization Reference, Amazon Chime: these actions have no resource type (Resource must be "*").
  const NO_RESOURCE_TYPE = new Set([
    'chime:CreateMeeting',
    'chime:CreateMeetingWithAttendees',
    'chime:StartMeetingTranscription',
    'chime:StopMeetingTranscription',
  ]);
  const commercialControlRegions = CONTROL_REGIONS.filter((r) => partitionOf(r) === 'aws');

  it('allows exactly the chime: actions the workflow calls, each once', () => {
    const called = activitiesCalledByWorkflows();
    // Every call is an activity of the worker (one API call of the same name each: activities/chime/).
    const activities = Object.keys(
      createChimeActivities({
        clients: createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint: 'http://127.0.0.1:1' }),
      }),
    );
    expect(called.filter((op) => !activities.includes(op))).toEqual([]);
    expect(called.length).toBeGreaterThanOrEqual(8);
    expect(new Set(actions).size).toBe(actions.length);
    expect([...actions].sort()).toEqual(called.map(toAction).sort());
    // The reads that would expose JoinTokens of every meeting in the account are not granted.
    expect(actions).not.toEqual(expect.arrayContaining(['chime:GetAttendee']));
    expect(actions).not.toEqual(expect.arrayContaining(['chime:ListAttendees']));
    expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
  });

  it('creates meetings only with the request tag the worker sets, in the control Regions', () => {
    for (const s of policy.Statement.filter((st) =>
      st.Action.some((a) => a.startsWith('chime:Create') && NO_RESOURCE_TYPE.has(a)),
    )) {
      expect(s.Resource).toBe('*');
      expect(s.Condition?.StringEquals?.[workerTagKey]).toBe(WORKER_TAG.Value);
      expect(s.Condition?.StringEquals?.['aws:RequestedRegion']).toEqual(commercialControlRegions);
    }
  });

  it('puts every action with a meeting resource on meeting/* with the worker tag; "*" only where no resource type exists', () => {
    for (const s of policy.Statement) {
      expect({ sid: s.Sid, regions: s.Condition?.StringEquals?.['aws:RequestedRegion'] }).toEqual({
        sid: s.Sid,
        regions: commercialControlRegions,
      });
      if (s.Resource === '*') {
        expect({ sid: s.Sid, actions: s.Action.filter((a) => !NO_RESOURCE_TYPE.has(a)) }).toEqual({
          sid: s.Sid,
          actions: [],
        });
      } else {
        expect(s.Resource).toBe('arn:aws:chime:*:ACCOUNT_ID:meeting/*');
        expect(s.Condition?.StringEquals?.[workerResourceTagKey]).toBe(WORKER_TAG.Value);
        expect(s.Action.filter((a) => NO_RESOURCE_TYPE.has(a))).toEqual([]);
      }
    }
  });

  it('the createMeeting activity always sends the worker tag, next to the webinar tags (real SDK, emulator)', async () => {
    const emulator = await startEmulator({ port: 0, config: { rateLimits: { enabled: false } } });
    const clients = createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint: emulator.endpoint });
    try {
      const chime = createChimeActivities({ clients });
      const tagged = await chime.createMeeting({
        clientRequestToken: 'policy-test-g0-primary',
        externalMeetingId: 'policy test',
        mediaRegion: 'us-east-1',
        tags: [
          { Key: 'team', Value: 'events' },
          { Key: WORKER_TAG.Key, Value: 'spoofed' },
        ],
      });
      const untagged = await chime.createMeeting({
        clientRequestToken: 'policy-test-g0-replica-1',
        externalMeetingId: 'policy test',
        mediaRegion: 'eu-west-1',
        primaryMeetingId: tagged.meetingId,
      });
      for (const [meeting, expected] of [
        [tagged, [{ Key: 'team', Value: 'events' }, { ...WORKER_TAG }]],
        [untagged, [{ ...WORKER_TAG }]],
      ] as const) {
        const { Tags } = await clients
          .client(undefined)
          .send(new ListTagsForResourceCommand({ ResourceARN: meeting.meetingArn }));
        expect(Tags).toEqual(expected);
      }
    } finally {
      clients.destroy();
      await emulator.close();
    }
  });

  it('names only operations the Chime SDK Meetings API has', () => {
    const model = JSON.parse(read('emulator/service-2.json')) as { operations: Record<string, unknown> };
    for (const action of actions) {
      expect(Object.keys(model.operations)).toContain(action.replace(/^chime:/, ''));
    }
  });
});
