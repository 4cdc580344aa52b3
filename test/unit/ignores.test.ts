import * as assert from 'assert';
import { analyze, initParser } from '../../server/src/core';
import { parseDirective } from '../../server/src/core/ignores';

const INDEX = 'CREATE INDEX i ON users (email)';
const rulesOf = (sql: string) =>
  analyze(sql)
    .findings.map((f) => f.rule)
    .filter((r) => r !== 'require-lock-timeout');

describe('ignore comments', () => {
  before(() => initParser());

  it('parses rule lists and reasons', () => {
    assert.deepStrictEqual(parseDirective('-- lockwise-ignore a, b-c -- because'), {
      tool: 'lockwise',
      fileWide: false,
      rules: [
        { id: 'a', offset: 19 },
        { id: 'b-c', offset: 22 },
      ],
      reason: 'because',
    });
    assert.strictEqual(parseDirective('-- lockwise-ignore-file x')?.fileWide, true);
    assert.strictEqual(parseDirective('-- squawk-ignore x')?.tool, 'squawk');
    assert.strictEqual(parseDirective('-- lockwise-ignorex'), undefined);
    assert.strictEqual(parseDirective('-- a comment'), undefined);
  });

  it('silences a rule on the line before the statement', () => {
    assert.deepStrictEqual(rulesOf(`-- lockwise-ignore require-concurrent-index-creation\n${INDEX};`), []);
  });

  it('silences a rule at the end of the first line', () => {
    assert.deepStrictEqual(rulesOf(`${INDEX}; -- lockwise-ignore require-concurrent-index-creation`), []);
  });

  it('does not reach further than the line before', () => {
    assert.deepStrictEqual(rulesOf(`-- lockwise-ignore require-concurrent-index-creation\n\n${INDEX};`), ['require-concurrent-index-creation']);
  });

  it('only silences the named rules', () => {
    const all = analyze(`-- lockwise-ignore require-lock-timeout\n${INDEX};`).findings.map((f) => f.rule);
    assert.deepStrictEqual(all, ['require-concurrent-index-creation']);
  });

  it('file-wide ignores and squawk ignores', () => {
    assert.deepStrictEqual(rulesOf(`SELECT 1;\n${INDEX};\n-- lockwise-ignore-file require-concurrent-index-creation`), []);
    assert.deepStrictEqual(rulesOf(`-- squawk-ignore require-concurrent-index-creation\n${INDEX};`), []);
    assert.deepStrictEqual(rulesOf(`-- squawk-ignore-file require-concurrent-index-creation\n${INDEX};`), []);
  });

  it('reports unknown rule ids in lockwise comments only', () => {
    assert.deepStrictEqual(rulesOf(`-- lockwise-ignore no-such-rule\nSELECT 1;`), ['unknown-ignore-rule']);
    assert.deepStrictEqual(rulesOf(`-- squawk-ignore prefer-big-int\nSELECT 1;`), []);
  });

  it('puts an unknown rule id on the last statement that starts before its comment, else the first', () => {
    const text = `-- lockwise-ignore no-such-rule\nSELECT 1;\nSELECT 2;\nSELECT 3; -- lockwise-ignore other-rule\n-- lockwise-ignore third-rule\nSELECT 4;`;
    const unknown = analyze(text).findings.filter((f) => f.rule === 'unknown-ignore-rule');
    assert.deepStrictEqual(
      unknown.map((f) => [text.slice(f.span.start, f.span.end).includes('no-such') ? 'no-such' : f.message.includes('other') ? 'other' : 'third', f.statement]),
      [
        ['no-such', 0],
        ['other', 2],
        ['third', 2],
      ],
    );
  });
});
