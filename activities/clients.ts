/**
 * One ChimeSDKMeetingsClient per control Region (the API endpoint), created on first use and reused for the
 * life of the worker. Retries are Temporal's job, so every client makes exactly one attempt per call.
 */
import {
  ChimeSDKMeetingsClient,
  type ChimeSDKMeetingsClientConfig,
} from '@aws-sdk/client-chime-sdk-meetings';
import { ApplicationFailure } from '@temporalio/common';

export interface ChimeClientFactory {
  /** The Region used when an input names no control Region. */
  readonly defaultRegion: string;
  /** The cached client for a control Region (undefined → the default Region). */
  client(controlRegion?: string): ChimeSDKMeetingsClient;
  /** Closes every client's sockets (worker shutdown). */
  destroy(): void;
}

export interface ChimeClientFactoryOptions {
  defaultRegion: string;
  /**
   * Endpoint override for every Region (the emulator). Unset: the real regional endpoint of AWS, signed with
   * the default credential chain.
   */
  endpoint?: string;
  /** Unset with an endpoint: dummy static credentials (the emulator checks none). Unset without: default chain. */
  credentials?: ChimeSDKMeetingsClientConfig['credentials'];
  /** Socket-level timeouts; a timeout becomes a retryable `TimeoutError` failure. */
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Called once for each new client, e.g. to add middleware (tests use it to lose a response). */
  onClientCreated?: (client: ChimeSDKMeetingsClient, controlRegion: string) => void;
}

/** The one setting that makes Temporal the only owner of retries: see docs/activities.md. */
export const AWS_MAX_ATTEMPTS = 1;

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export const EMULATOR_CREDENTIALS = { accessKeyId: 'emulator', secretAccessKey: 'emulator' } as const;

export function createChimeClientFactory(options: ChimeClientFactoryOptions): ChimeClientFactory {
  if (!REGION_PATTERN.test(options.defaultRegion)) {
    throw new Error(`Invalid default control Region ${JSON.stringify(options.defaultRegion)}`);
  }
  const clients = new Map<string, ChimeSDKMeetingsClient>();
  const credentials = options.credentials ?? (options.endpoint ? EMULATOR_CREDENTIALS : undefined);
  return {
    defaultRegion: options.defaultRegion,
    client(controlRegion?: string): ChimeSDKMeetingsClient {
      const region = controlRegion ?? options.defaultRegion;
      const cached = clients.get(region);
      if (cached) return cached;
      if (!REGION_PATTERN.test(region)) {
        throw ApplicationFailure.create({
          message: `Invalid control Region ${JSON.stringify(region)}: expected an AWS Region such as us-east-1`,
          type: 'InvalidControlRegion',
          nonRetryable: true,
        });
      }
      const client = new ChimeSDKMeetingsClient({
        region,
        maxAttempts: AWS_MAX_ATTEMPTS,
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        requestHandler: {
          requestTimeout: options.requestTimeoutMs ?? 10_000,
          connectionTimeout: options.connectionTimeoutMs ?? 3_000,
          // Without it the handler only logs a warning and keeps waiting.
          throwOnRequestTimeout: true,
        },
      });
      options.onClientCreated?.(client, region);
      clients.set(region, client);
      return client;
    },
    destroy(): void {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}
