/**
 * `npm run stack` (tooling/stack) and docker-compose.yml describe one topology and must stay in step: the same
 * Temporal server version, the same dynamic config file, the same database plugin and history shards, and a
 * dynamic config that gives every Chime queue the workers poll its single partition. Runs in the fast suite
 * (no server needed); the cluster suite also has the built server validate that file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { operatorLaneTaskQueue, chimeTaskQueue } from '../../domain/budget';
import { CONTROL_REGIONS } from '../../domain/regions';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startEmulator } from '../../emulator';
import { CREDENTIALS_DATABASE } from '../../tooling/stack/credentials-db';
import { eventsQueueNames, setUpEventQueues, STACK_EVENTS_REGION } from '../../tooling/stack/events-bridge';
import { SQL_PLUGIN } from '../../tooling/stack/schema';
import {
  HISTORY_SHARDS,
  SERVER_PORT_NAMES,
  serverConfig,
  serverPorts,
} from '../../tooling/stack/server-config';
import {
  composeTemporalVersion,
  DYNAMIC_CONFIG_FILE,
  readCompose,
} from '../../tooling/stack/temporal-version';
import { CHIME_QUEUE_DYNAMIC_CONFIG, projectRoot } from '../../tooling/temporal-servers';

const compose = readCompose();
const temporal = compose.services?.temporal;
const ports = serverPorts(SERVER_PORT_NAMES.map((_, i) => 7000 + i));
const stackConfig = serverConfig({
  root: '/tmp/x',
  ports,
  postgres: { host: '127.0.0.1', port: 5432, user: 'temporal' },
  dynamicConfigFile: join(projectRoot(), DYNAMIC_CONFIG_FILE),
}) as {
  persistence: { numHistoryShards: number; datastores: Record<string, { sql: { pluginName: string } }> };
  dynamicConfigClient: { filepath: string };
};

describe('npm run stack and docker-compose.yml', () => {
  it('run the same Temporal server version (the admin tools too)', () => {
    const version = composeTemporalVersion();
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(compose.services?.['register-search-attributes']?.image).toMatch(
      new RegExp(`^temporalio/admin-tools:${version.replace(/\./g, '\\.')}(-|$)`),
    );
  });

  it('load the same dynamic config file', () => {
    const inContainer = `/etc/temporal/${temporal?.environment?.DYNAMIC_CONFIG_FILE_PATH ?? '(unset)'}`;
    expect(temporal?.volumes).toContain(`./${DYNAMIC_CONFIG_FILE}:${inContainer}:ro`);
    expect(stackConfig.dynamicConfigClient.filepath).toBe(join(projectRoot(), DYNAMIC_CONFIG_FILE));
  });

  it('use PostgreSQL through the same plugin, with the same number of history shards', () => {
    expect(temporal?.environment?.DB).toBe(SQL_PLUGIN);
    for (const store of Object.values(stackConfig.persistence.datastores))
      expect(store.sql.pluginName).toBe(SQL_PLUGIN);
    // auto-setup's NUM_HISTORY_SHARDS defaults to 4; a compose override would have to change the stack too.
    expect(Number(temporal?.environment?.NUM_HISTORY_SHARDS ?? 4)).toBe(HISTORY_SHARDS);
  });

  it("give the workers' credential store the same database of its own on Temporal's PostgreSQL", () => {
    const url = compose.services?.worker?.environment?.CREDENTIAL_STORE_URL ?? '';
    expect(url).toMatch(new RegExp(`@postgresql:5432/${CREDENTIALS_DATABASE}\\}$`));
    const create = (compose.services?.['create-credentials-database']?.entrypoint ?? []).join(' ');
    expect(create).toContain(`datname = '${CREDENTIALS_DATABASE}'`);
    expect(create).toContain(`CREATE DATABASE ${CREDENTIALS_DATABASE}`);
  });

  it('give every Chime queue and its operator lane one read and one write partition', () => {
    const dynamic = parse(readFileSync(join(projectRoot(), DYNAMIC_CONFIG_FILE), 'utf8')) as Record<
      string,
      { value: unknown; constraints?: { taskQueueName?: string } }[]
    >;
    const queues = [undefined, ...CONTROL_REGIONS]
      .flatMap((r) => [chimeTaskQueue(r), operatorLaneTaskQueue(r)])
      .sort();
    for (const key of ['matching.numTaskqueueReadPartitions', 'matching.numTaskqueueWritePartitions']) {
      const entries = dynamic[key] ?? [];
      expect({ key, queues: entries.map((e) => e.constraints?.taskQueueName).sort() }).toEqual({
        key,
        queues,
      });
      expect({ key, values: [...new Set(entries.map((e) => e.value))] }).toEqual({ key, values: [1] });
    }
  });

  it('turn fairness on for every Chime queue, as the dev server does', () => {
    const dynamic = parse(readFileSync(join(projectRoot(), DYNAMIC_CONFIG_FILE), 'utf8')) as Record<
      string,
      { value: unknown; constraints?: { taskQueueName?: string } }[]
    >;
    const queues = [chimeTaskQueue(undefined), ...CONTROL_REGIONS.map((r) => chimeTaskQueue(r))].sort();
    const entries = dynamic['matching.enableFairness'] ?? [];
    expect(entries.map((e) => e.constraints?.taskQueueName).sort()).toEqual(queues);
    expect([...new Set(entries.map((e) => e.value))]).toEqual([true]);
    expect(CHIME_QUEUE_DYNAMIC_CONFIG['matching.enableFairness']).toBe(true);
  });

  it('run the events bridge as the image and npm run events-bridge do, on the queues deploy/ describes', async () => {
    const bridge = compose.services?.['events-bridge'];
    expect(bridge?.command).toEqual(['node', 'dist/client/events-bridge/main.js']);
    const pkg = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['events-bridge']).toBe('ts-node --transpile-only client/events-bridge/main.ts');
    const { queue, dlq } = eventsQueueNames();
    expect(compose.services?.emulator?.environment?.CHIME_EMULATOR_EVENTS_QUEUE).toBe(queue);
    // The stack's emulator gets the document's queues and RedrivePolicy, its own ARNs for the placeholders.
    const emu = await startEmulator({
      port: 0,
      config: { events: { defaultQueues: { [STACK_EVENTS_REGION]: queue } } },
    });
    const sqs = new SQSClient({
      region: STACK_EVENTS_REGION,
      endpoint: emu.endpoint,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    try {
      const { queueUrl, dlqUrl } = await setUpEventQueues(emu.endpoint);
      expect(queueUrl.endsWith(`/${queue}`) && dlqUrl.endsWith(`/${dlq}`)).toBe(true);
      const attributes = (
        await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }))
      ).Attributes;
      expect(JSON.parse(attributes?.RedrivePolicy ?? '{}')).toEqual({
        deadLetterTargetArn: `arn:aws:sqs:${STACK_EVENTS_REGION}:123456789012:${dlq}`,
        maxReceiveCount: 8,
      });
      expect(attributes?.VisibilityTimeout).toBe('60');
    } finally {
      sqs.destroy();
      await emu.close();
    }
  });
});
