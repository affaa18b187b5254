// ESLint: typescript-eslint's recommended rules over src/, test/ and bench/; formatting is Prettier's
// (.prettierrc.json), so eslint-config-prettier turns off the rules that would fight it.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.cache/', 'data/', 'coverage/', 'test/generated/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  // The pages' scripts run in the browser; Chart.js is loaded before them (/vendor/chart.umd.min.js).
  { files: ['public/**/*.js'], languageOptions: { globals: { ...globals.browser, Chart: 'readonly' } } },
  { files: ['*.js'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } } },
  {
    files: ['**/*.ts', '**/*.mjs'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // Unused names are errors, except those starting with _ (deliberately ignored arguments and destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
