/** Tags and tenant IDs, with the character classes and counts of the service model. */
import type { Tag } from '@aws-sdk/client-chime-sdk-meetings';
import { checkArray, checkKnownKeys, checkString, echoed, requireObject, type Errors } from './fields';

const TAG_KEY_CHAR = /^[a-zA-Z+-=._:/]$/; // the model's class: '+-=' is the range + , - . / 0-9 : ; < =
const TAG_VALUE_CHAR = /^[\s\w+-=.:/@]$/;
const MAX_TAGS = 50;

export function checkTags(value: unknown, path: string, errors: Errors): Tag[] | undefined {
  if (!checkArray(value, path, errors, '{Key, Value} objects')) return undefined;
  if (value.length > MAX_TAGS) {
    errors.add(path, `must have at most ${MAX_TAGS} tags, got ${value.length}`);
    return undefined;
  }
  const tags: Tag[] = [];
  const seen = new Map<string, number>();
  let ok = true;
  value.forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (!requireObject(item, at, errors, 'an object {Key, Value}')) {
      ok = false;
      return;
    }
    checkKnownKeys(item, ['Key', 'Value'], at, errors);
    const key = item.Key;
    const val = item.Value;
    const keyOk = checkString(key, `${at}.Key`, errors, {
      min: 1,
      max: 128,
      charClass: TAG_KEY_CHAR,
      charsDescription: 'letters, digits and + , - . / : ; < = _',
      echo: true,
      reservedAwsPrefix: true,
    });
    const valueOk = checkString(val, `${at}.Value`, errors, {
      min: 0,
      max: 256,
      charClass: TAG_VALUE_CHAR,
      charsDescription: 'letters, digits, whitespace and _ + , - . / : ; < = @',
      echo: true,
    });
    if (keyOk) {
      const first = seen.get(key);
      if (first !== undefined) {
        errors.add(
          `${at}.Key`,
          `duplicates ${path}[${first}].Key ('${echoed(key)}'); tag keys must be unique`,
        );
        ok = false;
      } else seen.set(key, index);
    }
    if (keyOk && valueOk) tags.push({ Key: key, Value: val });
    else ok = false;
  });
  return ok ? tags : undefined;
}

const TENANT_ID_CHAR = /^[-_!@#$a-zA-Z0-9]$/;
const REPEATED_FOUR_TIMES = /(.)\1{3}/;

export function checkTenantIds(value: unknown, path: string, errors: Errors): string[] | undefined {
  if (!checkArray(value, path, errors, 'strings')) return undefined;
  if (value.length < 1 || value.length > 5) {
    errors.add(path, `must have 1-5 tenant IDs (omit the field for none), got ${value.length}`);
    return undefined;
  }
  let ok = true;
  value.forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (
      !checkString(item, at, errors, {
        min: 2,
        max: 256,
        charClass: TENANT_ID_CHAR,
        charsDescription: 'letters, digits and - _ ! @ # $',
      })
    ) {
      ok = false;
    } else if (REPEATED_FOUR_TIMES.test(item)) {
      errors.add(at, 'must not repeat the same character 4 or more times in a row');
      ok = false;
    }
  });
  return ok ? (value as string[]) : undefined;
}
