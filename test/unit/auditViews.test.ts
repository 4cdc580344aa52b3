/**
 * The audit's views: the lock timeline (data and SVG), the overview, the HTML page and the terminal
 * text, on the migrations in test/fixtures/audit/migrations (analysed with their schema history).
 * The SVG and HTML are compared with snapshot files in test/fixtures/audit/snapshots, which are
 * meant to be read in review (open them in a browser); `UPDATE_FIXTURES=1` rewrites them.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, auditJson, DEFAULT_CONFIG, initParser } from '../../server/src/core';
import { AuditFileJson } from '../../server/src/core/report/audit';
import { auditHtml } from '../../server/src/core/report/auditHtml';
import { auditText } from '../../server/src/core/report/auditText';
import { xml } from '../../server/src/core/report/escapeXml';
import { overview, overviewFile } from '../../server/src/core/report/overview';
import { timelineOf } from '../../server/src/core/report/timeline';
import { timelineSvg } from '../../server/src/core/report/timelineSvg';
import { HistoryProvider } from '../../server/src/project/history';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/audit');
const MIGRATIONS = path.join(FIXTURES, 'migrations');
const SNAPSHOTS = path.join(FIXTURES, 'snapshots');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

function audited(): AuditFileJson[] {
  const history = new HistoryProvider();
  return fs
    .readdirSync(MIGRATIONS)
    .sort()
    .map((name) => {
      const file = path.join(MIGRATIONS, name);
      const config = { ...DEFAULT_CONFIG, assumeInTransaction: name.includes('whole_file_transaction') };
      const analysis = analyze(fs.readFileSync(file, 'utf8'), { config, history: history.catalogBefore(file) });
      return auditJson(`migrations/${name}`, analysis);
    });
}

function snapshot(name: string, actual: string): void {
  const file = path.join(SNAPSHOTS, name);
  if (UPDATE || !fs.existsSync(file)) {
    if (!UPDATE) assert.fail(`missing snapshot ${name}: run with UPDATE_FIXTURES=1 and review it`);
    fs.writeFileSync(file, actual);
    return;
  }
  assert.strictEqual(actual, fs.readFileSync(file, 'utf8'), `${name} differs from its snapshot (UPDATE_FIXTURES=1 rewrites it; review the diff)`);
}

/**
 * Well-formed XML for the subset we write: every tag closed in order, attribute values quoted,
 * and no raw `<` or `&` in text or attributes. Returns the element names in document order.
 */
