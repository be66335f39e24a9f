/**
 * The events bridge's Prometheus metrics, in a registry of its own (GET /metrics). Labels are outcomes and
 * reasons from fixed lists only: never a webinar, an externalUserId, an attendee ID or a JoinToken.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export const DEAD_LETTER_REASONS = ['malformed', 'max-tries'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
export type SignalOutcome = 'accepted' | 'late' | 'failed';

export interface BridgeMetrics {
  registry: Registry;
  received: Counter;
  /** Messages received again (ApproximateReceiveCount above 1). */
  redelivered: Counter;
  receiveErrors: Counter;
  signals: Counter<'outcome'>;
  signalledEvents: Counter;
  deleted: Counter;
  deleteErrors: Counter;
  late: Counter;
  ignored: Counter;
  /** Malformed messages received (dead-lettered, or left to the RedrivePolicy without a DLQ). */
  malformed: Counter;
  deadLettered: Counter<'reason'>;
  deadLetterErrors: Counter;
  visibilityExtended: Counter;
  batchSize: Histogram;
  /** From the event's time at the service to its Signal's acceptance. */
  lag: Histogram;
  pending: Gauge;
}

export function bridgeMetrics(): BridgeMetrics {
  const registry = new Registry();
  const counter = <L extends string = string>(name: string, help: string, labelNames: L[] = []): Counter<L> =>
    new Counter({ name: `events_bridge_${name}`, help, labelNames, registers: [registry] });
  const metrics: BridgeMetrics = {
    registry,
    received: counter('messages_received_total', 'Messages received from the events queue'),
    redelivered: counter(
      'messages_redelivered_total',
      'Messages received again (ApproximateReceiveCount > 1)',
    ),
    receiveErrors: counter('receive_errors_total', 'ReceiveMessage calls that failed'),
    signals: counter('signals_total', 'Signals sent to webinars, by outcome (accepted, late, failed)', [
      'outcome',
    ]),
    signalledEvents: counter('signalled_events_total', 'Events carried by accepted Signals'),
    deleted: counter(
      'messages_deleted_total',
      'Messages deleted from the events queue once handled (signalled, late or ignored; dead-lettered ones are counted apart)',
    ),
    deleteErrors: counter('delete_errors_total', 'Deletes that failed (the message comes again)'),
    late: counter('late_events_total', 'Events for a webinar whose workflow is closed or does not exist'),
    ignored: counter('ignored_messages_total', 'Chime events attendance does not use, deleted'),
    malformed: counter('malformed_messages_total', 'Malformed messages received (each receive of one)'),
    deadLettered: counter('dead_lettered_total', 'Messages moved to the dead-letter queue, by reason', [
      'reason',
    ]),
    deadLetterErrors: counter('dead_letter_errors_total', 'Moves to the dead-letter queue that failed'),
    visibilityExtended: counter(
      'visibility_extended_total',
      'Visibility timeouts extended for messages still waiting for their Signal',
    ),
    batchSize: new Histogram({
      name: 'events_bridge_batch_events',
      help: 'Events per Signal',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000],
      registers: [registry],
    }),
    lag: new Histogram({
      name: 'events_bridge_lag_seconds',
      help: "From an event's time at the service to the acceptance of the Signal carrying it",
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
    pending: new Gauge({
      name: 'events_bridge_pending_messages',
      help: 'Messages received and not yet deleted, dead-lettered or released',
      registers: [registry],
    }),
  };
  for (const reason of DEAD_LETTER_REASONS) metrics.deadLettered.inc({ reason }, 0);
  for (const outcome of ['accepted', 'late', 'failed']) metrics.signals.inc({ outcome }, 0);
  return metrics;
}
