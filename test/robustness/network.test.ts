/**
 * No network access, ever, and no telemetry: the CLI (lint, audit, fix, trace) and the server (every
 * feature) run over a sample of migrations (from the corpus, or from the rule fixtures when there is
 * no corpus) with every network API patched to throw and to record the attempt (noNetwork.ts,
 * preloaded with --require). Zero attempts allowed.
 */
import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TestClient, tempWorkspace, uriOf } from '../lsp/client';
import { CORPUS } from '../support/corpus';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const PRELOAD = path.join(__dirname, 'noNetwork.js');
/** Folders of migrations to sample: the corpus's projects, or the rule fixtures' folders. */
const SAMPLE_ROOT = CORPUS ?? path.join(ROOT, 'test/fixtures/rules');

/** A few files from every project (sorted, so the sample is the same on every run). */
function corpusSample(perProject: number): string[] {
  const out: string[] = [];
  const walk = (dir: string, acc: string[]) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full, acc);
      else if (e.isFile() && /\.sql$/i.test(e.name) && fs.statSync(full).size < 40_000) acc.push(full);
    }
  };
  for (const project of fs.readdirSync(SAMPLE_ROOT).sort()) {
    const dir = path.join(SAMPLE_ROOT, project);
    if (!fs.statSync(dir).isDirectory()) continue;
    const files: string[] = [];
    walk(dir, files);
    const step = Math.max(1, Math.floor(files.length / perProject));
    for (let i = 0; i < files.length && out.length < 1000; i += step) if (i / step < perProject) out.push(files[i]);
  }
  return out;
}

function netLog(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-net-')), 'attempts.log');
}

function read(file: string): string {
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
}

function runCli(args: string[], log: string) {
  return spawnSync(process.execPath, ['--require', PRELOAD, CLI, ...args], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120000,
    env: { ...process.env, LOCKWISE_NET_LOG: log, NO_COLOR: '1' },
  });
}

describe('no network access, no telemetry', function () {
  this.timeout(180000);
  let sample: string[];

  before(function () {
    sample = corpusSample(4);
  });

  it('the guard records and blocks sockets, HTTP, DNS and fetch (so the tests below can fail)', () => {
    const log = netLog();
    const script = `
      const tries = [() => require('http').get('http://127.0.0.1:9/'), () => require('net').connect(9, '127.0.0.1'),
        () => require('dns').lookup('example.com', () => {}), () => fetch('https://example.com/'), () => require('https').request('https://x/')];
      for (const t of tries) { try { t(); } catch {} }`;
    const r = spawnSync(process.execPath, ['--require', PRELOAD, '-e', script], { encoding: 'utf8', env: { ...process.env, LOCKWISE_NET_LOG: log } });
    assert.strictEqual(r.status, 0, r.stderr);
    const attempts = read(log).trim().split('\n');
    assert.strictEqual(attempts.length, 5, attempts.join('\n'));
    assert.match(read(`${log}.loaded`), /^\d+\n$/);
  });

  it('the CLI: lint (all formats), audit, fix --dry-run and trace over the sample', () => {
    assert.ok(sample.length >= 20, `${sample.length} files`);
    const log = netLog();
    for (const args of [
      ['lint', '--format', 'json', ...sample],
      ['lint', '--format', 'sarif', ...sample.slice(0, 10)],
      ['audit', ...sample.slice(0, 10)],
      ['lint', '--fix', '--dry-run', ...sample.slice(0, 10)],
      ['trace', sample.find((f) => f.includes('supabase-auth')) ?? sample[0]],
    ]) {
      const r = runCli(args, log);
      assert.ok(r.status === 0 || r.status === 1, `${args.slice(0, 3).join(' ')}: exit ${r.status} ${r.stderr.slice(-1500)}`);
    }
    assert.strictEqual(read(log), '', 'network attempts');
    assert.strictEqual(read(`${log}.loaded`).trim().split('\n').length, 5, 'the guard was loaded into every run');
  });

  it('the server: diagnostics, hover, code actions, CodeLens, commands over the sample', async () => {
    const log = netLog();
    const saved = { options: process.env.NODE_OPTIONS, log: process.env.LOCKWISE_NET_LOG };
    // TestClient spawns the server with this process's environment.
    process.env.NODE_OPTIONS = `${saved.options ?? ''} --require ${PRELOAD}`.trim();
    process.env.LOCKWISE_NET_LOG = log;
    let client: TestClient | undefined;
    try {
      client = await TestClient.start(tempWorkspace());
    } finally {
      process.env.NODE_OPTIONS = saved.options;
      if (saved.options === undefined) delete process.env.NODE_OPTIONS;
      process.env.LOCKWISE_NET_LOG = saved.log;
      if (saved.log === undefined) delete process.env.LOCKWISE_NET_LOG;
    }
    let telemetry = 0;
    (client.conn as unknown as { onNotification(method: string, handler: () => void): void }).onNotification('telemetry/event', () => telemetry++);
    try {
      const uris: string[] = [];
      for (const file of sample.slice(0, 12)) {
        const uri = await client.open(file);
        uris.push(uri);
        const published = await client.diagnostics(uri);
        await client.hover(uri, 0, 0);
        const last = published.diagnostics[published.diagnostics.length - 1];
        if (last) {
          await client.hover(uri, last.range.start.line, last.range.start.character);
          await client.codeActions(uri, last.range);
        }
        await client.codeLens(uri);
        await client.executeCommand('lockwise.fileSummary', uri);
      }
      await client.executeCommand('lockwise.auditFiles', uris);
      await client.executeCommand('lockwise.fixAll', uris[0]);
      await client.setSettings({ pgVersion: 12 });
      await client.diagnostics(uris[1], client.mark());
      assert.deepStrictEqual(
        client.logs.filter((l) => / failed: /.test(l)),
        [],
      );
    } finally {
      await client.stop();
    }
    assert.strictEqual(read(log), '', 'network attempts');
    assert.ok(read(`${log}.loaded`).trim().length > 0, 'the guard was loaded into the server');
    assert.strictEqual(telemetry, 0, 'telemetry/event notifications');
    assert.ok(uriOf(sample[0]).startsWith('file:'));
  });

  it('no telemetry package, and no telemetry call in the sources', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    assert.deepStrictEqual(
      deps.filter((d) => /telemetry|applicationinsights|analytics|sentry|segment|mixpanel|posthog/i.test(d)),
      [],
    );
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else if (/\.ts$/.test(e.name)) sources.push(full);
      }
    };
    walk(path.join(ROOT, 'server/src'));
    if (fs.existsSync(path.join(ROOT, 'client/src'))) walk(path.join(ROOT, 'client/src'));
    const offenders = sources.filter((f) => /\.telemetry\b|telemetry\/event|TelemetryReporter|sendTelemetry/.test(fs.readFileSync(f, 'utf8')));
    assert.deepStrictEqual(
      offenders.map((f) => path.relative(ROOT, f)),
      [],
    );
  });
});
