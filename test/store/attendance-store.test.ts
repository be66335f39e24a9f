/** The attendance rows of the credential store on PGlite, the embedded engine of the demo and the default tests. */
import { PGlite } from '@electric-sql/pglite';
import { pgliteSql } from '../../activities/credentials';
import { attendanceStoreCases } from '../support/attendance-store-cases';

jest.setTimeout(60_000);

describe('attendance store on PGlite', () => {
  attendanceStoreCases(async () => pgliteSql(await PGlite.create()));
});
