/**
 * A throw-away git repository for the deploy-baseline tests: `main` (what production runs) holds
 * the users table; the checked-out `feature` branch adds two pending migrations. `orders` is created
 * empty by a pending migration, `archive` is created full (CREATE TABLE AS), `users` is deployed.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const DEPLOYED = { 'm/001_users.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' };

export const PENDING = {
  'm/002_orders.sql': [
    'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total int, note text);',
    'CREATE TABLE archive AS SELECT * FROM users;',
    '',
  ].join('\n'),
  // One statement per line: line N+1 holds statement N.
  'm/003_orders_more.sql': [
    'CREATE INDEX orders_user ON orders (user_id);',
    'ALTER TABLE orders ADD CONSTRAINT total_pos CHECK (total > 0);',
    'ALTER TABLE orders ALTER COLUMN total TYPE bigint;',
    'ALTER TABLE orders ALTER COLUMN note SET NOT NULL;',
    'CREATE INDEX archive_email ON archive (email);',
    'CREATE INDEX users_email ON users (email);',
    '',
  ].join('\n'),
};

/** Lines (1-based) of 003_orders_more.sql whose statements touch only the empty pending table `orders`. */
export const ORDERS_LINES = [1, 2, 3, 4];

export interface GitRepo {
  dir: string;
  git(...args: string[]): string;
}

/** The repository with `feature` checked out; `main` is one commit behind it. */
export function gitRepo(prefix = 'lockwise-baseline-'): GitRepo {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  const git = (...args: string[]) => {
    const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  git('init', '-q', '-b', 'main');
  writeAll(dir, DEPLOYED);
  git('add', '.');
  git('commit', '-q', '-m', 'deployed');
  git('checkout', '-q', '-b', 'feature');
  writeAll(dir, PENDING);
  git('add', '.');
  git('commit', '-q', '-m', 'pending');
  return { dir, git };
}

export function writeAll(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}
