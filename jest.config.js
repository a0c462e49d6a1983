/** @type {import('jest').Config} */
module.exports = {
  roots: ['<rootDir>/test'],
  testEnvironment: 'node',
  setupFilesAfterEnv: ['<rootDir>/test/setup/clock.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleNameMapper: { '^@azure/functions-core$': '<rootDir>/runtime/functionsCore.ts' },
  testTimeout: 60000,
  collectCoverageFrom: ['shared/**/*.ts'],
  coverageThreshold: { './shared/': { lines: 90 } },
  coverageReporters: ['text-summary', 'text'],
};
