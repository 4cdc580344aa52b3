/**
 * The bounded glob matcher (project/glob.ts): the same answers as picomatch on the globs people
 * write, and a bounded cost on the ones a hostile `.lockwise.json` can hold.
 */
import * as assert from 'assert';
import picomatch from 'picomatch';
import { globBase, globMatcher } from '../../server/src/project/glob';

const PATHS = [
  'a.sql',
  'm/001.sql',
  'm/sub/002.sql',
  'node_modules/x/1.sql',
  'a/node_modules/b.sql',
  '.hidden/x.sql',
  'm/.x.sql',
  'db/migrate/20240101_init.sql',
  'seeds/s.psql',
  'x.pgsql',
  'README.md',
  'a[1].sql',
  'm/a,b.sql',
  'v1/up.sql',
  'v2/down.sql',
  '/abs/m/1.sql',
];
const PATTERNS = [
  '**/*.sql',
  '**/*.{sql,psql,pgsql}',
  '**/node_modules/**',
  'm/*.sql',
  'm/**',
  '*.sql',
  'm/**/*.sql',
  'db/migrate/2024*.sql',
  '**/seeds/**',
  '?.sql',
  'v[12]/*.sql',
  '**/*',
  '!**/*.md',
  'm/a\\,b.sql',
  './m/*.sql',
  '**/.x.sql',
  'a\\[1\\].sql',
  '/abs/**/*.sql',
  '/abs/m/*.sql',
];

describe('bounded glob matcher', function () {
  for (const dot of [true, false]) {
    it(`agrees with picomatch on common globs (dot: ${dot})`, () => {
      for (const pattern of PATTERNS) {
        const ours = globMatcher([pattern], { dot });
        const theirs = picomatch([pattern], { dot });
        for (const p of PATHS) assert.strictEqual(ours(p), theirs(p), `${pattern} on ${p} (dot: ${dot})`);
      }
    });
  }

  it('matches pathological globs in bounded time (picomatch backtracks for minutes)', () => {
    const subject = 'a'.repeat(200);
    const hostile = ['a*'.repeat(40) + 'b', '**/'.repeat(30) + 'x', '*'.repeat(5000) + 'b', '{a,b}'.repeat(30) + 'c', '[a-z]*'.repeat(50) + '!'];
    for (const pattern of hostile) {
      const started = Date.now();
      const matches = globMatcher([pattern], { dot: true });
      for (let i = 0; i < 20; i++) matches(`${subject}/${subject}/${subject}`);
      assert.ok(Date.now() - started < 1000, `${pattern.slice(0, 40)}…: ${Date.now() - started} ms`);
    }
  });

  it('negated classes exclude their characters (POSIX; picomatch differs here)', () => {
    const m = globMatcher(['v[!1]/*.sql'], { dot: true });
    assert.deepStrictEqual(['v1/up.sql', 'v2/down.sql'].map(m), [false, true]);
  });

  it('finds the folder to walk from', () => {
    assert.strictEqual(globBase('m/**/*.sql'), 'm');
    assert.strictEqual(globBase('*.sql'), '');
    assert.strictEqual(globBase('a/b/c.sql'), 'a/b/c.sql');
    assert.strictEqual(globBase('/tmp/x/{a,b}.sql'), '/tmp/x');
  });
});
