/**
 * The AWS JSON 1.0 protocol of SQS, the subset a bridge needs: `POST /` with `X-Amz-Target: AmazonSQS.<Op>`
 * and `Content-Type: application/x-amz-json-1.0`; answers are JSON, errors carry `__type`
 * (`com.amazonaws.sqs#<Name>`) and `x-amzn-query-error`. Authentication is the API's: a SigV4 Authorization
 * header scoped to `sqs` (not verified); its Region is the queue's Region.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors';
import type { ApiResponse } from '../pipeline/responses';
import { parseCredentialScope } from '../pipeline/sigv4';
import { SqsError } from './errors';
import type { QueueContext, QueueService } from './queues';

export const SQS_TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
/** Region names as AWS spells them; only these create queues, so the map stays bounded with MAX_QUEUES. */
const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

type Input = Record<string, unknown>;
type Handler = (q: QueueService, ctx: QueueContext, input: Input, cancelled: Promise<void>) => unknown;

/** The operations served; any other AmazonSQS.* target is UnsupportedOperation. */
export const SQS_OPERATIONS: Readonly<Record<string, Handler>> = {
  CreateQueue: (q, ctx, input) => q.createQueue(ctx, input),
  GetQueueUrl: (q, ctx, input) => q.getQueueUrl(ctx, input),
  GetQueueAttributes: (q, ctx, input) => q.getQueueAttributes(ctx, input),
  SetQueueAttributes: (q, ctx, input) => q.setQueueAttributes(ctx, input),
  SendMessage: (q, ctx, input) => q.sendMessage(ctx, input),
  ReceiveMessage: (q, ctx, input, cancelled) => q.receiveMessage(ctx, input, cancelled),
  DeleteMessage: (q, ctx, input) => q.deleteMessage(ctx, input),
  DeleteMessageBatch: (q, ctx, input) => q.deleteMessageBatch(ctx, input),
  ChangeMessageVisibility: (q, ctx, input) => q.changeMessageVisibility(ctx, input),
};

export function isSqsRequest(headers: IncomingHttpHeaders): boolean {
  const target = headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(SQS_TARGET_PREFIX);
}

export function sqsError(err: SqsError, requestId: string): ApiResponse {
  return {
    status: err.status,
    headers: {
      'Content-Type': CONTENT_TYPE,
      'x-amzn-RequestId': requestId,
      'x-amzn-query-error': err.queryError,
    },
    body: JSON.stringify({ __type: `com.amazonaws.sqs#${err.type}`, message: err.message }),
  };
}

/** The Region of the request's SigV4 scope, which must be for `sqs`. */
export function sqsRegion(headers: IncomingHttpHeaders): string {
  const auth = headers.authorization;
  const scope = auth ? parseCredentialScope(auth) : undefined;
  if (!scope)
    throw new SqsError('InvalidSecurity', 'The request must be signed with AWS Signature Version 4');
  if (scope.service !== 'sqs') {
    throw new SqsError('InvalidSecurity', `Credential should be scoped to correct service: 'sqs'`);
  }
  if (!REGION.test(scope.region)) throw new SqsError('InvalidSecurity', `Unknown Region '${scope.region}'`);
  return scope.region;
}

export interface SqsRequest {
  headers: IncomingHttpHeaders;
  /** Reads the body within the size limit; called once the caller is authenticated. */
  readBody: () => Promise<string>;
  accountId: string;
  /** Settles when the client hangs up: a long poll stops waiting. */
  cancelled: Promise<void>;
}

export interface SqsCounters {
  calls: number;
  failed: number;
  operations: Record<string, { calls: number; failed: number }>;
}

export class SqsFrontend {
  private counts: SqsCounters = { calls: 0, failed: 0, operations: {} };

  constructor(private readonly queues: QueueService) {}

  counters(): SqsCounters {
    return structuredClone(this.counts);
  }

  resetCounters(): void {
    this.counts = { calls: 0, failed: 0, operations: {} };
  }

  async handle(req: SqsRequest): Promise<ApiResponse> {
    const requestId = randomUUID();
    const target = String(req.headers['x-amz-target']).slice(SQS_TARGET_PREFIX.length);
    const op = Object.hasOwn(SQS_OPERATIONS, target) ? target : undefined;
    this.counts.calls++;
    const opCounts = op ? (this.counts.operations[op] ??= { calls: 0, failed: 0 }) : undefined;
    if (opCounts) opCounts.calls++;
    try {
      const region = sqsRegion(req.headers);
      if (!op) throw new SqsError('UnsupportedOperation', `The emulator does not serve AmazonSQS.${target}`);
      const raw = await req.readBody();
      let input: unknown;
      try {
        input = raw.trim() === '' ? {} : JSON.parse(raw);
      } catch {
        throw new SqsError('InvalidParameterValue', 'The request body is not valid JSON');
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw new SqsError('InvalidParameterValue', 'The request body must be a JSON object');
      }
      const host = req.headers.host ?? 'localhost';
      const ctx: QueueContext = { accountId: req.accountId, region, origin: `http://${host}` };
      const handler = SQS_OPERATIONS[op] as Handler;
      const output = await handler(this.queues, ctx, input as Input, req.cancelled);
      return {
        status: 200,
        headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId },
        body: JSON.stringify(output ?? {}),
      };
    } catch (e) {
      this.counts.failed++;
      if (opCounts) opCounts.failed++;
      const err =
        e instanceof SqsError
          ? e
          : e instanceof ApiError && e.type === 'RequestEntityTooLargeException'
            ? new SqsError('InvalidParameterValue', e.message)
            : new SqsError('InternalFailure', e instanceof Error ? e.message : String(e));
      return sqsError(err, requestId);
    }
  }
}
