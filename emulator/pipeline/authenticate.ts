import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from '../errors';
// Like the MediaRegion list (model.ts), the control Region list is one list for the project: a fact table,
// not a rule the emulator reads independently.
import { CONTROL_REGIONS, isControlRegion } from '../../domain/regions';
import { parseCredentialScope } from './sigv4';

/**
 * The control Region of a request: the Region of its SigV4 credential scope. No header → 403 (the gateway's
 * "Missing Authentication Token"); not SigV4 → 401; another service or a Region without a meetings endpoint →
 * 403. Only known Regions get past this point, so rate-limit buckets stay bounded.
 */
export function authenticate(headers: IncomingHttpHeaders): string {
  const auth = headers.authorization;
  if (!auth) throw new ApiError('ForbiddenException', 'Missing Authentication Token');
  const scope = parseCredentialScope(auth);
  if (!scope) {
    throw new ApiError(
      'UnauthorizedException',
      'The Authorization header is not a valid AWS Signature Version 4',
    );
  }
  if (scope.service !== 'chime') {
    throw new ApiError('ForbiddenException', `Credential should be scoped to correct service: 'chime'`);
  }
  if (!isControlRegion(scope.region)) {
    throw new ApiError(
      'ForbiddenException',
      `Credential should be scoped to a valid Region: '${scope.region}' has no Chime SDK meetings API endpoint (control Regions: ${CONTROL_REGIONS.join(', ')})`,
    );
  }
  return scope.region;
}
