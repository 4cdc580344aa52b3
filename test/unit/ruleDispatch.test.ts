/**
 * Rules subscribe to the statement kinds they inspect (`Rule.kinds`): the engine calls them only on
 * those. A subscription that forgets a kind would silently lose findings, so every rule fixture, every
 * documented example and every corpus file is analysed with all rules on (off-by-default ones too)
 * twice, dispatched and with every rule on every statement (`everyRule`), and must give the same
 * findings, fixes and internal errors.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, Catalog, initParser, LockwiseConfig, mergeConfig, RULES } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { describeWithCorpus } from '../support/corpus';
import { loadRuleCases } from '../support/ruleCases';

const ALL_ON: Partial<LockwiseConfig> = { rules: Object.fromEntries(RULES.map((r) => [r.id, r.defaultSeverity === 'off' ? 'warning' : r.defaultSeverity])) };

function sameBothWays(text: string, config: LockwiseConfig, history?: Catalog): number {
  const dispatched = analyze(text, { config, history });
  const everyRule = analyze(text, { config, history, everyRule: true });
  assert.deepStrictEqual(dispatched.findings, everyRule.findings);
  assert.deepStrictEqual(dispatched.internalErrors, everyRule.internalErrors);
  return dispatched.findings.length;
}

describe('rule dispatch by statement kind', () => {
  before(async () => {
    await initParser();
  });

  it('every kinds entry names a statement kind the parser produces', () => {
    const seen = new Set<string>();
    // Kinds no fixture happens to hold.
    const probes = 'CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW EXECUTE FUNCTION f(); CREATE SCHEMA s; SELEC 1;';
    for (const s of analyze(probes).statements) seen.add(s.statement.kind);
    for (const rule of RULES) {
      const texts = [rule.docs.bad, rule.docs.good, ...loadRuleCases(rule.id).flatMap((c) => [c.text, ...c.history])];
      for (const text of texts) for (const s of analyze(text, { config: mergeConfig(ALL_ON) }).statements) seen.add(s.statement.kind);
    }
    for (const rule of RULES) for (const kind of rule.kinds ?? []) assert.ok(seen.has(kind), `${rule.id}: kind ${kind} never occurs: a typo?`);
  });

  for (const rule of RULES) {
    it(`${rule.id}: its fixtures and examples give the same findings with and without dispatch`, () => {
      let findings = 0;
      for (const example of [rule.docs.bad, rule.docs.good]) findings += sameBothWays(example, mergeConfig(ALL_ON, rule.docs.exampleConfig ?? {}));
      for (const c of loadRuleCases(rule.id)) {
        let history: Catalog | undefined;
        for (const text of c.history) replay(text, (history ??= new Catalog()));
        findings += sameBothWays(c.text, mergeConfig(ALL_ON, c.config), history);
      }
      assert.ok(findings > 0);
    });
  }
});

describeWithCorpus('rule dispatch over the corpus', function (corpus) {
  this.timeout(600000);
  it('every real-world file, each on its own: the same findings with and without dispatch', async () => {
    await initParser();
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory() && !['postgres_regress', 'squawk-fixtures'].includes(e.name)) walk(full);
        else if (e.isFile() && /\.sql$/i.test(e.name)) files.push(full);
      }
    };
    walk(corpus);
    assert.ok(files.length > 1000);
    const config = mergeConfig(ALL_ON);
    let findings = 0;
    for (const file of files) findings += sameBothWays(fs.readFileSync(file, 'utf8'), config);
    assert.ok(findings > 1000);
  });
});
