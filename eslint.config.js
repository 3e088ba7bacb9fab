// Lint rules that catch real defects: un-awaited promises, non-exhaustive switches, floating money math is left to review.
import tseslint from 'typescript-eslint';
import { boundaries } from './eslint.boundaries.js';

export default tseslint.config(
  { ignores: ['node_modules/**', '.lastro/**', 'coverage/**', 'openapi.json', 'bin/**', 'dist/**', 'scripts/*.mjs', 'eslint.config.js', 'eslint.boundaries.js'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Fastify handlers and pg rows are typed at the edges; these rules fight the schema-typed style.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/require-await': 'off',
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected Clock.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { lastro: boundaries },
    rules: { 'lastro/module-boundaries': 'error', 'lastro/sql-in-repos': 'error' },
  },
  {
    files: ['test/**', 'bench/**', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': 'off',
      '@typescript-eslint/unbound-method': 'off',
      // Tests read parsed JSON responses; typing every body would only restate the assertions.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
