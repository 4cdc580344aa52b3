/**
 * Fix safety classes (issue 12): every fix a rule can offer is declared in its metadata with a
 * class; the engine stamps it on each finding's fix; suggestions say what they change, are never
 * the preferred fix, and are applied in bulk only when asked for (`lint --fix-suggestions`).
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { analyze, Catalog, fixAll, initParser, LockwiseConfig, mergeConfig, RULES, RULES_BY_ID } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { loadRuleCases } from '../support/ruleCases';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const UUID = 'ALTER TABLE users ADD COLUMN public_id uuid DEFAULT gen_random_uuid();\n';

/** Every fixture case of a rule, with the rule switched on, its config and its history replayed. */
function fixtureCases(ruleId: string): { name: string; text: string; history?: Catalog; config: LockwiseConfig }[] {
  const severity = RULES_BY_ID.get(ruleId)!.defaultSeverity;
  const enable = { rules: { [ruleId]: severity === 'off' ? 'warning' : severity } } as const;
  return loadRuleCases(ruleId).map((c) => {
    let history: Catalog | undefined;
    if (c.history.length) {
      history = new Catalog();
      for (const h of c.history) replay(h, history);
    }
    return { name: c.name, text: c.text, history, config: mergeConfig(enable, c.config) };
  });
}

