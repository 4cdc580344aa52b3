/**
 * The escaping modules of core/report, one per output kind (issue 12, "output that content cannot
 * act through"): terminal (escapeTerminal.ts), GitHub workflow commands (escapeGithub.ts),
 * markdown (escapeMarkdown.ts), HTML/SVG (escapeXml.ts). The CLI-level checks over every format
 * are in test/robustness/injection.test.ts.
 */
import * as assert from 'assert';
import {
  analyze,
  auditMarkdown,
  clip,
  codeSafe,
  escapeMarkdown,
  githubAnnotations,
  inertLines,
  initParser,
  isWorkflowCommand,
  jsonListPieces,
  jsonPieces,
  jsonText,
  quoted,
  terminalExcerpt,
  terminalLines,
  terminalText,
  textReport,
  workflowCommand,
} from '../../server/src/core';
import * as fs from 'fs';
import * as path from 'path';
import { xml } from '../../server/src/core/report/escapeXml';
import { statementCard } from '../../server/src/lsp/hover';
import { tapOutput, writeReport, writeReportPieces } from '../../server/src/project/output';
import { TERMINAL_ATTACKS } from '../robustness/injection';

/** Anything a terminal, a log viewer or a bidi-aware renderer would act on. */
const RAW = /[\x00-\x09\x0B-\x1F\x7F-\x9F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

describe('escaping: terminal', () => {
  it('shows every control, C1 code and bidi override as an escape', () => {
    assert.strictEqual(terminalText('a\x1b[2Jb'), 'a\\x1b[2Jb');
    assert.strictEqual(terminalText('\x1b]0;title\x07'), '\\x1b]0;title\\x07');
    assert.strictEqual(terminalText('\x9b31m \x85 \x7f'), '\\x9b31m \\x85 \\x7f');
    assert.strictEqual(terminalText('x\n::error::y\r\tz'), 'x\\n::error::y\\r\\tz');
    assert.strictEqual(terminalText('txt.\u202egnp.exe \u2066i\u2069 \u2028'), 'txt.\\u202egnp.exe \\u2066i\\u2069 \\u2028');
    for (const attack of TERMINAL_ATTACKS) assert.doesNotMatch(terminalText(attack), RAW, JSON.stringify(attack));
    assert.strictEqual(terminalText('naïve 表 😀 \\x1b'), 'naïve 表 😀 \\x1b', 'printable text is untouched');
  });

  it('multi-line blocks keep their line breaks and escape the rest', () => {
    assert.strictEqual(terminalLines('+a\x1b[31m\n-b\r\n+c\rd\n'), '+a\\x1b[31m\n-b\n+c\\rd\n', 'CRLF is a line break, a lone CR is shown');
  });

  it('quoted(): clipped (never half a surrogate pair), escaped, in double quotes', () => {
    assert.strictEqual(quoted('k'.repeat(20 * 1024 * 1024)), `"${'k'.repeat(60)}…"`);
    assert.strictEqual(quoted('a\n"b"'), '"a\\n\\"b\\""');
    assert.strictEqual(clip(`${'a'.repeat(59)}😀`, 60), `${'a'.repeat(59)}…`);
  });

  it('excerpts: the carets stay under the finding when escapes widen the text before it', () => {
    const line = 'SELECT "\x1b[2J"; CREATE INDEX i ON t (c);';
    const start = line.indexOf('CREATE');
    const e = terminalExcerpt(line, start, start + 'CREATE INDEX'.length);
    assert.strictEqual(e.text, 'SELECT "\\x1b[2J"; CREATE INDEX i ON t (c);');
    assert.strictEqual([...e.text].slice(e.caret, e.caret + e.width).join(''), 'CREATE INDEX');
    const tab = terminalExcerpt('\tCREATE INDEX i ON t (c);', 1, 13);
    assert.deepStrictEqual([tab.text.slice(0, 4), tab.caret, tab.width], ['    ', 4, 12]);
  });

  it('excerpts of a huge line are a window around the finding', () => {
    const line = `${'x'.repeat(500000)}CREATE INDEX i ON t (c);${'y'.repeat(500000)}`;
    const e = terminalExcerpt(line, 500000, 500012);
    assert.ok(e.text.length < 250, `${e.text.length} characters`);
    assert.ok(e.text.startsWith('…') && e.text.endsWith('…'));
    assert.strictEqual([...e.text].slice(e.caret, e.caret + e.width).join(''), 'CREATE INDEX');
    const long = terminalExcerpt(line, 10, line.length);
    assert.ok(long.width <= 80 && long.text.length < 250, 'a long span is clipped too');
    const astral = terminalExcerpt('😀'.repeat(300), 120, 122);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(astral.text), 'no half surrogate pair');
  });

  it('the text format on a 1 MB one-line file with ~35,000 findings: no "Invalid string length", bounded output', async function () {
    this.timeout(120000);
    await initParser();
    const parts: string[] = [];
    for (let n = 0; n < 1024 * 1024; n += parts[parts.length - 1].length + 1) parts.push(`CREATE INDEX i${parts.length} ON t (c);`);
    const a = analyze(parts.join(' '));
    assert.ok(a.findings.length > 29000, `${a.findings.length} findings`);
    const out = textReport([{ path: 'big.sql', analysis: a }], false);
    assert.ok(out.length < a.findings.length * 700, `${out.length} characters for ${a.findings.length} findings`);
    assert.ok(out.split('\n').every((l) => l.length < 600));
  });

  it('the text format escapes paths, messages, source lines and fix titles', async () => {
    await initParser();
    const text = 'CREATE INDEX "i\x1b]0;pwned\x07" ON "t\n::error file=a::b" (c);\n';
    const out = textReport([{ path: 'm/\x1b[2J\u202e.sql', analysis: analyze(text) }], false);
    assert.doesNotMatch(out, RAW);
    assert.ok(out.includes('m/\\x1b[2J\\u202e.sql:1:1'));
    assert.ok(!out.split('\n').some(isWorkflowCommand), out);
  });
});

