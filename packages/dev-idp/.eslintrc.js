module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  overrides: [
    {
      // The provider is plain ES modules: oidc-provider ships only as ESM.
      files: ['*.mjs'],
      parserOptions: { sourceType: 'module', ecmaVersion: 2022 },
    },
  ],
});
