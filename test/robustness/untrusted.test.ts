/**
 * Workspace trust and code loading. In an untrusted workspace the server does static analysis only:
 * nothing it does runs SQL (trace) or starts a process. In any workspace, no setting and no
 * `.lockwise.json` key can point Lockwise at an executable or a module to load.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { messageText, TestClient, tempWorkspace, uriOf, write } from '../lsp/client';
import { COMMANDS } from '../../server/src/lsp/commands';

const ROOT = path.resolve(__dirname, '../../..');
const PATHY = /path|command|executable|module|cli|binary|plugin|program|script|require|load|exec|dir$/i;

/** Direct children of a process (Linux /proc); undefined where /proc is not available. */
function childrenOf(pid: number): number[] | undefined {
  const tasks = `/proc/${pid}/task`;
  if (!fs.existsSync(tasks)) return undefined;
  const out: number[] = [];
  for (const t of fs.readdirSync(tasks)) {
    const file = path.join(tasks, t, 'children');
    if (fs.existsSync(file)) out.push(...fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  }
  return out;
}

/** A module and an "executable" that leave a marker file when anything loads or runs them. */
function traps(dir: string): { module: string; executable: string; marker: string } {
  const marker = path.join(dir, 'PWNED');
  const module = write(dir, 'evil.js', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'module loaded');\n`);
  const executable = write(dir, 'evil.sh', `#!/bin/sh\necho ran > ${JSON.stringify(marker)}\n`);
  fs.chmodSync(executable, 0o755);
  return { module, executable, marker };
}

describe('untrusted workspaces and code loading', function () {
  this.timeout(60000);

  it('no contributed setting takes a path, a command or a module', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const config = pkg.contributes?.configuration;
    const props: Record<string, { type?: string | string[]; enum?: unknown[] }> = (Array.isArray(config) ? config : [config]).reduce(
      (all: Record<string, unknown>, c: { properties?: Record<string, unknown> }) => ({ ...all, ...(c?.properties ?? {}) }),
      {},
    );
    assert.ok(Object.keys(props).length > 3, 'settings are contributed');
    const suspicious = Object.keys(props).filter((k) => PATHY.test(k.replace(/^lockwise\./, '')) && !props[k].enum);
    assert.deepStrictEqual(suspicious, [], 'settings that could name something to run or load');
    assert.strictEqual(pkg.capabilities?.untrustedWorkspaces?.supported, true);
  });

  it('untrusted: every advertised command runs without starting a process; trace-like commands are refused', async () => {
    const dir = tempWorkspace({ 'm/001.sql': "SET lock_timeout = '1s';\nCREATE INDEX i ON t (c);\n" });
    const t = traps(dir);
    const client = await TestClient.start(dir, {
      initializationOptions: { trusted: false },
      // Path-like settings an attacker's workspace could set: they must be ignored, never loaded or run.
      settings: {
        cliPath: t.executable,
        serverPath: t.module,
        trace: { server: 'off', cliPath: t.executable, module: t.module },
        plugins: [t.module],
        pglite: { dataDir: dir },
      },
    });
    try {
      const status = await client.conn.sendRequest<{ trusted: boolean }>('lockwise/status');
      assert.strictEqual(status.trusted, false);
      const uri = await client.open(path.join(dir, 'm/001.sql'));
      await client.diagnostics(uri);
      // The commands the server advertises, plus the names a trace command would plausibly have.
      const commands = new Set<string>([...Object.values(COMMANDS), 'lockwise.trace', 'lockwise.traceFile', 'lockwise.runTrace']);
      for (const command of commands) {
        const args = command === 'lockwise.auditFiles' ? [[uri]] : [uri, { cliPath: t.executable, module: t.module }];
        let result: unknown;
        try {
          result = await client.executeCommand(command, ...args);
        } catch (error) {
          result = error;
        }
        const kids = childrenOf(client.proc.pid!);
        if (kids) assert.deepStrictEqual(kids, [], `${command} started a process in an untrusted workspace`);
        if (/trace|run/i.test(command)) {
          const text = JSON.stringify(result ?? null);
          assert.doesNotMatch(text, /"statements"\s*:\s*\[\s*\{[^}]*"ms"/, `${command} traced in an untrusted workspace`);
        }
      }
      assert.ok(!fs.existsSync(t.marker), 'a module or executable from the settings was run');
    } finally {
      await client.stop();
    }
  });

  it('.lockwise.json keys that name code are rejected as unknown, never loaded', async () => {
    const dir = tempWorkspace({ 'x.sql': 'CREATE INDEX i ON t (c);\n' });
    const t = traps(dir);
    write(dir, '.lockwise.json', JSON.stringify({ plugins: [t.module], cliPath: t.executable }));
    const client = await TestClient.start(dir);
    try {
      const uri = await client.open(path.join(dir, 'x.sql'));
      await client.diagnostics(uri);
      const config = await client.waitFor('config diagnostics', () => client.published.find((p) => p.uri === uriOf(path.join(dir, '.lockwise.json'))));
      assert.match(messageText(config.diagnostics[0]?.message ?? ''), /unknown key/);
      assert.ok(!fs.existsSync(t.marker), 'a module or executable from .lockwise.json was run');
    } finally {
      await client.stop();
    }
  });
});
