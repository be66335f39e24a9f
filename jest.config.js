/** @type {import('jest').Config} */
module.exports = {
  // Node's environment, with the logs of the code under test held back and shown only with a failing test
  // (test/support/quiet-environment.ts; TEST_LOG_LEVEL=info shows them live).
  testEnvironment: '<rootDir>/test/support/quiet-environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
    '/node_modules/@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/jest-pglite-transform.js',
  },
  // PGlite's files go through their transform (jest-pglite-transform.js); all other packages as they are.
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 120000,
  // Each test file starts its own Temporal server; two cores run two files at a time.
  maxWorkers: 2,
  verbose: true,
};
