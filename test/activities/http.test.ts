/**
 * The real SDK client against a local HTTP server: what the v3 client exposes for Retry-After, that it makes
 * exactly one attempt (Temporal owns retries), and how timeouts and refused connections surface.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { createChimeActivities, createChimeClientFactory } from '../../activities';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let endpoint: string;
let handler: Handler;
let requests = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests += 1;
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requests = 0;
});

function errorReply(status: number, type: string, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type, ...headers });
    res.end(JSON.stringify({ Code: type, Message: `emulated ${type}` }));
  };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

function activities(requestTimeoutMs?: number) {
  const clients = createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint, requestTimeoutMs });
  return { acts: createChimeActivities({ clients }), clients };
}

it('503 with Retry-After: one request, retryable, nextRetryDelay from the header', async () => {
  handler = errorReply(503, 'ServiceUnavailableException', { 'retry-after': '4' });
  const { acts, clients } = activities();
  const f = await failureOf(acts.getMeeting({ meetingId: '11111111-2222-3333-4444-555555555555' }));
  clients.destroy();
  expect(requests).toBe(1);
  expect(f).toMatchObject({ type: 'ServiceUnavailableException', nonRetryable: false, nextRetryDelay: 4000 });
  expect(f.message).toContain('emulated ServiceUnavailableException');
});

it('429 with a Retry-After header is honoured through the hidden $response', async () => {
  handler = errorReply(429, 'ThrottlingException', { 'retry-after': '1' });
  const { acts, clients } = activities();
  const f = await failureOf(acts.deleteMeeting({ meetingId: '11111111-2222-3333-4444-555555555555' }));
  clients.destroy();
  expect(requests).toBe(1);
  expect(f).toMatchObject({ type: 'ThrottlingException', nonRetryable: false, nextRetryDelay: 1000 });
});

it('500 ServiceFailure: exactly one attempt, retryable', async () => {
  handler = errorReply(500, 'ServiceFailureException');
  const { acts, clients } = activities();
  const f = await failureOf(acts.listTagsForResource({ resourceArn: 'arn:aws:chime:us-east-1:1:meeting/x' }));
  clients.destroy();
  expect(requests).toBe(1);
  expect(f).toMatchObject({ type: 'ServiceFailureException', nonRetryable: false });
  expect(f.nextRetryDelay).toBeUndefined();
});

it('400 LimitExceeded: non-retryable quota failure', async () => {
  handler = errorReply(400, 'LimitExceededException');
  const { acts, clients } = activities();
  const f = await failureOf(
    acts.createMeeting({
      clientRequestToken: 'tok-1',
      externalMeetingId: 'Webinar',
      mediaRegion: 'us-east-1',
    }),
  );
  clients.destroy();
  expect(f).toMatchObject({ type: 'LimitExceededException', nonRetryable: true });
  expect(f.message).toMatch(/quota/);
});

it('a request that times out (requestTimeout) is a retryable ETIMEDOUT failure', async () => {
  handler = () => undefined; // never answers
  const { acts, clients } = activities(300);
  const f = await failureOf(acts.getMeeting({ meetingId: '11111111-2222-3333-4444-555555555555' }));
  clients.destroy();
  expect(requests).toBe(1);
  expect(f).toMatchObject({ type: 'ETIMEDOUT', nonRetryable: false });
});

it('a refused connection is retryable', async () => {
  const clients = createChimeClientFactory({ defaultRegion: 'us-east-1', endpoint: 'http://127.0.0.1:9' });
  const f = await failureOf(
    createChimeActivities({ clients }).getMeeting({ meetingId: '11111111-2222-3333-4444-555555555555' }),
  );
  clients.destroy();
  expect(f).toMatchObject({ type: 'ECONNREFUSED', nonRetryable: false });
});
