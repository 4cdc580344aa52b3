#!/usr/bin/env node
/**
 * `npm run bench:same`: a performance change must not change what Lockwise reports. Builds a base
 * revision (default: where this branch left main, `git merge-base HEAD main`) from `git archive` into a temporary folder, builds the working tree, and
 * runs `lint --format json` and `audit --format json` (and lint's SARIF and text formats) of both over the real-world corpus (and
 * postgres_regress with `--regress`), one invocation each as the bench does. The working tree is run
 * in every variant below (default, one and two threads, cache cold, warm, then replayed): stdout, stderr and the exit code
 * must equal the base's byte for byte. Exit 1 on any difference, with the first differing line.
 *
 *   node bench/same-output.mjs [--base REF] [--regress] [--keep] [--quick]
 *
 * `--quick` (for a change still being measured): lint and audit JSON only, default and `--jobs 1`.
 * A change is kept only after the full run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, findCorpus, corpusFiles } from './corpus.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const value = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
// By default the commit this branch is based on: main moves while a change is measured.
const base = value('--base', undefined) ?? execFileSync('git', ['merge-base', 'HEAD', 'main'], { cwd: ROOT, encoding: 'utf8' }).trim();
const say = (line) => process.stdout.write(line + '\n');

const corpus = findCorpus();
if (!corpus) {
  say('corpus not found (../shared/corpus or $LOCKWISE_CORPUS)');
  process.exit(2);
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-same-'));

function buildBase() {
  const dir = path.join(tmp, 'base');
  fs.mkdirSync(dir);
  const tar = execFileSync('git', ['archive', '--format=tar', base], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', dir], { input: tar });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: dir, stdio: 'inherit' });
  return path.join(dir, 'dist', 'cli.js');
}

/** Working-tree variants; each gets a fresh cache folder unless it names one. */
const cacheDir = path.join(tmp, 'cache');
const VARIANTS = [
  { name: 'default', args: [] },
  { name: '--jobs 1', args: ['--jobs', '1'] },
  { name: '--jobs 2', args: ['--jobs', '2'] },
  { name: '--cache, cold', args: ['--cache-location', cacheDir] },
  { name: '--cache, warm', args: ['--cache-location', cacheDir] },
  // The warm run took every file from the cache, so it left a run record: this one replays it (cli/replay.ts).
  { name: '--cache, replayed', args: ['--cache-location', cacheDir] },
];

/** JSON of lint and audit (the contract), and the other lint formats, which read the same per-file results. */
const COMMANDS = [
  ['lint', '--format', 'json'],
  ['audit', '--format', 'json'],
  ['lint', '--format', 'sarif'],
  ['lint', '--format', 'text', '--no-color'],
];

function run(cli, args, files) {
  const r = spawnSync(process.execPath, [cli, ...args, ...files], { cwd: corpus, maxBuffer: 1 << 30, encoding: 'buffer' });
  return { stdout: r.stdout, stderr: r.stderr, code: r.status };
}

function firstDifference(a, b) {
  const la = a.toString('utf8').split('\n');
  const lb = b.toString('utf8').split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i + 1}:\n  base: ${(la[i] ?? '<end>').slice(0, 200)}\n  this: ${(lb[i] ?? '<end>').slice(0, 200)}`;
  }
  return 'same lines, different bytes';
}

execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, stdio: 'inherit' });
const baseCli = buildBase();
const thisCli = path.join(ROOT, 'dist', 'cli.js');
const { realWorld, regress } = corpusFiles(corpus);
const sets = [['real-world', realWorld], ...(flag('--regress') ? [['postgres_regress', regress]] : [])];
let failed = 0;
const quick = flag('--quick');
const commands = quick ? COMMANDS.slice(0, 2) : COMMANDS;
const variants = quick ? VARIANTS.slice(0, 2) : VARIANTS;
for (const [setName, files] of sets) {
  for (const command of commands) {
    const expected = run(baseCli, command, files);
    fs.rmSync(cacheDir, { recursive: true, force: true });
    for (const variant of variants) {
      const got = run(thisCli, [...command, ...variant.args], files);
      const same = got.code === expected.code && got.stdout.equals(expected.stdout) && got.stderr.equals(expected.stderr);
      const label = `${setName} (${files.length} files) · ${command.join(' ')} · ${variant.name}`;
      if (same) say(`same       ${label} (${expected.stdout.length} bytes, exit ${expected.code})`);
      else {
        failed++;
        const what = got.code !== expected.code ? `exit ${got.code} vs ${expected.code}` : !got.stdout.equals(expected.stdout) ? firstDifference(expected.stdout, got.stdout) : firstDifference(expected.stderr, got.stderr);
        say(`DIFFERENT  ${label}: ${what}`);
      }
    }
  }
}
if (!flag('--keep')) fs.rmSync(tmp, { recursive: true, force: true });
say(failed ? `${failed} variant(s) differ from ${base}` : `identical to ${base}`);
process.exit(failed ? 1 : 0);
