import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DOCS_DIR, expectedDocs, expectedReadme, expectedRunnerDocs, README, RUNNER_DOCS_DIR } from '../../scripts/generateDocs';

describe('generated rule docs', () => {
  it('docs/rules matches the rule metadata (run `npm run docs` when this fails)', () => {
    const expected = expectedDocs();
    const actual = fs.readdirSync(DOCS_DIR).filter((f) => f.endsWith('.md'));
    assert.deepStrictEqual(actual.sort(), [...expected.keys()].sort(), 'pages');
    for (const [name, text] of expected) {
      assert.strictEqual(fs.readFileSync(path.join(DOCS_DIR, name), 'utf8'), text, `${name} is stale`);
    }
  });
});

describe('generated runner docs', () => {
  it('docs/runners matches the runner profiles (run `npm run docs` when this fails)', () => {
    const expected = expectedRunnerDocs();
    const actual = fs.readdirSync(RUNNER_DOCS_DIR).filter((f) => f.endsWith('.md'));
    assert.deepStrictEqual(actual.sort(), [...expected.keys()].sort(), 'pages');
    for (const [name, text] of expected) assert.strictEqual(fs.readFileSync(path.join(RUNNER_DOCS_DIR, name), 'utf8'), text, `${name} is stale`);
  });

  it("the README's table of supported runners matches the profiles", () => {
    const readme = fs.readFileSync(README, 'utf8');
    assert.ok(readme.includes('<!-- runners:begin'), 'the README has the runner table markers');
    assert.strictEqual(readme, expectedReadme(readme), 'README.md runner table is stale');
  });

  it('every runner page cites its sources', () => {
    for (const [name, text] of expectedRunnerDocs()) if (name !== 'README.md') assert.match(text, /## Sources\n\n- \[.+\]\(https:\/\//, name);
  });
});
