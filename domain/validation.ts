/**
 * Validation of the webinar input and of every operator action, before any Chime call. Pure and
 * deterministic (it runs in the workflow sandbox). Every bad field is reported, each with a path
 * ('attendees[3].externalUserId', 'tags[0].Key') and a message a person can act on. Values the service marks
 * sensitive (external user and meeting IDs) are never echoed back in messages.
 */
import type {
  AttendeeCapabilities,
  EngineTranscribeMedicalSettings,
  MeetingFeaturesConfiguration,
  Tag,
  TranscriptionConfiguration,
} from '@aws-sdk/client-chime-sdk-meetings';
import { capacityProblem, formatCount } from './capacity';
import { CONTROL_REGIONS, isControlRegion, isMediaRegion, MEDIA_REGIONS, partitionOf } from './regions';
import type {
  AddAttendeesArgs,
  AttendeeRole,
  AttendeeSpec,
  EndWebinarArgs,
  MuteAllExceptArgs,
  RemoveAttendeeArgs,
  RescheduleArgs,
  SpeakerArgs,
  TranscriptionSettings,
  WebinarSpec,
} from './types';

export interface FieldError {
  field: string;
  message: string;
}

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export const DEFAULT_PROVISION_LEAD_SECONDS = 120;
export const MAX_PROVISION_LEAD_SECONDS = 240;
export const DEFAULT_MAX_REPLICAS = 4;
export const MAX_REPLICAS = 40;
export const ATTENDEES_PER_MEETING = 250;
export const BATCH_SIZE = 100;
/** The most attendees a webinar can hold: 1 primary + MAX_REPLICAS replicas of ATTENDEES_PER_MEETING. */
export const MAX_ATTENDEES = (MAX_REPLICAS + 1) * ATTENDEES_PER_MEETING;
export const MAX_WEBINAR_HOURS = 24;
/** formatFieldErrors names at most this many errors, then says how many more there are. */
export const MAX_FORMATTED_ERRORS = 100;

export interface NormalizedWebinarSpec extends WebinarSpec {
  title: string;
  replicaRegions: string[];
  provisionLeadSeconds: number;
  maxReplicas: number;
  tags: Tag[];
}

/** The field path the root of an input is reported under (e.g. when it is not an object at all). */
export const ROOT_FIELD = 'input';

// ---------------------------------------------------------------------------------------------------------
// Primitive checks

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Optional fields: null (what many languages send for "no value") counts as absent. */
function isAbsent(value: unknown): value is undefined | null {
  return value === undefined || value === null;
}

function describe(value: unknown): string {
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

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

class Errors {
  readonly list: FieldError[] = [];
  add(field: string, message: string): void {
    this.list.push({ field: field === '' ? ROOT_FIELD : field, message });
  }
}

function quoteList(values: readonly string[]): string {
  return values.join(', ');
}

function checkKnownKeys(
  obj: Obj,
  allowed: readonly string[],
  path: string,
  errors: Errors,
  hints: Readonly<Record<string, string>> = {},
): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const hint = hints[key];
    const sameButCase = allowed.find((name) => name.toLowerCase() === key.toLowerCase());
    errors.add(
      join(path, key),
      hint ??
        (sameButCase !== undefined
          ? `unknown field; did you mean '${sameButCase}'? (field names are case-sensitive)`
          : `unknown field; allowed fields here are: ${quoteList(allowed)}`),
    );
  }
}

function requireObject(value: unknown, path: string, errors: Errors, what = 'a JSON object'): value is Obj {
  if (isObject(value)) return true;
  errors.add(path, `must be ${what}, got ${describe(value)}`);
  return false;
}

interface StringRule {
  min: number;
  max: number;
  /** Every character must match this one-character class. */
  charClass?: RegExp;
  charsDescription?: string;
  /** Echo the value in messages (false for values the service marks sensitive). */
  echo?: boolean;
  reservedAwsPrefix?: boolean;
}

