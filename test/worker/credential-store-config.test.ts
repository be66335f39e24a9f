/** The credential store's settings from the environment: the engines, and errors that name the variable. */
import { generateEncryptionKey } from '../../client/temporal/codec';
import { ConfigError, loadWorkerConfig } from '../../worker/config';
import { readCredentialStoreSettings } from '../../client/credential-store/settings';
import type { ConfigProblem } from '../../client/temporal/connection';

const KEYS = `${generateEncryptionKey('k2')},${generateEncryptionKey('k1')}`;

function read(env: NodeJS.ProcessEnv) {
  const problems: ConfigProblem[] = [];
  return { settings: readCredentialStoreSettings(env, problems), problems };
}

it('keeps no store unless asked; PGlite in memory is sealed with the payload keys when there are some', () => {
  expect(read({}).settings).toEqual({});
  expect(loadWorkerConfig({}).credentials.store).toBeUndefined();
  expect(read({ CREDENTIAL_STORE_URL: 'pglite:memory' }).settings?.store).toEqual({ engine: 'pglite' });
  const { settings } = read({ CREDENTIAL_STORE_URL: 'pglite:memory', PAYLOAD_ENCRYPTION_KEYS: KEYS });
  expect(settings?.keys?.map((k) => k.id)).toEqual(['k2', 'k1']);
});

it('takes PostgreSQL URLs and a PGlite folder, which need the payload keys', () => {
  const url = 'postgres://app:pw@db:5432/credentials';
  expect(read({ CREDENTIAL_STORE_URL: url, PAYLOAD_ENCRYPTION_KEYS: KEYS }).settings?.store).toEqual({
    engine: 'postgres',
    url,
  });
  expect(
    read({
      CREDENTIAL_STORE_URL: 'postgresql://db/c',
      CREDENTIAL_STORE_MAX_CONNECTIONS: '4',
      PAYLOAD_ENCRYPTION_KEYS: KEYS,
    }).settings?.store,
  ).toEqual({ engine: 'postgres', url: 'postgresql://db/c', maxConnections: 4 });
  expect(
    read({ CREDENTIAL_STORE_URL: 'pglite:/var/lib/credentials', PAYLOAD_ENCRYPTION_KEYS: KEYS }).settings
      ?.store,
  ).toEqual({ engine: 'pglite', dataDir: '/var/lib/credentials' });
  const missing = read({ CREDENTIAL_STORE_URL: url }).problems;
  expect(missing.map((p) => p.variable)).toEqual(['PAYLOAD_ENCRYPTION_KEYS']);
  expect(missing[0]?.message).toMatch(/outlives the process/);
});

it('names the bad variable and never repeats the URL', () => {
  for (const bad of ['mysql://u:hunter2@db/x', 'not a url hunter2', 'pglite:relative/hunter2']) {
    const { settings, problems } = read({ CREDENTIAL_STORE_URL: bad, PAYLOAD_ENCRYPTION_KEYS: KEYS });
    expect(settings).toBeUndefined();
    expect(problems.map((p) => p.variable)).toEqual(['CREDENTIAL_STORE_URL']);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  }
  expect(
    read({
      CREDENTIAL_STORE_URL: 'postgres://db/x',
      CREDENTIAL_STORE_MAX_CONNECTIONS: '0',
      PAYLOAD_ENCRYPTION_KEYS: KEYS,
    }).problems[0]?.variable,
  ).toBe('CREDENTIAL_STORE_MAX_CONNECTIONS');
  expect(() => loadWorkerConfig({ CREDENTIAL_STORE_URL: 'ftp://x' })).toThrow(ConfigError);
  expect(() => loadWorkerConfig({ CREDENTIAL_STORE_URL: 'ftp://x' })).toThrow(/CREDENTIAL_STORE_URL/);
});
