import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadWorkerConfig } from '../../worker/config';
import { JsonLogger } from '../../worker/logging';
import { CompressionPayloadCodec } from '../../client/temporal/compression-codec';

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
      // No encryption keys: large payloads are still compressed.
      dataConverter: { payloadCodecs: [expect.any(CompressionPayloadCodec)] },
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

function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  let error: unknown;
  try {
    loadWorkerConfig(env);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('every configuration error is a ConfigError naming its variable, with the exact message', () => {
  const apiRegions = 'us-east-1, us-west-2, eu-central-1, ap-southeast-1, us-gov-east-1, us-gov-west-1';
  const cases: [string, NodeJS.ProcessEnv, string][] = [
    [
      'TEMPORAL_ADDRESS',
      { TEMPORAL_ADDRESS: 'localhost' },
      '"localhost" is not host:port (e.g. localhost:7233 or my-ns.a1b2c.tmprl.cloud:7233)',
    ],
    ['TEMPORAL_ADDRESS', { TEMPORAL_ADDRESS: 'localhost:99999' }, 'port 99999 is out of range 1-65535'],
    [
      'TEMPORAL_NAMESPACE',
      { TEMPORAL_NAMESPACE: 'my namespace' },
      '"my namespace" is not a namespace name (letters, digits, ".", "_", "-")',
    ],
    [
      'TEMPORAL_TASK_QUEUE',
      { TEMPORAL_TASK_QUEUE: 'chime.us-east-1' },
      '"chime.us-east-1" is not usable as the webinar task queue (letters, digits, ".", "_", "-"; the "chime." prefix is reserved for the Chime activity queues)',
    ],
    ['TEMPORAL_TLS', { TEMPORAL_TLS: 'maybe' }, '"maybe" is not true or false'],
    [
      'TEMPORAL_TLS',
      { TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' },
      'is false, but TLS settings or TEMPORAL_API_KEY are set: an API key or certificate needs TLS',
    ],
    [
      'TEMPORAL_TLS_KEY',
      { TEMPORAL_TLS_CERT: pem },
      'is required when TEMPORAL_TLS_CERT is set: mTLS needs both the client certificate and its private key',
    ],
    [
      'TEMPORAL_TLS_CERT',
      { TEMPORAL_TLS_KEY: pem },
      'is required when TEMPORAL_TLS_KEY is set: mTLS needs both the client certificate and its private key',
    ],
    [
      'TEMPORAL_TLS_CA',
      { TEMPORAL_TLS_CA: join(dir, 'missing.pem') },
      `cannot read ${join(dir, 'missing.pem')} (ENOENT): give the path of a PEM file`,
    ],
    ['TEMPORAL_TLS_CA', { TEMPORAL_TLS_CA: notPem }, `${notPem} is not a PEM file (no "-----BEGIN" line)`],
    ['TEMPORAL_API_KEY', { TEMPORAL_API_KEY: 'two words' }, 'contains whitespace: paste the key exactly'],
    [
      'CHIME_ENDPOINT',
      { CHIME_ENDPOINT: 'emulator:8080' },
      '"emulator:8080" is not an http(s) URL (e.g. http://localhost:8080 for the emulator); unset it to use real AWS',
    ],
    [
      'CHIME_REGION',
      { CHIME_REGION: 'eu-west-3' },
      `"eu-west-3" has no Chime SDK Meetings API endpoint: use one of ${apiRegions}`,
    ],
    [
      'AWS_REGION',
      { AWS_REGION: 'mars-1' },
      `"mars-1" has no Chime SDK Meetings API endpoint: use one of ${apiRegions}`,
    ],
    [
      'CHIME_CONTROL_REGIONS',
      { CHIME_CONTROL_REGIONS: 'us-east-1,eu-west-9' },
      `"eu-west-9" is not a control Region: list one of ${apiRegions}, comma-separated`,
    ],
    [
      'CHIME_BUDGET_PER_SECOND',
      { CHIME_BUDGET_PER_SECOND: '-5' },
      'CHIME_BUDGET_PER_SECOND="-5" is not a valid API budget: expected a positive number of calls per second',
    ],
    [
      'CHIME_BUDGET_NOWHERE',
      { CHIME_BUDGET_NOWHERE: '3' },
      'CHIME_BUDGET_NOWHERE does not name an AWS Region: expected CHIME_BUDGET_<REGION>, e.g. CHIME_BUDGET_US_EAST_1',
    ],
    [
      'CHIME_MAX_CONCURRENT_ACTIVITIES',
      { CHIME_MAX_CONCURRENT_ACTIVITIES: '0' },
      '"0" is not a whole number in 1-1000',
    ],
    ['METRICS_PORT', { METRICS_PORT: '9464x' }, '"9464x" is not a whole number in 1-65535'],
    ['METRICS_PORT', { METRICS_PORT: '70000' }, '"70000" is not a whole number in 1-65535'],
    [
      'METRICS_PHASE_INTERVAL_SECONDS',
      { METRICS_PHASE_INTERVAL_SECONDS: '0' },
      '"0" is not a whole number in 1-86400',
    ],
    ['LOG_LEVEL', { LOG_LEVEL: 'LOUD' }, '"LOUD" is not one of TRACE, DEBUG, INFO, WARN, ERROR'],
    [
      'PAYLOAD_ENCRYPTION_KEYS',
      { PAYLOAD_ENCRYPTION_KEYS: 'not-a-key' },
      'PAYLOAD_ENCRYPTION_KEYS: entry 1 is not "id:base64key"',
    ],
    [
      'PAYLOAD_ENCRYPTION_KEYS',
      { PAYLOAD_ENCRYPTION_KEYS: 'k1:AAAA' },
      'PAYLOAD_ENCRYPTION_KEYS: key "k1" must be 32 bytes (AES-256), got 3',
    ],
    [
      'PAYLOAD_ENCRYPTION_STRICT',
      { PAYLOAD_ENCRYPTION_STRICT: 'sometimes' },
      'PAYLOAD_ENCRYPTION_STRICT: "sometimes" is not true or false',
    ],
    [
      'METRICS_HOST',
      { METRICS_HOST: 'every interface' },
      '"every interface" is not an IP address or host name (127.0.0.1 for this machine only, 0.0.0.0 for every interface)',
    ],
  ];
  it.each(cases)('%s', (variable, env, message) => {
    const error = configErrorOf(env);
    expect(error.problems).toEqual([{ variable, message }]);
    expect(error.message).toBe(`Invalid worker configuration:\n  - ${variable}: ${message}`);
  });

  it('lists every bad variable at once, one line each', () => {
    const { problems, message } = configErrorOf({
      TEMPORAL_ADDRESS: 'x',
      METRICS_PORT: 'y',
      CHIME_REGION: 'z',
      LOG_LEVEL: 'w',
    });
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
    const { problems } = configErrorOf({ TEMPORAL_API_KEY: 'secret value', TEMPORAL_TLS: 'false' });
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
