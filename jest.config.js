import os from 'node:os';

/** Jest runs the TypeScript sources directly through ts-jest in ESM mode. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }],
  },
  testTimeout: 60000,
  // Jest's default (one worker less than the cores) leaves a 2-core machine with one worker, and
  // the suite twice as long: the tests' child processes and the main process are mostly idle.
  maxWorkers: Math.max(2, os.availableParallelism() - 1),
  // Says once, before the tests, when something of ../shared that some of them need is missing.
  globalSetup: '<rootDir>/test/global-setup.mjs',
};
