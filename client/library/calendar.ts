/**
 * The capacity calendar, client side: reads what the scheduled webinars of a control Region committed to a
 * provisioning window (search attributes, docs/capacity-calendar.md) and lets the policy decide. Counts only
 * webinars this deployment scheduled (this namespace's visibility), and assumes the Region's budget the
 * configuration states: Chime quotas can differ per account.
 */
import type { Client } from '@temporalio/client';
import {
  adaptiveLeadSeconds,
  assessWindow,
  CALENDAR_POLICIES,
  controlRegionKey,
  decide,
  describeAnswer,
  describeReadiness,
  planCalls,
  provisioningWindow,
  type CalendarDecision,
  type CalendarPolicy,
  type CallWindow,
  type CommittedWebinar,
  type WindowAnswer,
} from '../../domain/calendar';
import { DEFAULT_BUDGET, DEFAULT_CONTROL_REGION_KEY, type Budget } from '../../domain/budget';
import { MAX_PROVISION_LEAD_SECONDS } from '../../domain/limits';
import { isControlRegion, partitionOf } from '../../domain/regions';
import {
  calendarSearchAttributes,
  WEBINAR_CONTROL_REGION,
  WEBINAR_END_AT,
  WEBINAR_ID,
  WEBINAR_PLANNED_CALLS,
  WEBINAR_PROVISION_AT,
  WEBINAR_START_AT,
  WEBINAR_TEARDOWN_CALLS,
} from '../../domain/search-attributes';
import type { SearchAttributePair } from '@temporalio/common';
import type { WebinarSpec } from '../../domain/types';
import type { NormalizedWebinarSpec } from '../../domain/validation/spec';

export interface CalendarConfig {
  /** Default 'warn'. */
  policy?: CalendarPolicy;
  /** Candidates for 'least-committed' (the webinar's own control Region is always one). */
  controlRegions?: string[];
  /** The worker's default control Region (CHIME_REGION), for webinars that name none. */
  defaultControlRegion?: string;
  /** The budget of each control Region (default 10 calls/s, burst 20). */
  budget?: Budget;
  /**
   * Default true: an over-committed window is widened (the provisioning starts earlier, at most
   * MAX_PROVISION_LEAD_SECONDS before the start) before the policy decides; false: the lead stays as given.
   */
  adaptiveLead?: boolean;
}

export const ADAPTIVE_LEAD_VAR = 'WEBINAR_CALENDAR_ADAPTIVE_LEAD';

/** The calendar configuration from the environment: the policy and the Regions to choose from. */
export function calendarConfigFromEnv(env: NodeJS.ProcessEnv): CalendarConfig {
  const policy = env.WEBINAR_CALENDAR_POLICY?.trim();
  const regions = env.WEBINAR_CALENDAR_REGIONS?.split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const defaultRegion = (env.CHIME_REGION ?? env.AWS_REGION)?.trim();
  const config: CalendarConfig = {};
  if (policy) {
    if (!(CALENDAR_POLICIES as readonly string[]).includes(policy))
      throw new Error(
        `WEBINAR_CALENDAR_POLICY must be one of ${CALENDAR_POLICIES.join(', ')}, got '${policy}'`,
      );
    config.policy = policy as CalendarPolicy;
  }
  if (regions && regions.length > 0) {
    const bad = regions.filter((r) => !isControlRegion(r));
    if (bad.length > 0) throw new Error(`WEBINAR_CALENDAR_REGIONS has no control Region ${bad.join(', ')}`);
    config.controlRegions = regions;
  }
  if (defaultRegion) config.defaultControlRegion = defaultRegion;
  const adaptive = env[ADAPTIVE_LEAD_VAR]?.trim();
  if (adaptive) {
    if (adaptive !== 'on' && adaptive !== 'off')
      throw new Error(`${ADAPTIVE_LEAD_VAR} must be on or off, got '${adaptive}'`);
    config.adaptiveLead = adaptive === 'on';
  }
  return config;
}

