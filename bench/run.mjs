#!/usr/bin/env node
/**
 * `npm run bench`: Lockwise against squawk and pgfence in batch, and the language server in an
 * editor-like session. Prints markdown and writes bench/RESULTS.md (with bench/FINDINGS.md, the
 * hand-written profile notes, appended). Not part of `npm test`; measurements live only here.
 *
 * Needs `npm install` and `npm run build` (run here if dist/ is missing). The peer tools
 * (squawk-cli, @flvmnt/pgfence) live in bench/peers/ and are installed there on first use: they are
 * not devDependencies because squawk-cli's per-platform binary packages make `npm ci` fail. The corpus is ../shared/corpus next to the clone (or $LOCKWISE_CORPUS).
 *
 * Environment: BENCH_RUNS (default 7 runs per tool per pair), BENCH_EDITS (50),
 * BENCH_ONLY=batch|editor, LOCKWISE_E2E_LOG (a saved `npm run test:e2e` output, for the
 * activation metric).
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { generateMigration } from './generate.mjs';
import { ROOT, findCorpus, corpusFiles } from './corpus.mjs';

const PEERS = path.join(ROOT, 'bench', 'peers');
if (!fs.existsSync(path.join(PEERS, 'node_modules'))) {
  process.stderr.write('[bench] installing the peer tools into bench/peers (squawk-cli, @flvmnt/pgfence)\n');
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock'], { cwd: PEERS, stdio: 'inherit' });
}
const require = createRequire(path.join(PEERS, 'package.json'));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const EDITS = Number(process.env.BENCH_EDITS ?? 50);
const ONLY = process.env.BENCH_ONLY;
const out = [];
const say = (line = '') => {
  out.push(line);
  process.stdout.write(line + '\n');
};
const progress = (msg) => process.stderr.write(`[bench] ${msg}\n`);

// ---- helpers -----------------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile. */
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const ms = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mb = (kb) => (kb / 1024).toFixed(1);

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs a command: wall time (ms) of a run started directly, measured here; then, with
 * /usr/bin/time, CPU (user + system) and peak RSS (KB, wait4's ru_maxrss) of a second run started
 * under it. Without /usr/bin/time the peak RSS is polled from /proc and there is no CPU. The wall
 * time is never a wrapped run's: started from this Node process, /usr/bin/time added 15-70 ms to a
 * run with the corpus's 2,114 paths on its command line, to both tools alike (bench/FINDINGS.md).
 * `usage: false`: the direct run only (a run whose repetition would not be the same run).
 */
async function measure(cmd, args, cwd, { usage = true } = {}) {
  const direct = await spawnOnce(cmd, args, cwd, !TIME);
  if (!TIME || !usage) return direct;
  const wrapped = await spawnOnce(cmd, args, cwd, false, true);
  return { ...direct, rss: wrapped.rss, cpu: wrapped.cpu };
}

/** One run: its wall time, exit code and stderr; `poll`: its peak RSS from /proc; `timed`: under /usr/bin/time, with its CPU and peak RSS. */
function spawnOnce(cmd, args, cwd, poll, timed = false) {
  return new Promise((resolve) => {
    const rssFile = path.join(os.tmpdir(), `lockwise-bench-rss-${process.pid}`);
    const [file, argv] = timed ? [TIME, ['-f', '%M %U %S', '-o', rssFile, cmd, ...args]] : [cmd, args];
    let peak = 0;
    let cpu = NaN;
    let stderr = '';
    const t0 = performance.now();
    const child = spawn(file, argv, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => {
      if (stderr.length < 4000) stderr += d;
    });
    let timer;
    if (poll) {
      const read = () => {
        try {
          const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peak = Math.max(peak, Number(m[1]));
        } catch {
          /* exited */
        }
      };
      timer = setInterval(read, 2);
    }
    child.on('exit', (code, signal) => {
      const wall = performance.now() - t0;
      if (timer) clearInterval(timer);
      if (timed) {
        try {
          const lines = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
          const [kb, user, sys] = lines[lines.length - 1].split(' ').map(Number);
          peak = kb || 0;
          cpu = (user + sys) * 1000;
          // time(1) writes "Command exited with non-zero status N" before the number.
        } catch {
          peak = 0;
        }
      }
      resolve({ wall, rss: peak, cpu, code: code ?? (signal ? 128 : -1), stderr });
    });
  });
}

// ---- batch -------------------------------------------------------------------------------------

const squawkBinary = () => {
  const key = `${process.platform}-${process.arch}`;
  try {
    return require.resolve(`@squawk-cli/${key}/bin/${process.platform === 'win32' ? 'squawk.exe' : 'squawk'}`);
  } catch {
    return undefined;
  }
};

/** The cache folder of the warm runs (filled once before they are measured). */
const WARM_CACHE = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-bench-cache-'));
const LOCKWISE_MODES = { cold: ['--no-cache'], 'cold, 2 threads': ['--no-cache', '--jobs', '2'], warm: ['--cache-location', WARM_CACHE] };

const TOOLS = {
  lockwise: (files, mode = 'cold') => [process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'lint', '--format', 'json', ...LOCKWISE_MODES[mode], ...files]],
  squawk: (files) => [squawkBinary(), ['--reporter', 'json', ...files]],
  pgfence: (files) => [process.execPath, [path.join(PEERS, 'node_modules', '@flvmnt', 'pgfence', 'dist', 'index.js'), 'analyze', '--format', 'sql', '--output', 'json', ...files]],
};

