export type ErrorType =
  | 'BadRequestException'
  | 'LimitExceededException'
  | 'TooManyTagsException'
  | 'UnauthorizedException'
  | 'ForbiddenException'
  | 'NotFoundException'
  | 'ResourceNotFoundException'
  | 'ConflictException'
  | 'UnprocessableEntityException'
  | 'ThrottlingException'
  | 'ServiceFailureException'
  | 'ServiceUnavailableException'
  | 'UnknownOperationException'
  | 'RequestEntityTooLargeException';

export const ERROR_STATUS: Record<ErrorType, number> = {
  BadRequestException: 400,
  LimitExceededException: 400,
  TooManyTagsException: 400,
  UnauthorizedException: 401,
  ForbiddenException: 403,
  NotFoundException: 404,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  UnprocessableEntityException: 422,
  ThrottlingException: 429,
  ServiceFailureException: 500,
  ServiceUnavailableException: 503,
  UnknownOperationException: 404,
  RequestEntityTooLargeException: 413,
};

/** An error answered to the client as `x-amzn-ErrorType` + JSON body {Code, Message, RequestId}. */
export class ApiError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
    readonly extra: { retryAfterSeconds?: number; resourceName?: string } = {},
  ) {
    super(message);
    this.name = type;
  }

  get status(): number {
    return ERROR_STATUS[this.type];
  }

  /** The body's Code: the type without the `Exception` suffix, as the service answers. */
  get code(): string {
    return this.type.replace(/Exception$/, '');
  }
}

export const badRequest = (message: string): ApiError => new ApiError('BadRequestException', message);
export const notFound = (message: string): ApiError => new ApiError('NotFoundException', message);
export const limitExceeded = (message: string): ApiError => new ApiError('LimitExceededException', message);
