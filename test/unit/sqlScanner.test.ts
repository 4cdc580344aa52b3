/**
 * The JavaScript lexer (core/parse/scanner.ts) against libpg-query's `scanSync`: wherever it
 * answers, every token's kind, text and span are libpg-query's; where it cannot, it says so.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { initParser, scanTokens, scanWasm } from '../../server/src/core/parse/parser';
import { scanSql } from '../../server/src/core/parse/scanner';
import { KEYWORDS_BY_KIND } from '../../server/src/core/parse/keywords';
import { splitStatements } from '../../server/src/core/parse/splitter';
import { itWithCorpus } from '../support/corpus';

const ROOT = path.resolve(__dirname, '../../..');

/** Every statement of the .sql files under `dir` (the splitter's pieces, as the analysis scans them). */
function statementsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!/\.sql$/i.test(name)) continue;
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    for (const c of splitStatements(text).chunks) out.push(text.slice(c.start, c.end));
  }
  return out;
}

/** Compares both lexers on each text; returns how many the JavaScript one answered. */
function compare(texts: string[]): number {
  let answered = 0;
  for (const text of texts) {
    const js = scanSql(text);
    if (!js) continue;
    answered++;
    assert.deepStrictEqual(js, scanWasm(text), JSON.stringify(text.slice(0, 300)));
  }
  return answered;
}

describe('SQL lexer: scanner.ts against libpg-query scanSync', function () {
  this.timeout(600000);
  before(() => initParser());

  it("the keyword table is the parser's own, each word in the category scanSync gives it", () => {
    const wasm = fs.readFileSync(path.join(ROOT, 'node_modules/libpg-query/wasm/libpg-query.wasm'));
    const start = wasm.indexOf(Buffer.from('abort\0absent\0'));
    const words = wasm
      .subarray(start, wasm.indexOf(Buffer.from('\0zone\0'), start) + 5)
      .toString('latin1')
      .split('\0');
    const table = Object.entries(KEYWORDS_BY_KIND).flatMap(([kind, list]) => list.split(' ').map((w) => [w, kind]));
    assert.deepStrictEqual(table.map(([w]) => w).sort(), [...words].sort());
    for (const [word, kind] of table) {
      assert.deepStrictEqual(scanWasm(word), [{ start: 0, end: word.length, text: word.toUpperCase(), keyword: true, kind }]);
      assert.deepStrictEqual(scanSql(word), scanWasm(word));
    }
  });

  it("every token kind and the lexer's corner cases: same tokens, or no answer", () => {
    const answered = [
      "SELECT a.b, 'x''y', E'\\n', E'it\\'s', $$q$$, $t$z$t$, $a$ $$ $a$, 1, 1.5, 1e3, 1E-3, .5, .5e3, 1., 1_000, 2147483647, 2147483648, 007",
      "B'01', X'ff', b'1', x'A', \"Q\", \"a\"\"b\", $1, $12, a$b, a::int, a := b, f(a => b)",
      'a <= b, a >= b, a <> b, a != b, a || b, a @> b, a ->> b, a ~~* b, a + - * / % ^ < > = ( ) [ ] ; : . .. ...',
      '1..2, <=>, =-, ?-, @-, *-, +-, !==, ||/, <<=, ::=, :=:, >=>, |/, ~=, !!, +/*c*/, ~--c\n',
      '-- line\n/* block /* nested */ still */ x /* */ y -- end',
      'aéb é \u3000a \t\r\n b NOT NULLS WITH nothing_kw table INT Varchar between "TABLE" Table_x',
      "'a' -- comment, no newline then no quote",
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t USING btree (lower(a)) WHERE b IS NOT NULL;',
      'CREATE TABLE {{ .Schema }}.t (a int) \\ \u007f',
    ];
    for (const text of answered) assert.ok(scanSql(text), `no answer for ${JSON.stringify(text)}`);
    const unanswered = [
      "U&'\\0041' UESCAPE '!'",
      'U&"x"',
      "N'x'",
      "'a'\n'b'",
      "E'\\xff'",
      "E'\\u0041'",
      '1a',
      '0x1F',
      '1e',
      '1_',
      '$1a',
      '$a',
      '"" x',
      "'open",
      '/* open',
      '$a$ open',
      '+'.repeat(70) + '~',
      '$12345678901',
      'CREATE TABLE "esc\u001b[31m" (id int)',
      '\v a \f b',
    ];
    for (const text of unanswered) assert.strictEqual(scanSql(text), undefined, JSON.stringify(text));
    assert.strictEqual(compare([...answered, ...unanswered]), answered.length);
  });

  it('the rule fixtures: same tokens wherever it answers (at least 95% of statements)', () => {
    const texts = statementsUnder(path.join(ROOT, 'test/fixtures'));
    assert.ok(compare(texts) >= 0.95 * texts.length);
  });

  itWithCorpus('the corpus, postgres_regress included: same tokens wherever it answers (at least 90% of statements)', (corpus) => {
    const texts = statementsUnder(corpus);
    assert.ok(texts.length > 20000, `${texts.length} statements`);
    assert.ok(compare(texts) >= 0.9 * texts.length);
  });

  it('scanTokens asks scanSync when the JavaScript lexer has no answer, and for text with NUL or a lone surrogate', () => {
    assert.deepStrictEqual(scanTokens("N'x'"), scanWasm("N'x'"));
    assert.strictEqual(scanTokens("N'x'")[0].kind, 'COL_NAME_KEYWORD');
    assert.deepStrictEqual(scanTokens('a\0b'), scanWasm('a\0b'));
    assert.deepStrictEqual(scanTokens('SELECT \ud800x'), scanWasm('SELECT \ud800x'));
  });
});