/** Files pgfence can analyse on its own: it stops the whole run at the first file it cannot parse. */
async function pgfenceAccepts(corpus, files) {
  const { analyze } = await import(pathToFileURL(path.join(PEERS, 'node_modules', '@flvmnt', 'pgfence', 'dist', 'analyzer.js')).href);
  const config = { format: 'sql', output: 'json', minPostgresVersion: 11, maxAllowedRisk: 'high', requireLockTimeout: true, requireStatementTimeout: true };
  const ok = [];
  const cwd = process.cwd();
  process.chdir(corpus);
  try {
    for (const f of files) {
      try {
        await analyze([f], config);
        ok.push(f);
      } catch {
        /* pgfence error: syntax error ... */
      }
    }
  } finally {
    process.chdir(cwd);
  }
  return ok;
}

/** Files squawk lints without panicking (a panic aborts the run with no output, exit 101). */
async function squawkAccepts(corpus, files) {
  const bin = squawkBinary();
  const ok = [];
  const panics = [];
  for (const f of files) {
    const r = spawnSync(bin, ['--reporter', 'json', f], { cwd: corpus, stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status === 0 || r.status === 1) ok.push(f);
    else panics.push(`${f} (exit ${r.status}: ${String(r.stderr).split('\n').find((l) => l.trim() && !l.startsWith('panicked')) ?? ''})`);
  }
  return { ok, panics };
}

/** `mode`: lockwise without its cache (cold) or with a cache filled by the warm-up run (warm). */
async function alternate(label, files, peer, corpus, mode = 'cold') {
  progress(`${label}: lockwise (${mode}) vs ${peer}, ${files.length} files, ${RUNS} runs each`);
  const load = [os.loadavg()[0]];
  // warm-up (page cache, JIT caches of node itself; the warm mode's cache)
  for (const tool of ['lockwise', peer]) {
    const [cmd, args] = TOOLS[tool](files, mode);
    await measure(cmd, args, corpus);
  }
  const results = { lockwise: [], [peer]: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const tool of i % 2 ? [peer, 'lockwise'] : ['lockwise', peer]) {
      const [cmd, args] = TOOLS[tool](files, mode);
      results[tool].push(await measure(cmd, args, corpus));
    }
  }
  load.push(os.loadavg()[0]);
  const row = (tool) => {
    const rs = results[tool];
    return {
      wall: median(rs.map((r) => r.wall)),
      cpu: median(rs.map((r) => r.cpu)),
      rss: median(rs.map((r) => r.rss)),
      codes: [...new Set(rs.map((r) => r.code))].join('/'),
      min: Math.min(...rs.map((r) => r.wall)),
      max: Math.max(...rs.map((r) => r.wall)),
    };
  };
  return { label, mode, peer, files: files.length, load, lockwise: row('lockwise'), other: row(peer) };
}

/**
 * A warm cache after one file changed: a copy of the largest flat migration folder of the corpus,
 * linted with a cache, then one file touched (a comment appended) at the end and in the middle of
 * the run order. LOCKWISE_DEBUG=cache makes the CLI list what it analysed again.
 */