describe('escaping: GitHub workflow commands', () => {
  it("data escapes %, CR, LF; properties also ':' and ',' (actions/runner ActionCommand.cs)", () => {
    assert.strictEqual(
      workflowCommand(
        'error',
        [
          ['file', 'a:b,c%d.sql'],
          ['line', 3],
          ['title', 'x'],
        ],
        '100% bad\r\n::warning::x',
      ),
      '::error file=a%3Ab%2Cc%25d.sql,line=3,title=x::100%25 bad\\r\\n::warning::x',
    );
    assert.strictEqual(workflowCommand('notice', [], 'x\x1b[31m'), '::notice::x\\x1b[31m');
  });

  it('the github format writes exactly one command line per finding, whatever the names', async () => {
    await initParser();
    const a = analyze('CREATE INDEX "x\n::error file=evil::owned" ON "%0A::warning::y,z:w" (c);\nALTER TABLE "##[error]t" ADD COLUMN c int NOT NULL;\n');
    const lines = githubAnnotations([{ path: 'dir/::x,y%.sql', analysis: a }])
      .trimEnd()
      .split('\n');
    assert.strictEqual(lines.length, a.findings.length);
    for (const line of lines)
      assert.match(line, /^::(error|warning|notice) file=dir\/%3A%3Ax%2Cy%25\.sql,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z-]+::[^\r\n]*$/);
    assert.ok(
      lines.some((l) => l.includes('%250A::warning::y,z:w')),
      'the name is shown, escaped',
    );
  });

  it('inertLines(): no line of other output starts a command, with any leading whitespace or line break', () => {
    const attacks = [
      '::error::x',
      '  ::error::x',
      '\t::warning file=a::b',
      '\u00a0::error::x',
      '\x85::error::x',
      '\u3000::e::x',
      'a ##[error]x',
      '\ufeff::error::x',
    ];
    for (const a of attacks) {
      for (const text of [a, `ok\n${a}`, `ok\r${a}`, `ok\r\n${a}\n`]) {
        const out = inertLines(text);
        assert.ok(!out.split(/\r\n|\r|\n/).some(isWorkflowCommand), JSON.stringify(out));
      }
    }
    assert.strictEqual(inertLines('a::b\n::error::x\n'), 'a::b\n\\x3a:error::x\n');
  });

  it('inertLines() over the whole text escapes what a check of each line on its own escapes (random text)', () => {
    const perLine = (text: string) =>
      text
        .split(/(\r\n|\r|\n)/)
        .map((line) => line.replace(/^([\s\x85]*):(?=:)/, '$1\\x3a').replace(/##\[/g, '#\\x23['))
        .join('');
    const alphabet = [':', ':', '#', '[', '\n', '\r', ' ', '\t', '\u2028', '\x85', 'a', '\u00a0', '\ufeff'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % alphabet.length;
    for (let i = 0; i < 50000; i++) {
      const text = Array.from({ length: i % 14 }, () => alphabet[next()]).join('');
      assert.strictEqual(inertLines(text), perLine(text), JSON.stringify(text));
    }
  });
});

describe('escaping: JSON', () => {
  it('the same value, with DEL, C1, bidi and `##[` spelled as \\u escapes', () => {
    const value = { names: [...TERMINAL_ATTACKS, '\\##[x', '#'] };
    const text = jsonText(value);
    assert.deepStrictEqual(JSON.parse(text), value);
    assert.doesNotMatch(text, RAW);
    assert.ok(!text.includes('##['));
  });

  it('in pieces (jsonListPieces): the text of jsonText, each piece ending a line (random values)', () => {
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const leaves: unknown[] = [...TERMINAL_ATTACKS, '##[', '#', 'é…\u2028', '\n::x', 0, -1.5, true, null, undefined, () => 1, new Date(0), [], {}];
    const value = (depth: number): unknown => {
      if (depth > 3 || next(3) === 0) return leaves[next(leaves.length)];
      if (next(2) === 0) return Array.from({ length: next(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: next(4) }, (_, i) => [`k${i}${leaves[next(4)]}`, value(depth + 1)]));
    };
    for (let round = 0; round < 3000; round++) {
      const items = Array.from({ length: next(5) }, () => value(0));
      const toJson = round % 2 ? (x: unknown) => x : (x: unknown) => ({ path: `f${round}`, findings: x });
      const pieces = [...jsonListPieces('files', items, toJson)];
      assert.strictEqual(pieces.join(''), jsonText({ files: items.map(toJson) }), `round ${round}`);
      for (const piece of pieces) assert.ok(piece.endsWith('\n'), JSON.stringify(piece));
      // A list deeper in a value, as SARIF's results are.
      const nested = { a: value(2), runs: [{ tool: value(2), results: items, z: 1 }], b: '##[' };
      const deep = [...jsonPieces(nested, items, (x) => x)];
      assert.strictEqual(deep.join(''), jsonText(nested), `round ${round}, nested`);
      for (const piece of deep) assert.ok(piece.endsWith('\n'), JSON.stringify(piece));
    }
    assert.throws(() => [...jsonPieces({ a: 1 }, [], (x) => x)], /once/);
  });

  it('written in pieces (writeReportPieces): the bytes of the whole report written at once, workflow-command guard included', () => {
    const lines = ['::error::x', '  ::warning', '\t\n::y', '##[group]', 'a::b', '', '   ', 'plain text é'];
    let seed = 11;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    // Pieces of whole lines, over several of the writer's batches.
    const pieces = Array.from({ length: 4000 }, () => Array.from({ length: 1 + next(6) }, () => lines[next(lines.length)]).join('\n') + '\n');
    const written = (write: () => void) => {
      const out: string[] = [];
      tapOutput((_stream, text) => out.push(text));
      try {
        write();
      } finally {
        tapOutput(undefined);
      }
      return out;
    };
    const gone = process.stdout.write;
    process.stdout.write = () => true;
    try {
      const inPieces = written(() => writeReportPieces(pieces));
      assert.ok(inPieces.length > 3, `${inPieces.length} writes`);
      assert.strictEqual(inPieces.join(''), written(() => writeReport(pieces.join(''))).join(''));
    } finally {
      process.stdout.write = gone;
    }
  });
});

describe('escaping: markdown and HTML', () => {
  it('markdown shows controls, never renders them', () => {
    assert.strictEqual(escapeMarkdown('a\x1b[31m'), 'a\\\\x1b\\[31m');
    assert.strictEqual(codeSafe('a\x1b]0;t\x07`'), "a\\x1b]0;t\\x07'");
    for (const attack of TERMINAL_ATTACKS) {
      assert.doesNotMatch(escapeMarkdown(attack), RAW);
      assert.doesNotMatch(codeSafe(attack), RAW);
    }
  });

  it('HTML: no raw control or line break from a name, so no line of the page starts with it', () => {
    assert.strictEqual(xml('<b>\n::error::x\x1b'), '&lt;b&gt;\\n::error::x\\x1b');
    for (const attack of TERMINAL_ATTACKS) assert.doesNotMatch(xml(attack), RAW);
  });

  it('severities in markdown are the words error/warning/info, not emoji (they render without an emoji font)', async () => {
    await initParser();
    const a = analyze('CREATE INDEX i ON t (c);\nALTER TABLE t ADD COLUMN d int NOT NULL;\nUPDATE t SET d = 1;\nALTER TABLE t ADD COLUMN e int;\n');
    assert.ok(new Set(a.findings.map((f) => f.severity)).size >= 2, 'errors and warnings');
    const markdown = [auditMarkdown('x.sql', a), ...a.statements.map((s) => statementCard(a, s))].join('\n');
    assert.doesNotMatch(markdown, /\p{Extended_Pictographic}/u);
    assert.match(markdown, /\| error `require-concurrent-index-creation`/);
    const readme = fs.readFileSync(path.resolve(__dirname, '../../../README.md'), 'utf8');
    assert.doesNotMatch(readme, /\p{Extended_Pictographic}/u, 'the README shows what the report prints');
  });
});
