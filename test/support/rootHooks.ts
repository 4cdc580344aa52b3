/** Mocha root hooks (loaded by .mocharc.json): stop the shared PostgreSQL server after the run. */
import { stopSharedPgServer } from './pgServer';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    // A shutdown checkpoint after a suite that made many databases, and deleting them, can outlast
    // the default 30 s on a loaded machine (seen with the fix equivalence suite at load 20).
    this.timeout(180_000);
    await stopSharedPgServer();
  },
};
