/** The events bridge's settings: defaults, and every bad variable named at once (exit 2 as a process). */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_TUNING, readEventsBridgeConfig } from '../../client/events-bridge/config';
import { redriveWarnings } from '../../client/events-bridge/redrive-check';
import { ConfigError } from '../../client/temporal/connection';

const AWS_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/chime-meeting-events';

const problemsOf = (env: NodeJS.ProcessEnv): string[] => {
  try {
    readEventsBridgeConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.variable);
    throw err;
  }
  return [];
};

it('in AWS: the Region from the queue URL, the default credential chain, the defaults', () => {
  const config = readEventsBridgeConfig({ EVENTS_QUEUE_URL: AWS_QUEUE });
  expect(config.sqs).toEqual({ queueUrl: AWS_QUEUE, region: 'eu-west-1' });
  expect(config.tuning).toEqual(DEFAULT_TUNING);
  expect(config.port).toBe(9465);
  expect(config.host).toBe('127.0.0.1');
  expect(config.logLevel).toBe('info');
});

it('on the emulator: its endpoint, us-east-1 unless told, a dead-letter queue, tuning', () => {
  const config = readEventsBridgeConfig({
    EVENTS_QUEUE_URL: 'http://127.0.0.1:8088/000000000000/chime-meeting-events',
    EVENTS_DLQ_URL: 'http://127.0.0.1:8088/000000000000/chime-meeting-events-dlq',
    EVENTS_SQS_ENDPOINT: 'http://127.0.0.1:8088/',
    EVENTS_MAX_TRIES: '3',
    EVENTS_POLLERS: '2',
    EVENTS_WAIT_SECONDS: '0',
    LOG_LEVEL: 'DEBUG',
  });
  expect(config.sqs).toEqual({
    queueUrl: 'http://127.0.0.1:8088/000000000000/chime-meeting-events',
    dlqUrl: 'http://127.0.0.1:8088/000000000000/chime-meeting-events-dlq',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:8088',
  });
  expect(config.tuning).toMatchObject({ maxTries: 3, pollers: 2, waitSeconds: 0 });
  expect(config.logLevel).toBe('debug');
});

it('names every bad variable at once', () => {
  expect(problemsOf({})).toEqual(['EVENTS_QUEUE_URL']);
  expect(
    problemsOf({
      EVENTS_QUEUE_URL: 'ftp://x',
      EVENTS_DLQ_URL: 'not a url',
      EVENTS_MAX_TRIES: '0',
      EVENTS_POLLERS: 'many',
      EVENTS_WAIT_SECONDS: '21',
      EVENTS_VISIBILITY_SECONDS: '-1',
      EVENTS_MAX_PENDING: '1.5',
      EVENTS_BRIDGE_PORT: '70000',
      LOG_LEVEL: 'loud',
      TEMPORAL_ADDRESS: 'no-port',
    }),
  ).toEqual([
    'EVENTS_QUEUE_URL',
    'EVENTS_DLQ_URL',
    'EVENTS_MAX_TRIES',
    'EVENTS_POLLERS',
    'EVENTS_WAIT_SECONDS',
    'EVENTS_VISIBILITY_SECONDS',
    'EVENTS_MAX_PENDING',
    'EVENTS_BRIDGE_PORT',
    'LOG_LEVEL',
    'TEMPORAL_ADDRESS',
  ]);
  // A queue URL that names no Region needs EVENTS_SQS_REGION; the DLQ cannot be the queue itself.
  expect(
    problemsOf({
      EVENTS_QUEUE_URL: 'https://queue.example/1/q',
      EVENTS_DLQ_URL: 'https://queue.example/1/q',
    }),
  ).toEqual(['EVENTS_DLQ_URL', 'EVENTS_SQS_REGION']);
  // A Signal's deadline must leave its messages' visibility timeout room.
  expect(
    problemsOf({
      EVENTS_QUEUE_URL: AWS_QUEUE,
      EVENTS_VISIBILITY_SECONDS: '3',
      EVENTS_SIGNAL_TIMEOUT_MS: '5000',
    }),
  ).toEqual(['EVENTS_SIGNAL_TIMEOUT_MS']);
});

it('as a process: exit 2, every bad variable on stderr, nothing started', async () => {
  const out = await promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', 'client/events-bridge/main.ts'],
    {
      cwd: resolve(__dirname, '../..'),
      env: { PATH: process.env.PATH, EVENTS_MAX_TRIES: 'lots', PAYLOAD_ENCRYPTION_KEYS: 'short' },
    },
  ).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
  expect(out.code).toBe(2);
  expect(out.stderr).toMatch(/EVENTS_QUEUE_URL: must be set/);
  expect(out.stderr).toMatch(/EVENTS_MAX_TRIES: "lots" is not a whole number/);
  expect(out.stderr).toMatch(/PAYLOAD_ENCRYPTION_KEYS/);
  expect(out.stderr).toMatch(/docs\/meeting-events\.md/);
});

it('warns at start about a missing or too early RedrivePolicy, or one to another dead-letter queue', () => {
  const policy = (maxReceiveCount: number, dlq = 'events-dlq'): string =>
    JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:eu-west-1:123456789012:${dlq}`, maxReceiveCount });
  const dlqUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/events-dlq';
  expect(redriveWarnings(policy(8), 5, dlqUrl)).toEqual([]);
  expect(redriveWarnings(policy(8), 5, undefined)).toEqual([]);
  expect(redriveWarnings(undefined, 5, dlqUrl)).toEqual([expect.stringMatching(/no RedrivePolicy/)]);
  expect(redriveWarnings(policy(5), 5, dlqUrl)).toEqual([
    expect.stringMatching(/not above EVENTS_MAX_TRIES/),
  ]);
  expect(redriveWarnings(policy(8, 'other'), 5, dlqUrl)).toEqual([
    expect.stringMatching(/two dead-letter queues/),
  ]);
});
