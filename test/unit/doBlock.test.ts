import * as assert from 'assert';
import { analyze, auditHtml, auditJson, auditText, DEFAULT_CONFIG, initParser, overview, overviewFile } from '../../server/src/core';
import { auditMarkdown } from '../../server/src/core/report/audit';
import { statementCard } from '../../server/src/lsp/hover';
import { buildStatements } from '../../server/src/core/model/statements';
import { mergeLock } from '../../server/src/core/locks/branches';
import type { RelationLock } from '../../server/src/core/locks/model';
import { Catalog } from '../../server/src/core/model/catalog';

const HISTORY = 'CREATE TABLE site (id int PRIMARY KEY, name text);\nCREATE TABLE local_user (id int PRIMARY KEY);\nCREATE TABLE lang (id int, uid int);';

function history(): Catalog {
  const catalog = new Catalog();
  for (const s of buildStatements(HISTORY).statements) catalog.apply(s.node, s.index);
  return catalog;
}

/** Inner statements of the file's DO block: text → condition ('' when certain). */
function conditions(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of buildStatements(text).statements) if (s.container !== undefined) out[s.text] = s.condition ?? '';
  return out;
}

/** The DO statement's own reads: query tables → condition ('' when certain). */
function reads(text: string): string[] {
  const doStmt = buildStatements(text).statements.find((s) => s.kind === 'DoStmt');
  return (doStmt?.reads ?? []).map((r) => `${JSON.stringify(r.node).match(/"relname":"(\w+)"/)?.[1] ?? '-'}: ${r.condition ?? ''}`);
}

