/** The credential store on PGlite, the embedded engine of the demo and the default tests. */
import { PGlite } from '@electric-sql/pglite';
import { pgliteSql } from '../../activities/credentials';
import { credentialStoreCases } from '../support/credential-store-cases';

jest.setTimeout(60_000);

describe('credential store on PGlite', () => {
  credentialStoreCases(async () => pgliteSql(await PGlite.create()));
});