function xmlElements(text: string): string[] {
  const names: string[] = [];
  const open: string[] = [];
  const token = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<!doctype html>|<!--.*?-->|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < text.length && (m = token.exec(text))) {
    at = token.lastIndex;
    const [, close, name, attrs, self, chars] = m;
    const body = chars ?? attrs ?? '';
    assert.ok(!/&(?!(amp|lt|gt|quot|#39);)/.test(body), `raw & in ${JSON.stringify(body.slice(0, 80))}`);
    if (!name) continue;
    if (close) assert.strictEqual(open.pop(), name, `</${name}> closes the wrong element`);
    else {
      names.push(name);
      if (!self && !VOID.has(name)) open.push(name);
    }
  }
  assert.strictEqual(at, text.length, `not markup at ${JSON.stringify(text.slice(at, at + 80))}`);
  assert.deepStrictEqual(open, [], 'unclosed elements');
  return names;
}
const VOID = new Set(['meta', 'br']);

describe('audit views: timeline, overview, HTML, terminal text', () => {
  let files: AuditFileJson[];
  const byName = (name: string) => files.find((f) => f.path.includes(name))!;

  before(async () => {
    await initParser();
    files = audited();
  });

  it('timeline: users is blocked for reads from line 4 to the COMMIT on line 10', () => {
    const t = timelineOf(byName('002_change'));
    const users = t.rows.find((r) => r.relation === 'users')!;
    const first = users.bars.find((b) => b.line === 4)!;
    assert.deepStrictEqual([first.mode, first.level, first.end, first.endLine], ['ACCESS EXCLUSIVE', 'reads', 'commit', 10]);
    assert.strictEqual(t.lines[first.to], 10, 'the bar ends at the COMMIT column');
    assert.strictEqual(users.bars.find((b) => b.line === 5)!.work, 'rewrite');
    assert.strictEqual(users.bars.find((b) => b.line === 12)!.end, 'statement', 'CREATE INDEX CONCURRENTLY outside the transaction');
    assert.deepStrictEqual(t.transactions, [{ begin: 0, end: 6, endKind: 'commit', last: 6, implicit: false, unit: null }]);
    assert.ok(!t.rows.some((r) => r.relation.endsWith('_idx')), 'index locks go with their table');
  });

  it('timeline: a transaction never committed, and the whole-file transaction', () => {
    const never = timelineOf(byName('005_never'));
    assert.deepStrictEqual(
      never.rows.flatMap((r) => r.bars.map((b) => `${r.relation} ${b.mode} ${b.end}`)),
      ['orgs SHARE never', 'orders ACCESS EXCLUSIVE never'],
    );
    const whole = timelineOf(byName('006_whole'));
    assert.deepStrictEqual(
      whole.rows.flatMap((r) => r.bars.map((b) => `${r.relation} ${b.end} ${b.to} ${b.endLine}`)),
      ['orgs implicit-commit 2 3', 'orgs implicit-commit 2 3'],
    );
    assert.deepStrictEqual(timelineOf(byName('001_init')).rows, [], 'tables created in the file block nobody');
  });

  it('timeline SVG: snapshots, well-formed, nothing that loads or runs', () => {
    for (const name of ['002_change', '004_hostile_change', '005_never_committed', '006_whole_file_transaction']) {
      const svg = timelineSvg(byName(name))!;
      const elements = xmlElements(svg);
      assert.ok(
        elements.every((e) => ['svg', 'title', 'defs', 'pattern', 'rect', 'line', 'text', 'g'].includes(e)),
        elements.join(' '),
      );
      assert.ok(!/href|on\w+=|javascript:|https?:\/\/(?!www\.w3\.org\/2000\/svg")/i.test(svg), 'no link, handler or external reference');
      snapshot(`${name}.svg`, svg);
    }
    assert.strictEqual(timelineSvg(byName('001_init')), undefined, 'no picture without a lock on an existing table');
  });

  it('timeline SVG: hostile table names are text, and control characters cannot break the XML', () => {
    const svg = timelineSvg(byName('004_hostile_change'))!;
    assert.ok(svg.includes(xml('<script>alert(1)</script>')) && !svg.includes('<script'));
    assert.ok(svg.includes('a&amp;b &quot;quoted&quot; &#39;x&#39;'));
    assert.ok(!/[\x00-\x08\x0B\x0C\x0E-\x1F]/.test(svg) && svg.includes('esc\\x1b[31mred\\x07'));
  });

  it('overview: worst statements by what the lock blocks × the work under it, tables touched most', () => {
    const o = overview(files.map(overviewFile));
    assert.deepStrictEqual([o.files.length, o.filesWithErrors > 0, o.statements], [6, true, files.reduce((n, f) => n + f.statements.length, 0)]);
    const top = o.worst[0];
    // Line 4's ACCESS EXCLUSIVE is held over the rewrite on line 5, the index build on 7, the scan on 8.
    assert.deepStrictEqual([top.path, top.line, top.relation, top.level, top.held], ['migrations/002_change.sql', 4, 'users', 'reads', 'COMMIT L10']);
    assert.strictEqual(top.score, 3 * (1 + 3 + 1 + 2 + 2));
    assert.ok(o.worst.length <= 10 && o.worst.every((w, i) => i === 0 || o.worst[i - 1].score >= w.score));
    // orgs: 2 statements in 002, 1 in 005, 2 in 006; orders and users: 4 each, in 2 files and 1.
    assert.deepStrictEqual(
      o.tables.slice(0, 3).map((t) => `${t.relation} ${t.statements}/${t.files}`),
      ['orgs 5/3', 'orders 4/2', 'users 4/1'],
    );
    assert.ok(!o.worst.some((w) => w.path.includes('001_init')), 'new tables are not worst statements');
  });

  it('HTML: snapshot; one self-contained page (no script, no external request)', () => {
    const o = overview(files.map(overviewFile));
    const html = auditHtml(files, o);
    xmlElements(html.replace('<!doctype html>\n', ''));
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
    assert.ok(!/<script|<link|<img|<iframe|@import|url\((?!#)/i.test(html), 'nothing to run or fetch');
    for (const href of html.match(/href="[^"]*"/g) ?? []) assert.match(href, /^href="#f\d+-L\d+"$/, 'only links inside the page');
    assert.ok(!html.includes('001_init.sql</code></h3>'), 'files without findings are left out by default');
    assert.ok(auditHtml(files, o, { all: true }).includes('001_init.sql</code></h3>'), '--all lists them');
    snapshot('audit.html', html);
  });

  it('terminal text: aligned columns, no markdown escapes, control characters shown, a totals line', () => {
    const text = auditText(files, overview(files.map(overviewFile)));
    assert.ok(!/\\[_`*(|<]/.test(text), 'no markdown escapes');
    assert.ok(text.includes('lock_timeout') && text.includes('ACCESS EXCLUSIVE users'));
    assert.ok(!/[\x00-\x08\x0B-\x1F]/.test(text), 'no raw control character reaches the terminal');
    assert.ok(text.includes('esc\\x1b[31mred\\x07'));
    const lines = text.trimEnd().split('\n');
    assert.match(lines[lines.length - 1], /^Totals: 6 files, \d+ statements, \d+ errors, \d+ warnings?, \d+ info$/);
    // The table of 002_change: every row's "held until" cell starts in the same column.
    const head = lines.findIndex((l) => l.startsWith('migrations/002_change.sql'));
    const header = lines[head + 1];
    const col = header.indexOf('held until');
    const rows = lines
      .slice(head + 2)
      .filter((l) => /^\s+\d+ {2}(ALTER|UPDATE|CREATE)/.test(l))
      .slice(0, 5);
    assert.strictEqual(rows.length, 5);
    for (const row of rows) assert.match(row.slice(col), /^(COMMIT L10|statement) /, row);
  });
});
