/** How answers are written: `x-amzn-ErrorType` + `x-amzn-RequestId` headers, JSON bodies. */
import type { ApiError } from '../errors';
import type { Route } from '../model';
import type { Input } from '../store/records';
import type { AfterCommitFault } from './faults';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when the answer must not arrive: the transport holds or resets the connection instead. */
  spoil?: Exclude<AfterCommitFault, { kind: 'failureAfterCommit' }>;
}

export function errorResponse(err: ApiError, requestId: string): ApiResponse {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'x-amzn-ErrorType': err.type,
    'x-amzn-RequestId': requestId,
  };
  if (err.extra.retryAfterSeconds !== undefined) headers['Retry-After'] = String(err.extra.retryAfterSeconds);
  const body: Input = { Code: err.code, Message: err.message, RequestId: requestId };
  if (err.extra.resourceName !== undefined) body.ResourceName = err.extra.resourceName;
  return { status: err.status, headers, body: JSON.stringify(body) };
}

/** The modelled success code; a body only where the operation has an output and the code is not 204. */
export function successResponse(route: Route, output: Input | undefined, requestId: string): ApiResponse {
  const withBody = route.responseCode !== 204 && route.outputShape !== undefined;
  return {
    status: route.responseCode,
    headers: {
      'x-amzn-RequestId': requestId,
      ...(withBody ? { 'Content-Type': 'application/json' } : {}),
    },
    body: withBody ? JSON.stringify(output ?? {}) : '',
  };
}
