/**
 * A webinar's Chime activities by class of call (CALL_PRIORITY, domain/budget/call-classes.ts): `critical` for the primary
 * and its presenters, `bulk` for replicas, viewers and checks, `teardown`, and `operator` through the operator
 * lane (operator-calls.ts). Each access builds the proxy, so a call carries the fairness weight of the moment it
 * is scheduled (startWeight: how soon the webinar starts).
 */
import { proxyActivities } from '@temporalio/workflow';
import {
  budgetTokenActivityOptions,
  chimeActivityOptions,
  operatorLaneActivityOptions,
  startWeight,
  type CallClass,
  type ChimeActivityOptionsExtra,
} from '../domain/budget';
import type { ChimeActivities } from '../domain/chime';
import type { NormalizedWebinarSpec } from '../domain/validation/spec';
import { operatorCalls } from './operator-calls';
import type { WebinarState } from './state';

export class ChimeCalls {
  constructor(
    private readonly spec: NormalizedWebinarSpec,
    private readonly state: WebinarState,
  ) {}

  get operator(): ChimeActivities {
    const region = this.spec.controlRegion;
    const extras = this.extras();
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

  get teardown(): ChimeActivities {
    return this.calls('teardown');
  }

  private calls(callClass: CallClass): ChimeActivities {
    return proxyActivities<ChimeActivities>(
      chimeActivityOptions(callClass, this.spec.controlRegion, this.extras()),
    );
  }

  /** The webinar's fairness key, and its weight at this moment (how soon it starts). */
  private extras(): ChimeActivityOptionsExtra {
    const secondsToStart = (Date.parse(this.state.startAt) - Date.now()) / 1000;
    return { webinarId: this.spec.webinarId, fairnessWeight: startWeight(secondsToStart) };
  }
}
