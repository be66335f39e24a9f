import {
  ChimeSDKMeetingsClient,
  CreateMeetingCommand,
  type Meeting,
} from '@aws-sdk/client-chime-sdk-meetings';
import { randomUUID } from 'node:crypto';
import {
  deepMerge,
  startEmulator,
  type DeepPartial,
  type EmulatorConfig,
  type RunningEmulator,
} from '../../emulator';

export const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' };

/** A real AWS SDK v3 client aimed at the emulator; no retries so every answer is seen as sent. */
export function clientFor(emu: RunningEmulator, region = 'us-east-1'): ChimeSDKMeetingsClient {
  return new ChimeSDKMeetingsClient({
    region,
    endpoint: emu.endpoint,
    credentials: CREDENTIALS,
    maxAttempts: 1,
  });
}

/** Starts an emulator with rate limits off unless the test's config turns them on. */
export async function startTestEmulator(config: DeepPartial<EmulatorConfig> = {}): Promise<RunningEmulator> {
  return startEmulator({ config: deepMerge({ rateLimits: { enabled: false } }, config) });
}

export async function createMeeting(
  client: ChimeSDKMeetingsClient,
  extra: Partial<ConstructorParameters<typeof CreateMeetingCommand>[0]> = {},
): Promise<Meeting> {
  const out = await client.send(
    new CreateMeetingCommand({
      ClientRequestToken: randomUUID(),
      MediaRegion: 'us-east-1',
      ExternalMeetingId: `m-${randomUUID().slice(0, 8)}`,
      ...extra,
    }),
  );
  if (!out.Meeting) throw new Error('no meeting');
  return out.Meeting;
}

/** Resolves to the rejection of `p` (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to be rejected, but it succeeded');
}

/** A syntactically valid SigV4 Authorization header for raw requests. */
export function authHeader(region = 'us-east-1'): string {
  return `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/${region}/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=0000`;
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