function checkString(value: unknown, path: string, errors: Errors, rule: StringRule): value is string {
  if (typeof value !== 'string') {
    errors.add(path, `must be a string, got ${describe(value)}`);
    return false;
  }
  const shown = rule.echo ? ` ('${value}')` : '';
  if (value.length < rule.min || value.length > rule.max) {
    const range = rule.min === 0 ? `at most ${rule.max}` : `${rule.min}-${rule.max}`;
    errors.add(path, `must be ${range} characters, got ${value.length}${shown}`);
    return false;
  }
  if (rule.charClass) {
    for (let i = 0; i < value.length; i++) {
      if (!rule.charClass.test(value.charAt(i))) {
        const character = rule.echo ? ` '${value.charAt(i)}'` : '';
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

function checkEnum<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  errors: Errors,
): value is T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return true;
  const got = typeof value === 'string' ? `'${value}'` : describe(value);
  errors.add(path, `must be one of: ${quoteList(allowed)}; got ${got}`);
  return false;
}

function checkBoolean(value: unknown, path: string, errors: Errors): value is boolean {
  if (typeof value === 'boolean') return true;
  errors.add(path, `must be true or false, got ${describe(value)}`);
  return false;
}

function checkInteger(
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

function checkArray(value: unknown, path: string, errors: Errors, what: string): value is unknown[] {
  if (Array.isArray(value)) return true;
  errors.add(path, `must be an array of ${what}, got ${describe(value)}`);
  return false;
}

// ---------------------------------------------------------------------------------------------------------
// Service shapes

const EXTERNAL_ID_CHAR = /^[-_&@+=,(){}[\]/«».:|'"#a-zA-Z0-9À-ÿ\s]$/;
const EXTERNAL_ID_CHARS = `letters, digits, accented Latin letters (À-ÿ), whitespace and - _ & @ + = , ( ) { } [ ] / « » . : | ' " #`;

function checkExternalUserId(value: unknown, path: string, errors: Errors): value is string {
  return checkString(value, path, errors, {
    min: 2,
    max: 64,
    charClass: EXTERNAL_ID_CHAR,
    charsDescription: EXTERNAL_ID_CHARS,
    reservedAwsPrefix: true,
  });
}

const WEBINAR_ID_CHAR = /^[-_a-zA-Z0-9]$/;

function checkMediaRegion(value: unknown, path: string, errors: Errors): value is string {
  if (typeof value !== 'string') {
    errors.add(path, `must be a Region name (a string), got ${describe(value)}`);
    return false;
  }
  if (isMediaRegion(value)) return true;
  errors.add(path, `'${value}' is not a Chime SDK media Region; use one of: ${quoteList(MEDIA_REGIONS)}`);
  return false;
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/;
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;
const ISO_EXAMPLE = 'e.g. 2025-06-01T15:00:00Z or 2025-06-01T17:00:00+02:00';

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * Epoch milliseconds of an ISO-8601 date-time with a timezone (Z or ±hh:mm), or undefined when the string is
 * not one (no timezone, or not a real calendar date and time). Years 1970-9999.
 */
export function parseIsoInstant(value: string): number | undefined {
  const match = ISO_INSTANT.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone, sign, oh, om] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? '0');
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const offsetHours = Number(oh);
    const offsetMins = Number(om);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function checkInstant(value: unknown, path: string, errors: Errors): number | undefined {
  if (typeof value !== 'string') {
    errors.add(
      path,
      `must be an ISO-8601 date-time string with a timezone (${ISO_EXAMPLE}), got ${describe(value)}`,
    );
    return undefined;
  }
  const parsed = parseIsoInstant(value);
  if (parsed !== undefined) return parsed;
  if (ISO_WITHOUT_ZONE.test(value)) {
    errors.add(
      path,
      `'${value}' has no timezone; add Z for UTC or an offset such as +02:00 (${ISO_EXAMPLE})`,
    );
  } else if (ISO_INSTANT.test(value)) {
    errors.add(path, `'${value}' is not a real calendar date and time (years 1970-9999)`);
  } else {
    errors.add(path, `'${value}' is not an ISO-8601 date-time with a timezone (${ISO_EXAMPLE})`);
  }
  return undefined;
}

function checkWindow(start: number, end: number, errors: Errors): void {
  if (end <= start) {
    errors.add('endAt', 'must be after startAt');
  } else if (end - start > MAX_WEBINAR_HOURS * 3_600_000) {
    const hours = Math.round(((end - start) / 3_600_000) * 10) / 10;
    errors.add('endAt', `must be at most ${MAX_WEBINAR_HOURS} hours after startAt, got ${hours} hours`);
  }
}

/**
 * Checks a complete schedule (for example the current one merged with a reschedule): both ISO-8601 with a
 * timezone, endAt after startAt, at most 24 hours apart.
 */
export function validateSchedule(startAt: string, endAt: string): FieldError[] {
  const errors = new Errors();
  const start = checkInstant(startAt, 'startAt', errors);
  const end = checkInstant(endAt, 'endAt', errors);
  if (start !== undefined && end !== undefined) checkWindow(start, end, errors);
  return errors.list;
}

// Tags and tenant IDs
const TAG_KEY_CHAR = /^[a-zA-Z+-=._:/]$/; // the model's class: '+-=' is the range + , - . / 0-9 : ; < =
const TAG_VALUE_CHAR = /^[\s\w+-=.:/@]$/;
const MAX_TAGS = 50;

function checkTags(value: unknown, path: string, errors: Errors): Tag[] | undefined {
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
        errors.add(`${at}.Key`, `duplicates ${path}[${first}].Key ('${key}'); tag keys must be unique`);
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

function checkTenantIds(value: unknown, path: string, errors: Errors): string[] | undefined {
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

// Meeting features
const FEATURE_STATUS = ['AVAILABLE', 'UNAVAILABLE'] as const;
const VIDEO_RESOLUTIONS = ['None', 'HD', 'FHD'] as const;
const CONTENT_RESOLUTIONS = ['None', 'FHD', 'UHD'] as const;
const HIGH_RESOLUTION_MAX_ATTENDEES = 25;

function checkMeetingFeatures(
  value: unknown,
  path: string,
  errors: Errors,
): MeetingFeaturesConfiguration | undefined {
  if (!requireObject(value, path, errors, 'an object {Audio?, Video?, Content?, Attendee?}'))
    return undefined;
  const before = errors.list.length;
  checkKnownKeys(value, ['Audio', 'Video', 'Content', 'Attendee'], path, errors);
  const result: Obj = {};
  const section = (name: string, member: string, check: (v: unknown, at: string) => boolean): void => {
    const raw = value[name];
    if (isAbsent(raw)) return;
    const at = join(path, name);
    if (!requireObject(raw, at, errors, `an object {${member}?}`)) return;
    checkKnownKeys(raw, [member], at, errors);
    const inner = raw[member];
    if (isAbsent(inner)) {
      result[name] = {};
      return;
    }
    if (check(inner, join(at, member))) result[name] = { [member]: inner };
  };
  section('Audio', 'EchoReduction', (v, at) => checkEnum(v, FEATURE_STATUS, at, errors));
  section('Video', 'MaxResolution', (v, at) => checkEnum(v, VIDEO_RESOLUTIONS, at, errors));
  section('Content', 'MaxResolution', (v, at) => checkEnum(v, CONTENT_RESOLUTIONS, at, errors));
  section('Attendee', 'MaxCount', (v, at) =>
    checkInteger(v, at, errors, 1, ATTENDEES_PER_MEETING, 'the most attendees one meeting admits'),
  );
  if (errors.list.length > before) return undefined;
  const features = result as MeetingFeaturesConfiguration;
  const highResolution = features.Video?.MaxResolution === 'FHD' || features.Content?.MaxResolution === 'UHD';
  const maxCount = features.Attendee?.MaxCount;
  if (highResolution && (maxCount === undefined || maxCount > HIGH_RESOLUTION_MAX_ATTENDEES)) {
    errors.add(
      join(path, 'Attendee.MaxCount'),
      `must be set to at most ${HIGH_RESOLUTION_MAX_ATTENDEES} when Video.MaxResolution is FHD or ` +
        `Content.MaxResolution is UHD (the service limits such meetings to ${HIGH_RESOLUTION_MAX_ATTENDEES} attendees)` +
        (maxCount === undefined ? '' : `, got ${maxCount}`),
    );
    return undefined;
  }
  return features;
}

/** Seats in each meeting of the webinar: MeetingFeatures.Attendee.MaxCount when set, else 250. */
export function attendeesPerMeeting(features?: MeetingFeaturesConfiguration): number {
  return features?.Attendee?.MaxCount ?? ATTENDEES_PER_MEETING;
}

// ---------------------------------------------------------------------------------------------------------
// Transcription

const TRANSCRIBE_LANGUAGES = [
  'en-US',
  'en-GB',
  'es-US',
  'fr-CA',
  'fr-FR',
  'en-AU',
  'it-IT',
  'de-DE',
  'pt-BR',
  'ja-JP',
  'ko-KR',
  'zh-CN',
  'th-TH',
  'hi-IN',
] as const;
const TRANSCRIBE_REGIONS = [
  'us-east-2',
  'us-east-1',
  'us-west-2',
  'ap-northeast-2',
  'ap-southeast-2',
  'ap-northeast-1',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
  'sa-east-1',
  'auto',
  'us-gov-west-1',
] as const;
const VOCABULARY_FILTER_METHODS = ['remove', 'mask', 'tag'] as const;
const PARTIAL_RESULTS_STABILITY = ['low', 'medium', 'high'] as const;
const PII_TYPES = ['PII'] as const;
const PII_ENTITY_TYPES = [
  'ADDRESS',
  'BANK_ACCOUNT_NUMBER',
  'BANK_ROUTING',
  'CREDIT_DEBIT_CVV',
  'CREDIT_DEBIT_EXPIRY',
  'CREDIT_DEBIT_NUMBER',
  'EMAIL',
  'NAME',
  'PHONE',
  'PIN',
  'SSN',
  'ALL',
] as const;
const MEDICAL_LANGUAGES = ['en-US'] as const;
const MEDICAL_SPECIALTIES = [
  'PRIMARYCARE',
  'CARDIOLOGY',
  'NEUROLOGY',
  'ONCOLOGY',
  'RADIOLOGY',
  'UROLOGY',
] as const;
const MEDICAL_TYPES = ['CONVERSATION', 'DICTATION'] as const;
const MEDICAL_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ap-southeast-2',
  'ca-central-1',
  'eu-west-1',
  'auto',
] as const;
const MEDICAL_CONTENT_IDENTIFICATION = ['PHI'] as const;

const STANDARD_FIELDS = [
  'LanguageCode',
  'VocabularyFilterMethod',
  'VocabularyFilterName',
  'VocabularyName',
  'Region',
  'EnablePartialResultsStabilization',
  'PartialResultsStability',
  'ContentIdentificationType',
  'ContentRedactionType',
  'PiiEntityTypes',
  'LanguageModelName',
  'IdentifyLanguage',
  'LanguageOptions',
  'PreferredLanguage',
  'VocabularyNames',
  'VocabularyFilterNames',
] as const;
const MEDICAL_FIELDS = [
  'LanguageCode',
  'Specialty',
  'Type',
  'VocabularyName',
  'Region',
  'ContentIdentificationType',
] as const;

const WRAPPER_HINTS: Record<string, string> = {
  EngineTranscribeSettings:
    'unknown field; give the EngineTranscribeSettings fields directly here, e.g. {"LanguageCode": "en-US"}',
  EngineTranscribeMedicalSettings:
    'unknown field; give the EngineTranscribeMedicalSettings fields directly here, ' +
    'e.g. {"LanguageCode": "en-US", "Specialty": "PRIMARYCARE", "Type": "CONVERSATION"}',
};

const NAME_LIST_CHAR = /^[a-zA-Z0-9,\-._]$/;
const MODEL_NAME_CHAR = /^[0-9a-zA-Z._-]$/;

function present(obj: Obj, key: string): boolean {
  return !isAbsent(obj[key]);
}

function checkLanguageOptions(value: unknown, path: string, errors: Errors): string[] | undefined {
  if (!checkString(value, path, errors, { min: 1, max: 200, echo: true })) return undefined;
  const codes = value.split(',');
  const bad = codes.filter((code) => !(TRANSCRIBE_LANGUAGES as readonly string[]).includes(code));
  if (bad.length > 0) {
    errors.add(
      path,
      `must be a comma-separated list (no spaces) of language codes from: ${quoteList(TRANSCRIBE_LANGUAGES)}; ` +
        `not recognised: ${bad.map((code) => `'${code}'`).join(', ')}`,
    );
    return undefined;
  }
  if (codes.length < 2) {
    errors.add(path, 'must list two or more language codes (or leave it out)');
    return undefined;
  }
  const languages = new Map<string, string>();
  for (const code of codes) {
    const language = code.split('-')[0] ?? code;
    const other = languages.get(language);
    if (other !== undefined) {
      errors.add(path, `may name one dialect per language; '${other}' and '${code}' are both '${language}'`);
      return undefined;
    }
    languages.set(language, code);
  }
  return codes;
}

function checkPiiEntityTypes(value: unknown, path: string, errors: Errors): boolean {
  if (!checkString(value, path, errors, { min: 1, max: 300, echo: true })) return false;
  const bad = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => !(PII_ENTITY_TYPES as readonly string[]).includes(entry));
  if (bad.length === 0) return true;
  errors.add(
    path,
    `must be a comma-separated list of: ${quoteList(PII_ENTITY_TYPES)}; ` +
      `not recognised: ${bad.map((entry) => `'${entry}'`).join(', ')}`,
  );
  return false;
}

function validateStandardTranscription(obj: Obj, path: string, errors: Errors): void {
  const at = (key: string): string => join(path, key);
  checkKnownKeys(obj, STANDARD_FIELDS, path, errors, WRAPPER_HINTS);
  const identify = obj.IdentifyLanguage;
  if (present(obj, 'IdentifyLanguage')) checkBoolean(identify, at('IdentifyLanguage'), errors);
  const identifying = identify === true;
  if (present(obj, 'LanguageCode')) {
    checkEnum(obj.LanguageCode, TRANSCRIBE_LANGUAGES, at('LanguageCode'), errors);
    if (identifying) {
      errors.add(at('IdentifyLanguage'), 'cannot be true together with LanguageCode; give one or the other');
    }
  } else if (!identifying) {
    errors.add(
      at('LanguageCode'),
      `is required unless IdentifyLanguage is true; one of: ${quoteList(TRANSCRIBE_LANGUAGES)}`,
    );
  }
  let options: string[] | undefined;
  if (present(obj, 'LanguageOptions')) {
    options = checkLanguageOptions(obj.LanguageOptions, at('LanguageOptions'), errors);
    if (!identifying) errors.add(at('LanguageOptions'), 'requires IdentifyLanguage: true');
  }
  if (present(obj, 'PreferredLanguage')) {
    if (checkEnum(obj.PreferredLanguage, TRANSCRIBE_LANGUAGES, at('PreferredLanguage'), errors)) {
      if (!identifying || !present(obj, 'LanguageOptions')) {
        errors.add(at('PreferredLanguage'), 'requires IdentifyLanguage: true and LanguageOptions');
      } else if (options && !options.includes(obj.PreferredLanguage)) {
        errors.add(at('PreferredLanguage'), `must be one of the LanguageOptions (${options.join(', ')})`);
      }
    }
  }
  if (present(obj, 'Region')) checkEnum(obj.Region, TRANSCRIBE_REGIONS, at('Region'), errors);
  // Vocabularies: the singular names without language identification, the lists with it.
  for (const key of ['VocabularyName', 'VocabularyFilterName'] as const) {
    if (!present(obj, key)) continue;
    checkString(obj[key], at(key), errors, { min: 1, max: 4096, echo: true });
    if (identifying) errors.add(at(key), `cannot be used with IdentifyLanguage; use ${key}s instead`);
  }
  for (const key of ['VocabularyNames', 'VocabularyFilterNames'] as const) {
    if (!present(obj, key)) continue;
    checkString(obj[key], at(key), errors, {
      min: 1,
      max: 3000,
      charClass: NAME_LIST_CHAR,
      charsDescription: 'letters, digits and , - . _ (names separated by commas)',
      echo: true,
    });
    if (!identifying) {
      errors.add(at(key), `requires IdentifyLanguage: true; without it use ${key.slice(0, -1)}`);
    }
  }
  if (present(obj, 'VocabularyFilterMethod')) {
    checkEnum(obj.VocabularyFilterMethod, VOCABULARY_FILTER_METHODS, at('VocabularyFilterMethod'), errors);
    if (!present(obj, 'VocabularyFilterName') && !present(obj, 'VocabularyFilterNames')) {
      errors.add(at('VocabularyFilterMethod'), 'requires VocabularyFilterName or VocabularyFilterNames');
    }
  }
  if (present(obj, 'EnablePartialResultsStabilization')) {
    checkBoolean(obj.EnablePartialResultsStabilization, at('EnablePartialResultsStabilization'), errors);
  }
  if (present(obj, 'PartialResultsStability')) {
    checkEnum(obj.PartialResultsStability, PARTIAL_RESULTS_STABILITY, at('PartialResultsStability'), errors);
    if (obj.EnablePartialResultsStabilization !== true) {
      errors.add(at('PartialResultsStability'), 'requires EnablePartialResultsStabilization: true');
    }
  }
  const identification = present(obj, 'ContentIdentificationType');
  const redaction = present(obj, 'ContentRedactionType');
  if (identification)
    checkEnum(obj.ContentIdentificationType, PII_TYPES, at('ContentIdentificationType'), errors);
  if (redaction) {
    checkEnum(obj.ContentRedactionType, PII_TYPES, at('ContentRedactionType'), errors);
    if (identification) {
      errors.add(
        at('ContentRedactionType'),
        'cannot be set together with ContentIdentificationType; choose one',
      );
    }
    if (identifying) errors.add(at('ContentRedactionType'), 'cannot be combined with IdentifyLanguage');
  }
  if (present(obj, 'PiiEntityTypes')) {
    checkPiiEntityTypes(obj.PiiEntityTypes, at('PiiEntityTypes'), errors);
    if (!identification && !redaction) {
      errors.add(at('PiiEntityTypes'), 'requires ContentIdentificationType or ContentRedactionType');
    }
  }
  if (present(obj, 'LanguageModelName')) {
    checkString(obj.LanguageModelName, at('LanguageModelName'), errors, {
      min: 1,
      max: 200,
      charClass: MODEL_NAME_CHAR,
      charsDescription: 'letters, digits and . _ -',
      echo: true,
    });
    if (identifying) {
      errors.add(at('LanguageModelName'), 'cannot be combined with IdentifyLanguage (needs a LanguageCode)');
    }
  }
}

function validateMedicalTranscription(obj: Obj, path: string, errors: Errors): void {
  const at = (key: string): string => join(path, key);
  const medicalHint =
    'unknown field for medical transcription (Specialty/Type make this EngineTranscribeMedicalSettings)';
  const hints: Record<string, string> = { ...WRAPPER_HINTS };
  for (const key of STANDARD_FIELDS)
    if (!(MEDICAL_FIELDS as readonly string[]).includes(key)) hints[key] = medicalHint;
  checkKnownKeys(obj, MEDICAL_FIELDS, path, errors, hints);
  const required: [string, readonly string[]][] = [
    ['LanguageCode', MEDICAL_LANGUAGES],
    ['Specialty', MEDICAL_SPECIALTIES],
    ['Type', MEDICAL_TYPES],
  ];
  for (const [key, allowed] of required) {
    if (!present(obj, key))
      errors.add(at(key), `is required for medical transcription; one of: ${quoteList(allowed)}`);
    else checkEnum(obj[key], allowed, at(key), errors);
  }
  if (present(obj, 'VocabularyName')) {
    checkString(obj.VocabularyName, at('VocabularyName'), errors, { min: 1, max: 4096, echo: true });
  }
  if (present(obj, 'Region')) checkEnum(obj.Region, MEDICAL_REGIONS, at('Region'), errors);
  if (present(obj, 'ContentIdentificationType')) {
    checkEnum(
      obj.ContentIdentificationType,
      MEDICAL_CONTENT_IDENTIFICATION,
      at('ContentIdentificationType'),
      errors,
    );
  }
}

function isMedical(obj: Obj): boolean {
  return present(obj, 'Specialty') || present(obj, 'Type');
}

function withoutAbsent(obj: Obj): Obj {
  const copy: Obj = {};
  for (const [key, value] of Object.entries(obj)) if (!isAbsent(value)) copy[key] = value;
  return copy;
}

function checkTranscription(value: unknown, path: string, errors: Errors): TranscriptionSettings | undefined {
  if (
    !requireObject(
      value,
      path,
      errors,
      'an object of EngineTranscribeSettings fields (e.g. {"LanguageCode": "en-US"}) or of ' +
        'EngineTranscribeMedicalSettings fields (LanguageCode, Specialty, Type)',
    )
  ) {
    return undefined;
  }
  const before = errors.list.length;
  if (isMedical(value)) validateMedicalTranscription(value, path, errors);
  else validateStandardTranscription(value, path, errors);
  if (errors.list.length > before) return undefined;
  return withoutAbsent(value);
}

/** Validates transcription settings; `field` is the path errors are reported under (default 'transcription'). */
export function validateTranscriptionSettings(
  input: unknown,
  field = 'transcription',
): Validated<TranscriptionSettings> {
  const errors = new Errors();
  const value = checkTranscription(input, field, errors);
  return value !== undefined && errors.list.length === 0
    ? { ok: true, value }
    : { ok: false, errors: errors.list };
}

/** Medical settings (with Specialty and Type) go to Amazon Transcribe Medical, the others to Amazon Transcribe. */
export function toTranscriptionConfiguration(settings: TranscriptionSettings): TranscriptionConfiguration {
  if ('Specialty' in settings || 'Type' in settings) {
    return { EngineTranscribeMedicalSettings: settings as EngineTranscribeMedicalSettings };
  }
  return { EngineTranscribeSettings: settings };
}

// ---------------------------------------------------------------------------------------------------------
// Attendees

const ROLES: readonly AttendeeRole[] = ['host', 'speaker', 'viewer'];
const ATTENDEE_FIELDS = ['externalUserId', 'role', 'region'] as const;

/** Validates a list of attendees (each on its own and no duplicate externalUserId); undefined if any is bad. */
function checkAttendees(items: unknown[], path: string, errors: Errors): AttendeeSpec[] | undefined {
  const attendees: AttendeeSpec[] = [];
  const firstIndex = new Map<string, number>();
  let ok = true;
  items.forEach((item, index) => {
    const at = `${path}[${index}]`;
    if (!requireObject(item, at, errors, 'an object {externalUserId, role, region?}')) {
      ok = false;
      return;
    }
    const before = errors.list.length;
    checkKnownKeys(item, ATTENDEE_FIELDS, at, errors);
    const { externalUserId, role, region } = item;
    if (isAbsent(externalUserId)) errors.add(`${at}.externalUserId`, 'is required');
    else if (checkExternalUserId(externalUserId, `${at}.externalUserId`, errors)) {
      const first = firstIndex.get(externalUserId);
      if (first !== undefined) {
        errors.add(
          `${at}.externalUserId`,
          `duplicates ${path}[${first}].externalUserId; every externalUserId must be unique`,
        );
      } else firstIndex.set(externalUserId, index);
    }
    if (isAbsent(role)) errors.add(`${at}.role`, `is required; one of: ${quoteList(ROLES)}`);
    else checkEnum(role, ROLES, `${at}.role`, errors);
    if (!isAbsent(region)) checkMediaRegion(region, `${at}.region`, errors);
    if (errors.list.length > before) {
      ok = false;
      return;
    }
    const attendee: AttendeeSpec = { externalUserId: externalUserId as string, role: role as AttendeeRole };
    if (!isAbsent(region)) attendee.region = region as string;
    attendees.push(attendee);
  });
  return ok ? attendees : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// The webinar input

const SPEC_FIELDS = [
  'webinarId',
  'title',
  'startAt',
  'endAt',
  'controlRegion',
  'primaryRegion',
  'replicaRegions',
  'attendees',
  'transcription',
  'meetingFeatures',
  'tags',
  'tenantIds',
  'provisionLeadSeconds',
  'maxReplicas',
] as const;

function partitionName(region: string): string {
  return partitionOf(region) === 'aws-us-gov'
    ? 'the AWS GovCloud (US) partition'
    : 'the commercial AWS partition';
}

/** Validates and normalizes the webinar input, reporting every bad field; includes the capacity check. */
export function validateWebinarSpec(input: unknown): Validated<NormalizedWebinarSpec> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'a JSON object (the webinar input)'))
    return { ok: false, errors: errors.list };
  checkKnownKeys(input, SPEC_FIELDS, '', errors);

  const webinarId = input.webinarId;
  if (isAbsent(webinarId))
    errors.add('webinarId', 'is required: 2-48 characters of letters, digits, - and _');
  else {
    checkString(webinarId, 'webinarId', errors, {
      min: 2,
      max: 48,
      charClass: WEBINAR_ID_CHAR,
      charsDescription: 'letters, digits, - and _ (it is embedded in meeting IDs and request tokens)',
      echo: true,
    });
  }

  let title: string | undefined;
  if (!isAbsent(input.title)) {
    if (
      checkString(input.title, 'title', errors, {
        min: 2,
        max: 64,
        charClass: EXTERNAL_ID_CHAR,
        charsDescription: EXTERNAL_ID_CHARS,
        reservedAwsPrefix: true,
      })
    ) {
      title = input.title;
    }
  }

  let start: number | undefined;
  let end: number | undefined;
  if (isAbsent(input.startAt))
    errors.add('startAt', `is required: an ISO-8601 date-time with a timezone (${ISO_EXAMPLE})`);
  else start = checkInstant(input.startAt, 'startAt', errors);
  if (isAbsent(input.endAt))
    errors.add('endAt', `is required: an ISO-8601 date-time with a timezone (${ISO_EXAMPLE})`);
  else end = checkInstant(input.endAt, 'endAt', errors);
  if (start !== undefined && end !== undefined) checkWindow(start, end, errors);

  let primaryRegion: string | undefined;
  if (isAbsent(input.primaryRegion)) {
    errors.add(
      'primaryRegion',
      `is required: the primary meeting's media Region, one of: ${quoteList(MEDIA_REGIONS)}`,
    );
  } else if (checkMediaRegion(input.primaryRegion, 'primaryRegion', errors)) {
    primaryRegion = input.primaryRegion;
  }

  const samePartition = (region: string, field: string): void => {
    if (primaryRegion !== undefined && partitionOf(region) !== partitionOf(primaryRegion)) {
      errors.add(
        field,
        `'${region}' is in ${partitionName(region)} but primaryRegion '${primaryRegion}' is in ` +
          `${partitionName(primaryRegion)}; all Regions of a webinar must be in one partition`,
      );
    }
  };

  let controlRegion: string | undefined;
  if (!isAbsent(input.controlRegion)) {
    const value = input.controlRegion;
    if (typeof value !== 'string')
      errors.add('controlRegion', `must be a Region name (a string), got ${describe(value)}`);
    else if (!isControlRegion(value)) {
      errors.add(
        'controlRegion',
        `'${value}' has no Chime SDK meetings API endpoint; use one of: ${quoteList(CONTROL_REGIONS)} ` +
          "(or leave it out for the worker's Region)",
      );
    } else {
      samePartition(value, 'controlRegion');
      controlRegion = value;
    }
  }

  let replicaRegions: string[] | undefined = [];
  if (!isAbsent(input.replicaRegions)) {
    const value = input.replicaRegions;
    if (!checkArray(value, 'replicaRegions', errors, 'media Region names')) replicaRegions = undefined;
    else {
      const firstIndex = new Map<string, number>();
      const regions: string[] = [];
      value.forEach((region, index) => {
        const at = `replicaRegions[${index}]`;
        if (!checkMediaRegion(region, at, errors)) return;
        const first = firstIndex.get(region);
        if (first !== undefined) {
          errors.add(at, `duplicates replicaRegions[${first}] ('${region}'); list each Region once`);
          return;
        }
        firstIndex.set(region, index);
        const before = errors.list.length;
        samePartition(region, at);
        if (errors.list.length === before) regions.push(region);
      });
      replicaRegions = regions.length === value.length ? regions : undefined;
    }
  }

  let attendees: AttendeeSpec[] | undefined;
  let attendeeItems: unknown[] | undefined;
  if (isAbsent(input.attendees))
    errors.add('attendees', 'is required: an array of attendees (use [] for none)');
  else if (checkArray(input.attendees, 'attendees', errors, '{externalUserId, role, region?} objects')) {
    attendeeItems = input.attendees;
    attendees = checkAttendees(input.attendees, 'attendees', errors);
  }

  let transcription: TranscriptionSettings | undefined;
  if (!isAbsent(input.transcription))
    transcription = checkTranscription(input.transcription, 'transcription', errors);

  let meetingFeatures: MeetingFeaturesConfiguration | undefined;
  let featuresOk = true;
  if (!isAbsent(input.meetingFeatures)) {
    meetingFeatures = checkMeetingFeatures(input.meetingFeatures, 'meetingFeatures', errors);
    featuresOk = meetingFeatures !== undefined;
  }

  let tags: Tag[] | undefined = [];
  if (!isAbsent(input.tags)) tags = checkTags(input.tags, 'tags', errors);

  let tenantIds: string[] | undefined;
  if (!isAbsent(input.tenantIds)) tenantIds = checkTenantIds(input.tenantIds, 'tenantIds', errors);

  let provisionLeadSeconds = DEFAULT_PROVISION_LEAD_SECONDS;
  if (!isAbsent(input.provisionLeadSeconds)) {
    const value = input.provisionLeadSeconds;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      errors.add('provisionLeadSeconds', `must be a number of seconds, got ${describe(value)}`);
    } else if (!Number.isInteger(value) || value <= 0 || value > MAX_PROVISION_LEAD_SECONDS) {
      errors.add(
        'provisionLeadSeconds',
        `must be a whole number of seconds from 1 to ${MAX_PROVISION_LEAD_SECONDS} ` +
          `(an idle primary meeting auto-ends after 5 minutes), got ${value}`,
      );
    } else provisionLeadSeconds = value;
  }

  let maxReplicas: number | undefined = DEFAULT_MAX_REPLICAS;
  if (!isAbsent(input.maxReplicas)) {
    maxReplicas = checkInteger(
      input.maxReplicas,
      'maxReplicas',
      errors,
      0,
      MAX_REPLICAS,
      "replicas the account's quota allows per primary meeting",
    )
      ? input.maxReplicas
      : undefined;
  }

  // Capacity: counted on the raw roster, so a roster too large is reported even when some entries are bad.
  if (attendeeItems !== undefined && maxReplicas !== undefined && featuresOk) {
    const hostsAndSpeakers = attendeeItems.filter(
      (item) => isObject(item) && (item.role === 'host' || item.role === 'speaker'),
    ).length;
    const problem = capacityProblem(
      attendeeItems.length,
      hostsAndSpeakers,
      maxReplicas,
      attendeesPerMeeting(meetingFeatures),
    );
    if (problem !== undefined) errors.add('attendees', problem);
  }

  if (errors.list.length > 0) return { ok: false, errors: errors.list };
  const id = webinarId as string;
  const value: NormalizedWebinarSpec = {
    webinarId: id,
    title: title ?? id,
    startAt: input.startAt as string,
    endAt: input.endAt as string,
    primaryRegion: primaryRegion as string,
    replicaRegions: replicaRegions ?? [],
    attendees: attendees ?? [],
    provisionLeadSeconds,
    maxReplicas: maxReplicas ?? DEFAULT_MAX_REPLICAS,
    tags: tags ?? [],
  };
  if (controlRegion !== undefined) value.controlRegion = controlRegion;
  if (transcription !== undefined) value.transcription = transcription;
  if (meetingFeatures !== undefined) value.meetingFeatures = meetingFeatures;
  if (tenantIds !== undefined) value.tenantIds = [...tenantIds];
  return { ok: true, value };
}

// ---------------------------------------------------------------------------------------------------------
// Operator actions

function result<T>(errors: Errors, value: () => T): Validated<T> {
  return errors.list.length > 0 ? { ok: false, errors: errors.list } : { ok: true, value: value() };
}

function checkSingleUser(input: unknown): Validated<{ externalUserId: string }> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {externalUserId}'))
    return { ok: false, errors: errors.list };
  checkKnownKeys(input, ['externalUserId'], '', errors);
  if (isAbsent(input.externalUserId)) errors.add('externalUserId', 'is required');
  else checkExternalUserId(input.externalUserId, 'externalUserId', errors);
  return result(errors, () => ({ externalUserId: input.externalUserId as string }));
}

