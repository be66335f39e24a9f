/**
 * What every part of the webinar workflow works on: the spec, the one state object, the Chime activities, and
 * the one lock.
 *
 * Lock policy (the only one; docs/workflow.md): `chimeLock` orders the Chime calls that act on meetings and
 * attendees already in place — every operator action that calls Chime, the registration of late attendees, transcription, releasing a generation and the teardown. Provisioning a generation (the first,
 * or a new one after the service ended the primary) does not hold it: it creates meetings no action can name
 * yet and registers attendees batch by batch, and a registered attendee is usable by actions at once. While a
 * generation is being provisioned, late attendees queue for it and muting everyone is refused.
 */
import { CancellationScope, proxyActivities, upsertSearchAttributes } from '@temporalio/workflow';
import type { MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import type { CapacityOptions, planCapacity } from '../domain/capacity';
import {
  chimeActivityOptions,
  startWeight,
  type CallClass,
  type ChimeActivities,
  type ChimeActivityOptionsExtra,
} from '../domain/chime';
import { budgetTokenActivityOptions, operatorLaneActivityOptions } from '../domain/operator-lane';
import type { WebinarPhase } from '../domain/phases';
import { WEBINAR_ID, WEBINAR_PHASE, WEBINAR_START_AT } from '../domain/search-attributes';
import { attendeesPerMeeting } from '../domain/validation/meeting-features';
import type { NormalizedWebinarSpec } from '../domain/validation/spec';
import { Mutex } from './concurrency';
import { operatorCalls } from './operator-calls';
import { meetingOf, type MeetingState, type WebinarState } from './state';
import { publishStatus, type MemoPublisher } from './status-memo';

export class Webinar {
  readonly spec: NormalizedWebinarSpec;
  readonly state: WebinarState;
  readonly chimeLock = new Mutex();
  /**
   * The Chime activities by class of call (CALL_PRIORITY, domain/chime.ts). Each access builds the proxy, so
   * a call carries the fairness weight of the moment it is scheduled (startWeight: how soon the webinar starts).
   */
  get operator(): ChimeActivities {
    const region = this.spec.controlRegion;
    const extras = this.callExtras();
    return operatorCalls({
      lane: operatorLaneActivityOptions(region, extras),
      queued: chimeActivityOptions('operator', region, extras),
      token: budgetTokenActivityOptions(region, extras),
    });
  }
  get critical(): ChimeActivities {
    return this.calls('critical');
  }
  get bulk(): ChimeActivities {
    return this.calls('bulk');
  }
  get teardownCalls(): ChimeActivities {
    return this.calls('teardown');
  }
  /** Bumped by every message that can change what the main loop waits for. */
  changes = 0;
  /** Bumped by an operator's retry; a failed teardown waits for it. */
  teardownRetries = 0;
  lastHealthCheck = 0;
  /** Signal rejections' reasons as the caller gave them, for the status query only (never carried). */
  readonly plainReasons = new WeakMap<object, string>();
  /** The capacity plan computed ahead of provisioning, for the roster membership it was computed from. */
  plannedAhead?: { membership: number; planned: ReturnType<typeof planCapacity> };
  /** The status memo's publisher (status-memo.ts). */
  readonly memo: MemoPublisher = { at: Number.NEGATIVE_INFINITY };
  /** The scope of the generation being provisioned; ending the webinar cancels it so the teardown starts at once. */
  provisioning?: CancellationScope;

  constructor(spec: NormalizedWebinarSpec, state: WebinarState) {
    this.spec = spec;
    this.state = state;
  }

  private calls(callClass: CallClass): ChimeActivities {
    return proxyActivities<ChimeActivities>(
      chimeActivityOptions(callClass, this.spec.controlRegion, this.callExtras()),
    );
  }

  /** The webinar's fairness key, and its weight at this moment (how soon it starts). */
  private callExtras(): ChimeActivityOptionsExtra {
    const secondsToStart = (Date.parse(this.state.startAt) - Date.now()) / 1000;
    return {
      webinarId: this.spec.webinarId,
      fairnessWeight: startWeight(secondsToStart),
    };
  }

  get roster(): WebinarState['roster'] {
    return this.state.roster;
  }

  get phase(): WebinarPhase {
    return this.state.phase;
  }

  primary(): MeetingState | undefined {
    return meetingOf(this.state, 'primary');
  }

  features(): MeetingFeaturesConfiguration | undefined {
    return this.spec.meetingFeatures;
  }

  capacityOptions(): CapacityOptions {
    return {
      maxReplicas: this.spec.maxReplicas,
      attendeesPerMeeting: attendeesPerMeeting(this.spec.meetingFeatures),
      placementRule: 'fewest-meetings',
      reserveRule: 'held',
      promotionReserve: this.spec.promotionReserve,
    };
  }

  provisionAt(): number {
    return Date.parse(this.state.startAt) - this.spec.provisionLeadSeconds * 1000;
  }

  /** Wakes the main loop: something it waits for may have changed. */
  changed(): void {
    this.changes++;
  }

  /** The only writer of the phase; published at once, or by the next run when this one continues as new. */
  setPhase(phase: WebinarPhase, published: 'now' | 'in-the-next-run' = 'now'): void {
    this.state.phase = phase;
    if (published === 'now') this.publishPhase();
  }

  publishPhase(): void {
    upsertSearchAttributes([
      { key: WEBINAR_ID, value: this.spec.webinarId },
      { key: WEBINAR_PHASE, value: this.state.phase },
      { key: WEBINAR_START_AT, value: new Date(Date.parse(this.state.startAt)) },
    ]);
    publishStatus(this);
  }

  workflowCancelled(): boolean {
    return CancellationScope.current().consideredCancelled;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
