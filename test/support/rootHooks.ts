/** Mocha root hooks (loaded by .mocharc.json): stop the shared PostgreSQL server after the run. */
import { stopSharedPgServer } from './pgServer';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedPgServer();
  },
};