/** promoteSpeaker / demoteSpeaker: `{externalUserId}`. */
export function validateSpeakerArgs(input: unknown): Validated<SpeakerArgs> {
  return checkSingleUser(input);
}

/** removeAttendee: `{externalUserId}`. */
export function validateRemoveAttendeeArgs(input: unknown): Validated<RemoveAttendeeArgs> {
  return checkSingleUser(input);
}

/** The service's limit on ExcludedAttendeeIds in BatchUpdateAttendeeCapabilitiesExcept. */
export const MAX_MUTE_EXCEPTIONS = 250;

/** muteAllExcept: `{externalUserIds}`, 1-250 distinct external user IDs. */
export function validateMuteAllExceptArgs(input: unknown): Validated<MuteAllExceptArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {externalUserIds}'))
    return { ok: false, errors: errors.list };
  checkKnownKeys(input, ['externalUserIds'], '', errors);
  const ids = input.externalUserIds;
  if (isAbsent(ids)) {
    errors.add('externalUserIds', `is required: 1-${MAX_MUTE_EXCEPTIONS} external user IDs to keep unmuted`);
  } else if (checkArray(ids, 'externalUserIds', errors, 'external user ID strings')) {
    if (ids.length < 1 || ids.length > MAX_MUTE_EXCEPTIONS) {
      errors.add(
        'externalUserIds',
        `must list 1-${MAX_MUTE_EXCEPTIONS} external user IDs to keep unmuted, got ${ids.length}`,
      );
    } else {
      const firstIndex = new Map<string, number>();
      ids.forEach((id, index) => {
        const at = `externalUserIds[${index}]`;
        if (!checkExternalUserId(id, at, errors)) return;
        const first = firstIndex.get(id);
        if (first !== undefined) errors.add(at, `duplicates externalUserIds[${first}]; list each ID once`);
        else firstIndex.set(id, index);
      });
    }
  }
  return result(errors, () => ({ externalUserIds: [...(ids as string[])] }));
}

