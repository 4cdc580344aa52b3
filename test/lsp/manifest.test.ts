/** The extension manifest and the .lockwise.json schema agree with the server and the core. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_CONFIG, RULES } from '../../server/src/core';
import { CLIENT_COMMANDS, TRACE_CONTEXT_KEY } from '../../server/src/lsp/protocol';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas', 'lockwise.schema.json'), 'utf8'));

describe('extension manifest and config schema', function () {
  it('activates only on SQL languages, .lockwise.json and its commands (no "*")', function () {
    const events: string[] = pkg.activationEvents;
    assert.ok(!events.includes('*'));
    for (const e of events) assert.match(e, /^(onLanguage:(sql|pgsql|postgres)|workspaceContains:\*\*\/\.lockwise\.json|onCommand:lockwise\.)/);
    const commands = pkg.contributes.commands.map((c: { command: string }) => c.command);
    for (const c of commands) assert.ok(events.includes(`onCommand:${c}`), c);
  });

  it('contributes exactly the palette commands of lsp/protocol.ts (CLIENT_COMMANDS)', function () {
    const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepStrictEqual(contributed, Object.values(CLIENT_COMMANDS).sort());
  });

  it('the trace command is in the palette only where the server says PGlite can be loaded (TRACE_CONTEXT_KEY)', function () {
    const entry = pkg.contributes.menus.commandPalette.find((m: { command: string }) => m.command === CLIENT_COMMANDS.trace);
    assert.match(entry.when, new RegExp(`^${TRACE_CONTEXT_KEY.replace('.', '\\.')} && isWorkspaceTrusted && `));
  });

  it('the client writes no method name or command id as a string (they live in lsp/protocol.ts)', function () {
    for (const file of fs.readdirSync(path.join(ROOT, 'client', 'src'))) {
      const text = fs.readFileSync(path.join(ROOT, 'client', 'src', file), 'utf8');
      const literal = text.match(/['"`]lockwise[./](?!status['"`])[A-Za-z]+['"`]/);
      assert.strictEqual(literal, null, `${file}: ${literal?.[0]}`);
    }
  });

  it('contributes every documented setting with a description, defaults matching the core', function () {
    const props = pkg.contributes.configuration.properties;
    for (const key of ['pgVersion', 'assumeInTransaction', 'rules', 'lockTimeout', 'include', 'exclude', 'codeLens.enable', 'maxFileSize', 'trace.server']) {
      const p = props[`lockwise.${key}`];
      assert.ok(p, `lockwise.${key}`);
      assert.ok((p.description ?? p.markdownDescription ?? '').length > 20, `lockwise.${key} has a description`);
    }
    assert.strictEqual(props['lockwise.pgVersion'].default, DEFAULT_CONFIG.pgVersion);
    assert.strictEqual(props['lockwise.lockTimeout'].default, DEFAULT_CONFIG.lockTimeout);
    assert.deepStrictEqual(props['lockwise.include'].default, DEFAULT_CONFIG.include);
    assert.deepStrictEqual(props['lockwise.exclude'].default, DEFAULT_CONFIG.exclude);
    assert.strictEqual(props['lockwise.maxFileSize'].default, 5 * 1024 * 1024);
  });

  it('commands are in the Lockwise category; server-side command ids are not reused by the palette', function () {
    for (const c of pkg.contributes.commands) assert.strictEqual(c.category, 'Lockwise');
    const ids = pkg.contributes.commands.map((c: { command: string }) => c.command);
    for (const serverCommand of ['lockwise.auditFile', 'lockwise.auditFiles', 'lockwise.fixAll', 'lockwise.fileSummary'])
      assert.ok(!ids.includes(serverCommand));
  });

  it('validates .lockwise.json with the schema, which lists every config key and every rule', function () {
    assert.deepStrictEqual(pkg.contributes.jsonValidation, [
      { fileMatch: '.lockwise.json', url: './schemas/lockwise.schema.json' },
      { fileMatch: '**/.lockwise/stats.json', url: './schemas/stats.schema.json' },
    ]);
    assert.deepStrictEqual(Object.keys(schema.properties).sort(), ['$schema', ...Object.keys(DEFAULT_CONFIG)].sort());
    const missing = RULES.map((r) => r.id).filter((id) => !schema.properties.rules.properties[id]);
    assert.deepStrictEqual(missing, [], 'rules missing from schemas/lockwise.schema.json: add them to properties.rules.properties');
    assert.strictEqual(schema.properties.pgVersion.default, DEFAULT_CONFIG.pgVersion);
  });

  it('ships a small package: "files" (read by npm and vsce alike) names only the bundles and what they load or show', function () {
    // vsce refuses a .vscodeignore beside "files"; test/package/install.test.ts packs and installs it.
    assert.ok(!fs.existsSync(path.join(ROOT, '.vscodeignore')));
    for (const kept of [
      'dist/*.js',
      'dist/libpg-query.wasm',
      'dist/grammars/*/libpg-query.*',
      'schemas/lockwise.schema.json',
      'schemas/stats.schema.json',
      'images/icon.png',
      'LICENSE',
    ]) {
      assert.ok(pkg.files.includes(kept), kept);
    }
    assert.ok(!pkg.files.some((f: string) => /pglite|\.map|test|server\/src/.test(f)), pkg.files.join(', '));
    assert.strictEqual(pkg.icon, 'images/icon.png');
    assert.ok(fs.existsSync(path.join(ROOT, pkg.icon)));
    assert.deepStrictEqual(pkg.capabilities.untrustedWorkspaces, { supported: true });
  });
});
