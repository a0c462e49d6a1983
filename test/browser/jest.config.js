/** The real-browser suite (`npm run test:browser`): not part of `npm test`, a laptop may lack Chromium. */
const base = require('../../jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: '../..',
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.browser.ts'],
  collectCoverageFrom: undefined,
  coverageThreshold: undefined,
  reporters: ['default', '<rootDir>/test/browser/summary.js'],
  testTimeout: 120000,
};
