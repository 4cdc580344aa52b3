/**
 * Output goes through the escaping modules (issue 12, "escape at the point of output, once, in one
 * module per output kind"), checked on the source like layering.test.ts: the CLI and the trace
 * write only through project/output.ts (which guards against workflow commands and escapes
 * one-line messages), JSON text is made only by escapeJson.ts, workflow commands only by
 * escapeGithub.ts, and the escapers themselves live in core/report/escape*.ts. What each format
 * then writes is checked on hostile content by test/robustness/injection.test.ts and security.test.ts.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Files of server/src (comments stripped) whose code matches `re`, except `allowed`. */
function offenders(re: RegExp, allowed: string[]): string[] {
  return sources('server/src')
    .filter((f) => !allowed.includes(f))
    .filter((f) => re.test(fs.readFileSync(path.join(ROOT, f), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')));
}

describe('output layering: every output path goes through an escaping module', () => {
  it('only project/output.ts writes to stdout or stderr (the server logs through the LSP connection)', () => {
    assert.deepStrictEqual(
      // lsp/transport.ts is the connection itself: it sends stray console output to the client's log.
      offenders(/process\.(stdout|stderr)\.write|console\.(log|error|warn|info)\(/, [
        'server/src/project/output.ts',
        'server/src/lsp/log.ts',
        'server/src/lsp/transport.ts',
      ]),
      [],
    );
  });

  it('reports become JSON text only in escapeJson.ts (init, stats, the result cache and its run records write data files themselves)', () => {
    const allowed = [
      'server/src/core/report/escapeJson.ts',
      'server/src/cli/init.ts',
      'server/src/cli/stats.ts',
      'server/src/core/config/config.ts',
      'server/src/cli/cache.ts',
      'server/src/cli/replay.ts',
    ];
    assert.deepStrictEqual(
      offenders(/JSON\.stringify\(/, allowed).filter((f) => !f.startsWith('server/src/lsp/') && !f.startsWith('server/src/core/rules/')),
      [],
    );
  });

  it('workflow commands (`::name ...::`) are written only by escapeGithub.ts', () => {
    assert.deepStrictEqual(offenders(/[`'"]::(error|warning|notice|debug|group|add-mask)/, ['server/src/core/report/escapeGithub.ts']), []);
  });

  it('no escaper outside the escape modules: control-character classes and entity tables live there', () => {
    const escapers = ['escapeTerminal', 'escapeGithub', 'escapeJson', 'escapeMarkdown', 'escapeXml'].map((m) => `server/src/core/report/${m}.ts`);
    // A regex class over C1 codes or bidi overrides, or an entity table: an escaper of its own.
    assert.deepStrictEqual(offenders(/\\x9F|\\u009F|\\u202E|\\u202A|'&amp;'|'%0A'/i, escapers), []);
  });
});
