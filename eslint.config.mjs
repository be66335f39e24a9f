// @ts-check
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// Every Node built-in (from Node itself, so none is missed: async_hooks, inspector, module, diagnostics_channel, ...).
const nodeBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.startsWith('node:'));

const shippedCodePatterns = [
  {
    group: ['@temporalio/testing', '@temporalio/testing/*'],
    message: '@temporalio/testing is a dev dependency: shipped code may not import it.',
  },
  {
    group: ['**/tooling', '**/tooling/*', '**/tooling/**'],
    message: 'tooling/ is development tooling and does not ship.',
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      '.tools/**',
      'coverage/**',
      'eslint.config.mjs',
      'jest.config.js',
      'jest-pglite-transform.js',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // What ships (tsconfig.build.json) must not depend on development tooling: @temporalio/testing is a dev
    // dependency, and tooling/ (the Temporal server resolver, the local stack) is not in the image.
    files: ['worker/**/*.ts', 'activities/**/*.ts', 'client/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: shippedCodePatterns }],
    },
  },
  {
    // Workflow code must be deterministic: no Node built-ins, no AWS SDK values, no clocks but Temporal's.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.flatMap((name) => [
            { name, message: 'Workflow code may not use Node built-ins.' },
            { name: `node:${name}`, message: 'Workflow code may not use Node built-ins.' },
          ]),
          patterns: [
            {
              group: ['@aws-sdk/*'],
              allowTypeImports: true,
              message: 'Workflow code may only import types from the AWS SDK.',
            },
            {
              group: ['../activities/*', '../worker/*', '../client/*', '../emulator/*'],
              allowTypeImports: true,
            },
            ...shippedCodePatterns,
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'setInterval', message: 'Use sleep() from @temporalio/workflow.' },
        { name: 'process', message: 'Workflow code may not read the process.' },
      ],
    },
  },
);
