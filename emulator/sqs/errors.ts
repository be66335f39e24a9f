/**
 * SQS's errors as the AWS JSON 1.0 protocol answers them: `__type` `com.amazonaws.sqs#<Name>` in the body and
 * the query-compatible code in `x-amzn-query-error: <code>;Sender`, with the status of the SDK's model. The
 * real @aws-sdk/client-sqs turns the modelled ones into its typed exceptions (QueueDoesNotExist, ...).
 */

export type SqsErrorName =
  | 'QueueDoesNotExist'
  | 'QueueNameExists'
  | 'ReceiptHandleIsInvalid'
  | 'MessageNotInflight'
  | 'EmptyBatchRequest'
  | 'TooManyEntriesInBatchRequest'
  | 'BatchEntryIdsNotDistinct'
  | 'InvalidBatchEntryId'
  | 'InvalidAttributeName'
  | 'InvalidAttributeValue'
  | 'InvalidSecurity'
  | 'OverLimit'
  | 'UnsupportedOperation'
  // Not modelled by the SDK: it answers these as SQSServiceException with this name.
  | 'InvalidParameterValue'
  | 'MissingParameter'
  | 'InternalFailure';

/** Status and query-compatible code of each error (the SDK's model: `awsQueryError`). */
const ERRORS: Record<SqsErrorName, { status: number; queryCode: string; fault: 'Sender' | 'Receiver' }> = {
  QueueDoesNotExist: { status: 400, queryCode: 'AWS.SimpleQueueService.NonExistentQueue', fault: 'Sender' },
  QueueNameExists: { status: 400, queryCode: 'QueueAlreadyExists', fault: 'Sender' },
  ReceiptHandleIsInvalid: { status: 404, queryCode: 'ReceiptHandleIsInvalid', fault: 'Sender' },
  MessageNotInflight: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.MessageNotInflight',
    fault: 'Sender',
  },
  EmptyBatchRequest: { status: 400, queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', fault: 'Sender' },
  TooManyEntriesInBatchRequest: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    fault: 'Sender',
  },
  BatchEntryIdsNotDistinct: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
    fault: 'Sender',
  },
  InvalidBatchEntryId: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId',
    fault: 'Sender',
  },
  InvalidAttributeName: { status: 400, queryCode: 'InvalidAttributeName', fault: 'Sender' },
  InvalidAttributeValue: { status: 400, queryCode: 'InvalidAttributeValue', fault: 'Sender' },
  InvalidSecurity: { status: 403, queryCode: 'InvalidSecurity', fault: 'Sender' },
  OverLimit: { status: 403, queryCode: 'OverLimit', fault: 'Sender' },
  UnsupportedOperation: {
    status: 400,
    queryCode: 'AWS.SimpleQueueService.UnsupportedOperation',
    fault: 'Sender',
  },
  InvalidParameterValue: { status: 400, queryCode: 'InvalidParameterValue', fault: 'Sender' },
  MissingParameter: { status: 400, queryCode: 'MissingParameter', fault: 'Sender' },
  InternalFailure: { status: 500, queryCode: 'InternalFailure', fault: 'Receiver' },
};

export class SqsError extends Error {
  constructor(
    readonly type: SqsErrorName,
    message: string,
  ) {
    super(message);
    this.name = type;
  }

  get status(): number {
    return ERRORS[this.type].status;
  }

  /** `x-amzn-query-error`: the query protocol's code and who is at fault. */
  get queryError(): string {
    const e = ERRORS[this.type];
    return `${e.queryCode};${e.fault}`;
  }
}

export const invalidParameter = (message: string): SqsError => new SqsError('InvalidParameterValue', message);
