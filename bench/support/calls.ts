/**
 * What a webinar costs in Chime calls (one CreateMeeting per meeting, ceil(seats / 100) batches per meeting) and
 * the floor those calls allow under the emulator's token bucket.
 */
import { ATTENDEES_PER_MEETING, BATCH_SIZE } from '../../domain/limits';
import type { WebinarStatus } from '../../domain/types';
import type { EmulatorConfig } from '../../emulator';
import { emulatorRate } from './emulator';

/** The domain's limits (domain/limits.ts) under the benchmarks' short names. */
export const BATCH = BATCH_SIZE;
export const SEATS = ATTENDEES_PER_MEETING;

/** Lower bound of the time `calls` calls take under a token bucket: the burst is free, the rest at `rate`. */
export function floorSeconds(calls: number, config: EmulatorConfig): number {
  const { rate, burst } = emulatorRate(config);
  return Math.max(0, calls - burst) / rate;
}

/** The calls a READY webinar's plan needed: one CreateMeeting per meeting, ceil(seats/100) batches per meeting. */
export function plannedCalls(status: WebinarStatus): { meetings: number; batches: number; calls: number } {
  const inReplicas = status.replicas.reduce((sum, r) => sum + r.attendees, 0);
  const loads = [
    status.attendees.registered + status.attendees.failed - inReplicas,
    ...status.replicas.map((r) => r.attendees),
  ];
  const meetings = (status.primary ? 1 : 0) + status.replicas.length;
  const batches = loads.reduce((sum, n) => sum + Math.ceil(n / BATCH), 0);
  return { meetings, batches, calls: meetings + batches };
}

/** The meetings and calls a roster needs at least (no Regions to respect): meetings of 250, batches of 100 per meeting. */
export function minimumCalls(attendees: number): { meetings: number; batches: number; calls: number } {
  const meetings = Math.ceil(attendees / SEATS);
  let batches = 0;
  let left = attendees;
  for (let m = 0; m < meetings; m++) {
    const seats = Math.min(SEATS, left);
    batches += Math.ceil(seats / BATCH);
    left -= seats;
  }
  return { meetings, batches, calls: meetings + batches };
}

/** The most attendees `calls` calls can register: a full meeting costs 1 CreateMeeting + ceil(SEATS / BATCH) batches. */
export function mostRegistrable(calls: number, total: number): number {
  let seats = 0;
  let left = calls;
  while (left > 0 && seats < total) {
    const meeting = Math.min(SEATS, total - seats);
    const cost = 1 + Math.ceil(meeting / BATCH);
    if (left < cost) {
      seats += Math.max(0, left - 1) * BATCH;
      break;
    }
    seats += meeting;
    left -= cost;
  }
  return Math.min(seats, total);
}
