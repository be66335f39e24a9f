/**
 * Loaded by path (`failureConverterPath`) in workers, workflow bundles and clients: failure messages and stack
 * traces travel in an encoded payload, so the payload codec encrypts them with everything else.
 *
 * A ValidationError whose details carry its field errors is recorded with a short summary as its message
 * (and in its stack's first line), not the same list a second and third time: the details keep every error.
 */
import {
  ApplicationFailure,
  DefaultFailureConverter,
  type PayloadConverter,
  type ProtoFailure,
  type SerializationContext,
} from '@temporalio/common';
import { isFieldErrorList, summarizeFieldErrors } from '../../domain/validation/fields';

/** The error to record: a ValidationError listing its field errors in details gets the summary message. */
export function withSummaryMessage(err: unknown): unknown {
  if (!(err instanceof ApplicationFailure) || err.type !== 'ValidationError') return err;
  const details = err.details ?? [];
  const errors = details[0];
  if (details.length !== 1 || !isFieldErrorList(errors)) return err;
  // formatFieldErrors starts "Invalid <subject>: "; keep the subject.
  const subject = /^Invalid (.*?): /s.exec(err.message)?.[1];
  const message = summarizeFieldErrors(errors, subject);
  if (message.length >= err.message.length) return err;
  const summarized = ApplicationFailure.create({
    type: err.type,
    message,
    nonRetryable: err.nonRetryable ?? undefined,
    details,
    cause: err.cause,
    nextRetryDelay: err.nextRetryDelay ?? undefined,
    category: err.category ?? undefined,
  });
  // The stack's first line repeats the message: keep the original frames under the summary.
  const head = `${err.name}: ${err.message}`;
  summarized.stack = err.stack?.startsWith(head)
    ? `${err.name}: ${message}${err.stack.slice(head.length)}`
    : err.stack;
  return summarized;
}

class SummarizingFailureConverter extends DefaultFailureConverter {
  override errorToFailure(
    err: unknown,
    payloadConverter: PayloadConverter,
    context?: SerializationContext,
  ): ProtoFailure {
    return super.errorToFailure(withSummaryMessage(err), payloadConverter, context);
  }
}

export const failureConverter = new SummarizingFailureConverter({ encodeCommonAttributes: true });
