import { badRequest } from '../errors';

type Input = Record<string, unknown>;

/** A member that means something only with another one: refused without it. */
function requires(present: boolean, dependency: boolean, message: string): void {
  if (present && !dependency) throw badRequest(message);
}

/** Semantic rules of TranscriptionConfiguration beyond the model (exclusive and dependent members). */
export function checkTranscription(config: Input): void {
  const general = config.EngineTranscribeSettings as Input | undefined;
  const medical = config.EngineTranscribeMedicalSettings as Input | undefined;
  if ((general ? 1 : 0) + (medical ? 1 : 0) !== 1) {
    throw badRequest(
      'TranscriptionConfiguration must contain exactly one of EngineTranscribeSettings and EngineTranscribeMedicalSettings',
    );
  }
  if (!general) return;
  const identify = general.IdentifyLanguage === true;
  if (identify && general.LanguageCode !== undefined) {
    throw badRequest('LanguageCode and IdentifyLanguage cannot be used together');
  }
  if (!identify && general.LanguageCode === undefined) {
    throw badRequest('EngineTranscribeSettings needs either LanguageCode or IdentifyLanguage');
  }
  if (identify) {
    const options = typeof general.LanguageOptions === 'string' ? general.LanguageOptions.split(',') : [];
    if (options.length < 2)
      throw badRequest('IdentifyLanguage requires LanguageOptions with at least two languages');
    if (general.PreferredLanguage !== undefined && !options.includes(general.PreferredLanguage as string)) {
      throw badRequest('PreferredLanguage must be one of LanguageOptions');
    }
    if (general.VocabularyName !== undefined || general.VocabularyFilterName !== undefined) {
      throw badRequest('With IdentifyLanguage use VocabularyNames and VocabularyFilterNames');
    }
  } else {
    for (const member of [
      'LanguageOptions',
      'PreferredLanguage',
      'VocabularyNames',
      'VocabularyFilterNames',
    ]) {
      if (general[member] !== undefined) throw badRequest(`${member} is only valid with IdentifyLanguage`);
    }
  }
  if (general.ContentIdentificationType !== undefined && general.ContentRedactionType !== undefined) {
    throw badRequest('ContentIdentificationType and ContentRedactionType cannot be used together');
  }
  const has = (member: string): boolean => general[member] !== undefined;
  requires(
    has('PiiEntityTypes'),
    has('ContentIdentificationType') || has('ContentRedactionType'),
    'PiiEntityTypes requires ContentIdentificationType or ContentRedactionType',
  );
  requires(
    has('PartialResultsStability'),
    general.EnablePartialResultsStabilization === true,
    'PartialResultsStability requires EnablePartialResultsStabilization',
  );
  requires(
    has('VocabularyFilterMethod'),
    has('VocabularyFilterName') || has('VocabularyFilterNames'),
    'VocabularyFilterMethod requires a vocabulary filter name',
  );
}
