/**
 * The join API's process (`npm run join-api`): its settings from the environment (exit 2 naming every bad
 * variable, config.ts), the workers' PostgreSQL credential store, a Temporal client for the published status,
 * and a clean stop on SIGINT or SIGTERM. The API itself is server.ts beside this file.
 */
import { openCredentialStore } from '../../activities/credentials';
import { exitOnStopSignals, runMain } from '../cli/run-main';
import { ConfigError, connectClient } from '../temporal/connection';
import { readJoinApiConfig, type JoinApiConfig } from './config';
import { joinPage } from './page';
import { describePhase } from './published-phase';
import { startJoinApi } from './server';

const EXIT_CONFIG = 2;

function line(entry: Record<string, unknown>): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), service: 'join-api', ...entry })}\n`,
  );
}

async function main(env: NodeJS.ProcessEnv = process.env): Promise<number | void> {
  let config: JoinApiConfig;
  try {
    config = readJoinApiConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee docs/join-api.md ("Configuration") for every variable.\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const store = await openCredentialStore(config.store, config.storeKeys);
  const client = await connectClient(config.temporal);
  const running = await startJoinApi({
    port: config.port,
    host: config.host,
    store,
    // The page is what a join link opens, so it is served with the link flow.
    ...(config.linkKeys ? { linkKeys: config.linkKeys, page: joinPage() } : {}),
    ...(config.serviceTokens ? { serviceTokens: config.serviceTokens } : {}),
    phaseOf: (webinarId) => describePhase(client, webinarId),
    log: line,
  });
  line({
    event: 'listening',
    url: running.url,
    flows: [config.linkKeys ? 'link' : undefined, config.serviceTokens ? 'service' : undefined].filter(
      Boolean,
    ),
  });
  exitOnStopSignals(async () => {
    await running.close();
    await Promise.all([store.close(), client.connection.close()]);
  });
}

// main() returns once the server listens: it keeps serving until a signal stops it.
if (require.main === module) runMain(() => main(), { errors: 'message' });
