/**
 * Field errors and the primitive checks every validator is built from. A failure names each bad field with
 * its path ('attendees[3].externalUserId', 'tags[0].Key') and a message a person can act on, and names at
 * most MAX_REPORTED_ERRORS of them plus a count of the rest, so a huge bad input gives a small failure. What
 * is echoed back from the input (values, unknown keys) goes through `echoed`, which cuts it short, so the
 * failure is small in bytes too. Values the service marks sensitive (external user and meeting IDs) are never
 * echoed back in messages. Validation is
 * pure and deterministic (it runs in the workflow sandbox); each concern has its own file in this folder, and
 * the operator actions' argument parsers sit with their table in domain/operator-action-table.ts.
 */
import { formatCount } from '../format';
import { MAX_REPORTED_ERRORS } from '../limits';

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** The field path the root of an input is reported under (e.g. when it is not an object at all). */
export const ROOT_FIELD = 'input';

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional fields: null (what many languages send for "no value") counts as absent. */
export function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isFinite(value) ? 'a number' : `the number ${String(value)}`;
    case 'boolean':
      return 'a boolean';
    case 'object':
      return 'an object';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}

/** The most characters of an input value or key that a field path or message echoes back. */
export const MAX_ECHOED_CHARS = 64;
/**
 * Backstops for a field path or message built without `echoed`: with at most MAX_REPORTED_ERRORS of each,
 * a failure stays within a few hundred KiB whatever the input.
 */
export const MAX_FIELD_CHARS = 256;
export const MAX_MESSAGE_CHARS = 1024;

/**
 * Text from the input as a field path or message may echo it: at most `max` characters, and when cut, an
 * ellipsis and the original length ('abc… (1,000,000 characters)'). Every echo of a value or key goes
 * through here: echoing one unbounded string per error let a 1.4 MB input give a failure over 2 MiB.
 */
