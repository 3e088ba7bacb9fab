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
    // A transfer's path. Node 20's V8, once it optimises `{ ...obj, extra }` (a spread first, then
    // properties it adds), gives each object it makes a hidden class of its own: the classes pile
    // up in the old generation and the scavenger keeps and promotes the objects behind them (a
    // group of 16 transfers left 30 KB in the old generation through its postings alone;
    // bench/README.md "Objects that outlived their transaction"). Write such objects out in full,
    // or put the spread after the properties when it cannot override them.
    files: [
      'src/modules/ledger/payments.service.ts',
      'src/modules/ledger/payments.repo.ts',
      'src/modules/ledger/payments.events.ts',
      'src/modules/ledger/journal.service.ts',
      'src/modules/ledger/journal.repo.ts',
      'src/modules/ledger/ledger.postings.ts',
      'src/modules/ledger/transfer-groups.ts',
      'src/platform/outbox.ts',
      'src/platform/db/*.ts',
      'src/platform/tenant.ts',
    ],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > SpreadElement:first-child ~ Property',
          message: 'On the transfer path, write the object out (or spread last): `{ ...obj, extra }` gets a hidden class per object once V8 optimises it.',
        },
      ],
    },
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
