/** The include/exclude selection shared by the CLI and the editor (project/selection.ts), one case per rule of its header. */
import * as assert from 'assert';
import * as path from 'path';
import { select } from '../../server/src/project/selection';

const base = path.resolve('/work/app');
const at = (rel: string) => path.join(base, rel);
const globs = { include: ['db/**/*.sql'], exclude: ['**/seeds/**'] };

describe('file selection (CLI and editor)', () => {
  it('matches include and exclude against the path relative to base', () => {
    assert.strictEqual(select({ file: at('db/001.sql'), base }, globs), 'selected');
    assert.strictEqual(select({ file: at('other/001.sql'), base }, globs), 'excluded');
    assert.strictEqual(select({ file: at('db/seeds/001.sql'), base }, globs), 'excluded');
  });

  it('1. a file named on the command line is always checked', () => {
    assert.strictEqual(select({ file: at('db/seeds/001.sql'), base, explicit: true }, globs), 'selected');
    assert.strictEqual(select({ file: at('notes.txt'), base, explicit: true }, globs), 'selected');
  });

  it('2. an editor document without a SQL language or name is not SQL', () => {
    assert.strictEqual(select({ file: at('db/notes.txt'), base, sqlLanguage: false }, globs), 'not-sql');
    assert.strictEqual(select({ file: at('db/002.sql'), base, sqlLanguage: false }, globs), 'selected');
  });

  it('3. a document set to a SQL language is checked whatever its name; exclude still applies; the CLI applies include to every name', () => {
    assert.strictEqual(select({ file: at('scratch/query.txt'), base, sqlLanguage: true }, globs), 'selected');
    assert.strictEqual(select({ file: at('db/seeds/query.txt'), base, sqlLanguage: true }, globs), 'excluded');
    assert.strictEqual(select({ file: at('scratch/query.txt'), base }, globs), 'excluded');
  });

  it('4. a file outside base: exclude by absolute path, include does not apply', () => {
    const outside = path.resolve('/elsewhere/migrations/001.sql');
    assert.strictEqual(select({ file: outside, base }, globs), 'selected');
    assert.strictEqual(select({ file: path.resolve('/elsewhere/seeds/001.sql'), base }, globs), 'excluded');
  });

  it('no globs: every SQL file', () => {
    assert.strictEqual(select({ file: at('x/y.psql'), base }, { include: [], exclude: [] }), 'selected');
  });
});
