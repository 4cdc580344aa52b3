/**
 * Data-driven rule tests. Each folder test/fixtures/rules/<rule-id>/ holds cases:
 *  - `<case>.sql` with `<case>.json` beside it, or
 *  - a folder `<case>/` of migration files (run in name order; the last one is checked, the
 *    earlier ones are its schema history) with `<case>/expected.json`.
 * expected.json: { "config"?: {...}, "findings": [{ "line", "column", "endLine", "endColumn", "message"? }],
 *                  "fixed"?: "<text after applying every fix of this rule's findings>" }
 * Only the folder's rule is compared. For every finding with a fix, the fix must leave SQL that
 * parses, clear that finding and add no error-level finding.
 * `UPDATE_FIXTURES=1 npm test` rewrites expectations from the current output (review the diff).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, applyEdits, Catalog, initParser, mergeConfig, RULES, RULES_BY_ID, LockwiseConfig } from '../../server/src/core';
import { findingJson } from '../../server/src/core/report/findings';
import { replay } from '../../server/src/project/history';

const ROOT = path.resolve(__dirname, '../../../test/fixtures/rules');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

interface Expected {
  config?: Partial<LockwiseConfig>;
  findings: { line: number; column: number; endLine: number; endColumn: number; message?: string }[];
  fixed?: string;
}

interface Case {
  name: string;
  text: string;
  history?: string[];
  expectedFile: string;
}

function loadCases(dir: string): Case[] {
  const cases: Case[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const files = fs
        .readdirSync(full)
        .filter((f) => f.endsWith('.sql'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      if (!files.length) continue;
      const last = files[files.length - 1];
      cases.push({
        name: entry.name,
        text: fs.readFileSync(path.join(full, last), 'utf8'),
        history: files.slice(0, -1).map((f) => fs.readFileSync(path.join(full, f), 'utf8')),
        expectedFile: path.join(full, 'expected.json'),
      });
    } else if (entry.name.endsWith('.sql')) {
      cases.push({ name: entry.name, text: fs.readFileSync(full, 'utf8'), expectedFile: full.replace(/\.sql$/, '.json') });
    }
  }
  return cases;
}

function historyCatalog(files: string[] | undefined): Catalog | undefined {
  if (!files?.length) return undefined;
  const catalog = new Catalog();
  for (const text of files) replay(text, catalog);
  return catalog;
}

describe('rule fixtures', () => {
  before(async () => {
    await initParser();
  });

  it('every rule has a fixture folder with at least one flagged and one clean case', () => {
    const missing = [...RULES_BY_ID.keys()].filter((id) => !fs.existsSync(path.join(ROOT, id)));
    assert.deepStrictEqual(missing, [], `rules without fixtures: ${missing.join(', ')}`);
  });

  describe('documented examples', () => {
    for (const rule of RULES) {
      it(`${rule.id}: the bad example is flagged, the good one is clean`, () => {
        const config = mergeConfig(enabled(rule.id), rule.docs.exampleConfig ?? {});
        const flagged = (sql: string) => analyze(sql, { config }).findings.filter((f) => f.rule === rule.id).length;
        assert.ok(flagged(rule.docs.bad) > 0, `bad example not flagged:\n${rule.docs.bad}`);
        assert.strictEqual(flagged(rule.docs.good), 0, `good example flagged:\n${rule.docs.good}`);
      });
    }
  });

  it('a rule is `fixable` exactly when one of its fixtures has a fix', () => {
    const wrong = RULES.filter((rule) => {
      const dir = path.join(ROOT, rule.id);
      const fixed =
        fs.existsSync(dir) &&
        loadCases(dir).some((c) => fs.existsSync(c.expectedFile) && (JSON.parse(fs.readFileSync(c.expectedFile, 'utf8')) as Expected).fixed !== undefined);
      return fixed !== rule.fixable;
    });
    assert.deepStrictEqual(
      wrong.map((r) => `${r.id} (fixable: ${r.fixable})`),
      [],
    );
  });

  for (const ruleId of fs.existsSync(ROOT) ? fs.readdirSync(ROOT).sort() : []) {
    describe(ruleId, () => {
      it('is a registered rule', () => assert.ok(RULES_BY_ID.has(ruleId), `no rule ${ruleId}`));
      for (const c of loadCases(path.join(ROOT, ruleId))) {
        it(c.name, () => checkCase(ruleId, c));
      }
      it('has a flagged case and a clean case', () => {
        const cases = loadCases(path.join(ROOT, ruleId));
        const counts = cases.map((c) => (JSON.parse(fs.readFileSync(c.expectedFile, 'utf8')) as Expected).findings.length);
        assert.ok(
          counts.some((n) => n > 0),
          'no case with findings',
        );
        assert.ok(
          counts.some((n) => n === 0),
          'no clean case',
        );
      });
    });
  }
});

/** The rule at its default severity; rules that are off by default are switched on in their own tests. */
function enabled(ruleId: string): Partial<LockwiseConfig> {
  const severity = RULES_BY_ID.get(ruleId)!.defaultSeverity;
  return { rules: { [ruleId]: severity === 'off' ? 'warning' : severity } };
}

