module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // The refusal cases assert through one shared helper
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expectRefused'] },
    ],
  },
});