async function touched(corpus, realWorld) {
  const { folder, files } = largestFolder(realWorld);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-bench-touch-'));
  for (const f of files) fs.copyFileSync(path.join(corpus, f), path.join(dir, path.basename(f)));
  const names = runOrder(files);
  const ups = upMigrations(names);
  // Outside the folder: a new entry in the folder changes every file's runner facts (its sibling names).
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-bench-touch-cache-'));
  const lint = () =>
    spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'lint', '--format', 'json', '--cache-location', cache, '.'], { cwd: dir, env: { ...process.env, LOCKWISE_DEBUG: 'cache' }, encoding: 'utf8', maxBuffer: 1 << 28 });
  const timed = () => {
    const t = performance.now();
    const r = lint();
    const m = /cache: (\d+) hit\(s\), (\d+) analysed/.exec(r.stderr);
    return { ms: performance.now() - t, hits: Number(m?.[1]), analysed: Number(m?.[2]), replayed: /cache: replayed run-/.test(r.stderr) };
  };
  const cold = timed();
  const warm = timed();
  // The all-hits run above left a run record (cli/replay.ts): the same command now replays it.
  const again = timed();
  const rows = [
    ['cold (empty cache)', cold],
    ['warm, nothing changed (every file from the cache)', warm],
    [`warm again${again.replayed ? ': the run replayed from its record' : ''}`, again],
  ];
  for (const [what, name] of [
    ['last', ups[ups.length - 1]],
    ['middle', ups[ups.length >> 1]],
  ]) {
    fs.appendFileSync(path.join(dir, name), '\n-- touched\n');
    // The touched file and the ones after it in run order (a down migration runs after its own up).
    const after = names.filter((n) => n.replace(/down(\.sql)$/i, 'up$1') >= name).length;
    rows.push([`after touching the ${what} up migration (${name}; ${after} files at or after it)`, { ...timed(), after }]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(cache, { recursive: true, force: true });
  return { folder, files: files.length, rows };
}

/** What the targets table reads from the batch step. */
let batchTargets;

async function batch() {
  const corpus = findCorpus();
  if (!corpus) {
    say('Batch: corpus not found (../shared/corpus or $LOCKWISE_CORPUS); skipped.');
    return;
  }
  if (!squawkBinary()) throw new Error('squawk binary missing in bench/peers: delete bench/peers/node_modules and run again');
  const { realWorld, regress } = corpusFiles(corpus);
  progress(`corpus ${corpus}: ${realWorld.length} real-world files, ${regress.length} postgres_regress files`);

  // What each peer does with the full sets (one run each), then which files it accepts.
  const behaviour = [];
  for (const [setName, files] of [['real-world', realWorld], ['postgres_regress', regress]]) {
    for (const tool of ['lockwise', 'squawk', 'pgfence']) {
      const [cmd, args] = TOOLS[tool](files);
      const r = await measure(cmd, args, corpus, { usage: false });
      const firstErr = r.stderr.split('\n').find((l) => l.trim()) ?? '';
      behaviour.push({ set: setName, tool, code: r.code, wall: r.wall, note: r.code > 1 ? firstErr.slice(0, 90) : '' });
    }
  }
  const sqRegress = await squawkAccepts(corpus, regress);
  const sqReal = behaviour.find((b) => b.set === 'real-world' && b.tool === 'squawk').code > 1 ? await squawkAccepts(corpus, realWorld) : { ok: realWorld, panics: [] };
  const pgReal = await pgfenceAccepts(corpus, realWorld);
  const pgRegress = await pgfenceAccepts(corpus, regress);

  const pairs = [];
  pairs.push(await alternate('real-world', sqReal.ok, 'squawk', corpus));
  pairs.push(await alternate('real-world, --jobs 2', sqReal.ok, 'squawk', corpus, 'cold, 2 threads'));
  pairs.push(await alternate('real-world, warm cache', sqReal.ok, 'squawk', corpus, 'warm'));
  pairs.push(await alternate('real-world, files pgfence accepts', pgReal, 'pgfence', corpus));
  pairs.push(await alternate('postgres_regress, files squawk survives', sqRegress.ok, 'squawk', corpus));
  pairs.push(await alternate('postgres_regress, files pgfence accepts', pgRegress, 'pgfence', corpus));

  say('## Batch');
  say();
  say(`Medians of ${RUNS} alternating runs per pair (lockwise, peer, peer, lockwise, ...; one warm-up each), one invocation over all the files,`);
  say(
    'same file list for both. Wall time from spawn to exit of a run started directly; ' +
      (TIME
        ? 'CPU and peak RSS (ru_maxrss) of a second run started under `/usr/bin/time` (the wrapper adds its own start and exit to the wall time).'
        : 'peak RSS from polling VmHWM.'),
  );
  say('`lockwise lint --format json`; `squawk --reporter json` (the native binary from @squawk-cli/*, not the Node shim);');
  say('`pgfence analyze --format sql --output json`.');
  say();
  say(
    '`lockwise` cold is `--no-cache` (the default) with `--jobs` at its default (one thread per idle core: cores minus the threads of other processes runnable at its start, /proc/loadavg); `--jobs 2` forces two; warm is `--cache-location` with a cache the warm-up runs filled (the first fills the cache, the second takes every file from it and leaves a run record, and every measured run replays that record: cli/replay.ts).',
  );
  say('CPU is user + system of the whole process (all its threads), from `/usr/bin/time`. Load is the 1-minute load average at the start and end of the pair.');
  say();
  say('| files | n | lockwise wall ms | peer | peer wall ms | **ratio lockwise/peer (wall)** | CPU ms lockwise / peer (ratio) | lockwise peak RSS MB | peer peak RSS MB | exit codes (lw, peer) | load |');
  say('|---|---:|---:|---|---:|---:|---:|---:|---:|---|---|');
  for (const p of pairs) {
    // A peer that could not start (exit 126/127, or a module missing mid-run) is no measurement.
    if (![p.lockwise.codes, p.other.codes].every((c) => c.split('/').every((x) => x === '0' || x === '1'))) p.label += ' ⚠ some runs failed: ignore this row';
    const cpu = `${ms(p.lockwise.cpu)} / ${ms(p.other.cpu)} (${(p.lockwise.cpu / p.other.cpu).toFixed(2)})`;
    say(
      `| ${p.label} | ${p.files} | ${ms(p.lockwise.wall)} (${ms(p.lockwise.min)}–${ms(p.lockwise.max)}) | ${p.peer} | ${ms(p.other.wall)} (${ms(p.other.min)}–${ms(p.other.max)}) | **${(p.lockwise.wall / p.other.wall).toFixed(2)}** | ${cpu} | ${mb(p.lockwise.rss)} | ${mb(p.other.rss)} | ${p.lockwise.codes}, ${p.other.codes} | ${p.load.map((x) => x.toFixed(1)).join(' → ')} |`,
    );
  }
  const touch = await touched(corpus, realWorld);
  say();
  say(`A warm cache after one change: a copy of \`${touch.folder}\` (${touch.files} files, the largest flat migration folder), \`lint --cache\`, then a comment appended to one file.`);
  say('A file is analysed again when its text or the text of a migration before it changed (its schema history), nothing else.');
  say();
  say('| run | wall ms | taken from the cache | analysed |');
  say('|---|---:|---:|---:|');
  for (const [what, r] of touch.rows) say(`| ${what} | ${ms(r.ms)} | ${r.hits} | ${r.analysed} |`);
  batchTargets = { pairs, touch };
  say();
  say('Each tool on the full sets (one run; exit 1 = findings, anything else = the run failed):');
  say();
  say('| set | tool | exit | wall ms | note |');
  say('|---|---|---:|---:|---|');
  for (const b of behaviour) say(`| ${b.set} (${b.set === 'real-world' ? realWorld.length : regress.length}) | ${b.tool} | ${b.code} | ${ms(b.wall)} | ${b.note.replace(/\|/g, '\\|')} |`);
  say();
  say(`- squawk panics (exit 101, no output for any file) on ${sqRegress.panics.length} postgres_regress file(s): ${sqRegress.panics.map((p) => '`' + p.split(' ')[0].replace('postgres_regress/test/sql/postgres_regress/', '') + '`').join(', ')}${sqReal.panics.length ? `; and on ${sqReal.panics.length} real-world file(s)` : ''}.`);
  say(`- pgfence stops the whole run (exit 2) at the first file it cannot parse: it accepts ${pgReal.length} of ${realWorld.length} real-world files and ${pgRegress.length} of ${regress.length} postgres_regress files on their own.`);
  say();
}

// ---- editor ------------------------------------------------------------------------------------

class LspClient {
  constructor(proc) {
    this.proc = proc;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.buffer = Buffer.alloc(0);
    proc.stdout.on('data', (chunk) => this.onData(chunk));
    proc.stderr.on('data', () => undefined);
  }

  onData(chunk) {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.onMessage(JSON.parse(body), performance.now());
    }
  }

  onMessage(msg, at) {
    if (msg.id !== undefined && msg.method === undefined) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.({ result: msg.result, error: msg.error, at });
      return;
    }
    if (msg.id !== undefined && msg.method) {
      // A request from the server (registration, configuration, ...): answer like an editor.
      const result = msg.method === 'workspace/configuration' ? msg.params.items.map(() => ({})) : null;
      this.send({ jsonrpc: '2.0', id: msg.id, result });
      return;
    }
    for (const l of [...this.listeners]) l(msg, at);
  }

  send(msg) {
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    this.proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.proc.stdin.write(body);
  }

  request(method, params) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.send({ jsonrpc: '2.0', id, method, params });
    });
  }

  notify(method, params) {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** Resolves with the first notification matching `pred` (and its arrival time). */
  waitFor(pred, timeoutMs = 120000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners = this.listeners.filter((l) => l !== listener);
        reject(new Error('timed out waiting for the server'));
      }, timeoutMs);
      const listener = (msg, at) => {
        if (!pred(msg)) return;
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== listener);
        resolve({ msg, at });
      };
      this.listeners.push(listener);
    });
  }
}