describe('DO blocks: what runs only if a branch or loop does', () => {
  before(() => initParser());

  it('statements at the top of the body are certain; those in IF, ELSIF and ELSE branches are conditional, with the document line', () => {
    const text = [
      '-- line 1',
      'DO $$',
      'BEGIN',
      '  UPDATE site SET name = 1;',
      '  IF EXISTS (SELECT 1 FROM local_user) THEN',
      '    DELETE FROM lang;',
      '  ELSIF 1 > 2 THEN',
      '    DELETE FROM site;',
      '  ELSE',
      '    TRUNCATE lang;',
      '  END IF;',
      'END $$;',
    ].join('\n');
    assert.deepStrictEqual(conditions(text), {
      'UPDATE site SET name = 1': '',
      'DELETE FROM lang': 'only if the IF branch at line 5 runs',
      'DELETE FROM site': 'only if the ELSIF branch at line 7 runs',
      'TRUNCATE lang': 'only if the ELSE branch of the IF at line 5 runs',
    });
    // The IF's condition is evaluated whenever the block runs: it reads local_user for certain.
    assert.deepStrictEqual(reads(text), ['local_user: ']);
  });

  it('a FOR ... IN query loop reads its query for certain, and runs its body only if the query finds rows', () => {
    const text = 'DO $$ DECLARE x int; BEGIN FOR x IN SELECT id FROM local_user LOOP INSERT INTO lang (uid) VALUES (x); END LOOP; END $$;';
    assert.deepStrictEqual(conditions(text), { 'INSERT INTO lang (uid) VALUES (x)': 'only if the loop over local_user runs' });
    assert.deepStrictEqual(reads(text), ['local_user: ']);
  });

  it('WHILE, FOR over integers, CASE and EXCEPTION handlers are conditional; a WHILE condition reads for certain', () => {
    const text = [
      'DO $$ BEGIN',
      '  WHILE EXISTS (SELECT 1 FROM site) LOOP DELETE FROM site; END LOOP;',
      '  FOR i IN 1..3 LOOP DELETE FROM lang; END LOOP;',
      '  CASE 1 WHEN 1 THEN UPDATE lang SET uid = 1; ELSE UPDATE lang SET uid = 2; END CASE;',
      'EXCEPTION WHEN others THEN UPDATE site SET name = 2;',
      'END $$;',
    ].join('\n');
    assert.deepStrictEqual(conditions(text), {
      'DELETE FROM site': 'only if the WHILE loop at line 2 runs',
      'DELETE FROM lang': 'only if the FOR loop at line 3 runs',
      'UPDATE lang SET uid = 1': 'only if the WHEN branch at line 4 runs',
      'UPDATE lang SET uid = 2': 'only if the ELSE branch of the CASE at line 4 runs',
      'UPDATE site SET name = 2': 'only if the EXCEPTION handler of the block at line 1 runs',
    });
    assert.deepStrictEqual(reads(text), ['site: ']);
  });

  it('after a branch that may RETURN or raise an error, the rest of the list is conditional; a bare LOOP runs up to its first EXIT', () => {
    const text = [
      'DO $$ BEGIN',
      '  LOOP UPDATE site SET name = 1; EXIT WHEN true; DELETE FROM lang; END LOOP;',
      '  IF (SELECT count(*) FROM lang) > 0 THEN RETURN; END IF;',
      '  DELETE FROM site;',
      "  RAISE NOTICE 'only a notice';",
      'END $$;',
    ].join('\n');
    assert.deepStrictEqual(conditions(text), {
      'UPDATE site SET name = 1': '',
      'DELETE FROM lang': 'only if the block gets past line 2',
      'DELETE FROM site': 'only if the block gets past line 3',
    });
  });

  it('SELECT ... INTO is a statement of the body too (PL/pgSQL blanks its INTO clause), with its span in the document', () => {
    const text = 'DO $$ DECLARE v text; BEGIN SELECT name INTO v FROM site WHERE id = 1; IF v IS NULL THEN DELETE FROM lang; END IF; END $$;';
    const inner = buildStatements(text).statements.filter((s) => s.container !== undefined);
    assert.deepStrictEqual(
      inner.map((s) => [s.kind, text.slice(s.span.start, s.span.end), s.condition ?? '']),
      [
        ['SelectStmt', 'SELECT name INTO v FROM site WHERE id = 1', ''],
        ['DeleteStmt', 'DELETE FROM lang', 'only if the IF branch at line 1 runs'],
      ],
    );
  });

  it('a may-take lock keeps its mode for the rules and says why; the DO statement itself reads the loop query', () => {
    const text =
      'DO $$ DECLARE r record; BEGIN IF false THEN ALTER TABLE site ADD COLUMN x int; END IF; FOR r IN SELECT * FROM local_user LOOP END LOOP; END $$;';
    const analysis = analyze(text, { config: { ...DEFAULT_CONFIG }, history: history() });
    const alter = analysis.statements.find((s) => s.statement.kind === 'AlterTableStmt')!;
    assert.deepStrictEqual(alter.effect.locks, [
      { relation: 'site', mode: 'ACCESS EXCLUSIVE', role: 'target', condition: 'only if the IF branch at line 1 runs' },
    ]);
    const doStmt = analysis.statements.find((s) => s.statement.kind === 'DoStmt')!;
    assert.deepStrictEqual(doStmt.effect.locks, [{ relation: 'local_user', mode: 'ACCESS SHARE', role: 'source' }]);
    // A rule that fires on ACCESS EXCLUSIVE still fires, worded as "may take".
    const finding = analysis.findings.find((f) => f.rule === 'require-lock-timeout');
    assert.ok(finding, 'require-lock-timeout fires on a may-take ACCESS EXCLUSIVE');
  });

  it('merging: a certain weaker lock under a may-take stronger one becomes its certain mode; a certain lock as strong wins', () => {
    const locks: RelationLock[] = [{ relation: 't', mode: 'ACCESS SHARE', role: 'source' }];
    mergeLock(locks, { relation: 't', mode: 'ROW EXCLUSIVE', role: 'target', condition: 'only if the loop over t runs' });
    assert.deepStrictEqual(locks, [
      { relation: 't', mode: 'ROW EXCLUSIVE', role: 'source', condition: 'only if the loop over t runs', certainMode: 'ACCESS SHARE' },
    ]);
    mergeLock(locks, { relation: 't', mode: 'ROW EXCLUSIVE', role: 'target' });
    assert.deepStrictEqual(locks, [{ relation: 't', mode: 'ROW EXCLUSIVE', role: 'source' }]);
  });

  describe('wording: "may take" with the condition, escaped by each output', () => {
    // A table name that is markdown and HTML: the condition quotes it, and each output escapes it.
    const setup = 'CREATE TABLE "a|b<i>" (id int);\nCREATE TABLE audit (id int);';
    const text = 'DO $$ DECLARE r record; BEGIN FOR r IN SELECT id FROM "a|b<i>" LOOP INSERT INTO audit VALUES (r.id); END LOOP; END $$;';
    const condition = 'only if the loop over a|b<i> runs';
    const analysed = () => {
      const catalog = new Catalog();
      for (const st of buildStatements(setup).statements) catalog.apply(st.node, st.index);
      return analyze(text, { config: DEFAULT_CONFIG, history: catalog });
    };

    it('audit JSON: conditional and condition on the lock, other fields unchanged', () => {
      const json = auditJson('x.sql', analysed());
      const insert = json.statements.find((st) => st.kind === 'InsertStmt')!;
      assert.deepStrictEqual(insert.locks, [{ relation: 'audit', mode: 'ROW EXCLUSIVE', role: 'target', conditional: true, condition }]);
      const doStmt = json.statements.find((st) => st.kind === 'DoStmt')!;
      assert.deepStrictEqual(doStmt.locks, [{ relation: 'a|b<i>', mode: 'ACCESS SHARE', role: 'source' }]);
    });

    it('audit text, markdown and HTML say "may take" and give the condition through their escape module', () => {
      const a = analysed();
      const json = auditJson('x.sql', a);
      const o = overview([overviewFile(json)]);
      assert.ok(auditText([json], o, { all: true }).includes(`may take ROW EXCLUSIVE audit (${condition})`));
      assert.ok(auditMarkdown('x.sql', a).includes('may take ROW EXCLUSIVE `audit` (only if the loop over a\\|b\\<i\\> runs)'));
      assert.ok(auditHtml([json], o, { all: true }).includes('may take ROW EXCLUSIVE <code>audit</code> (only if the loop over a|b&lt;i&gt; runs)'));
    });

    it('hover: the summary and the condition, escaped', () => {
      const a = analysed();
      const card = statementCard(
        a,
        a.statements.find((st) => st.statement.kind === 'InsertStmt')!,
      );
      assert.ok(card.startsWith('may take **ROW EXCLUSIVE** on `audit` (only if the loop over a\\|b\\<i\\> runs)'), card);
    });
  });
});
