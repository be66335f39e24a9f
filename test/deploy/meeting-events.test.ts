/**
 * deploy/meeting-events/: the EventBridge rule, the queue and its dead-letter queue, the queue policy and the
 * bridge's IAM policy parse and agree with each other and with the code: the rule matches what the bridge
 * reads, the queue's maxReceiveCount is above the bridge's tries, and the IAM policy grants exactly the SQS
 * actions client/events-bridge/ calls, SendMessage only on the dead-letter queue.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TUNING } from '../../client/events-bridge/config';
import { redriveWarnings } from '../../client/events-bridge/redrive-check';
import { MEETING_EVENT_DETAIL_TYPE, MEETING_EVENT_SOURCE } from '../../domain/meeting-events';

const root = join(__dirname, '..', '..');
const dir = join(root, 'deploy', 'meeting-events');
const read = <T>(file: string): T => JSON.parse(readFileSync(join(dir, file), 'utf8')) as T;

interface Statement {
  Sid: string;
  Effect: string;
  Principal?: { Service: string };
  Action: string | string[];
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}
interface Policy {
  Version: string;
  Statement: Statement[];
}

const rule = read<{
  Name: string;
  EventBusName: string;
  EventPattern: Record<string, string[]>;
  Targets: { Id: string; Arn: string }[];
}>('eventbridge-rule.json');
const queues = read<Record<string, { Attributes: Record<string, string> }>>('queues.json');
const queuePolicy = read<Policy>('queue-policy.json');
const iam = read<Policy>('bridge-iam-policy.json');

const arnOf = (name: string): string => `arn:aws:sqs:REGION:ACCOUNT_ID:${name}`;
const [queueName, dlqName] = Object.keys(queues);
const actions = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

it('every document is JSON', () => {
  expect(readdirSync(dir).sort()).toEqual([
    'bridge-iam-policy.json',
    'eventbridge-rule.json',
    'queue-policy.json',
    'queues.json',
  ]);
  for (const policy of [queuePolicy, iam]) expect(policy.Version).toBe('2012-10-17');
});

it('the rule matches the events the bridge reads and targets the queue', () => {
  expect(rule.EventBusName).toBe('default');
  expect(rule.EventPattern).toEqual({
    source: [MEETING_EVENT_SOURCE],
    'detail-type': [MEETING_EVENT_DETAIL_TYPE],
  });
  expect(rule.Targets.map((t) => t.Arn)).toEqual([arnOf(queueName ?? '')]);
});

it('the queue redrives to its dead-letter queue a little after the bridge has given up', () => {
  const redrive = queues[queueName ?? '']?.Attributes.RedrivePolicy ?? '';
  const policy = JSON.parse(redrive) as { deadLetterTargetArn: string; maxReceiveCount: number };
  expect(policy.deadLetterTargetArn).toBe(arnOf(dlqName ?? ''));
  expect(policy.maxReceiveCount).toBeGreaterThan(DEFAULT_TUNING.maxTries);
  expect(policy.maxReceiveCount).toBeLessThanOrEqual(DEFAULT_TUNING.maxTries + 5);
  expect(
    redriveWarnings(
      redrive,
      DEFAULT_TUNING.maxTries,
      `https://sqs.REGION.amazonaws.com/ACCOUNT_ID/${dlqName ?? ''}`,
    ),
  ).toEqual([]);
  // The bridge's receives set their own visibility; the queue's default matches the bridge's.
  expect(Number(queues[queueName ?? '']?.Attributes.VisibilityTimeout)).toBe(
    DEFAULT_TUNING.visibilitySeconds,
  );
  // Kept longer on the dead-letter queue, to look at and redrive.
  expect(Number(queues[dlqName ?? '']?.Attributes.MessageRetentionPeriod)).toBe(14 * 24 * 3600);
});

it('the queue policy lets only the rule send to the queue', () => {
  expect(queuePolicy.Statement).toHaveLength(1);
  const [s] = queuePolicy.Statement;
  expect(s).toMatchObject({
    Effect: 'Allow',
    Principal: { Service: 'events.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: arnOf(queueName ?? ''),
    Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:events:REGION:ACCOUNT_ID:rule/${rule.Name}` } },
  });
});

it('the IAM policy grants exactly the SQS actions the bridge calls, SendMessage on the dead-letter queue only', () => {
  const code = readdirSync(join(root, 'client', 'events-bridge'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => readFileSync(join(root, 'client', 'events-bridge', f), 'utf8'))
    .join('\n');
  // DeleteMessageBatch is authorised as sqs:DeleteMessage, as every batch action is by its single one.
  const called = [...code.matchAll(/new (\w+)Command\(/g)]
    .map((m) => `sqs:${(m[1] ?? '').replace(/Batch$/, '')}`)
    .filter((a, i, all) => all.indexOf(a) === i)
    .sort();
  const granted = iam.Statement.flatMap(actions).sort();
  expect(granted).toEqual(called);
  for (const s of iam.Statement) {
    expect(s.Effect).toBe('Allow');
    expect(s.Resource).toBe(
      arnOf(actions(s).includes('sqs:SendMessage') ? (dlqName ?? '') : (queueName ?? '')),
    );
  }
  expect(iam.Statement.find((s) => actions(s).includes('sqs:SendMessage'))?.Action).toEqual([
    'sqs:SendMessage',
  ]);
});
