/**
 * The injection grammar for `-- lockwise-ignore` directives, tokenized with vscode-textmate and
 * vscode-oniguruma (the engine VS Code uses) on top of a SQL grammar whose comment rules are those
 * of VS Code's built-in SQL grammar (extensions/sql/syntaxes/sql.tmLanguage.json).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, IGrammar, parseRawGrammar, Registry, StateStack } from 'vscode-textmate';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const INJECTION = path.join(ROOT, 'syntaxes', 'lockwise-ignore.injection.tmLanguage.json');

/** The comment and string rules of VS Code's SQL grammar, plus a few keywords. */
const SQL_GRAMMAR = {
  scopeName: 'source.sql',
  name: 'SQL',
  patterns: [
    { include: '#comments' },
    { include: '#strings' },
    { match: '(?i)\\b(create|index|on|alter|table|select|drop|column)\\b', name: 'keyword.other.sql' },
  ],
  repository: {
    comments: {
      patterns: [
        {
          begin: '(^[ \\t]+)?(?=--)',
          beginCaptures: { '1': { name: 'punctuation.whitespace.comment.leading.sql' } },
          end: '(?!\\G)',
          patterns: [{ begin: '--', beginCaptures: { '0': { name: 'punctuation.definition.comment.sql' } }, end: '\\n', name: 'comment.line.double-dash.sql' }],
        },
        { include: '#comment-block' },
      ],
    },
    'comment-block': {
      begin: '/\\*',
      captures: { '0': { name: 'punctuation.definition.comment.sql' } },
      end: '\\*/',
      name: 'comment.block',
      patterns: [{ include: '#comment-block' }],
    },
    strings: { begin: "'", end: "'", name: 'string.quoted.single.sql' },
  },
};

let grammar: IGrammar;

async function loadGrammar(): Promise<IGrammar> {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm);
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (p: string[]) => oniguruma.createOnigScanner(p),
      createOnigString: (s: string) => oniguruma.createOnigString(s),
    }),
    loadGrammar: async (scopeName: string) => {
      if (scopeName === 'source.sql') return parseRawGrammar(JSON.stringify(SQL_GRAMMAR), 'sql.json');
      if (scopeName === 'lockwise.ignore.injection') return parseRawGrammar(fs.readFileSync(INJECTION, 'utf8'), INJECTION);
      return null;
    },
    // As VS Code does for `injectTo` in package.json.
    getInjections: (scopeName: string) => (scopeName === 'source.sql' ? ['lockwise.ignore.injection'] : undefined),
  });
  const loaded = await registry.loadGrammar('source.sql');
  assert.ok(loaded, 'grammar loads');
  return loaded;
}

/** Tokenizes lines and returns `[text, scopes]` pairs. */
function tokenize(...lines: string[]): [string, string[]][] {
  let state: StateStack = INITIAL;
  const out: [string, string[]][] = [];
  for (const line of lines) {
    const result = grammar.tokenizeLine(line, state);
    for (const t of result.tokens) out.push([line.slice(t.startIndex, t.endIndex), t.scopes]);
    state = result.ruleStack;
  }
  return out;
}

const scopesOf = (tokens: [string, string[]][], text: string) => tokens.find(([t]) => t === text)?.[1] ?? [];
const KEYWORD = 'keyword.other.directive.ignore.lockwise';
const RULE = 'entity.name.tag.rule.lockwise';

describe('lockwise-ignore injection grammar', function () {
  before(async function () {
    grammar = await loadGrammar();
  });

  it('is valid JSON scoped like package.json says', function () {
    const raw = JSON.parse(fs.readFileSync(INJECTION, 'utf8'));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const contribution = pkg.contributes.grammars.find((g: { path: string }) => path.resolve(ROOT, g.path) === INJECTION);
    assert.ok(contribution, 'contributed in package.json');
    assert.strictEqual(contribution.scopeName, raw.scopeName);
    assert.ok(contribution.injectTo.includes('source.sql'));
  });

  it('highlights the directive and each rule id, and leaves the reason as comment', function () {
    const tokens = tokenize('-- lockwise-ignore require-lock-timeout, ban-drop-column -- reviewed by ops');
    assert.ok(scopesOf(tokens, 'lockwise-ignore').includes(KEYWORD));
    assert.ok(scopesOf(tokens, 'require-lock-timeout').includes(RULE));
    assert.ok(scopesOf(tokens, 'ban-drop-column').includes(RULE));
    assert.ok(scopesOf(tokens, ',').includes('punctuation.separator.rule.lockwise'));
    for (const [text, scopes] of tokens) {
      assert.ok(scopes.includes('comment.line.double-dash.sql'), `"${text}" stays in the comment`);
      if (/reviewed|ops/.test(text)) assert.ok(!scopes.includes(RULE), `reason "${text}" is not a rule id`);
    }
  });

  it('handles -file, squawk-ignore, indentation, trailing comments and block comments', function () {
    assert.ok(scopesOf(tokenize('-- lockwise-ignore-file ban-drop-table'), 'lockwise-ignore-file').includes(KEYWORD));
    assert.ok(scopesOf(tokenize('-- lockwise-ignore-file ban-drop-table'), 'ban-drop-table').includes(RULE));
    assert.ok(scopesOf(tokenize('    -- squawk-ignore ban-drop-column'), 'squawk-ignore').includes(KEYWORD));
    const trailing = tokenize('CREATE INDEX i ON t (c); -- lockwise-ignore require-concurrent-index-creation');
    assert.ok(scopesOf(trailing, 'CREATE').includes('keyword.other.sql'));
    assert.ok(scopesOf(trailing, 'require-concurrent-index-creation').includes(RULE));
    const block = tokenize('/* lockwise-ignore ban-truncate */ TRUNCATE t;');
    assert.ok(scopesOf(block, 'lockwise-ignore').includes(KEYWORD));
    assert.ok(scopesOf(block, 'ban-truncate').includes(RULE));
    assert.ok(scopesOf(block, 'ban-truncate').includes('comment.block'));
  });

  it('does not highlight look-alikes: mid-comment mentions, strings, other words', function () {
    const none = (tokens: [string, string[]][]) => tokens.every(([, scopes]) => !scopes.includes(KEYWORD) && !scopes.includes(RULE));
    assert.ok(none(tokenize('-- remember to add lockwise-ignore require-lock-timeout later')));
    assert.ok(none(tokenize("SELECT '-- lockwise-ignore ban-drop-table';")));
    assert.ok(none(tokenize('-- lockwise-ignored ban-drop-table')));
    assert.ok(none(tokenize('DROP TABLE lockwise_ignore;')));
  });

  it('does not leak past the end of the line', function () {
    const tokens = tokenize('-- lockwise-ignore require-lock-timeout', 'ALTER TABLE t DROP COLUMN c;');
    assert.ok(scopesOf(tokens, 'ALTER').includes('keyword.other.sql'));
    assert.ok(!scopesOf(tokens, 'ALTER').some((s) => s.startsWith('comment')));
  });
});
