/**
 * The Temporal server version of the local cluster: the one docker-compose.yml pins for
 * `temporalio/auto-setup`, read from the compose file itself so the two cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '../temporal-servers';

export const COMPOSE_FILE = 'docker-compose.yml';
/** The dynamic config both topologies load (compose mounts it into the server container). */
export const DYNAMIC_CONFIG_FILE = join('deploy', 'temporal-dynamicconfig.yaml');

interface ComposeFile {
  services?: Record<
    string,
    {
      image?: string;
      volumes?: string[];
      environment?: Record<string, string>;
      entrypoint?: string[];
      command?: string[];
    }
  >;
}

export function readCompose(root = projectRoot()): ComposeFile {
  return parse(readFileSync(join(root, COMPOSE_FILE), 'utf8')) as ComposeFile;
}

/**
 * `1.29.1` from `image: temporalio/auto-setup:1.29.1` (optionally pinned by digest, `…:1.29.1@sha256:…`) of the
 * compose file's `temporal` service.
 */
export function composeTemporalVersion(root = projectRoot()): string {
  const image = readCompose(root).services?.temporal?.image ?? '';
  const match = /^temporalio\/auto-setup:(\d+\.\d+\.\d+)(@sha256:[0-9a-f]{64})?$/.exec(image);
  if (!match?.[1]) {
    throw new Error(
      `${COMPOSE_FILE}: services.temporal.image is ${JSON.stringify(image)}; expected temporalio/auto-setup:<x.y.z>[@sha256:<digest>]`,
    );
  }
  return match[1];
}
