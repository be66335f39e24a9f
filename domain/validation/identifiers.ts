/** Identifiers and Regions in the service's shapes: external user IDs, webinar IDs, media Regions. */
import { isMediaRegion, MEDIA_REGIONS } from '../regions';
import { checkString, describe, echoed, quoteList, type Errors } from './fields';

export const EXTERNAL_ID_CHAR = /^[-_&@+=,(){}[\]/«».:|'"#a-zA-Z0-9À-ÿ\s]$/;
export const EXTERNAL_ID_CHARS = `letters, digits, accented Latin letters (À-ÿ), whitespace and - _ & @ + = , ( ) { } [ ] / « » . : | ' " #`;

export function checkExternalUserId(value: unknown, path: string, errors: Errors): value is string {
  return checkString(value, path, errors, {
    min: 2,
    max: 64,
    charClass: EXTERNAL_ID_CHAR,
    charsDescription: EXTERNAL_ID_CHARS,
    reservedAwsPrefix: true,
  });
}

export const WEBINAR_ID_CHAR = /^[-_a-zA-Z0-9]$/;

export function checkWebinarId(value: unknown, path: string, errors: Errors): value is string {
  return checkString(value, path, errors, {
    min: 2,
    max: 48,
    charClass: WEBINAR_ID_CHAR,
    charsDescription: 'letters, digits, - and _ (it is embedded in meeting IDs and request tokens)',
    echo: true,
  });
}

export function checkMediaRegion(value: unknown, path: string, errors: Errors): value is string {
  if (typeof value !== 'string') {
    errors.add(path, `must be a Region name (a string), got ${describe(value)}`);
    return false;
  }
  if (isMediaRegion(value)) return true;
  errors.add(
    path,
    `'${echoed(value)}' is not a Chime SDK media Region; use one of: ${quoteList(MEDIA_REGIONS)}`,
  );
  return false;
}
