import { defineConfig } from 'vitest/config';

// Two projects run the same integration suites on the two engines:
//   pglite — `npm test`: unit tests and integration tests on embedded PGlite, no services needed;
//   pg     — `npm run test:pg`: integration tests on PostgreSQL from DATABASE_URL, in a fresh
//            database created for the run and dropped after it.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'pglite',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/pg/**'],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { LASTRO_TEST_ENGINE: 'pglite' },
        },
      },
      {
        extends: true,
        test: {
          name: 'pg',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts', 'test/pg/**/*.test.ts'],
          globalSetup: ['test/helpers/global-setup.ts'],
          env: { LASTRO_TEST_ENGINE: 'postgres' },
        },
      },
    ],
  },
});
