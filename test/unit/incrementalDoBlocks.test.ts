/**
 * After an edit that moves lines, the DO blocks after it keep their split but get their statements
 * built again (incremental/statements.ts): their conditions name lines ("only if the IF branch at
 * line 8 runs"). Lines typed and removed before, between and inside DO blocks: the statements
 * (conditions, reads) and findings equal a full analysis, and the text was split again only
 * around the edit.
 */
import * as assert from 'assert';
import { analyze, Analysis, Catalog, IncrementalAnalyzer, initParser, LockwiseConfig, mergeConfig, RULES } from '../../server/src/core';
import { replay } from '../../server/src/project/history';

const ALL_ON: Partial<LockwiseConfig> = { rules: Object.fromEntries(RULES.map((r) => [r.id, r.defaultSeverity === 'off' ? 'warning' : r.defaultSeverity])) };

function data(a: Analysis): unknown {
  return {
    findings: a.findings,
    statements: a.statements.map((s) => ({
      statement: { ...s.statement, node: undefined, reads: s.statement.reads?.map((r) => r.condition) },
      effect: s.effect,
    })),
  };
}

function block(i: number): string {
  return [
    'DO $$',
    'DECLARE',
    '  r record;',
    'BEGIN',
    `  IF NOT EXISTS (SELECT 1 FROM base WHERE id = ${i}) THEN`,
    `    ALTER TABLE base ADD COLUMN d${i} text;`,
    '  ELSE',
    `    CREATE INDEX base_d${i}_idx ON base (id);`,
    '  END IF;',
    `  FOR r IN SELECT id FROM base LOOP`,
    `    UPDATE base SET id = r.id WHERE id = ${i};`,
    '  END LOOP;',
    'END',
    '$$;',
  ].join('\n');
}

describe('incremental analysis: DO blocks after an edit that moves lines', () => {
  before(async () => {
    await initParser();
  });

  it('builds their statements again (conditions name lines) and equals a full analysis', function () {
    this.timeout(120000);
    const history = new Catalog();
    replay('CREATE TABLE base (id bigint PRIMARY KEY);', history);
    const options = { config: mergeConfig(ALL_ON), history };
    const parts: string[] = [];
    for (let i = 0; i < 12; i++) parts.push(`ALTER TABLE base ADD COLUMN c${i} text;`, block(i), `CREATE INDEX base_c${i}_idx ON base (c${i});`);
    let text = parts.join('\n') + '\n';
    const inc = new IncrementalAnalyzer(4);
    inc.analyze(text, options);
    let resplit = 0;
    const edits: [string, string][] = [
      [`ALTER TABLE base ADD COLUMN c1 text;`, `\n\nALTER TABLE base ADD COLUMN c1 text;`],
      [`CREATE INDEX base_c3_idx`, `\nCREATE INDEX base_c3_idx`],
      [`\n\nALTER TABLE base ADD COLUMN c1 text;`, `ALTER TABLE base ADD COLUMN c1 text;`],
      [`ALTER TABLE base ADD COLUMN c0 text;`, `ALTER TABLE base ADD COLUMN c0 text;\r\n`],
      [`CREATE INDEX base_c5_idx ON base (c5);\n`, `CREATE INDEX base_c5_idx ON base (c5);`],
      [`    ALTER TABLE base ADD COLUMN d7 text;`, `\n    ALTER TABLE base ADD COLUMN d7 text;`],
    ];
    for (const [from, to] of edits) {
      assert.ok(text.includes(from), from);
      text = text.replace(from, to);
      const result = inc.analyze(text, options);
      if (inc.resplit) resplit++;
      assert.deepStrictEqual(data(result), data(analyze(text, options)), `after ${JSON.stringify(to)}`);
    }
    assert.ok(resplit >= 4, `split again around the edit ${resplit} times`);
  });
});
