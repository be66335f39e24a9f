/** The client library's errors: what a caller of WebinarClient catches, each naming what went wrong. */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { OperatorAction } from '../../domain/operator-action-table';
import { formatFieldErrors, type FieldError } from '../../domain/validation/fields';
import { webinarWorkflowId } from '../../workflows/definitions';

/** The input (or an action's argument) is invalid; `errors` names every bad field. Nothing was sent. */
export class WebinarInputError extends Error {
  readonly errors: FieldError[];
  constructor(errors: FieldError[], subject: string) {
    super(formatFieldErrors(errors, subject));
    this.name = 'WebinarInputError';
    this.errors = errors;
  }
}

/** A webinar with this ID exists with a different input: the ID cannot be reused. */
export class WebinarConflictError extends Error {
  readonly webinarId: string;
  constructor(webinarId: string, message: string) {
    super(message);
    this.name = 'WebinarConflictError';
    this.webinarId = webinarId;
  }
}

/** No webinar with this ID exists in the namespace. */
export class WebinarNotFoundError extends Error {
  readonly webinarId: string;
  constructor(webinarId: string) {
    super(`No webinar "${webinarId}" (workflow ID ${webinarWorkflowId(webinarId)}) in this namespace`);
    this.name = 'WebinarNotFoundError';
    this.webinarId = webinarId;
  }
}

/** The workflow refused an operator action (wrong phase, unknown attendee, ...); `reason` says why. */
export class WebinarActionRejectedError extends Error {
  readonly action: OperatorAction;
  readonly reason: string;
  constructor(action: OperatorAction, reason: string) {
    super(`${action} rejected: ${reason}`);
    this.name = 'WebinarActionRejectedError';
    this.action = action;
    this.reason = reason;
  }
}

/** Whether Temporal said the workflow does not exist (the client's error, or the bare gRPC NOT_FOUND). */
export function isNotFound(err: unknown): boolean {
  return (
    err instanceof WorkflowNotFoundError || (err instanceof Error && (err as { code?: unknown }).code === 5) // gRPC NOT_FOUND
  );
}
