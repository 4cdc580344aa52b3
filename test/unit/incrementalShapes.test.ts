/**
 * The statements an edit moves keep the hidden class V8 gave the statements the splitter built
 * (core/incremental/statements.ts `moved`): with a class of their own, every function that reads
 * statements met two classes after each edit and was deoptimised and optimised again
 * (bench/FINDINGS.md, session 16). Checked with V8's %HaveSameMap in a child process, the only place
 * that flag can be given.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';

const CHECK = `
const core = require(process.argv[1] + '/core/index.js');
const { buildStatements } = require(process.argv[1] + '/core/model/statements.js');
const { rebuiltStatements } = require(process.argv[1] + '/core/incremental/statements.js');
const { textChange } = require(process.argv[1] + '/core/incremental/shift.js');
(async () => {
  await core.initParser();
  const parts = [];
  for (let i = 0; i < 40; i++) parts.push('ALTER TABLE t' + i + ' ADD COLUMN c' + i + ' text;', 'CREATE INDEX i' + i + ' ON t' + i + ' (c' + i + ');');
  const before = parts.join('\\n') + '\\n';
  const at = before.indexOf('\\n', before.length >> 1) + 1;
  const after = before.slice(0, at) + 'SELECT 1;\\n' + before.slice(at);
  const built = buildStatements(before);
  const rebuilt = rebuiltStatements(after, before, built, textChange(before, after));
  const moved = rebuilt.statements.filter((s) => !built.statements.includes(s));
  const sameClass = moved.filter((s) => %HaveSameMap(s, built.statements[0])).length;
  process.stdout.write(JSON.stringify({ moved: moved.length, sameClass }));
})();
`;

describe('incremental re-split: hidden classes', () => {
  it('a statement moved by an edit has the hidden class of a built one', () => {
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', CHECK, path.join(__dirname, '../../server/src')], {
      encoding: 'utf8',
      timeout: 60000,
    });
    assert.strictEqual(run.status, 0, run.stderr);
    const { moved, sameClass } = JSON.parse(run.stdout) as { moved: number; sameClass: number };
    assert.ok(moved > 30, `${moved} statements moved`);
    assert.strictEqual(sameClass, moved);
  });
});
