/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', isolatedModules: true }] },
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 120000,
  // Each test file starts its own Temporal server; two cores run two files at a time.
  maxWorkers: 2,
  verbose: true,
};