function rssOf(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const get = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: get('VmRSS'), hwm: get('VmHWM') };
}

/** Node's options for the server, as the extension starts it (client/src/extension.ts); from the compiled constants. */
const SERVER_CONSTANTS = path.join(ROOT, 'out', 'server', 'src', 'project', 'constants.js');
const serverExecArgv = () => createRequire(import.meta.url)(SERVER_CONSTANTS).SERVER_EXEC_ARGV;
const serverEnv = () => createRequire(import.meta.url)(SERVER_CONSTANTS).SERVER_ENV;

/**
 * `real`: instead of a generated history, a copy of a real migration folder (`files`, paths), with the
 * generated migration written as its last up migration (the last one's name with its version made
 * the highest), and a client that registers watched files, as VS Code does.
 */
async function editorSession(count, real) {
  const gen = generateMigration(count);
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-bench-')));
  let file;
  if (real) {
    for (const f of real.files) fs.copyFileSync(f, path.join(dir, path.basename(f)));
    const last = upMigrations(runOrder(real.files)).pop() ?? 'x.sql';
    file = path.join(dir, /^\d+/.test(last) ? last.replace(/^\d+/, (d) => '9'.repeat(d.length)) : `zzz_${last}`);
  } else {
    fs.writeFileSync(path.join(dir, '0001_base.sql'), gen.history);
    file = path.join(dir, '0002_generated.sql');
  }
  fs.writeFileSync(file, gen.text);
  const uri = pathToFileURL(file).href;

  const t0 = performance.now();
  const proc = spawn(process.execPath, [...serverExecArgv(), path.join(ROOT, 'dist', 'server.js'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...serverEnv() },
  });
  const client = new LspClient(proc);
  const init = await client.request('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(dir).href,
    workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }],
    capabilities: {
      textDocument: { publishDiagnostics: { versionSupport: true }, hover: { contentFormat: ['markdown'] } },
      ...(real ? { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } : {}),
    },
    // No debounce: the numbers below are the server's own latency (the default debounce is 150 ms).
    initializationOptions: { debounceMs: 0 },
  });
  const tInit = init.at;
  client.notify('initialized', {});

  const diagnosticsFor = (version) => client.waitFor((m) => m.method === 'textDocument/publishDiagnostics' && m.params.uri === uri && (version === undefined || m.params.version === version));
  let version = 1;
  const tOpen = performance.now();
  const firstDiag = diagnosticsFor(version);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version, text: gen.text } });
  const first = await firstDiag;
  const openMs = first.at - tOpen;
  const startupMs = tInit - t0;
  const memOpen = rssOf(proc.pid);
  let diagnostics = first.msg.params.diagnostics;

  // Typing into an identifier in the middle of the file, one character per edit.
  const editMs = [];
  let character = gen.editCharacter;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (let i = 0; i < EDITS; i++) {
    version++;
    const pos = { line: gen.editLine, character };
    const waiting = diagnosticsFor(version);
    const t = performance.now();
    client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range: { start: pos, end: pos }, text: letters[i % 26] }] });
    const d = await waiting;
    editMs.push(d.at - t);
    diagnostics = d.msg.params.diagnostics;
    character++;
  }

  // Hover over statements spread through the file (the analysis of the current version is cached).
  const hoverMs = [];
  const step = Math.max(1, Math.floor(gen.statements.length / EDITS));
  for (let i = 0; i < EDITS; i++) {
    const s = gen.statements[(i * step + 7) % gen.statements.length];
    const t = performance.now();
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: s.line, character: 2 } });
    hoverMs.push(performance.now() - t);
  }

  // Code actions on diagnostics spread through the file (quick fixes are checked by re-analysis).
  const actionMs = [];
  let actions = 0;
  if (diagnostics.length) {
    const dstep = Math.max(1, Math.floor(diagnostics.length / EDITS));
    for (let i = 0; i < Math.min(EDITS, diagnostics.length); i++) {
      const d = diagnostics[(i * dstep) % diagnostics.length];
      const t = performance.now();
      const r = await client.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } });
      actionMs.push(performance.now() - t);
      actions += (r.result ?? []).length;
    }
  }
  const memEnd = rssOf(proc.pid);

  await client.request('shutdown', null);
  client.notify('exit', null);
  await new Promise((resolve) => {
    const timer = setTimeout(() => {
      proc.kill();
      resolve();
    }, 3000);
    proc.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  fs.rmSync(dir, { recursive: true, force: true });
  return { count, real, file: path.basename(file), bytes: Buffer.byteLength(gen.text), diagnostics: first.msg.params.diagnostics.length, startupMs, openMs, editMs, hoverMs, actionMs, actions, memOpen, memEnd };
}

const SETTLE_SAMPLES = 3;
const SETTLE_EVERY_MS = 500;
const SETTLE_MAX_MS = 30000;

/** Waits until only this thread is runnable for SETTLE_SAMPLES samples in a row, at most SETTLE_MAX_MS (the CLI's count of runnable threads, from the compiled sources). */
async function settle() {
  const runnable = createRequire(import.meta.url)(path.join(ROOT, 'out', 'server', 'src', 'cli', 'parallel.js')).runnableThreads;
  const t0 = performance.now();
  let quiet = 0;
  while (quiet < SETTLE_SAMPLES && performance.now() - t0 < SETTLE_MAX_MS) {
    const n = runnable();
    if (n === undefined) return { ms: 0, quiet: true };
    quiet = n <= 1 ? quiet + 1 : 0;
    if (quiet < SETTLE_SAMPLES) await new Promise((resolve) => setTimeout(resolve, SETTLE_EVERY_MS));
  }
  return { ms: performance.now() - t0, quiet: quiet >= SETTLE_SAMPLES };
}

async function editor() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'server.js'))) {
    say('## Editor\n\ndist/server.js not built: skipped.\n');
    return;
  }
  if (!fs.existsSync(SERVER_CONSTANTS)) {
    say('## Editor\n\nout/ not compiled (`npm run compile`: the server is started with the options the extension gives it): skipped.\n');
    return;
  }
  const sessions = [];
  for (const n of [1000, 10000]) {
    const settled = await settle();
    progress(`editor: ${n} statements`);
    sessions.push({ ...(await editorSession(n)), settled });
  }
  const real = realFolder();
  if (real) {
    const settled = await settle();
    progress(`editor: ${REAL_COUNT} statements in a copy of ${real.folder}`);
    sessions.push({ ...(await editorSession(REAL_COUNT, real)), settled });
  }
  say('## Editor (language server over stdio)');
  say();
  say('A generated migration (bench/generate.mjs: mixed DDL/DML, transactions, settings, functions, DO blocks; deterministic) whose');
  say(`schema history is a generated \`0001_base.sql\` in the same folder. A fresh server per size, started with the Node options and environment the extension gives it (\`${serverExecArgv().join(' ')}\`, \`${Object.entries(serverEnv()).map(([k, v]) => `${k}=${v}`).join(' ')}\`). \`debounceMs: 0\` in the`);
  say(`initialization options, so edit latency is the server's own (the editor default adds a 150 ms debounce). ${EDITS} one-character edits typed`);
  say('into an identifier in the middle of the file, each waited for (didChange → publishDiagnostics of that version);');
  say(`${EDITS} hovers on statements spread through the file; code actions (quickfix) on up to ${EDITS} of the diagnostics.`);
  say();
  say(
    `Each session starts once no other thread is runnable (/proc/loadavg) for ${SETTLE_SAMPLES} samples ${SETTLE_EVERY_MS} ms apart, or after ${SETTLE_MAX_MS / 1000} s, so that nothing that ran before it (the batch step, another job on the machine) still runs during the edits. The last column says how long it waited and whether the machine settled.`,
  );
  say();
  say('| statements | file KB | diagnostics | server start → initialized (WASM) ms | **didOpen → first diagnostics (cold) ms** | **edit → diagnostics p50 / p95 ms** | **hover p50 / p95 ms** | **code action p50 / p95 ms** | **RSS after open MB** | RSS / peak at end MB | waited for the machine |');
  say('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of sessions.filter((x) => !x.real)) {
    say(`| ${s.count} | ${(s.bytes / 1024).toFixed(0)} | ${s.diagnostics} | ${ms(s.startupMs)} | ${ms(s.openMs)} | ${p50p95(s.editMs)} | ${p50p95(s.hoverMs)} | ${p50p95(s.actionMs)} | ${mb(s.memOpen.rss)} | ${mb(s.memEnd.rss)} / ${mb(s.memEnd.hwm)} | ${(s.settled.ms / 1000).toFixed(1)} s${s.settled.quiet ? '' : ' (not settled)'} |`);
  }
  say();
  for (const s of sessions.filter((x) => x.real)) {
    say(
      `**In a real migration folder** (not a target): the same kind of generated migration, ${s.count} statements, written as \`${s.file}\`, the last migration of a copy of \`${s.real.folder}\` (${s.real.files.length} files: its schema history, and the layout its runner is detected from); the client registers watched files, as VS Code does. Open ${ms(s.openMs)} ms; edit → diagnostics p50 / p95 **${p50p95(s.editMs, ' ms')}**; hover ${p50p95(s.hoverMs, ' ms')}; code actions ${p50p95(s.actionMs, ' ms')}; RSS at the end ${mb(s.memEnd.rss)} MB.`,
    );
    say();
  }
  return sessions;
}