describe('fix safety classes', () => {
  before(async () => {
    await initParser();
  });

  it('every rule with a fix declares each of its fixes with a safety class, and only those rules do', () => {
    const wrong: string[] = [];
    for (const rule of RULES) {
      const fixes = Object.entries(rule.fixes ?? {});
      if (rule.fixable !== fixes.length > 0) wrong.push(`${rule.id}: fixable is ${rule.fixable} but it declares ${fixes.length} fix(es)`);
      for (const [kind, doc] of fixes) {
        if (doc.safety !== 'safe' && doc.safety !== 'suggestion') wrong.push(`${rule.id}/${kind}: safety ${String(doc.safety)}`);
        if (!doc.does.trim() || !doc.effect.trim()) wrong.push(`${rule.id}/${kind}: says neither what it does nor its effect`);
      }
    }
    assert.deepStrictEqual(wrong, []);
  });

  it('every fix the rule fixtures produce is of a kind its rule declares, classified as declared', () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const rule of RULES.filter((r) => r.fixable)) {
      for (const c of fixtureCases(rule.id)) {
        for (const f of analyze(c.text, { config: c.config, history: c.history }).findings) {
          if (f.rule !== rule.id || !f.fix) continue;
          seen++;
          const doc = rule.fixes?.[f.fix.kind];
          if (!doc || !Object.hasOwn(rule.fixes!, f.fix.kind)) wrong.push(`${rule.id} ${c.name}: undeclared fix kind "${f.fix.kind}"`);
          else if (doc.safety !== f.fix.safety) wrong.push(`${rule.id} ${c.name}: ${f.fix.kind} is ${f.fix.safety}, declared ${doc.safety}`);
          else if (doc.safety === 'suggestion' && (f.fix.preferred || !f.fix.title.endsWith(`(changes behaviour: ${doc.effect})`)))
            wrong.push(`${rule.id} ${c.name}: suggestion "${f.fix.title}" is preferred or does not end with its consequence`);
        }
      }
    }
    assert.deepStrictEqual(wrong, []);
    assert.ok(seen > 30, `only ${seen} fixes seen`);
  });

  it('the gen_random_uuid default fix is a suggestion saying existing rows stay NULL', () => {
    const finding = analyze(UUID).findings.find((f) => f.rule === 'adding-field-with-default');
    assert.strictEqual(finding?.fix?.safety, 'suggestion');
    assert.match(finding.fix.title, /existing rows stay NULL/);
    assert.ok(!finding.fix.preferred);
  });

  it('fixAll applies safe fixes only, unless suggestions are asked for', () => {
    const safeOnly = fixAll(UUID);
    assert.match(safeOnly.text, /ADD COLUMN public_id uuid DEFAULT gen_random_uuid\(\)/, 'the suggestion was not applied');
    assert.ok(safeOnly.fixed.includes('require-lock-timeout'), 'the safe lock_timeout fix was applied');
    assert.ok(!safeOnly.fixed.includes('adding-field-with-default'));
    const all = fixAll(UUID, {}, { suggestions: true });
    assert.ok(all.fixed.includes('adding-field-with-default'));
    assert.match(all.text, /ALTER COLUMN public_id SET DEFAULT gen_random_uuid\(\)/);
  });

  it('with the primary key known, the default fix is the safe batched backfill, and fixAll applies it', () => {
    const history = new Catalog();
    replay('CREATE TABLE users (id bigint PRIMARY KEY, email text);', history);
    const text = UUID.replace('uuid DEFAULT', 'uuid NOT NULL DEFAULT');
    const finding = analyze(text, { history }).findings.find((f) => f.rule === 'adding-field-with-default');
    assert.strictEqual(finding?.fix?.kind, 'backfill');
    assert.strictEqual(finding.fix.safety, 'safe');
    const fixed = fixAll(text, { history });
    assert.ok(fixed.fixed.includes('adding-field-with-default'));
    assert.match(fixed.text, /UPDATE users SET public_id = DEFAULT WHERE id BETWEEN lockwise_lo AND lockwise_hi AND public_id IS NULL;\n {4}COMMIT;/);
    assert.match(fixed.text, /ALTER TABLE users ALTER COLUMN public_id SET NOT NULL;/);
    // The DO block commits: the lock model knows it cannot run in a transaction block.
    assert.ok(analyze(fixed.text, { history }).statements.some((s) => s.statement.kind === 'DoStmt' && s.effect.noTransaction));
  });

  it('no backfill where the runner sends the file as one query (a COMMIT inside would fail): the suggestion stays', () => {
    const history = new Catalog();
    replay('CREATE TABLE users (id bigint PRIMARY KEY, email text);', history);
    const config = mergeConfig({ runner: 'prisma' });
    const runner = { id: 'prisma' as const, fileName: '/p/20240101000000_x/migration.sql' };
    const finding = analyze(UUID, { history, config, runner }).findings.find((f) => f.rule === 'adding-field-with-default');
    assert.strictEqual(finding?.fix?.kind, 'set-default-later');
  });

  describe('lockwise lint --fix / --fix-suggestions (dist/cli.js)', function () {
    this.timeout(60000);
    const lint = (args: string[]) => spawnSync(process.execPath, [CLI, 'lint', ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

    it('--fix leaves the suggestion and says so; --fix-suggestions applies it', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-fixsafety-'));
      const file = path.join(dir, '001.sql');
      fs.writeFileSync(file, UUID);
      const fixed = lint(['--fix', file]);
      const afterFix = fs.readFileSync(file, 'utf8');
      assert.match(afterFix, /DEFAULT gen_random_uuid\(\);/, fixed.stderr);
      assert.match(afterFix, /lock_timeout/, 'the safe fix was written');
      assert.match(fixed.stderr, /1 suggestion\(s\) not applied .*adding-field-with-default.*--fix-suggestions/);
      const dry = lint(['--fix-suggestions', '--dry-run', file]);
      assert.match(dry.stdout, /\+ALTER TABLE users ALTER COLUMN public_id SET DEFAULT gen_random_uuid\(\);/);
      assert.strictEqual(fs.readFileSync(file, 'utf8'), afterFix, '--dry-run wrote nothing');
      lint(['--fix-suggestions', file]);
      assert.match(fs.readFileSync(file, 'utf8'), /ADD COLUMN public_id uuid;\nALTER TABLE users ALTER COLUMN public_id SET DEFAULT gen_random_uuid\(\);/);
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});
