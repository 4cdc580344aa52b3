/**
 * Everything rendered as markdown from document text (hover cards, the audit report from the CLI
 * and from the server's commands) is escaped: hostile table, column, constraint and type names and
 * literals render as text, never as a link, an image or HTML. Hover content is plain MarkupContent
 * (never trusted); CodeLens titles are labels without a command.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, auditMarkdown, initParser } from '../../server/src/core';
import { relativeFileLinks } from '../../client/src/reportLinks';
import { statementCard } from '../../server/src/lsp/hover';
import { TestClient, tempWorkspace, write } from '../lsp/client';
import { HOSTILE_NAMES, hostileMigration, isTimelineImage, liveMarkdown } from './markdownSafety';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');

function assertInert(markdown: string, what: string, allowLink?: (href: string) => boolean): void {
  const problems = liveMarkdown(markdown, allowLink, isTimelineImage);
  assert.deepStrictEqual(problems, [], `${what} renders live markdown from document text:\n${JSON.stringify(problems.slice(0, 5), null, 1)}`);
}

describe('security: markdown built from document text is inert', function () {
  this.timeout(60000);
  const text = hostileMigration();

  before(() => initParser());

  it('the checker itself sees links, images and HTML in unescaped names (so the tests below can fail)', () => {
    const raw = liveMarkdown(HOSTILE_NAMES.join('\n\n'));
    for (const type of ['link', 'image', 'html'])
      assert.ok(
        raw.some((p) => p.type.startsWith(type)),
        `${type} not detected in ${JSON.stringify(raw)}`,
      );
    assert.ok(liveMarkdown('a <img src=x onerror=alert(1)> b').some((p) => p.type === 'html_inline'));
    assert.ok(
      liveMarkdown('see https://evil.example/x').some((p) => p.type === 'link'),
      'bare URLs are linkified',
    );
    assert.ok(
      raw.some((p) => p.detail.startsWith('command:')),
      'command: links detected',
    );
  });

  it('the hostile migration produces findings that quote the names', () => {
    const a = analyze(text);
    assert.deepStrictEqual(a.internalErrors, []);
    assert.ok(a.findings.length > HOSTILE_NAMES.length * 3, `${a.findings.length} findings`);
    assert.ok(
      a.findings.some((f) => f.message.includes('command:workbench.action.terminal.new')),
      'a message quotes a hostile name',
    );
  });

  it('core auditMarkdown (CLI audit and the server audit commands use it)', () => {
    const a = analyze(text);
    const markdown = auditMarkdown('migrations/[x](command:workbench.action.terminal.new)|<img src=x>.sql', a);
    assert.ok(markdown.includes('command:workbench.action.terminal.new'), 'the names are in the report, as text');
    assertInert(markdown, 'auditMarkdown');
    const linked = auditMarkdown('x.sql', a, { lineLink: (line) => `file:///w/x.sql#L${line}` });
    assertInert(linked, 'auditMarkdown with line links', (href) => /^file:\/\/\/w\/x\.sql#L\d+$/.test(href));
  });

  it('hover cards of every statement', () => {
    const a = analyze(text);
    assert.ok(a.statements.length > 50);
    for (const s of a.statements) assertInert(statementCard(a, s), `hover of statement ${s.statement.index}: ${s.statement.text.slice(0, 60)}`);
  });

  it('lockwise audit (markdown) from the CLI', () => {
    const dir = tempWorkspace({ 'm/001_[x](command:workbench.action.terminal.new).sql': text });
    const r = spawnSync(process.execPath, [CLI, 'audit', path.join(dir, 'm')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.ok(r.stdout.includes('onerror'), 'the report has the hostile statements');
    assertInert(r.stdout, 'CLI audit');
  });
});

describe('security: the server renders document text inertly', function () {
  this.timeout(60000);
  let client: TestClient;
  let dir: string;
  const text = hostileMigration();

  before(async () => {
    // A file name that is itself hostile: it ends up in the audit's headings and line links.
    dir = tempWorkspace();
    client = await TestClient.start(dir);
  });
  after(() => client?.stop());

  it('hover: MarkupContent (never trusted), no live markdown, on every line', async () => {
    const file = write(dir, 'hover.sql', text);
    const uri = await client.open(file);
    await client.diagnostics(uri);
    const lines = text.split('\n');
    let hovers = 0;
    for (let line = 0; line < lines.length; line++) {
      for (const character of [0, Math.floor(lines[line].length / 2), Math.max(0, lines[line].length - 2)]) {
        const h = await client.hover(uri, line, character);
        if (!h) continue;
        hovers++;
        const contents = h.contents as unknown;
        assert.ok(typeof contents === 'object' && contents !== null && !Array.isArray(contents), 'a single MarkupContent');
        const markup = contents as { kind: string; value: string; isTrusted?: unknown; supportHtml?: unknown };
        assert.strictEqual(markup.kind, 'markdown');
        assert.ok(!markup.isTrusted && !markup.supportHtml, 'never trusted, no HTML');
        assertInert(markup.value, `hover at ${line}:${character}`);
      }
    }
    assert.ok(hovers > lines.length, `${hovers} hovers`);
  });

  it("CodeLens titles are one line; their only command is the client's lockwise.showStatement on this document", async () => {
    const file = write(dir, 'lens.sql', text);
    const uri = await client.open(file);
    await client.diagnostics(uri);
    const lenses = await client.codeLens(uri);
    assert.ok(lenses.length > 5, `${lenses.length} lenses`);
    for (const lens of lenses) {
      assert.strictEqual(lens.command?.command, 'lockwise.showStatement', `lens runs ${lens.command?.command}`);
      assert.strictEqual(lens.command?.arguments?.[0], uri);
      assert.ok(!/[\r\n]/.test(lens.command?.title ?? ''), 'one line');
      assert.doesNotMatch(lens.command?.title ?? '', /(?<!\\)\$\([A-Za-z0-9-]+\)/, 'no icon syntax from a name');
    }
  });

  it('audit commands: headings and line links stay inert even for a hostile file name and URI', async () => {
    const file = write(dir, 'm/001_a)(b[c]<d>`e`|f.sql', text);
    const uri = await client.open(file);
    await client.diagnostics(uri);
    // A client may also send a URI with raw brackets and parentheses (not every client encodes them).
    const rawUri = `file://${dir}/m/002_x)[y](command:workbench.action.terminal.new)(z.sql`;
    await client.openUri(rawUri, text);
    await client.diagnostics(rawUri);
    const lineLink = (href: string) => /#L\d+$/.test(href) && href.startsWith('file:') && !/[()[\]<>` ]/.test(href.replace(/#L\d+$/, ''));
    // What the preview shows: the client rewrites line links relative to the report's folder.
    const reportDir = { authority: '', path: path.join(dir, '.reports/r') };
    const relativeLink = (href: string) => /^(\.\.\/)+[A-Za-z0-9\-._~%/]+#L\d+$/.test(href);
    for (const u of [uri, rawUri]) {
      const one = await client.executeCommand<string>('lockwise.auditFile', u);
      assert.ok(one.includes('onerror') && one.includes('%3Cimg'), 'the audit has the statements');
      assertInert(one, `lockwise.auditFile ${u}`, lineLink);
      assertInert(relativeFileLinks(one, reportDir), `preview of lockwise.auditFile ${u}`, relativeLink);
    }
    const all = await client.executeCommand<{ markdown: string }>('lockwise.auditFiles', [uri, rawUri]);
    assert.ok((all.markdown.match(/!\[Lock timeline\]\(data:image\/svg\+xml/g) ?? []).length >= 2, 'the timeline pictures are there, and checked');
    assertInert(all.markdown, 'lockwise.auditFiles', lineLink);
    assertInert(relativeFileLinks(all.markdown, reportDir), 'preview of lockwise.auditFiles', relativeLink);
  });

  it('diagnostics are plain text messages (no markdown field), and the server wrote no error', async () => {
    const uri = await client.open(write(dir, 'diag.sql', text));
    const published = await client.diagnostics(uri);
    assert.ok(published.diagnostics.length > 10);
    for (const d of published.diagnostics) assert.strictEqual(typeof d.message, 'string');
    assert.deepStrictEqual(
      client.logs.filter((l) => / failed: /.test(l)),
      [],
    );
    assert.ok(fs.existsSync(dir));
  });
});