export function echoed(text: string, max = MAX_ECHOED_CHARS): string {
  if (text.length <= max) return text;
  // Never between the halves of a surrogate pair: a lone half encodes as U+FFFD.
  const high = text.charCodeAt(max - 1);
  const end = high >= 0xd800 && high <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, end)}… (${formatCount(text.length)} characters)`;
}

export function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The last entry of a cut list: how many errors were found beyond the ones listed. */
export interface MoreFieldErrors extends FieldError {
  more: number;
}

function isMore(error: FieldError): error is MoreFieldErrors {
  return typeof (error as Partial<MoreFieldErrors>).more === 'number';
}

function moreErrors(more: number): MoreFieldErrors {
  return {
    field: ROOT_FIELD,
    message: `and ${formatCount(more)} more errors`,
    more,
  };
}

/**
 * At most MAX_REPORTED_ERRORS entries, then one MoreFieldErrors entry counting the rest (including the
 * counts of lists already cut), so cutting twice gives the same list.
 */
export function boundFieldErrors(errors: readonly FieldError[]): FieldError[] {
  const listed: FieldError[] = [];
  let more = 0;
  for (const error of errors) {
    if (isMore(error)) more += error.more;
    else if (listed.length < MAX_REPORTED_ERRORS) listed.push(error);
    else more += 1;
  }
  return more > 0 ? [...listed, moreErrors(more)] : listed;
}

/** Collects field errors: keeps the first MAX_REPORTED_ERRORS and counts the others. */
export class Errors {
  private readonly listed: FieldError[] = [];
  private omitted = 0;

  add(field: string, message: string): void {
    if (this.listed.length < MAX_REPORTED_ERRORS) {
      this.listed.push({
        field: field === '' ? ROOT_FIELD : echoed(field, MAX_FIELD_CHARS),
        message: echoed(message, MAX_MESSAGE_CHARS),
      });
    } else this.omitted += 1;
  }

  /** Every error found so far, listed or not (what the checks compare to see whether they added one). */
  get count(): number {
    return this.listed.length + this.omitted;
  }

  /** The errors to report: the listed ones, then the count of the rest. */
  get list(): FieldError[] {
    return this.omitted > 0 ? [...this.listed, moreErrors(this.omitted)] : [...this.listed];
  }

  failure(): { ok: false; errors: FieldError[] } {
    return { ok: false, errors: this.list };
  }
}

export function quoteList(values: readonly string[]): string {
  return values.join(', ');
}

export function checkKnownKeys(
  obj: Obj,
  allowed: readonly string[],
  path: string,
  errors: Errors,
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    // Own keys only: a key such as 'constructor' must not pick up what Object.prototype has under it.
    const hint = Object.prototype.hasOwnProperty.call(hints, key) ? hints[key] : undefined;
    const sameButCase = allowed.find((name) => name.toLowerCase() === key.toLowerCase());
    errors.add(
      join(path, echoed(key)),
      hint ??
        (sameButCase !== undefined
          ? `unknown field; did you mean '${sameButCase}'? (field names are case-sensitive)`
          : `unknown field; allowed fields here are: ${quoteList(allowed)}`),
    );
  }
}

export function requireObject(
  value: unknown,
  path: string,
  errors: Errors,
  what = 'a JSON object',
): value is Obj {
  if (isObject(value)) return true;
  errors.add(path, `must be ${what}, got ${describe(value)}`);
  return false;
}

export interface StringRule {
  min: number;
  max: number;
  /** Every character must match this one-character class. */
  charClass?: RegExp;
  charsDescription?: string;
  /** Echo the value in messages (false for values the service marks sensitive). */
  echo?: boolean;
  reservedAwsPrefix?: boolean;
}

export function checkString(value: unknown, path: string, errors: Errors, rule: StringRule): value is string {
  if (typeof value !== 'string') {
    errors.add(path, `must be a string, got ${describe(value)}`);
    return false;
  }
  const shown = rule.echo ? ` ('${echoed(value)}')` : '';
  if (value.length < rule.min || value.length > rule.max) {
    const range = rule.min === 0 ? `at most ${rule.max}` : `${rule.min}-${rule.max}`;
    errors.add(path, `must be ${range} characters, got ${value.length}${shown}`);
    return false;
  }
  if (rule.charClass) {
    for (let i = 0; i < value.length; i++) {
      if (!rule.charClass.test(value.charAt(i))) {
        // The whole character, not half of a surrogate pair.
        const character = rule.echo ? ` '${String.fromCodePoint(value.codePointAt(i) ?? 0)}'` : '';
        errors.add(
          path,
          `has a character the service does not accept${character} at position ${i + 1}; ` +
            `allowed: ${rule.charsDescription ?? 'see the service documentation'}`,
        );
        return false;
      }
    }
  }
  if (rule.reservedAwsPrefix && value.slice(0, 4).toLowerCase() === 'aws:') {
    errors.add(path, `must not start with 'aws:' (reserved by AWS, in any letter case)`);
    return false;
  }
  return true;
}

export function checkEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  errors: Errors,
): value is T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return true;
  const got = typeof value === 'string' ? `'${echoed(value)}'` : describe(value);
  errors.add(path, `must be one of: ${quoteList(allowed)}; got ${got}`);
  return false;
}

export function checkBoolean(value: unknown, path: string, errors: Errors): value is boolean {
  if (typeof value === 'boolean') return true;
  errors.add(path, `must be true or false, got ${describe(value)}`);
  return false;
}

export function checkInteger(
  value: unknown,
  path: string,
  errors: Errors,
  min: number,
  max: number,
  meaning: string,
): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    errors.add(path, `must be a number (${meaning}), got ${describe(value)}`);
    return false;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    errors.add(path, `must be a whole number from ${min} to ${max} (${meaning}), got ${value}`);
    return false;
  }
  return true;
}

export function checkArray(value: unknown, path: string, errors: Errors, what: string): value is unknown[] {
  if (Array.isArray(value)) return true;
  errors.add(path, `must be an array of ${what}, got ${describe(value)}`);
  return false;
}

export function result<T>(errors: Errors, value: () => T): Validated<T> {
  return errors.count > 0 ? errors.failure() : { ok: true, value: value() };
}

/**
 * One message naming every bad field: "Invalid webinar input: attendees[3].externalUserId: must be 2-64
 * characters, got 70; startAt: ...". Beyond MAX_REPORTED_ERRORS errors it says how many more there are.
 */
export function formatFieldErrors(errors: readonly FieldError[], subject = 'webinar input'): string {
  const shown = boundFieldErrors(errors).map((error) =>
    isMore(error) ? error.message : `${error.field}: ${error.message}`,
  );
  return shown.length > 0 ? `Invalid ${subject}: ${shown.join('; ')}` : `Invalid ${subject}`;
}

/**
 * The bare list, for a message that names its subject itself (an action's rejection, `<action>: ...`): every
 * entry as `field: message`, joined by '; ', the count of the rest too.
 */
export function describeFieldErrors(errors: readonly FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}

/** How many fields after the first error a summary names. */
const SUMMARY_FIELDS = 3;

/**
 * A short message for a failure whose details carry the field errors, so the two do not carry the same text
 * twice: the first error in full, then the count and the next few fields. "Invalid webinar input: 3 errors:
 * startAt: ...; and endAt, tags[0].Key (the failure's details list every one)". One error reads as in
 * formatFieldErrors.
 */
export function summarizeFieldErrors(errors: readonly FieldError[], subject = 'webinar input'): string {
  const bounded = boundFieldErrors(errors);
  const listed = bounded.filter((error) => !isMore(error));
  const more = bounded.reduce((n, error) => (isMore(error) ? n + error.more : n), 0);
  const total = listed.length + more;
  const [first, ...rest] = listed;
  if (first === undefined)
    return total > 0 ? `Invalid ${subject}: ${formatCount(total)} errors` : `Invalid ${subject}`;
  if (total === 1) return `Invalid ${subject}: ${first.field}: ${first.message}`;
  const fields = rest.slice(0, SUMMARY_FIELDS).map((error) => error.field);
  const named =
    fields.length === 0 ? '' : `; and ${fields.join(', ')}${total - 1 > fields.length ? ', ...' : ''}`;
  const where = more > 0 ? `the first ${formatCount(listed.length)}` : 'every one';
  return (
    `Invalid ${subject}: ${formatCount(total)} errors: ${first.field}: ${first.message}${named} ` +
    `(the failure's details list ${where})`
  );
}

/** Whether a value is a list of field errors (what a ValidationError's details carry). */
export function isFieldErrorList(value: unknown): value is FieldError[] {
  return (
    Array.isArray(value) &&
    value.every((e) => isObject(e) && typeof e.field === 'string' && typeof e.message === 'string')
  );
}
