import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import { controlRegionKey, planCalls, provisioningWindow } from './calendar';
import type { NormalizedWebinarSpec } from './validation/spec';

/**
 * Search attributes of the contract; every server the project starts registers exactly this list (the dev
 * and time-skipping servers derive it from webinarSearchAttributeKeys).
 */
export const WEBINAR_ID = defineSearchAttributeKey('WebinarId', SearchAttributeType.KEYWORD);
export const WEBINAR_PHASE = defineSearchAttributeKey('WebinarPhase', SearchAttributeType.KEYWORD);
export const WEBINAR_START_AT = defineSearchAttributeKey('WebinarStartAt', SearchAttributeType.DATETIME);

// The capacity calendar's (docs/capacity-calendar.md): what each webinar commits to its control Region.
/** The control Region named in the input, else 'default' (the worker's default Region). */
export const WEBINAR_CONTROL_REGION = defineSearchAttributeKey(
  'WebinarControlRegion',
  SearchAttributeType.KEYWORD,
);
/** When provisioning starts: startAt − provisionLeadSeconds. */
export const WEBINAR_PROVISION_AT = defineSearchAttributeKey(
  'WebinarProvisionAt',
  SearchAttributeType.DATETIME,
);
export const WEBINAR_END_AT = defineSearchAttributeKey('WebinarEndAt', SearchAttributeType.DATETIME);
/** Chime calls the webinar makes in its provisioning window. */
export const WEBINAR_PLANNED_CALLS = defineSearchAttributeKey('WebinarPlannedCalls', SearchAttributeType.INT);
/** Chime calls the webinar's teardown makes at its end. */
export const WEBINAR_TEARDOWN_CALLS = defineSearchAttributeKey(
  'WebinarTeardownCalls',
  SearchAttributeType.INT,
);

export const webinarSearchAttributeKeys = [
  WEBINAR_ID,
  WEBINAR_PHASE,
  WEBINAR_START_AT,
  WEBINAR_CONTROL_REGION,
  WEBINAR_PROVISION_AT,
  WEBINAR_END_AT,
  WEBINAR_PLANNED_CALLS,
  WEBINAR_TEARDOWN_CALLS,
];

/**
 * The calendar's search attributes of a webinar, from its validated input: set by the client at start
 * (known at schedule time), upserted again by the workflow when the input changes (new times, attendees).
 * Pure: safe in the workflow sandbox.
 */
export function calendarSearchAttributes(spec: NormalizedWebinarSpec): SearchAttributePair[] {
  const calls = planCalls(spec);
  const window = provisioningWindow(spec);
  return [
    { key: WEBINAR_CONTROL_REGION, value: controlRegionKey(spec) },
    { key: WEBINAR_PROVISION_AT, value: new Date(window.from) },
    { key: WEBINAR_END_AT, value: new Date(Date.parse(spec.endAt)) },
    { key: WEBINAR_PLANNED_CALLS, value: calls.provisioningCalls },
    { key: WEBINAR_TEARDOWN_CALLS, value: calls.teardownCalls },
  ];
}
