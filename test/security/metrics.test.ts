/**
 * The metrics endpoint is not exposed by default, and no input can grow its series: METRICS_HOST defaults to
 * 127.0.0.1 (containers set 0.0.0.0 explicitly), and every label value comes from a fixed list.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { ChimeActivities } from '../../domain/chime';
import { loadWorkerConfig } from '../../worker/config';
import { INVALID_REGION_LABEL, createWorkerMetrics, serveMetrics } from '../../worker/metrics';

describe('METRICS_HOST', () => {
  it('defaults to 127.0.0.1, and the endpoint listens there', async () => {
    const config = loadWorkerConfig({ METRICS_PORT: '9464' });
    expect(config.metrics.host).toBe('127.0.0.1');
    const server = await serveMetrics(createWorkerMetrics(), 0, undefined, config.metrics.host);
    try {
      expect(server.host).toBe('127.0.0.1');
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
    // Without a host argument too (callers that predate METRICS_HOST).
    const bare = await serveMetrics(createWorkerMetrics(), 0);
    expect(bare.host).toBe('127.0.0.1');
    await bare.close();
  });

  it('is read from the environment (0.0.0.0 inside a container)', () => {
    expect(loadWorkerConfig({ METRICS_HOST: '0.0.0.0' }).metrics.host).toBe('0.0.0.0');
    expect(loadWorkerConfig({ METRICS_HOST: '::1' }).metrics.host).toBe('::1');
    expect(loadWorkerConfig({ METRICS_HOST: 'worker.internal' }).metrics.host).toBe('worker.internal');
  });
});

describe('metric labels', () => {
  /** Activities whose every call fails with the given error, or succeeds when there is none. */
  function activities(error?: Error): ChimeActivities {
    const fn = async (): Promise<unknown> => {
      if (error) throw error;
      return { meetingId: 'm', mediaRegion: 'us-east-1' };
    };
    return { getMeeting: fn, deleteMeeting: fn } as unknown as ChimeActivities;
  }

  it('counts a call from an unknown control Region as "invalid": raw input never becomes a label', async () => {
    const metrics = createWorkerMetrics();
    const wrapped = metrics.wrapActivities(activities(), 'us-east-1');
    for (let i = 0; i < 50; i++) {
      await wrapped.getMeeting({ controlRegion: `attacker-${i}-${'x'.repeat(200)}`, meetingId: 'm' });
    }
    await wrapped.getMeeting({ controlRegion: 'eu-central-1', meetingId: 'm' });
    await wrapped.getMeeting({ meetingId: 'm' });
    await wrapped.getMeeting({ controlRegion: 42 as unknown as string, meetingId: 'm' });
    const values = (await metrics.chimeCalls.get()).values;
    expect(values.map((v) => [v.labels.control_region, v.value])).toEqual([
      [INVALID_REGION_LABEL, 51],
      ['eu-central-1', 1],
      ['us-east-1', 1],
    ]);
    expect(await metrics.registry.metrics()).not.toContain('attacker');
  });

  it('keeps known AWS error names as the outcome and counts anything else as "Error"', async () => {
    const metrics = createWorkerMetrics();
    const throttled = ApplicationFailure.create({ type: 'ThrottlingException', message: 'slow down' });
    await expect(
      metrics.wrapActivities(activities(throttled), 'us-east-1').getMeeting({ meetingId: 'm' }),
    ).rejects.toBe(throttled);
    const odd = ApplicationFailure.create({ type: 'Injected<script>', message: 'x' });
    await expect(
      metrics.wrapActivities(activities(odd), 'us-east-1').getMeeting({ meetingId: 'm' }),
    ).rejects.toBe(odd);
    const named = Object.assign(new Error('x'), { name: 'SomethingUserControlled' });
    await expect(
      metrics.wrapActivities(activities(named), 'us-east-1').deleteMeeting({ meetingId: 'm' }),
    ).rejects.toBe(named);
    const outcomes = (await metrics.chimeCalls.get()).values.map((v) => v.labels.outcome).sort();
    expect(outcomes).toEqual(['Error', 'Error', 'ThrottlingException']);
    expect((await metrics.chimeThrottled.get()).values.map((v) => v.value)).toEqual([1]);
  });
});
