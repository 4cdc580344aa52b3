/**
 * Extension-test entry point (`extensionTestsPath`), the contract of `@vscode/test-electron`'s runTests:
 * VS Code loads this module in the extension host and awaits run(); a rejection means failure. The
 * same module runs in desktop VS Code and in code-server's Node extension host (test/e2e/run.mjs).
 *
 * mocha 12 is an ES module; the extension host's Node (>= 22.12) loads it through require(esm).
 * When LOCKWISE_E2E_RESULTS names a file, the results and metrics are written there as JSON, since
 * the extension host's console is not always the runner's stdout.
 */
import * as fs from 'fs';
import * as path from 'path';
import { metrics } from './helpers';

type MochaModule = typeof import('mocha');

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  ms?: number;
  error?: string;
}

export async function run(): Promise<void> {
  const mod = require('mocha') as MochaModule & { default?: MochaModule };
  const Mocha = mod.default ?? mod;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.LOCKWISE_E2E_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.test.js')) mocha.addFile(path.join(__dirname, f));
  }
  const results: TestResult[] = [];
  const started = Date.now();
  const failures = await new Promise<number>((resolve, reject) => {
    try {
      const runner = mocha.run((n) => resolve(n));
      runner.on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', ms: t.duration }));
      runner.on('fail', (t, err: Error) => results.push({ title: t.fullTitle(), state: 'failed', error: String(err?.stack ?? err) }));
      runner.on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }));
    } catch (e) {
      reject(e);
    }
  });
  const summary = {
    passed: results.filter((r) => r.state === 'passed').length,
    failed: results.filter((r) => r.state === 'failed').length,
    pending: results.filter((r) => r.state === 'pending').length,
    ms: Date.now() - started,
    vscodeVersion: require('vscode').version as string,
    node: process.version,
    metrics,
    results,
  };
  for (const [k, v] of Object.entries(metrics)) console.log(`${k}: ${v}`);
  const out = process.env.LOCKWISE_E2E_RESULTS;
  if (out) fs.writeFileSync(out, JSON.stringify(summary, null, 2));
  if (failures > 0 || summary.passed === 0) throw new Error(`${failures} of ${results.length} extension test(s) failed`);
}
