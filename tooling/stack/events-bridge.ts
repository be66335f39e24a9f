/**
 * The stack's events bridge: the emulator's default events queue and its dead-letter queue set up as
 * deploy/meeting-events/queues.json describes them for AWS (same names, same attributes, the RedrivePolicy
 * between them), and the production entry point, `client/events-bridge/main.ts` (what `npm run events-bridge`
 * runs), configured only through its environment like the compose `events-bridge` service.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { EMULATOR_CREDENTIALS } from '../../activities/clients';
import { KEYS_ENV } from '../../client/temporal/codec';
import { projectRoot } from '../temporal-servers';
import type { OwnedProcess } from './owned-process';
import { startServiceProcess } from './service-process';
import { freePorts } from './ports';

export const QUEUES_DOCUMENT = join('deploy', 'meeting-events', 'queues.json');
/** The Region whose meetings' events the stack's bridge reads: the workers' default control Region. */
export const STACK_EVENTS_REGION = 'us-east-1';

type QueuesDocument = Record<string, { Attributes: Record<string, string> }>;

export function queuesDocument(): QueuesDocument {
  return JSON.parse(readFileSync(join(projectRoot(), QUEUES_DOCUMENT), 'utf8')) as QueuesDocument;
}

/** The events queue (the one with a RedrivePolicy) and its dead-letter queue, by name. */
export function eventsQueueNames(doc: QueuesDocument = queuesDocument()): { queue: string; dlq: string } {
  const names = Object.keys(doc);
  const queue = names.find((n) => doc[n]?.Attributes.RedrivePolicy !== undefined);
  const dlq = names.find((n) => n !== queue);
  if (!queue || !dlq)
    throw new Error(`${QUEUES_DOCUMENT} must hold the events queue and its dead-letter queue`);
  return { queue, dlq };
}

/** Creates (or updates) the document's queues on the emulator; the ARNs' placeholders become its own. */
export async function setUpEventQueues(endpoint: string): Promise<{ queueUrl: string; dlqUrl: string }> {
  const doc = queuesDocument();
  const { queue, dlq } = eventsQueueNames(doc);
  const sqs = new SQSClient({ region: STACK_EVENTS_REGION, endpoint, credentials: EMULATOR_CREDENTIALS });
  try {
    const dlqUrl = (
      await sqs.send(new CreateQueueCommand({ QueueName: dlq, Attributes: doc[dlq]?.Attributes }))
    ).QueueUrl;
    const queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl;
    if (!dlqUrl || !queueUrl) throw new Error('the emulator gave no queue URL');
    const arn = (
      await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }))
    ).Attributes?.QueueArn;
    const prefix = arn?.slice(0, arn.lastIndexOf(':') + 1) ?? '';
    const attributes = Object.fromEntries(
      Object.entries(doc[queue]?.Attributes ?? {}).map(([k, v]) => [
        k,
        v.replaceAll(/arn:aws:sqs:REGION:ACCOUNT_ID:/g, prefix),
      ]),
    );
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queueUrl, Attributes: attributes }));
    return { queueUrl, dlqUrl };
  } finally {
    sqs.destroy();
  }
}

export interface StackEventsBridge {
  /** /healthz and /metrics. */
  url: string;
  queueUrl: string;
  dlqUrl: string;
  process: OwnedProcess;
}

export async function startStackEventsBridge(options: {
  temporalAddress: string;
  namespace: string;
  payloadEncryptionKeys: string;
  emulatorEndpoint: string;
  onOutput?: (chunk: string) => void;
}): Promise<StackEventsBridge> {
  const { queueUrl, dlqUrl } = await setUpEventQueues(options.emulatorEndpoint);
  const [port] = await freePorts(1);
  const child = await startServiceProcess({
    name: 'events-bridge',
    entry: ['client', 'events-bridge', 'main.ts'],
    env: {
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      [KEYS_ENV]: options.payloadEncryptionKeys,
      EVENTS_QUEUE_URL: queueUrl,
      EVENTS_DLQ_URL: dlqUrl,
      EVENTS_SQS_ENDPOINT: options.emulatorEndpoint,
      EVENTS_SQS_REGION: STACK_EVENTS_REGION,
      EVENTS_BRIDGE_HOST: '127.0.0.1',
      EVENTS_BRIDGE_PORT: String(port),
    },
    onOutput: options.onOutput,
  });
  return { url: `http://127.0.0.1:${String(port)}`, queueUrl, dlqUrl, process: child };
}
