/**
 * A linear parser of the SigV4 Authorization header:
 *   AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/chime/aws4_request, SignedHeaders=host;x-amz-date, Signature=…
 * It splits on commas and slashes once each, so its cost grows with the header's length and nothing else (the
 * regex it replaces scanned from every offset: 390 ms for a 64 KB header). Signatures are not verified.
 */

export interface CredentialScope {
  accessKeyId: string;
  /** yyyymmdd */
  date: string;
  region: string;
  service: string;
}

/** Far above any real header (about 250 characters); Node's own limit for all headers together is 16 KB. */
export const MAX_AUTHORIZATION_LENGTH = 4096;

const ALGORITHM = 'AWS4-HMAC-SHA256 ';
const SCOPE_PART = /^[a-z0-9-]{1,32}$/;
const DATE = /^\d{8}$/;
const ACCESS_KEY_ID = /^[^\s/,]{1,128}$/;

/** The credential scope, or undefined when the header is not a SigV4 Authorization header. */
export function parseCredentialScope(header: string): CredentialScope | undefined {
  if (header.length > MAX_AUTHORIZATION_LENGTH || !header.startsWith(ALGORITHM)) return undefined;
  let credential: string | undefined;
  for (const component of header.slice(ALGORITHM.length).split(',')) {
    const part = component.trim();
    if (part.startsWith('Credential=')) {
      if (credential !== undefined) return undefined;
      credential = part.slice('Credential='.length);
    }
  }
  if (credential === undefined) return undefined;
  const fields = credential.split('/');
  if (fields.length !== 5) return undefined;
  const [accessKeyId = '', date = '', region = '', service = '', terminator] = fields;
  if (terminator !== 'aws4_request') return undefined;
  if (!ACCESS_KEY_ID.test(accessKeyId) || !DATE.test(date)) return undefined;
  if (!SCOPE_PART.test(region) || !SCOPE_PART.test(service)) return undefined;
  return { accessKeyId, date, region, service };
}
