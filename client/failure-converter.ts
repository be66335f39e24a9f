/**
 * Loaded by path (`failureConverterPath`) in workers, workflow bundles and clients: failure messages and stack
 * traces travel in an encoded payload, so the payload codec encrypts them with everything else.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