/** "p50 / p95" of a list of times (then `unit`), or n/a when it is empty. */
function p50p95(xs, unit = '') {
  return xs.length ? `${ms(pct(xs, 50))} / ${ms(pct(xs, 95))}${unit}` : 'n/a';
}

/** Statements of the migration edited in a real folder: the size of a large hand-written migration. */
const REAL_COUNT = 50;

/** The largest flat migration folder of the real-world corpus (the touched-file step's), or undefined without a corpus. */
function realFolder() {
  const corpus = findCorpus();
  if (!corpus) return undefined;
  const { folder, files } = largestFolder(corpusFiles(corpus).realWorld);
  return { folder, files: files.map((f) => path.join(corpus, f)) };
}

/** The file names of a migration folder's `files`, in run order (numeric versions compared as numbers). */
function runOrder(files) {
  return files.map((f) => path.basename(f)).sort(new Intl.Collator('en', { numeric: true }).compare);
}

/** The up migrations among `names` (a down migration is the rollback of its up). */
function upMigrations(names) {
  return names.filter((n) => !/[._-]down\.sql$/i.test(n));
}

/** The folder holding the most of `files` (corpus-relative paths), with its files. */
function largestFolder(files) {
  const byFolder = new Map();
  for (const f of files) byFolder.set(path.dirname(f), [...(byFolder.get(path.dirname(f)) ?? []), f]);
  const [folder, inFolder] = [...byFolder].sort((a, b) => b[1].length - a[1].length)[0];
  return { folder, files: inFolder };
}

