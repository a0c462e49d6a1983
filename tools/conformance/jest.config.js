/** The conformance suite's jest config (npm run test:conformance): its own test files and reporter. */
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/conformance/**/*.conformance.ts'],
  testTimeout: 300000,
  collectCoverageFrom: undefined,
  coverageThreshold: undefined,
  reporters: ['<rootDir>/tools/conformance/reporter.js'],
};
