/**
 * Parsers of operator-action arguments that domain/validation.ts does not hold: actions that take no argument.
 * Every parser returns typed, normalised arguments or the field errors (the workflow's action table and the
 * client's pre-check both use them).
 */
import type { FieldError, Validated } from './validation';

export type NoArgs = Record<string, never>;

/** An action without argument: absent or `{}`, nothing else. */
export function parseNoArgs(input: unknown): Validated<NoArgs> {
  const empty =
    input === undefined ||
    input === null ||
    (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0);
  if (empty) return { ok: true, value: {} };
  const errors: FieldError[] = [{ field: 'input', message: 'takes an empty object {}' }];
  return { ok: false, errors };
}

/** One line naming every bad field: `field: message; field: message`. */
export function describeFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field}: ${e.message}`).join('; ');
}