/** A visibility query literal: values come from validated inputs (Region names, ISO instants). */
function quote(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

/** The keys a control Region's webinars are recorded under: its name, and 'default' if it is the default. */
function keysOf(region: string, config: CalendarConfig): string[] {
  return region === DEFAULT_CONTROL_REGION_KEY || region === config.defaultControlRegion
    ? [...new Set([region, DEFAULT_CONTROL_REGION_KEY, config.defaultControlRegion ?? region])]
    : [region];
}

/**
 * The running webinars of `region` that commit calls to `window`: provisioning windows overlapping it, or
 * ending inside it (their teardown).
 */
export async function committedWebinars(
  client: Client,
  region: string,
  window: CallWindow,
  config: CalendarConfig = {},
): Promise<CommittedWebinar[]> {
  const from = quote(new Date(window.from).toISOString());
  const to = quote(new Date(window.to).toISOString());
  const regions = keysOf(region, config).map(quote).join(', ');
  const query =
    `ExecutionStatus = 'Running' AND ${WEBINAR_CONTROL_REGION.name} IN (${regions}) AND ` +
    `((${WEBINAR_PROVISION_AT.name} <= ${to} AND ${WEBINAR_START_AT.name} >= ${from}) OR ` +
    `(${WEBINAR_END_AT.name} >= ${from} AND ${WEBINAR_END_AT.name} <= ${to}))`;
  const found: CommittedWebinar[] = [];
  for await (const info of client.workflow.list({ query })) {
    const sa = info.typedSearchAttributes;
    const provisionAt = sa.get(WEBINAR_PROVISION_AT);
    const startAt = sa.get(WEBINAR_START_AT);
    const endAt = sa.get(WEBINAR_END_AT);
    if (!provisionAt || !startAt || !endAt) continue;
    found.push({
      webinarId: sa.get(WEBINAR_ID) ?? info.workflowId,
      provisionAt: provisionAt.getTime(),
      startAt: startAt.getTime(),
      endAt: endAt.getTime(),
      provisioningCalls: sa.get(WEBINAR_PLANNED_CALLS) ?? 0,
      teardownCalls: sa.get(WEBINAR_TEARDOWN_CALLS) ?? 0,
    });
  }
  return found;
}

/** Widening steps before the adaptive lead goes straight to the longest lead. */
const ADAPTIVE_LEAD_STEPS = 4;

/**
 * The answer for one control Region. When the window is over-committed (and `adaptiveLead` is not false), the
 * answer is for the shortest wider window that fits, or for the longest lead if none does.
 */
export async function assessRegion(
  client: Client,
  spec: NormalizedWebinarSpec,
  region: string,
  config: CalendarConfig = {},
): Promise<WindowAnswer> {
  const budget = config.budget ?? DEFAULT_BUDGET;
  const assess = async (provisionLeadSeconds: number): Promise<WindowAnswer> => {
    const window = provisioningWindow({ startAt: spec.startAt, provisionLeadSeconds });
    // Planned for this lead: meeting checks run through the whole lead, so a wider window needs more of them.
    const calls = planCalls({ ...spec, provisionLeadSeconds });
    const others = await committedWebinars(client, region, window, config);
    const answer = assessWindow(
      { webinarId: spec.webinarId, controlRegion: region, window, calls },
      others,
      budget,
    );
    return provisionLeadSeconds === spec.provisionLeadSeconds
      ? answer
      : { ...answer, adaptedFromLeadSeconds: spec.provisionLeadSeconds };
  };
  let answer = await assess(spec.provisionLeadSeconds);
  if (config.adaptiveLead === false) return answer;
  // The adaptive lead: a wider window also takes in more of the others' calls, so each step re-reads
  // them; a few steps settle it, and the longest lead is the last resort.
  for (
    let step = 0, lead = spec.provisionLeadSeconds;
    !answer.fits && lead < MAX_PROVISION_LEAD_SECONDS;
    step++
  ) {
    const wanted = adaptiveLeadSeconds({
      leadSeconds: lead,
      neededCalls: answer.needed,
      committedCalls: answer.committed,
      budget,
    }).leadSeconds;
    lead = step < ADAPTIVE_LEAD_STEPS && wanted > lead ? wanted : MAX_PROVISION_LEAD_SECONDS;
    answer = await assess(lead);
  }
  return answer;
}

/**
 * The calendar's decision for a webinar about to be scheduled: its own control Region's answer, and under
 * 'least-committed' those of the configured Regions in the same partition too.
 */
export async function consultCalendar(
  client: Client,
  spec: NormalizedWebinarSpec,
  config: CalendarConfig = {},
): Promise<CalendarDecision> {
  const own =
    controlRegionKey(spec) === DEFAULT_CONTROL_REGION_KEY
      ? (config.defaultControlRegion ?? DEFAULT_CONTROL_REGION_KEY)
      : controlRegionKey(spec);
  const policy = config.policy ?? 'warn';
  const candidates = [own];
  if (policy === 'least-committed') {
    // A control Region can only create meetings in its own partition.
    for (const region of config.controlRegions ?? []) {
      if (!candidates.includes(region) && partitionOf(region) === partitionOf(spec.primaryRegion))
        candidates.push(region);
    }
  }
  const answers: WindowAnswer[] = [];
  for (const region of candidates) answers.push(await assessRegion(client, spec, region, config));
  return decide(policy, answers);
}

/** The calendar refused the webinar (policy 'refuse'): nothing was started. */
export class WebinarOverCommittedError extends Error {
  readonly answer: WindowAnswer;
  constructor(webinarId: string, answer: WindowAnswer, reason: string) {
    super(`Webinar "${webinarId}" not scheduled: ${reason}`);
    this.name = 'WebinarOverCommittedError';
    this.answer = answer;
  }
}

/**
 * What schedule() starts: the input (with the control Region the policy chose), the calendar's search
 * attributes, and the decision; or WebinarOverCommittedError. `config` false: no visibility query, the
 * search attributes only.
 */
export async function calendarStart(
  client: Client,
  given: WebinarSpec,
  givenNormalized: NormalizedWebinarSpec,
  config: CalendarConfig | false,
): Promise<{ spec: WebinarSpec; searchAttributes: SearchAttributePair[]; decision?: CalendarDecision }> {
  if (config === false) return { spec: given, searchAttributes: calendarSearchAttributes(givenNormalized) };
  const decision = await consultCalendar(client, givenNormalized, config);
  if (decision.action === 'refuse')
    throw new WebinarOverCommittedError(given.webinarId, decision.answer, decision.reason);
  // The adaptive lead may have widened the window: the input and the search attributes say so.
  const provisionLeadSeconds = (decision.answer.window.to - decision.answer.window.from) / 1000;
  const widened = provisionLeadSeconds !== givenNormalized.provisionLeadSeconds;
  const spec = widened ? { ...given, provisionLeadSeconds } : given;
  const normalized = widened ? { ...givenNormalized, provisionLeadSeconds } : givenNormalized;
  const moved =
    decision.controlRegion !== DEFAULT_CONTROL_REGION_KEY &&
    decision.controlRegion !== (normalized.controlRegion ?? config.defaultControlRegion);
  if (!moved) return { spec, searchAttributes: calendarSearchAttributes(normalized), decision };
  const controlRegion = decision.controlRegion;
  return {
    spec: { ...spec, controlRegion },
    searchAttributes: calendarSearchAttributes({ ...normalized, controlRegion }),
    decision,
  };
}

/** The calendar's answer for people (the CLI's schedule output). */
export function formatCalendar(decision: CalendarDecision): string {
  const lines = [`  calendar   ${describeAnswer(decision.answer)}`];
  if (decision.action === 'schedule') {
    lines.push(`  readiness  ${describeReadiness(decision.answer)}`);
    if (decision.warning) lines.push(`  warning    ${decision.warning}`);
  }
  return lines.join('\n');
}
