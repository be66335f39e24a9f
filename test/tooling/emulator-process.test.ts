/**
 * The emulator in its own process (tooling/emulator-process.ts), as the top-of-hour benchmark runs it: it takes
 * its config over the admin API, counts real SDK calls, refuses a bad config naming the field, and ends on close.
 */
import { ChimeSDKMeetingsClient, CreateMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { startEmulatorProcess, type EmulatorProcess } from '../../tooling/emulator-process';
import { CREDENTIALS } from '../emulator/helpers';

let emulator: EmulatorProcess | undefined;
afterAll(async () => emulator?.close());

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

it('runs emulator/main.ts apart, applies the config, counts the calls, and exits on close', async () => {
  emulator = await startEmulatorProcess({ limits: { replicasPerPrimary: 40 } });
  expect(emulator.pid).not.toBe(process.pid);
  const client = new ChimeSDKMeetingsClient({
    region: 'us-east-1',
    endpoint: emulator.endpoint,
    credentials: CREDENTIALS,
  });
  try {
    await client.send(
      new CreateMeetingCommand({
        ClientRequestToken: 'process-check',
        ExternalMeetingId: 'process-check',
        MediaRegion: 'us-east-1',
      }),
    );
  } finally {
    client.destroy();
  }
  const counters = await emulator.counters();
  expect(counters.operations.CreateMeeting).toEqual({ calls: 1, succeeded: 1, throttled: 0, failed: 0 });
  expect(counters.totals).toMatchObject({ calls: 1, meetingsCreated: 1 });

  const config = await emulator.configure({ rateLimits: { account: { ratePerSecond: 5 } } });
  expect(config.limits.replicasPerPrimary).toBe(40);
  expect(config.rateLimits.account.ratePerSecond).toBe(5);
  await expect(emulator.configure({ rateLimits: { account: { ratePerSecond: -1 } } })).rejects.toThrow(
    /400 .*ratePerSecond/,
  );

  const { pid } = emulator;
  await emulator.close();
  emulator = undefined;
  expect(alive(pid)).toBe(false);
}, 90_000);