/** addAttendees: `{attendees}`, 1-10,250 attendees with the same rules as the webinar input. */
export function validateAddAttendeesArgs(input: unknown): Validated<AddAttendeesArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {attendees}')) return { ok: false, errors: errors.list };
  checkKnownKeys(input, ['attendees'], '', errors);
  let attendees: AttendeeSpec[] | undefined;
  const items = input.attendees;
  if (isAbsent(items)) errors.add('attendees', 'is required: an array of 1 or more attendees to add');
  else if (checkArray(items, 'attendees', errors, '{externalUserId, role, region?} objects')) {
    if (items.length < 1 || items.length > MAX_ATTENDEES) {
      errors.add('attendees', `must list 1-${MAX_ATTENDEES} attendees, got ${items.length}`);
    } else attendees = checkAttendees(items, 'attendees', errors);
  }
  return result(errors, () => ({ attendees: attendees ?? [] }));
}

/** reschedule: `{startAt?, endAt?}`, at least one, each ISO-8601 with a timezone; both: endAt after startAt. */
export function validateRescheduleArgs(input: unknown): Validated<RescheduleArgs> {
  const errors = new Errors();
  if (!requireObject(input, '', errors, 'an object {startAt?, endAt?}'))
    return { ok: false, errors: errors.list };
  checkKnownKeys(input, ['startAt', 'endAt'], '', errors);
  const hasStart = !isAbsent(input.startAt);
  const hasEnd = !isAbsent(input.endAt);
  if (!hasStart && !hasEnd) {
    errors.add(ROOT_FIELD, `must give startAt, endAt or both (ISO-8601 with a timezone, ${ISO_EXAMPLE})`);
  }
  const start = hasStart ? checkInstant(input.startAt, 'startAt', errors) : undefined;
  const end = hasEnd ? checkInstant(input.endAt, 'endAt', errors) : undefined;
  if (start !== undefined && end !== undefined) checkWindow(start, end, errors);
  return result(errors, () => {
    const args: RescheduleArgs = {};
    if (hasStart) args.startAt = input.startAt as string;
    if (hasEnd) args.endAt = input.endAt as string;
    return args;
  });
}

