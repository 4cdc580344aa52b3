/**
 * `lockwise lint --format sarif` for GitHub code scanning (issue 13, "CLI details"): valid against
 * the SARIF 2.1.0 schema (test/data/sarif, Ajv in draft-04 mode), paths relative to %SRCROOT%
 * whatever the user typed (the json and github formats print the same paths), URIs percent-encoded
 * (issue 12: `a#b?c.sql`), fingerprints that survive lines added above, a help page and the full
 * description per rule.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const UNSAFE = "SET lock_timeout = '1s';\nCREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN d int NOT NULL;\nCREATE INDEX i ON t (c);\n";

interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number } };
}
interface SarifResult {
  ruleId: string;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
}
interface SarifLog {
  runs: {
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
    tool: { driver: { rules: { id: string; helpUri: string; fullDescription: { text: string } }[] } };
  }[];
}

function lint(args: string[], cwd: string): string {
  const r = spawnSync(process.execPath, [CLI, 'lint', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function sarif(args: string[], cwd: string): SarifLog {
  return JSON.parse(lint(['--format', 'sarif', ...args], cwd)) as SarifLog;
}

function tempDir(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-sarif-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('SARIF for GitHub code scanning', function () {
  this.timeout(60000);
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/data/sarif/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  // RFC 3986: only unreserved, reserved and percent-encoded characters.
  const URI_CHARS = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
  ajv.addFormat('uri-reference', URI_CHARS);
  ajv.addFormat('uri', (s: string) => URI_CHARS.test(s) && /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s));
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);

  it('is valid SARIF 2.1.0 (schema), with fixes, odd file names and an absolute path outside the folder', () => {
    const dir = tempDir({ 'db/a#b?c %.sql': UNSAFE, 'db/plain.sql': UNSAFE });
    const outside = tempDir({ 'o.sql': UNSAFE });
    const log = sarif(['db', path.join(outside, 'o.sql')], dir);
    assert.ok(log.runs[0].results.length > 4);
    assert.ok(validate(log), JSON.stringify(validate.errors?.slice(0, 5), null, 1));
    // The validator itself rejects a broken log (so the check above can fail).
    const broken = structuredClone(log) as unknown as { runs: { results: { level: string }[] }[] };
    broken.runs[0].results[0].level = 'fatal';
    assert.ok(!validate(broken));
  });

  it('paths are relative to %SRCROOT% whatever was typed; json and github print the same; URIs percent-encoded', () => {
    // `?` is a glob character when typed: that name is reached through its folder.
    const dir = tempDir({ 'db/a#b%c.sql': UNSAFE, 'q/a#b?c.sql': UNSAFE });
    const typed = ['db/a#b%c.sql', './db/a#b%c.sql', path.join(dir, 'db/a#b%c.sql'), 'db/../db/a#b%c.sql', 'db', './db/', path.join(dir, 'db')];
    for (const arg of typed) {
      const run0 = sarif([arg], dir).runs[0];
      assert.deepStrictEqual(run0.originalUriBaseIds, { '%SRCROOT%': { uri: `file://${dir.split('/').map(encodeURIComponent).join('/')}/` } }, arg);
      const locations = new Set(run0.results.map((r) => JSON.stringify(r.locations[0].physicalLocation.artifactLocation)));
      assert.deepStrictEqual([...locations], [JSON.stringify({ uri: 'db/a%23b%25c.sql', uriBaseId: '%SRCROOT%' })], arg);
      const json = JSON.parse(lint(['--format', 'json', arg], dir)) as { files: { path: string }[] };
      assert.deepStrictEqual(
        json.files.map((f) => f.path),
        ['db/a#b%c.sql'],
        arg,
      );
      assert.match(lint(['--format', 'github', arg], dir), /^::error file=db\/a#b%25c\.sql,line=2,/m, arg);
    }
    const q = sarif(['q'], dir).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
    assert.deepStrictEqual(q, { uri: 'q/a%23b%3Fc.sql', uriBaseId: '%SRCROOT%' }, 'a#b?c.sql is one file, not a path with a query and a fragment');
    const outside = tempDir({ 'o.sql': UNSAFE });
    const location = sarif([path.join(outside, 'o.sql')], dir).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
    assert.deepStrictEqual(location, { uri: `file://${outside}/o.sql` }, 'outside %SRCROOT%: an absolute file: URI');
  });

  it('partialFingerprints survive lines added above and tell identical statements apart', () => {
    const dir = tempDir({ 'x.sql': UNSAFE });
    const before = sarif(['x.sql'], dir).runs[0].results;
    fs.writeFileSync(path.join(dir, 'x.sql'), `-- a comment\n\nSELECT 1;\n${UNSAFE}`);
    const after = sarif(['x.sql'], dir).runs[0].results;
    const key = (r: SarifResult) => `${r.ruleId} ${r.partialFingerprints['lockwiseFinding/v1']}`;
    assert.deepStrictEqual(after.map(key), before.map(key));
    assert.notDeepStrictEqual(
      after.map((r) => r.locations[0].physicalLocation.region.startLine),
      before.map((r) => r.locations[0].physicalLocation.region.startLine),
    );
    const prints = before.map((r) => r.partialFingerprints['lockwiseFinding/v1']);
    assert.strictEqual(new Set(prints).size, prints.length, 'the two identical CREATE INDEX have different fingerprints');
    assert.ok(prints.every((p) => /^[0-9a-f]{64}$/.test(p)));
  });

  it('every rule has a help page and its full description', () => {
    const rules = sarif(['x.sql'], tempDir({ 'x.sql': UNSAFE })).runs[0].tool.driver.rules;
    assert.ok(rules.length > 10);
    for (const r of rules) {
      assert.strictEqual(r.helpUri, `https://github.com/lockwise/lockwise/blob/main/docs/rules/${r.id}.md`);
      assert.ok(fs.existsSync(path.join(ROOT, 'docs/rules', `${r.id}.md`)), `docs/rules/${r.id}.md`);
      assert.ok(r.fullDescription.text.length > 40 && !/[*`]/.test(r.fullDescription.text), r.id);
    }
  });
});