function checkCase(ruleId: string, c: Case): void {
  const expected: Expected = fs.existsSync(c.expectedFile) ? JSON.parse(fs.readFileSync(c.expectedFile, 'utf8')) : { findings: [] };
  const config = mergeConfig(enabled(ruleId), expected.config ?? {});
  const history = historyCatalog(c.history);
  const analysis = analyze(c.text, { config, history });
  const findings = analysis.findings.filter((f) => f.rule === ruleId);
  const actual = findings.map((f) => {
    const j = findingJson(analysis, f);
    return { line: j.line, column: j.column, endLine: j.endLine, endColumn: j.endColumn, message: j.message };
  });
  let fixedText: string | undefined;
  const withFix = findings.filter((f) => f.fix);
  if (withFix.length) {
    // Apply this rule's fixes one at a time, re-analysing between (fix-all semantics for one rule).
    fixedText = c.text;
    for (let guard = 0; guard < 50; guard++) {
      const a = analyze(fixedText, { config, history });
      const next = a.findings.find((f) => f.rule === ruleId && f.fix);
      if (!next) break;
      fixedText = applyEdits(fixedText, next.fix!.edits);
    }
  }
  if (UPDATE) {
    const out: Expected = {
      ...(expected.config ? { config: expected.config } : {}),
      findings: actual,
      ...(fixedText !== undefined ? { fixed: fixedText } : {}),
    };
    fs.writeFileSync(c.expectedFile, JSON.stringify(out, null, 2) + '\n');
    return;
  }
  assert.deepStrictEqual(
    actual.map(({ message: _m, ...pos }) => pos),
    expected.findings.map(({ message: _m, ...pos }) => pos),
    'finding positions',
  );
  expected.findings.forEach((e, i) => {
    if (e.message) assert.strictEqual(actual[i].message, e.message);
  });
  assert.strictEqual(fixedText, expected.fixed, 'text after fixes');
  for (const f of withFix) checkFixIsSafe(ruleId, c, config, history, f.fix!.edits, analysis.findings.filter((x) => x.severity === 'error').length, f.severity);
}

function checkFixIsSafe(
  ruleId: string,
  c: Case,
  config: LockwiseConfig,
  history: Catalog | undefined,
  edits: Parameters<typeof applyEdits>[1],
  errorsBefore: number,
  severity: string,
) {
  const fixed = applyEdits(c.text, edits);
  const after = analyze(fixed, { config, history });
  const before = analyze(c.text, { config, history });
  const syntaxBefore = before.findings.filter((f) => f.rule === 'syntax-error').length;
  assert.strictEqual(
    after.findings.filter((f) => f.rule === 'syntax-error').length,
    syntaxBefore,
    `fix for ${ruleId} leaves SQL that does not parse:\n${fixed}`,
  );
  assert.strictEqual(
    after.findings.filter((f) => f.rule === ruleId).length,
    before.findings.filter((f) => f.rule === ruleId).length - 1,
    `fix for ${ruleId} does not clear its finding:\n${fixed}`,
  );
  const errorsAfter = after.findings.filter((f) => f.severity === 'error').length;
  assert.ok(
    errorsAfter <= errorsBefore - (severity === 'error' ? 1 : 0),
    `fix for ${ruleId} introduced an error-level finding:\n${fixed}\n${after.findings.map((f) => f.rule).join(', ')}`,
  );
}