export const MAX_END_REASON_LENGTH = 256;

/** endWebinar: `{reason?}` (a missing argument is the same as `{}`). */
export function validateEndWebinarArgs(input: unknown): Validated<EndWebinarArgs> {
  const errors = new Errors();
  if (isAbsent(input)) return { ok: true, value: {} };
  if (!requireObject(input, '', errors, 'an object {reason?}')) return { ok: false, errors: errors.list };
  checkKnownKeys(input, ['reason'], '', errors);
  if (!isAbsent(input.reason)) {
    checkString(input.reason, 'reason', errors, { min: 0, max: MAX_END_REASON_LENGTH });
  }
  return result(errors, () => (isAbsent(input.reason) ? {} : { reason: input.reason as string }));
}

// ---------------------------------------------------------------------------------------------------------
// Attendee capabilities

const MEDIA_CAPABILITIES = ['SendReceive', 'Send', 'Receive', 'None'] as const;
type MediaCapability = (typeof MEDIA_CAPABILITIES)[number];
const RECEIVES: readonly string[] = ['SendReceive', 'Receive'];

/**
 * Validates AttendeeCapabilities against the service's rules: Audio, Video and Content required; Content can
 * only receive when Video receives; and with MeetingFeatures Video (or Content) MaxResolution None, that
 * capability must be None.
 */
