/**
 * Attendance on the stack, as a user sees it: attendees connect to their meetings through the emulator's admin
 * API (the stack's emulator is its own process), the stack's events bridge process signals the webinar, and
 * after the end the operator CLI reports the records from the workers' PostgreSQL store.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../../tooling/temporal-servers';

export type ConnectionChange = 'connect' | 'disconnect' | 'drop';

/** POST /_emulator/meetings/{meetingId}/attendees/{attendeeId}/{change} on the emulator process. */
export async function changeConnection(
  endpoint: string,
  meetingId: string,
  attendeeId: string,
  change: ConnectionChange,
): Promise<void> {
  const res = await fetch(`${endpoint}/_emulator/meetings/${meetingId}/attendees/${attendeeId}/${change}`, {
    method: 'POST',
  });
  if (res.status !== 200) throw new Error(`${change} ${attendeeId}: ${res.status} ${await res.text()}`);
}

/** `npm run cli -- report <webinarId> --format csv` as a process, with the workers' store settings. */
export async function reportCsv(
  webinarId: string,
  env: { storeUrl: string; payloadKeys: string; temporalAddress: string; namespace: string },
): Promise<string[][]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join('client', 'cli', 'main.ts'), 'report', webinarId],
    {
      cwd: projectRoot(),
      env: {
        ...process.env,
        CREDENTIAL_STORE_URL: env.storeUrl,
        PAYLOAD_ENCRYPTION_KEYS: env.payloadKeys,
        TEMPORAL_ADDRESS: env.temporalAddress,
        TEMPORAL_NAMESPACE: env.namespace,
      },
    },
  );
  // IDs here hold no comma or quote: a split is the CSV's reading.
  return stdout
    .trim()
    .split('\r\n')
    .map((line) => line.split(','));
}
