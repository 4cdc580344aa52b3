/**
 * The real migration runners installed by scripts/runners/install.sh, driven as their users drive
 * them: each applies a project folder to one database of the test server. Suites call
 * `requireRunner(this, id)`: it skips with one clear line when the runner is not installed, unless
 * LOCKWISE_REQUIRE_RUNNERS=1 (set by .ci/run), where a missing runner fails the run.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PgServer } from './pgServer';

const ROOT = resolve(__dirname, '../../..');
const NPM_BIN = join(ROOT, 'scripts', 'runners', 'node_modules', '.bin');

export type RealRunnerId = 'dbmate' | 'graphile-migrate' | 'sqitch' | 'sql-migrate';
export const REAL_RUNNERS: readonly RealRunnerId[] = ['dbmate', 'graphile-migrate', 'sqitch', 'sql-migrate'];

export interface RunResult {
  ok: boolean;
  /** stdout and stderr of the runner, for failure messages and error assertions. */
  output: string;
}

interface Invocation {
  args: string[];
  env: Record<string, string>;
}

/** How each runner is told to apply every pending migration of the project in `cwd` to `url`. */
const INVOCATIONS: Record<RealRunnerId, (server: PgServer, database: string) => Invocation> = {
  // dbmate reads migrations from ./db/migrations; sslmode=disable because the test server has no TLS.
  dbmate: (s, db) => ({ args: ['--url', `${s.url(db)}?sslmode=disable`, '--no-dump-schema', 'up'], env: {} }),
  // graphile-migrate takes the connection from DATABASE_URL when .gmrc names none.
  'graphile-migrate': (s, db) => ({ args: ['migrate'], env: { DATABASE_URL: s.url(db) } }),
  // sqitch deploys sqitch.plan's changes with psql; the planner identity is needed for its registry.
  sqitch: (s, db) => ({
    args: ['deploy', `db:pg://postgres@${s.host}:${s.port}/${db}`],
    env: { SQITCH_FULLNAME: 'Lockwise proof', SQITCH_EMAIL: 'proof@lockwise.invalid' },
  }),
  // sql-migrate reads dbconfig.yml, whose datasource is ${DATABASE_URL}.
  'sql-migrate': (s, db) => ({
    args: ['up', '-env=production'],
    env: { DATABASE_URL: `${s.url(db)}?sslmode=disable` },
  }),
};

/** The runner's executable, or undefined when it is not installed. */
export function runnerBinary(id: RealRunnerId): string | undefined {
  if (id === 'dbmate' || id === 'graphile-migrate') {
    const bin = join(NPM_BIN, id);
    return existsSync(bin) ? bin : undefined;
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, id))) return join(dir, id);
  }
  return undefined;
}

const REQUIRED = process.env.LOCKWISE_REQUIRE_RUNNERS === '1';

/** For mocha `before` hooks: the runner's binary; skips (or fails under LOCKWISE_REQUIRE_RUNNERS=1) without it. */
export function requireRunner(ctx: Mocha.Context, id: RealRunnerId): string {
  const bin = runnerBinary(id);
  if (bin) return bin;
  const why = `${id} not installed (run scripts/runners/install.sh)`;
  if (REQUIRED) throw new Error(`${why}; LOCKWISE_REQUIRE_RUNNERS=1 requires it`);
  console.log(`      skipped: ${why}`);
  ctx.skip();
}

/** Applies every migration of the project in `dir` to `database` with the real runner. */
export function applyWithRunner(id: RealRunnerId, dir: string, server: PgServer, database: string): Promise<RunResult> {
  const bin = runnerBinary(id);
  if (!bin) return Promise.reject(new Error(`${id} not installed`));
  const { args, env } = INVOCATIONS[id](server, database);
  return new Promise((done) => {
    execFile(bin, args, { cwd: dir, env: { ...process.env, ...env, NO_COLOR: '1' }, timeout: 60_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) =>
      done({ ok: !err, output: `${stdout}${stderr}` }),
    );
  });
}