export function validateAttendeeCapabilities(
  input: unknown,
  field = 'capabilities',
  features?: MeetingFeaturesConfiguration,
): Validated<AttendeeCapabilities> {
  const errors = new Errors();
  if (!requireObject(input, field, errors, 'an object {Audio, Video, Content}')) {
    return { ok: false, errors: errors.list };
  }
  checkKnownKeys(input, ['Audio', 'Video', 'Content'], field, errors);
  for (const key of ['Audio', 'Video', 'Content'] as const) {
    if (isAbsent(input[key]))
      errors.add(join(field, key), `is required; one of: ${quoteList(MEDIA_CAPABILITIES)}`);
    else checkEnum(input[key], MEDIA_CAPABILITIES, join(field, key), errors);
  }
  if (errors.list.length === 0) {
    const { Video: video, Content: content } = input as Record<
      'Audio' | 'Video' | 'Content',
      MediaCapability
    >;
    if (RECEIVES.includes(content) && !RECEIVES.includes(video)) {
      errors.add(join(field, 'Content'), `can only be ${content} when Video is SendReceive or Receive`);
    }
    if (features?.Video?.MaxResolution === 'None' && video !== 'None') {
      errors.add(join(field, 'Video'), 'must be None: the meeting has Video.MaxResolution None');
    }
    if (features?.Content?.MaxResolution === 'None' && content !== 'None') {
      errors.add(join(field, 'Content'), 'must be None: the meeting has Content.MaxResolution None');
    }
  }
  return result(errors, () => {
    const caps = input as Record<'Audio' | 'Video' | 'Content', MediaCapability>;
    return { Audio: caps.Audio, Video: caps.Video, Content: caps.Content };
  });
}

// ---------------------------------------------------------------------------------------------------------

/**
 * One message naming every bad field: "Invalid webinar input: attendees[3].externalUserId: must be 2-64
 * characters, got 70; startAt: ...". Beyond MAX_FORMATTED_ERRORS errors it says how many more there are.
 */
export function formatFieldErrors(errors: FieldError[], subject = 'webinar input'): string {
  const shown = errors.slice(0, MAX_FORMATTED_ERRORS).map((error) => `${error.field}: ${error.message}`);
  const more = errors.length - shown.length;
  if (more > 0) shown.push(`and ${formatCount(more)} more errors`);
  return shown.length > 0 ? `Invalid ${subject}: ${shown.join('; ')}` : `Invalid ${subject}`;
}
