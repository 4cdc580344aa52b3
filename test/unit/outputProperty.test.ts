/**
 * A property over every output format (issue 12): for seeded random migrations whose identifiers,
 * literals, comments and file names are drawn from the characters that act on terminals, CI
 * runners and markdown renderers, what the CLI would print (the format, then project/output.ts's
 * guard) holds no raw control, C1 or bidi character and no workflow command line (the `github`
 * format: only its own, one per finding), and the markdown renders nothing live.
 * LOCKWISE_PROPERTY_SEED replays a run; a failure prints the seed and the case.
 */
import * as assert from 'assert';
import {
  Analysis,
  analyze,
  auditFileMarkdown,
  auditHtml,
  auditJson,
  auditText,
  FileReport,
  githubAnnotations,
  inertLines,
  initParser,
  isWorkflowCommand,
  jsonText,
  lintJson,
  lintJsonPieces,
  overview,
  overviewFile,
  overviewMarkdown,
  sarifReport,
  sarifReportPieces,
  textReport,
  textReportPieces,
} from '../../server/src/core';
import { isTimelineImage, liveMarkdown } from '../robustness/markdownSafety';

const SEED = Number(process.env.LOCKWISE_PROPERTY_SEED ?? 20261201);
const CASES = 150;
const RAW = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/** Pieces that mean something to a terminal, a CI runner, a markdown renderer or a URI. */
const PIECES = [
  '\x1b[',
  '\x1b]0;',
  '\x07',
  '\x1b\\',
  '\x9b',
  '\x85',
  '\x00',
  '\b',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u2028',
  '\u202e',
  '\u2066',
  '\u200f',
  '::',
  '::error file=x::',
  '##[',
  '%0A',
  '%',
  ',',
  ':',
  '=',
  ' ',
  '  ',
  '<img src=https://evil.example/x>',
  '<',
  '>',
  '&',
  '"',
  "'",
  '`',
  '[',
  ']',
  '(',
  ')',
  '](',
  'command:x',
  'https://',
  'www.',
  '@',
  '|',
  '*',
  '_',
  '#',
  '\\',
  '$(zap)',
  'a',
  'users',
  '表',
  '😀',
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileText(next: () => number): string {
  let out = '';
  for (let i = 1 + Math.floor(next() * 6); i > 0; i--) out += PIECES[Math.floor(next() * PIECES.length)];
  return out;
}

const ident = (s: string) => `"${s.replace(/\x00/g, '').replace(/"/g, '""') || 'x'}"`;
const literal = (s: string) => `'${s.replace(/\x00/g, '').replace(/'/g, "''")}'`;

function migration(next: () => number): string {
  const t = ident(hostileText(next));
  const c = ident(hostileText(next));
  return [
    `-- ${hostileText(next).replace(/[\r\n\u2028]/g, ' ')}`,
    `CREATE INDEX ${ident(hostileText(next))} ON ${t} (${c});`,
    `ALTER TABLE ${t} ADD COLUMN ${c} int NOT NULL;`,
    `UPDATE ${t} SET ${c} = ${literal(hostileText(next))};`,
    `ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${ident(hostileText(next))};`,
    hostileText(next),
  ].join(next() < 0.5 ? '\n' : '\r\n');
}

/** Everything the CLI prints for these files, format by format (before output.ts's guard). */
function outputs(reports: FileReport[], analyses: Analysis[]): Record<string, string> {
  const files = reports.map((r, i) => auditJson(r.path, analyses[i]));
  const o = overview(files.map(overviewFile));
  return {
    text: textReport(reports, false),
    json: lintJson(reports),
    sarif: sarifReport(reports, { version: '0', root: '/w', helpUri: (id) => `https://example.invalid/${id}` }),
    auditText: auditText(files, o, { all: true }),
    auditMarkdown: overviewMarkdown(o, { all: true }) + files.map((f) => auditFileMarkdown(f, { timeline: true })).join('\n'),
    auditHtml: auditHtml(files, o, { all: true }),
    auditJson: jsonText({ files }),
  };
}

describe('output property: hostile content in any format', function () {
  this.timeout(120000);
  before(() => initParser());

  it(`${CASES} seeded random migrations and file names through every format (seed ${SEED})`, () => {
    const next = rng(SEED);
    // How often the content was dangerous: findings quoting raw controls, lines the guard had to defuse.
    let rawMessages = 0;
    let guarded = 0;
    for (let i = 0; i < CASES; i++) {
      const analyses = [analyze(migration(next)), analyze(migration(next))];
      const reports: FileReport[] = analyses.map((analysis) => ({ path: `m/${hostileText(next).replace(/[/\x00]/g, '')}.sql`, analysis }));
      const where = `seed ${SEED}, case ${i}: ${JSON.stringify(reports.map((r) => [r.path, r.analysis.text]))}`;
      if (reports.some((r) => r.analysis.findings.some((f) => RAW.test(f.message)))) rawMessages++;
      for (const [format, printed] of Object.entries(outputs(reports, analyses))) {
        const text = inertLines(printed);
        if (text !== printed) guarded++;
        const raw = RAW.exec(text);
        assert.strictEqual(raw, null, `${format}: raw ${JSON.stringify(raw?.[0])}; ${where}`);
        const commands = text.split(/\r\n|\r|\n/).filter(isWorkflowCommand);
        assert.deepStrictEqual(commands, [], `${format}: workflow command; ${where}`);
        if (format === 'json' || format === 'sarif' || format === 'auditJson') JSON.parse(text);
        if (format === 'auditMarkdown')
          assert.deepStrictEqual(
            liveMarkdown(text, () => false, isTimelineImage),
            [],
            `${format}: live markdown; ${where}`,
          );
      }
      // The CLI writes these in pieces, guarded batch by batch: each piece must end a line.
      for (const piece of [
        ...lintJsonPieces(reports),
        ...textReportPieces(reports, true),
        ...sarifReportPieces(reports, { version: '0', root: '/w', helpUri: (id) => id }),
      ])
        assert.ok(piece.endsWith('\n'), `a piece that does not end a line: ${JSON.stringify(piece.slice(-40))}; ${where}`);
      const github = githubAnnotations(reports).trimEnd();
      const findings = reports.reduce((n, r) => n + r.analysis.findings.length, 0);
      const lines = github ? github.split(/\r\n|\r|\n/) : [];
      assert.strictEqual(lines.length, findings, `github: one line per finding; ${where}`);
      for (const line of lines)
        assert.match(line, /^::(error|warning|notice) file=[^,:\r\n]*,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z-]+::/, where);
      assert.doesNotMatch(github, RAW, `github; ${where}`);
    }
    console.log(`      (${rawMessages} of ${CASES} cases quote raw controls in messages; the guard changed ${guarded} outputs)`);
    assert.ok(
      rawMessages > CASES / 4 && guarded > 10,
      `the content exercised the escaping: ${rawMessages} cases with raw controls in messages, ${guarded} outputs guarded`,
    );
  });
});
