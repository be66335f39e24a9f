/** The credential store (outside Temporal): see docs/credential-store.md. */
export { openCredentialStore, isDurable, type CredentialStoreConfig } from './open';
export { SqlCredentialStore } from './store';
export { KeyRing, CredentialDecryptionError } from './sealing';
export { MIGRATIONS, migrate, type Migration } from './migrations';
export { pgliteSql, postgresSql, type Sql } from './sql';
