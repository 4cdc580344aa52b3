/**
 * `lockwise trace` reads files with the lint's guarded readers (issue 12): a FIFO among the schema
 * history hung it, a dangling symlink gave an internal error. Unreadable history files are skipped
 * and listed, as the lint skips them; an unreadable migration is exit 2 with one line.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../../..');

function trace(args: string[]) {
  return spawnSync(process.execPath, [path.join(REPO, 'dist/cli.js'), 'trace', '--format', 'json', ...args], { cwd: REPO, encoding: 'utf8', timeout: 60000 });
}

describe('trace reads files like lint', function () {
  this.timeout(90000);

  it('skips a FIFO and a dangling symlink in the schema history instead of hanging or failing', function () {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-trace-')));
    fs.writeFileSync(path.join(dir, '001_t.sql'), 'CREATE TABLE t (id bigint, c text);\n');
    if (spawnSync('mkfifo', [path.join(dir, '002_fifo.sql')]).status !== 0) return this.skip();
    fs.symlinkSync(path.join(dir, 'missing.sql'), path.join(dir, '003_dangling.sql'));
    fs.writeFileSync(path.join(dir, '004_index.sql'), 'CREATE INDEX i ON t (c);\n');
    const r = trace([path.join(dir, '004_index.sql')]);
    assert.strictEqual(r.error, undefined, `trace did not finish: ${r.error}`);
    assert.strictEqual(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    const file = report.files[0];
    assert.deepStrictEqual(
      file.history.files.map((f: string) => path.basename(f)),
      ['001_t.sql'],
    );
    assert.deepStrictEqual(file.history.failures.map((f: { file: string }) => path.basename(f.file)).sort(), ['002_fifo.sql', '003_dangling.sql']);
    assert.ok(file.statements[0].ok, 'the index was built on the history table');
  });

  it('refuses a FIFO as the migration with one line, exit 2', function () {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-trace-')));
    if (spawnSync('mkfifo', [path.join(dir, '001.sql')]).status !== 0) return this.skip();
    const r = trace([path.join(dir, '001.sql')]);
    assert.strictEqual(r.error, undefined, `trace did not finish: ${r.error}`);
    assert.strictEqual(r.status, 2, r.stderr);
    assert.match(r.stderr, /^lockwise: cannot read .*001\.sql: not a regular file\n$/);
  });
});
