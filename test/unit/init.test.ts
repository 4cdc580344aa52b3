/** `lockwise init`: the version hint, the migration folders and the runner it writes to .lockwise.json. */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { majorFromTag, versionFromCompose, versionFromToolVersions } from '../../server/src/project/setup';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-init-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function init(dir: string) {
  return spawnSync(process.execPath, [CLI, 'init'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
}

function written(dir: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, '.lockwise.json'), 'utf8'));
}

describe('lockwise init', () => {
  it('reads the major version from image tags and .tool-versions', () => {
    assert.deepStrictEqual(['16', '16.2-alpine', '15-3.4', 'latest-pg14', '2.14.2-pg17', 'latest', '8'].map(majorFromTag), [
      16,
      16,
      15,
      14,
      17,
      undefined,
      undefined,
    ]);
    const compose = 'services:\n  cache:\n    image: redis:7\n  db:\n    image: "postgis/postgis:15-3.4"\n';
    assert.deepStrictEqual(versionFromCompose(compose), { image: 'postgis/postgis:15-3.4', pgVersion: 15 });
    assert.strictEqual(versionFromCompose('services:\n  db:\n    image: postgres:latest\n'), undefined);
    assert.strictEqual(versionFromToolVersions('nodejs 20.1.0\npostgres 14.11\n'), 14);
  });

  it('writes the version, the migration folder and its runner, and prints the next commands', () => {
    const dir = project({
      'docker-compose.yml': 'services:\n  db:\n    image: postgres:16-alpine\n',
      'db/migrations/20240101_users.sql': '-- +goose Up\nCREATE TABLE users (id bigint);\n',
      'db/migrations/20240102_idx.sql': '-- +goose Up\nCREATE INDEX users_id ON users (id);\n',
      'db/seeds/users.sql': 'INSERT INTO users VALUES (1);\n',
    });
    const r = init(dir);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.deepStrictEqual(written(dir), { pgVersion: 16, runner: 'goose', include: ['db/migrations/**/*.{sql,psql,pgsql}'] });
    assert.match(r.stdout, /pgVersion 16 \(from docker-compose\.yml: image postgres:16-alpine\)/);
    assert.match(r.stdout, /npx lockwise lint db\/migrations\n/);
  });

  it('takes the folder above one-folder-per-migration layouts, and leaves the runner out when folders differ', () => {
    const dir = project({
      '.tool-versions': 'postgres 13.4\n',
      'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
      'prisma/migrations/20240101_init/migration.sql': 'CREATE TABLE a (id int);\n',
      'sql/V1__init.sql': 'CREATE TABLE b (id int);\n',
      'sql/V2__idx.sql': 'CREATE INDEX b_id ON b (id);\n',
    });
    assert.strictEqual(init(dir).status, 0);
    assert.deepStrictEqual(written(dir), { pgVersion: 13, include: ['prisma/migrations/**/*.{sql,psql,pgsql}', 'sql/**/*.{sql,psql,pgsql}'] });
  });

  it('never overwrites an existing .lockwise.json (exit 2)', () => {
    const dir = project({ '.lockwise.json': '{"pgVersion": 12}\n' });
    const r = init(dir);
    assert.strictEqual(r.status, 2);
    assert.match(r.stderr, /already exists/);
    assert.deepStrictEqual(written(dir), { pgVersion: 12 });
  });
});
