/**
 * When a history event happened, in epoch milliseconds: the server's event time, as the tests order and space
 * events by it.
 */
import type { temporal } from '@temporalio/proto';

/**
 * Number() rather than the SDK's tsToMs: the seconds are a Long from fetchHistory but may be a number or a
 * string elsewhere. An event without a time reads 0.
 */
export function eventTimeMs(e: Pick<temporal.api.history.v1.IHistoryEvent, 'eventTime'>): number {
  return Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
}
