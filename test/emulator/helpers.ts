import {
  ChimeSDKMeetingsClient,
  CreateMeetingCommand,
  type Meeting,
} from '@aws-sdk/client-chime-sdk-meetings';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
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

export interface TestEmulator {
  emu: RunningEmulator;
  /** A client in us-east-1. */
  client: ChimeSDKMeetingsClient;
}

/**
 * One emulator and one client for the tests of a file or a describe block: started before them, reset before
 * each test, closed after them. Read the getter's value in a beforeEach (or a test).
 */
export function useTestEmulator(config: DeepPartial<EmulatorConfig> = {}): () => TestEmulator {
  let running: TestEmulator | undefined;
  beforeAll(async () => {
    const emu = await startTestEmulator(config);
    running = { emu, client: clientFor(emu) };
  });
  afterAll(async () => {
    running?.client.destroy();
    await running?.emu.close();
  });
  beforeEach(() => running?.emu.reset());
  return () => {
    if (!running) throw new Error('the test emulator has not started');
    return running;
  };
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

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * A raw HTTP request on its own connection. `write` gets the open request to send body parts (or nothing, to
 * announce a body that never comes). Resolves with the first answer, or 'no answer' if none came within
 * `waitMs`: what a server that waits for the whole body before answering gives.
 */
export function rawRequest(
  emu: RunningEmulator,
  options: {
    method: string;
    path: string;
    headers?: http.OutgoingHttpHeaders;
    write?: (req: http.ClientRequest) => void;
    waitMs?: number;
  },
): Promise<RawAnswer | 'no answer'> {
  const url = new URL(emu.endpoint);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: options.method,
      path: options.path,
      headers: options.headers,
      agent: false,
    });
    let answered = false;
    const timer = setTimeout(() => {
      resolve('no answer');
      req.destroy();
    }, options.waitMs ?? 5_000);
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        });
      });
      res.on('error', () => undefined);
    });
    // The server may close the connection while the body is still being written: that is the point.
    req.on('error', (e) => {
      if (answered) return;
      clearTimeout(timer);
      reject(e);
    });
    if (options.write) options.write(req);
    else req.flushHeaders();
  });
}

export interface SharedEmulator {
  emu: RunningEmulator;
  client: ChimeSDKMeetingsClient;
}

/** One emulator (rate limits off) and one client for a test file, reset before each test. */
export function sharedEmulator(config: DeepPartial<EmulatorConfig> = {}): SharedEmulator {
  const shared = {} as SharedEmulator;
  beforeAll(async () => {
    shared.emu = await startTestEmulator(config);
    shared.client = clientFor(shared.emu);
  });
  afterAll(async () => {
    shared.client?.destroy();
    await shared.emu?.close();
  });
  beforeEach(() => shared.emu.reset());
  return shared;
}
