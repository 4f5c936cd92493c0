// ESLint (flat config) for the extension's sources: the recommended rules, with the globals
// of the place each file runs in. `npm run lint`.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['dist/', 'node_modules/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: 'module',
      globals: {
        ...globals.browser,
        ...globals.webextensions,
        // Replaced by the build (scripts/build.mjs, esbuild's define).
        __CANDOR_API_URL__: 'readonly',
        __CANDOR_PUBLIC_KEY__: 'readonly',
        __CANDOR_DEVELOPMENT__: 'readonly',
      },
    },
  },
  {
    files: ['scripts/**/*.mjs', 'test/**/*.js', 'eslint.config.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.node },
  },
  {
    // Unit tests install a fake `chrome` (test/support/fake-ext.js); the browser tests
    // also hand functions to pages and the service worker, which run them there.
    files: ['test/**/*.js'],
    languageOptions: { globals: { ...globals.node, ...globals.browser, ...globals.webextensions } },
  },
];
