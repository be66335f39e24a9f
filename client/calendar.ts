/**
 * The capacity calendar, client side: reads what the scheduled webinars of a control Region committed to a
 * provisioning window (search attributes, docs/capacity-calendar.md) and lets the policy decide. Counts only
 * webinars this deployment scheduled (this namespace's visibility), and assumes the Region's budget the
 * configuration states: Chime quotas can differ per account.
 */
import type { Client } from '@temporalio/client';
import {
  assessWindow,
  CALENDAR_POLICIES,
  controlRegionKey,
  decide,
  DEFAULT_BUDGET,
  describeAnswer,
  describeReadiness,
  planCalls,
  provisioningWindow,
  type Budget,
  type CalendarDecision,
  type CalendarPolicy,
  type CallPlanOptions,
  type CallWindow,
  type CommittedWebinar,
  type WindowAnswer,
} from '../domain/calendar';
import { DEFAULT_CONTROL_REGION_KEY } from '../domain/chime';
import { isControlRegion, partitionOf } from '../domain/regions';
import {
  calendarSearchAttributes,
  WEBINAR_CONTROL_REGION,
  WEBINAR_END_AT,
  WEBINAR_ID,
  WEBINAR_PLANNED_CALLS,
  WEBINAR_PROVISION_AT,
  WEBINAR_START_AT,
  WEBINAR_TEARDOWN_CALLS,
} from '../domain/search-attributes';
import type { SearchAttributePair } from '@temporalio/common';
import type { WebinarSpec } from '../domain/types';
import type { NormalizedWebinarSpec } from '../domain/validation/spec';

export interface CalendarConfig {
  /** Default 'warn'. */
  policy?: CalendarPolicy;
  /** Candidates for 'least-committed' (the webinar's own control Region is always one). */
  controlRegions?: string[];
  /** The worker's default control Region (CHIME_REGION), for webinars that name none. */
  defaultControlRegion?: string;
  /** The budget of each control Region (default 10 calls/s, burst 20). */
  budget?: Budget;
  calls?: CallPlanOptions;
}

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

/** The answer for one control Region. */
export async function assessRegion(
  client: Client,
  spec: NormalizedWebinarSpec,
  region: string,
  config: CalendarConfig = {},
): Promise<WindowAnswer> {
  const window = provisioningWindow(spec);
  const others = await committedWebinars(client, region, window, config);
  const calls = planCalls(spec, config.calls);
  return assessWindow(
    { webinarId: spec.webinarId, controlRegion: region, window, calls },
    others,
    config.budget ?? DEFAULT_BUDGET,
  );
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
  spec: WebinarSpec,
  normalized: NormalizedWebinarSpec,
  config: CalendarConfig | false,
): Promise<{ spec: WebinarSpec; searchAttributes: SearchAttributePair[]; decision?: CalendarDecision }> {
  if (config === false) return { spec, searchAttributes: calendarSearchAttributes(normalized) };
  const decision = await consultCalendar(client, normalized, config);
  if (decision.action === 'refuse')
    throw new WebinarOverCommittedError(spec.webinarId, decision.answer, decision.reason);
  const moved =
    decision.controlRegion !== DEFAULT_CONTROL_REGION_KEY &&
    decision.controlRegion !== (normalized.controlRegion ?? config.defaultControlRegion);
  if (!moved) return { spec, searchAttributes: calendarSearchAttributes(normalized, config.calls), decision };
  const controlRegion = decision.controlRegion;
  return {
    spec: { ...spec, controlRegion },
    searchAttributes: calendarSearchAttributes({ ...normalized, controlRegion }, config.calls),
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