function vsixAndActivation() {
  say('## Package and activation');
  say();
  const vsix = fs.readdirSync(ROOT).filter((f) => f.endsWith('.vsix'));
  const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts ?? {};
  let vsixLine;
  if (scripts.package) {
    progress('npm run package');
    const before = new Set(vsix);
    const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8' });
    const made = fs.readdirSync(ROOT).filter((f) => f.endsWith('.vsix'));
    const newest = made.map((f) => ({ f, t: fs.statSync(path.join(ROOT, f)).mtimeMs })).sort((a, b) => b.t - a.t)[0];
    if (r.status === 0 && newest) {
      vsixLine = `\`.vsix\` (npm run package): **${(fs.statSync(path.join(ROOT, newest.f)).size / 1024).toFixed(0)} KB** (${newest.f})`;
      if (!before.has(newest.f)) fs.rmSync(path.join(ROOT, newest.f));
    } else vsixLine = `\`.vsix\`: npm run package failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' ')}`;
  } else vsixLine = '`.vsix`: no `npm run package` script.';
  say(`- ${vsixLine}`);
  const log = process.env.LOCKWISE_E2E_LOG;
  if (log && fs.existsSync(log)) {
    const text = fs.readFileSync(log, 'utf8');
    const m = /activation-to-first-diagnostics-ms:\s*(\d+)/.exec(text);
    const a = /activate-resolved-ms:\s*(\d+)/.exec(text);
    say(`- Extension activation → first diagnostics (e2e run, ${path.basename(log)}): ${m ? `**${m[1]} ms**` : 'not in the log'}${a ? `; activate() resolved after ${a[1]} ms` : ''}.`);
  } else {
    say('- Extension activation → first diagnostics: not measured in this run (set LOCKWISE_E2E_LOG to a saved `npm run test:e2e` output; it prints `activation-to-first-diagnostics-ms`).');
  }
  say();
}

