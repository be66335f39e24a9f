/**
 * Who POST /v1/join is asked about, from its JSON body: a join link's token (a browser) or, for a backend that
 * has already signed its user in, a webinar and externalUserId checked with the webinar input's own rules. A bad
 * body is named by its field; an externalUserId is never echoed back.
 */
import { checkExternalUserId, checkWebinarId } from '../../domain/validation/identifiers';
import { Errors, isObject, type FieldError } from '../../domain/validation/fields';
import { JoinLinkRefused, verifyJoinToken, type JoinLinkRefusal } from '../library/join-link';
import type { EncryptionKey } from '../temporal/codec';

export interface JoinSubject {
  webinarId: string;
  externalUserId: string;
}

export type ParsedJoin =
  | { ok: true; subject: JoinSubject }
  | { ok: false; invalid: FieldError }
  | { ok: false; refused: JoinLinkRefusal; message: string };

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

const notAnObject = (shape: string): ParsedJoin => ({
  ok: false,
  invalid: { field: 'body', message: `must be a JSON object ${shape}` },
});

/** The link flow: `{"token": "j1...."}`, verified with the join link keys. */
export function parseLinkJoin(body: Buffer, keys: readonly EncryptionKey[], now: Date): ParsedJoin {
  const json = parseJson(body);
  if (!isObject(json)) return notAnObject('{"token": "<the join link\'s token>"}');
  if (typeof json.token !== 'string' || json.token === '') {
    return { ok: false, invalid: { field: 'token', message: "must be the join link's token (a string)" } };
  }
  try {
    return { ok: true, subject: verifyJoinToken(json.token, keys, now) };
  } catch (err) {
    if (err instanceof JoinLinkRefused) return { ok: false, refused: err.reason, message: err.message };
    throw err;
  }
}

/** The backend flow: `{"webinarId", "externalUserId"}`. */
export function parseServiceJoin(body: Buffer): ParsedJoin {
  const json = parseJson(body);
  if (!isObject(json)) return notAnObject('{"webinarId": "…", "externalUserId": "…"}');
  const errors = new Errors();
  const { webinarId, externalUserId } = json;
  if (
    checkWebinarId(webinarId, 'webinarId', errors) &&
    checkExternalUserId(externalUserId, 'externalUserId', errors)
  ) {
    return { ok: true, subject: { webinarId, externalUserId } };
  }
  const [first] = errors.list;
  return { ok: false, invalid: first ?? { field: 'body', message: 'is not a join request' } };
}
