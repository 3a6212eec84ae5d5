import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/testing/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The connection URL of the run's PostgreSQL (its `postgres` maintenance database). */
    postgresUrl: string;
  }
}

/**
 * Starts one embedded PostgreSQL for the whole test run (see `startEmbeddedPostgres`: a free
 * port of 127.0.0.1, a data folder of its own, ICU English collation on purpose) and hands its
 * URL to the tests (`inject('postgresUrl')`; `freshDatabase()` in `src/testing/postgres.ts`
 * gives each test file a database of its own). The returned teardown stops it and removes the
 * folder, also when tests failed.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startEmbeddedPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