function startup() {
  // The CLI's fixed cost: node itself, loading the bundle, and loading the parser's WASM.
  // Alone in its folder: no other migration to replay as schema history.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-bench-one-'));
  const one = path.join(dir, 'one.sql');
  fs.writeFileSync(one, 'SELECT 1;\n');
  const run = (args) => {
    const xs = [];
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      spawnSync(process.execPath, args, { stdio: 'ignore' });
      xs.push(performance.now() - t);
    }
    return median(xs);
  };
  const nodeMs = run(['-e', '0']);
  const versionMs = run([path.join(ROOT, 'dist', 'cli.js'), '--version']);
  const lintMs = run([path.join(ROOT, 'dist', 'cli.js'), 'lint', '--format', 'json', one]);
  fs.rmSync(dir, { recursive: true, force: true });
  say('## CLI fixed cost');
  say();
  say('| `node -e 0` | `lockwise --version` (bundle load) | `lockwise lint` of `SELECT 1;` (+ WASM load) |');
  say('|---:|---:|---:|');
  say(`| ${ms(nodeMs)} ms | ${ms(versionMs)} ms | ${ms(lintMs)} ms |`);
  say();
}

function machine() {
  const cpus = os.cpus();
  const version = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      return '?';
    }
  };
  const pkg = (name) => {
    try {
      // the peers' own copies (pgfence brings an older libpg-query) must not stand for lockwise's
      const peer = ['squawk-cli', '@flvmnt/pgfence'].includes(name);
      const file = path.join(peer ? PEERS : ROOT, 'node_modules', ...name.split('/'), 'package.json');
      return JSON.parse(fs.readFileSync(file, 'utf8')).version;
    } catch {
      return '?';
    }
  };
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    /* not a clone */
  }
  return {
    date: new Date().toISOString(),
    cpu: `${cpus[0]?.model ?? '?'} × ${os.availableParallelism?.() ?? cpus.length}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    lockwise: `${JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version} (${commit})`,
    squawk: squawkBinary() ? version(squawkBinary(), ['--version']) : 'missing',
    pgfence: pkg('@flvmnt/pgfence'),
    libpgQuery: pkg('libpg-query'),
  };
}

// ---- targets (issue 15) -------------------------------------------------------------------------

/** The issue's targets, met or not, from this run's numbers; printed first in RESULTS.md. */
function targets(b, sessions) {
  const rows = [];
  const verdict = (ok) => (ok === undefined ? 'not measured' : ok ? '**met**' : '**not met**');
  const pair = (label) => b?.pairs.find((p) => p.label === label);
  const cold = pair('real-world');
  const warm = pair('real-world, warm cache');
  const pgf = pair('real-world, files pgfence accepts');
  const ratio = (p) => p && p.lockwise.wall / p.other.wall;
  rows.push(['batch cold ≤ 2.0× squawk (wall, real-world)', cold && `${ratio(cold).toFixed(2)}× (${ms(cold.lockwise.wall)} vs ${ms(cold.other.wall)} ms; CPU ${(cold.lockwise.cpu / cold.other.cpu).toFixed(2)}×)`, cold && ratio(cold) <= 2]);
  rows.push(['batch cold faster than pgfence (files it accepts)', pgf && `${ratio(pgf).toFixed(2)}× (${ms(pgf.lockwise.wall)} vs ${ms(pgf.other.wall)} ms)`, pgf && ratio(pgf) < 1]);
  rows.push(['batch warm ≤ 0.5× squawk (wall, unchanged corpus)', warm && `${ratio(warm).toFixed(2)}× (${ms(warm.lockwise.wall)} vs ${ms(warm.other.wall)} ms)`, warm && ratio(warm) <= 0.5]);
  const last = b?.touch.rows.find(([what]) => what.startsWith('after touching the last'));
  const middle = b?.touch.rows.find(([what]) => what.startsWith('after touching the middle'));
  rows.push([
    'after touching one file, only it and the files whose history it changes are analysed',
    last && `last: ${last[1].analysed} analysed of ${b.touch.files}; middle: ${middle[1].analysed} (it and the ${middle[1].after - 1} migrations after it)`,
    last && last[1].analysed <= last[1].after && middle[1].analysed <= middle[1].after && middle[1].analysed > 1,
  ]);
  const s = (n) => sessions?.find((x) => x.count === n);
  const p95 = (xs) => (xs?.length ? pct(xs, 95) : undefined);
  const s1 = s(1000);
  const s10 = s(10000);
  rows.push(['edit → diagnostics p95 ≤ 20 ms at 1,000 statements', s1 && `${ms(p95(s1.editMs))} ms`, s1 && p95(s1.editMs) <= 20]);
  rows.push(['edit → diagnostics p95 ≤ 100 ms at 10,000 statements', s10 && `${ms(p95(s10.editMs))} ms`, s10 && p95(s10.editMs) <= 100]);
  rows.push(['hover p95 ≤ 5 ms', s10 && `${ms(p95(s1.hoverMs))} ms at 1,000, ${ms(p95(s10.hoverMs))} ms at 10,000`, s10 && Math.max(p95(s1.hoverMs), p95(s10.hoverMs)) <= 5]);
  rows.push(['code actions p95 ≤ 50 ms at 10,000', s10?.actionMs.length ? `${ms(p95(s10.actionMs))} ms` : undefined, s10?.actionMs.length ? p95(s10.actionMs) <= 50 : undefined]);
  rows.push(['server RSS ≤ 250 MB after 50 edits + 50 code actions (10,000)', s10 && `${mb(s10.memEnd.rss)} MB (peak ${mb(s10.memEnd.hwm)})`, s10 && s10.memEnd.rss / 1024 <= 250]);
  const table = ['## Targets (issue 15)', '', '| target | this run | |', '|---|---|---|', ...rows.map(([t, v, ok]) => `| ${t} | ${v ?? 'not measured'} | ${verdict(v === undefined ? undefined : ok)} |`), ''];
  for (const line of table) process.stdout.write(line + '\n');
  out.splice(5, 0, ...table);
}

// ---- main --------------------------------------------------------------------------------------

if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js')) || !fs.existsSync(path.join(ROOT, 'dist', 'server.js'))) {
  progress('building dist/');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
}
const m = machine();
const loadBefore = os.loadavg();
say('# Lockwise benchmark');
say();
say(`${m.date} · ${m.cpu} · ${m.memory} RAM · ${m.os} · Node ${m.node}`);
say(`lockwise ${m.lockwise} · ${m.squawk} · pgfence ${m.pgfence} · libpg-query ${m.libpgQuery} · \`npm run bench\` (BENCH_RUNS=${RUNS}, BENCH_EDITS=${EDITS})`);
say();
if (ONLY !== 'editor') {
  startup();
  await batch();
}
let sessions;
if (ONLY !== 'batch') {
  sessions = await editor();
  vsixAndActivation();
}
targets(batchTargets, sessions);
const loadAfter = os.loadavg();
say(`Load average (1/5/15 min) before: ${loadBefore.map((x) => x.toFixed(2)).join(' ')}; after: ${loadAfter.map((x) => x.toFixed(2)).join(' ')} (a shared machine: other work was running).`);
say();

const findings = path.join(ROOT, 'bench', 'FINDINGS.md');
const extra = fs.existsSync(findings) ? '\n' + fs.readFileSync(findings, 'utf8') : '';
fs.writeFileSync(path.join(ROOT, 'bench', 'RESULTS.md'), out.join('\n') + '\n' + extra);
progress('wrote bench/RESULTS.md');
