/**
 * The stack's join API: the production entry point, `client/join-api/main.ts` (what `npm run join-api` runs),
 * configured only through its environment like the compose `join-api` service, on the workers' credential store
 * and the stack's Temporal server. The link flow is on, with keys the stack made (or JOIN_LINK_KEYS inherited).
 */
import { JOIN_LINK_KEYS_ENV } from '../../client/library/join-link';
import { generateEncryptionKey, KEYS_ENV } from '../../client/temporal/codec';
import type { OwnedProcess } from './owned-process';
import { startServiceProcess } from './service-process';
import { freePorts } from './ports';

export interface StackJoinApi {
  url: string;
  /** JOIN_LINK_KEYS of the API: what a scheduler mints links with (`mintJoinLink`). */
  joinLinkKeys: string;
  process: OwnedProcess;
}

export async function startStackJoinApi(options: {
  temporalAddress: string;
  namespace: string;
  credentialStoreUrl: string;
  payloadEncryptionKeys: string;
  onOutput?: (chunk: string) => void;
}): Promise<StackJoinApi> {
  const [port] = await freePorts(1);
  const inherited = process.env[JOIN_LINK_KEYS_ENV]?.trim();
  const joinLinkKeys = inherited ? inherited : generateEncryptionKey('join1');
  const child = await startServiceProcess({
    name: 'join-api',
    entry: ['client', 'join-api', 'main.ts'],
    env: {
      TEMPORAL_ADDRESS: options.temporalAddress,
      TEMPORAL_NAMESPACE: options.namespace,
      CREDENTIAL_STORE_URL: options.credentialStoreUrl,
      [KEYS_ENV]: options.payloadEncryptionKeys,
      [JOIN_LINK_KEYS_ENV]: joinLinkKeys,
      JOIN_API_HOST: '127.0.0.1',
      JOIN_API_PORT: String(port),
    },
    onOutput: options.onOutput,
  });
  return { url: `http://127.0.0.1:${String(port)}`, joinLinkKeys, process: child };
}
