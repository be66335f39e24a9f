import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes of the contract; the dev server the project starts registers them. */
export const WEBINAR_ID = defineSearchAttributeKey('WebinarId', SearchAttributeType.KEYWORD);
export const WEBINAR_PHASE = defineSearchAttributeKey('WebinarPhase', SearchAttributeType.KEYWORD);
export const WEBINAR_START_AT = defineSearchAttributeKey('WebinarStartAt', SearchAttributeType.DATETIME);

export const webinarSearchAttributeKeys = [WEBINAR_ID, WEBINAR_PHASE, WEBINAR_START_AT];
