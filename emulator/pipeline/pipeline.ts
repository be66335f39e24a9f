/**
 * The request pipeline of one API call, in this order: authentication (control Region) → body (size-limited)
 * → rate limit → fault draw and latency → parsing and validation → the operation → the answer, which an
 * after-the-effect fault may replace. The operation itself runs synchronously, so its checks and changes never
 * interleave with another request.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors';
import type { RouteMatch, ServiceModel, Validator } from '../model';
import type { Input } from '../store/records';
import { authenticate } from './authenticate';
import type { FaultInjector } from './faults';
import { parseInput } from './parse';
import type { RateLimiter } from './rate-limiter';
import { errorResponse, successResponse, type ApiResponse } from './responses';

export interface ApiRequest {
  match: RouteMatch;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Reads the body within the size limit (413 past it); called only once the caller is authenticated. */
  readBody: () => Promise<string>;
}

export interface OperationCounters {
  calls: number;
  succeeded: number;
  throttled: number;
  failed: number;
}

export interface CallTotals {
  calls: number;
  throttled: number;
  failed: number;
}

export interface PipelineParts {
  model: ServiceModel;
  validator: Validator;
  limiter: RateLimiter;
  faults: FaultInjector;
  /** Runs an operation on validated input (synchronously). */
  run: (op: string, region: string, input: Input) => Input | undefined;
}

function emptyCounters(): OperationCounters {
  return { calls: 0, succeeded: 0, throttled: 0, failed: 0 };
}

export class Pipeline {
  private operations: Record<string, OperationCounters> = {};
  private calls: CallTotals = { calls: 0, throttled: 0, failed: 0 };

  constructor(private readonly parts: PipelineParts) {
    this.resetCounters();
  }

  resetCounters(): void {
    this.operations = {};
    for (const name of Object.keys(this.parts.model.operations)) this.operations[name] = emptyCounters();
    this.calls = { calls: 0, throttled: 0, failed: 0 };
  }

  counters(): { operations: Record<string, OperationCounters>; totals: CallTotals } {
    return { operations: structuredClone(this.operations), totals: { ...this.calls } };
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const { model, validator, limiter, faults, run } = this.parts;
    const route = req.match.route;
    const op = route.operation;
    const counters = (this.operations[op] ??= emptyCounters());
    counters.calls++;
    this.calls.calls++;
    const requestId = randomUUID();
    try {
      const region = authenticate(req.headers);
      const body = await req.readBody();
      limiter.take(region, op);
      const { latencyMs, before, after } = faults.draw(op);
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (before) throw before;
      // From here on everything is synchronous: check and mutate cannot interleave with another request.
      const input = parseInput(model, validator, { ...req, body });
      const response = successResponse(route, run(op, region, input), requestId);
      if (!after) {
        counters.succeeded++;
        return response;
      }
      // The call took effect; now its answer is spoilt. The client sees a failure, so it counts as one.
      faults.applied(after);
      counters.failed++;
      this.calls.failed++;
      if (after.kind === 'failureAfterCommit') {
        const err = new ApiError(
          'ServiceFailureException',
          'Injected service failure after the call took effect',
        );
        return errorResponse(err, requestId);
      }
      return { ...response, spoil: after };
    } catch (e) {
      const err =
        e instanceof ApiError
          ? e
          : new ApiError(
              'ServiceFailureException',
              `Internal error: ${e instanceof Error ? e.message : String(e)}`,
            );
      if (err.type === 'ThrottlingException') {
        counters.throttled++;
        this.calls.throttled++;
      } else {
        counters.failed++;
        this.calls.failed++;
      }
      return errorResponse(err, requestId);
    }
  }
}
