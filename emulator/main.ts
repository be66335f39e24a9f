import { CONTROL_REGIONS } from '../domain/regions';
import { startEmulator } from './index';

function portFromArgs(argv: string[]): number | undefined {
  const i = argv.findIndex((a) => a === '--port' || a.startsWith('--port='));
  if (i < 0) return undefined;
  const arg = argv[i] ?? '';
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
  return value === undefined ? undefined : Number(value);
}

async function main(): Promise<void> {
  const port = portFromArgs(process.argv.slice(2)) ?? Number(process.env.CHIME_EMULATOR_PORT ?? 8088);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid port ${String(port)}: use --port <n> or CHIME_EMULATOR_PORT`);
  }
  const host = process.env.CHIME_EMULATOR_HOST ?? '127.0.0.1';
  // Unset or empty: the admin API is open, as suits a laptop. Set it wherever others can reach the port.
  const adminToken = process.env.CHIME_EMULATOR_ADMIN_TOKEN || undefined;
  // Set: every control Region's meeting events go to this queue (created empty), as an EventBridge rule would.
  const eventsQueue = process.env.CHIME_EMULATOR_EVENTS_QUEUE || undefined;
  const config = eventsQueue
    ? { events: { defaultQueues: Object.fromEntries(CONTROL_REGIONS.map((r) => [r, eventsQueue])) } }
    : undefined;
  const emulator = await startEmulator({ port, host, adminToken, config });
  console.log(
    `Chime SDK Meetings emulator listening on ${emulator.endpoint} (admin API ${adminToken ? 'needs the admin token' : 'open'}${eventsQueue ? `; meeting events to the SQS queue ${eventsQueue}` : ''})`,
  );
  const stop = (signal: string): void => {
    console.log(`${signal}: stopping the emulator`);
    emulator.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
