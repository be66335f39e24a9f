import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadWorkerConfig } from '../../worker/config';
import { JsonLogger } from '../../worker/logging';

function problemsOf(env: NodeJS.ProcessEnv): { variable: string; message: string }[] {
  try {
    loadWorkerConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const dir = mkdtempSync(join(tmpdir(), 'worker-config-'));
const pem = join(dir, 'client.pem');
writeFileSync(pem, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = join(dir, 'notes.txt');
writeFileSync(notPem, 'hello');

describe('defaults', () => {
  it('runs against a local Temporal and real AWS in us-east-1 with no variables set', () => {
    const c = loadWorkerConfig({});
    expect(c.temporal).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'webinars',
      tls: false,
    });
    expect(c.chime.endpoint).toBeUndefined();
    expect(c.chime.defaultRegion).toBe('us-east-1');
    expect(c.chime.controlRegions).toEqual([]);
    expect(c.chime.budgets.forRegion('us-east-1')).toEqual({ region: 'us-east-1', perSecond: 10 });
    expect(c.chime.maxConcurrentActivities).toBe(20);
    expect(c.metrics).toEqual({ host: '127.0.0.1', phaseIntervalSeconds: 30 });
    expect(c.logLevel).toBe('INFO');
  });

  it('reads every setting', () => {
    const c = loadWorkerConfig({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: 'prod',
      TEMPORAL_TASK_QUEUE: 'webinars-eu',
      CHIME_ENDPOINT: 'http://emulator:8080',
      AWS_REGION: 'eu-central-1',
      CHIME_CONTROL_REGIONS: 'us-east-1, eu-central-1,us-east-1',
      CHIME_BUDGET_PER_SECOND: '20',
      CHIME_BUDGET_EU_CENTRAL_1: '5',
      METRICS_PORT: '9464',
      METRICS_HOST: '0.0.0.0',
      METRICS_PHASE_INTERVAL_SECONDS: '5',
      LOG_LEVEL: 'debug',
    });
    expect(c.temporal).toMatchObject({
      address: 'temporal:7233',
      namespace: 'prod',
      taskQueue: 'webinars-eu',
    });
    expect(c.chime).toMatchObject({
      endpoint: 'http://emulator:8080',
      defaultRegion: 'eu-central-1',
      controlRegions: ['us-east-1', 'eu-central-1'],
    });
    expect(c.chime.budgets.forRegion('eu-central-1').perSecond).toBe(5);
    expect(c.chime.budgets.forRegion('us-east-1').perSecond).toBe(20);
    expect(c.metrics).toEqual({ port: 9464, host: '0.0.0.0', phaseIntervalSeconds: 5 });
    expect(c.logLevel).toBe('DEBUG');
  });

  it('prefers CHIME_REGION over AWS_REGION', () => {
    expect(
      loadWorkerConfig({ CHIME_REGION: 'us-west-2', AWS_REGION: 'eu-central-1' }).chime.defaultRegion,
    ).toBe('us-west-2');
  });

  it('turns TLS on for an API key, and builds mTLS from certificate files', () => {
    expect(loadWorkerConfig({ TEMPORAL_API_KEY: 'abc.def' }).temporal).toMatchObject({
      tls: true,
      apiKey: 'abc.def',
    });
    const tls = loadWorkerConfig({
      TEMPORAL_TLS_CERT: pem,
      TEMPORAL_TLS_KEY: pem,
      TEMPORAL_TLS_CA: pem,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    }).temporal.tls;
    expect(tls).toMatchObject({ serverNameOverride: 'temporal.internal' });
    expect(typeof tls === 'object' && tls.clientCertPair?.crt.length).toBeGreaterThan(10);
    expect(loadWorkerConfig({ TEMPORAL_TLS: 'true' }).temporal.tls).toBe(true);
  });
});

describe('every configuration error names its variable', () => {
  const cases: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'localhost' }, /not host:port/],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'localhost:99999' }, /out of range/],
    ['TEMPORAL_NAMESPACE', { TEMPORAL_NAMESPACE: 'has space' }, /namespace name/],
    ['TEMPORAL_TASK_QUEUE', { TEMPORAL_TASK_QUEUE: 'chime.us-east-1' }, /reserved/],
    ['TEMPORAL_TLS', { TEMPORAL_TLS: 'maybe' }, /true or false/],
    ['TEMPORAL_TLS', { TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' }, /needs TLS/],
    ['TEMPORAL_TLS_KEY', { TEMPORAL_TLS_CERT: pem }, /both the client certificate and its private key/],
    ['TEMPORAL_TLS_CERT', { TEMPORAL_TLS_KEY: pem }, /both/],
    ['TEMPORAL_TLS_CA', { TEMPORAL_TLS_CA: join(dir, 'missing.pem') }, /cannot read .*ENOENT/],
    ['TEMPORAL_TLS_CA', { TEMPORAL_TLS_CA: notPem }, /not a PEM file/],
    ['TEMPORAL_API_KEY', { TEMPORAL_API_KEY: 'two words' }, /whitespace/],
    ['CHIME_ENDPOINT', { CHIME_ENDPOINT: 'emulator:8080' }, /not an http\(s\) URL/],
    ['CHIME_REGION', { CHIME_REGION: 'eu-west-1' }, /no Chime SDK Meetings API endpoint/],
    ['AWS_REGION', { AWS_REGION: 'mars-1' }, /no Chime SDK Meetings API endpoint/],
    [
      'CHIME_CONTROL_REGIONS',
      { CHIME_CONTROL_REGIONS: 'us-east-1,eu-west-9' },
      /"eu-west-9" is not a control Region/,
    ],
    ['CHIME_BUDGET_PER_SECOND', { CHIME_BUDGET_PER_SECOND: '-1' }, /positive number/],
    ['CHIME_BUDGET_NOWHERE', { CHIME_BUDGET_NOWHERE: '3' }, /does not name an AWS Region/],
    ['CHIME_MAX_CONCURRENT_ACTIVITIES', { CHIME_MAX_CONCURRENT_ACTIVITIES: '0' }, /whole number in 1-1000/],
    ['METRICS_PORT', { METRICS_PORT: '9464x' }, /whole number in 1-65535/],
    ['METRICS_PORT', { METRICS_PORT: '70000' }, /whole number in 1-65535/],
    ['METRICS_PHASE_INTERVAL_SECONDS', { METRICS_PHASE_INTERVAL_SECONDS: '0' }, /whole number/],
    ['LOG_LEVEL', { LOG_LEVEL: 'LOUD' }, /not one of TRACE, DEBUG, INFO, WARN, ERROR/],
    ['PAYLOAD_ENCRYPTION_KEYS', { PAYLOAD_ENCRYPTION_KEYS: 'not-a-key' }, /./],
    ['PAYLOAD_ENCRYPTION_STRICT', { PAYLOAD_ENCRYPTION_STRICT: 'sometimes' }, /not true or false/],
    ['METRICS_HOST', { METRICS_HOST: 'every interface' }, /not an IP address or host name/],
  ];
  it.each(cases)('%s', (variable, env, message) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.variable).toBe(variable);
    expect(problems[0]?.message).toMatch(message);
  });

  it('lists every bad variable at once, one line each', () => {
    let error: unknown;
    try {
      loadWorkerConfig({ TEMPORAL_ADDRESS: 'x', METRICS_PORT: 'y', CHIME_REGION: 'z', LOG_LEVEL: 'w' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message } = error as ConfigError;
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'CHIME_REGION',
      'LOG_LEVEL',
      'METRICS_PORT',
      'TEMPORAL_ADDRESS',
    ]);
    expect(message.split('\n')).toHaveLength(5);
    expect(message).toMatch(/^Invalid worker configuration:\n {2}- TEMPORAL_ADDRESS: /);
  });

  it('never echoes the API key', () => {
    const problems = problemsOf({ TEMPORAL_API_KEY: 'secret value', TEMPORAL_TLS: 'false' });
    expect(JSON.stringify(problems)).not.toContain('secret');
  });
});

describe('JSON logs', () => {
  it('writes one JSON object per line and redacts tokens and external IDs however deep', () => {
    const lines: string[] = [];
    const logger = new JsonLogger({ level: 'INFO', write: (l) => lines.push(l), base: { service: 't' } });
    logger.debug('hidden');
    logger.info('created', {
      attendee: { JoinToken: 'tok', ExternalUserId: 'alice', attendeeId: 'a-1' },
      n: 1n,
    });
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 'INFO', msg: 'created', service: 't', n: '1' });
    expect(parsed.attendee).toEqual({
      JoinToken: '[redacted]',
      ExternalUserId: '[redacted]',
      attendeeId: 'a-1',
    });
  });
});
