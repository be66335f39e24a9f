/**
 * Transcription settings: EngineTranscribeSettings or EngineTranscribeMedicalSettings (Specialty and Type
 * tell them apart), with the combinations the service refuses named before the call.
 */
import type {
  EngineTranscribeMedicalSettings,
  TranscriptionConfiguration,
} from '@aws-sdk/client-chime-sdk-meetings';
import type { TranscriptionSettings } from '../types';
import {
  checkBoolean,
  checkEnum,
  checkKnownKeys,
  checkString,
  echoed,
  Errors,
  isAbsent,
  join,
  quoteList,
  requireObject,
  type Obj,
  type Validated,
} from './fields';

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
        `not recognised: ${bad.map((code) => `'${echoed(code)}'`).join(', ')}`,
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
      errors.add(
        path,
        `may name one dialect per language; '${echoed(other)}' and '${echoed(code)}' are both '${echoed(language)}'`,
      );
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
      `not recognised: ${bad.map((entry) => `'${echoed(entry)}'`).join(', ')}`,
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

export function checkTranscription(
  value: unknown,
  path: string,
  errors: Errors,
): TranscriptionSettings | undefined {
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
  const before = errors.count;
  if (isMedical(value)) validateMedicalTranscription(value, path, errors);
  else validateStandardTranscription(value, path, errors);
  if (errors.count > before) return undefined;
  return withoutAbsent(value);
}

/** Validates transcription settings; `field` is the path errors are reported under (default 'transcription'). */
export function validateTranscriptionSettings(
  input: unknown,
  field = 'transcription',
): Validated<TranscriptionSettings> {
  const errors = new Errors();
  const value = checkTranscription(input, field, errors);
  return value !== undefined && errors.count === 0 ? { ok: true, value } : errors.failure();
}

/** Medical settings (with Specialty and Type) go to Amazon Transcribe Medical, the others to Amazon Transcribe. */
export function toTranscriptionConfiguration(settings: TranscriptionSettings): TranscriptionConfiguration {
  if ('Specialty' in settings || 'Type' in settings) {
    return { EngineTranscribeMedicalSettings: settings as EngineTranscribeMedicalSettings };
  }
  return { EngineTranscribeSettings: settings };
}
