/*
 * The chart keeps its tests in tests/ rather than src/, where the Backstage CLI looks by default.
 * This config mirrors the CLI's settings for Node packages with that one difference; the CLI
 * picks it up for both `yarn workspace @portico/helm-chart test` and the repository-wide run.
 */
const path = require('node:path');

const swcTransform = require.resolve('@backstage/cli/config/jestSwcTransform');
const moduleOptions = {
  module: { ignoreDynamic: true, exportInteropAnnotation: true },
};

module.exports = {
  displayName: '@portico/helm-chart',
  rootDir: path.join(__dirname, 'tests'),
  testMatch: ['**/*.test.ts'],
  testEnvironment: require.resolve('jest-environment-node'),
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  transform: {
    '\\.(js|cjs)$': [
      swcTransform,
      { ...moduleOptions, jsc: { parser: { syntax: 'ecmascript' } } },
    ],
    '\\.ts$': [
      swcTransform,
      { ...moduleOptions, jsc: { parser: { syntax: 'typescript' } } },
    ],
  },
};
