/**
 * `lockwise lint --fix [--dry-run]`: applies every safe fix in place, or prints the diff. Files are
 * written only through project/atomicWrite.ts; a file that cannot be fixed (unwritable, changed on
 * disk, not UTF-8, a new migration whose name is taken) is listed and skipped, the others are fixed.
 */
import { isUtf8 } from 'buffer';
import * as fs from 'fs';
import * as path from 'path';
import { isDeepStrictEqual } from 'util';
import { createTwoFilesPatch } from 'diff';
import { analyze, DEFAULT_CONFIG, fixAll, FixSelection, NewFile, runnerProfile, terminalLines } from '../core';

type FixAllResult = ReturnType<typeof fixAll>;
import { FileStamp, stampOf, WriteError, writeFileAtomic } from '../project/atomicWrite';
import { toPosix } from '../project/files';
import { HistoryProvider, SnapshotSource, touchedFolders } from '../project/history';
import { RunnerDetector } from '../project/runners';
import { FileResult } from './files';
import { writeLine, writeReport } from '../project/output';

export interface FixFailure {
  path: string;
  reason: string;
}

export interface FixOutcome {
  /** Every file, re-analysed after its fixes (as fixed in memory for a dry run; as it is on disk when it failed). */
  results: FileResult[];
  /** Files that had fixes and were not fixed (exit 2). */
  failures: FixFailure[];
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Fixes every file (or prints the diffs). Only safe fixes are applied unless `selection.suggestions`;
 * the suggestions left are counted on stderr.
 */
export function applyFixes(results: FileResult[], dryRun: boolean, selection: FixSelection = {}): FixOutcome {
  // Files are read once; after each fix, what it wrote is read again and only what depends on that
  // is recomputed (re-reading every earlier migration after each fix made a long history quadratic).
  const source = new SnapshotSource();
  const runners = new RunnerDetector(source);
  const byPath = new Map(results.map((r) => [path.resolve(r.path), r.config]));
  const history = new HistoryProvider(source, (f, t) => runners.forFile(f, t, byPath.get(f) ?? DEFAULT_CONFIG));
  const out: FileResult[] = [];
  const failures: FixFailure[] = [];
  for (const r of results) {
    const options = {
      config: r.config,
      history: history.catalogBefore(r.path),
      runner: r.runner,
      sizes: r.analysis.sizes?.input,
      baseline: r.analysis.baseline,
    };
    const fixed = fixAll(r.analysis.text, options, selection);
    if (fixed.text === r.analysis.text && fixed.files.length === 0) {
      out.push(r);
      continue;
    }
    let written: string[] = [];
    try {
      if (dryRun) printDiff(r, fixed);
      else written = writeFixed(r, fixed);
    } catch (error) {
      if (!(error instanceof WriteError || error instanceof NotFixable)) throw error;
      failures.push({ path: r.path, reason: error.message });
      writeLine(`${r.path}: not fixed: ${error.message}`, 'stderr');
      out.push(r);
      continue;
    }
    writeLine(`${r.path}: ${dryRun ? 'would fix' : 'fixed'} ${countText(fixed.fixed)}`, 'stderr');
    if (fixed.stopped) writeLine(`${r.path}: fixing stopped early: ${fixed.stopped}`, 'stderr');
    if (dryRun) {
      // fixAll's last analysis is of this text with these options.
      out.push({ ...r, analysis: fixed.analysis });
      continue;
    }
    const changes = source.refresh(written);
    runners.refresh(touchedFolders(changes));
    history.refresh(changes);
    // Re-detect: the fix may have written the runner's config file (Flyway .conf, diesel metadata.toml).
    const runner = runners.forFile(r.path, fixed.text, r.config);
    // Same inputs as fixAll's last analysis (no file changed the options, the runner is detected as before): the same analysis.
    const same = fixed.options === options && isDeepStrictEqual(runner, r.runner);
    out.push({ ...r, runner, analysis: same ? fixed.analysis : analyze(fixed.text, { ...options, runner }) });
  }
  reportSuggestionsLeft(out, selection);
  if (failures.length) writeLine(`lockwise: ${failures.length} file(s) not fixed: ${failures.map((f) => f.path).join(', ')}`, 'stderr');
  return { results: out, failures };
}

/** One line naming the suggestions `--fix` left alone, so nobody thinks everything was fixed. */
function reportSuggestionsLeft(results: FileResult[], selection: FixSelection): void {
  if (selection.suggestions) return;
  const left = results.flatMap((r) => r.analysis.findings.filter((f) => f.fix?.safety === 'suggestion').map((f) => f.rule));
  if (!left.length) return;
  const rules = [...new Set(left)].sort().join(', ');
  writeLine(`${left.length} suggestion(s) not applied (they change what the migration does: ${rules}); review them, or use --fix-suggestions`, 'stderr');
}

/** A file that is left alone on purpose (not UTF-8, changed since it was linted). */
class NotFixable extends Error {}

/** `N finding(s): rule ×n, ...` (a file with 2,000 fixes lists each rule once). */
function countText(rules: string[]): string {
  const counts = new Map<string, number>();
  for (const r of rules) counts.set(r, (counts.get(r) ?? 0) + 1);
  return `${rules.length} finding(s): ${[...counts].map(([rule, n]) => (n > 1 ? `${rule} ×${n}` : rule)).join(', ')}`;
}

/** The file's bytes now, checked against what was linted: the stamp the write compares before its rename. */
function readForFix(r: FileResult): { bytes: Buffer; stamp: FileStamp } {
  let bytes: Buffer;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(r.path);
    // Swapped for a FIFO since it was linted: reading it would block.
    if (!stat.isFile()) throw new NotFixable('it is no longer a regular file');
    bytes = fs.readFileSync(r.path);
  } catch (error) {
    if (error instanceof NotFixable) throw error;
    throw new WriteError(r.path, (error as NodeJS.ErrnoException).code ?? String(error));
  }
  checkUtf8(bytes);
  const text = bytes.toString('utf8');
  if ((r.bom ? text.slice(1) : text) !== r.analysis.text) throw new NotFixable('it changed on disk since it was read; left as it is');
  return { bytes, stamp: stampOf(bytes, stat) };
}

/**
 * Refuses a file that is not valid UTF-8. The analysis reads it as UTF-8, where each invalid byte
 * (a Latin-1 `é`) is U+FFFD: writing the fixed text back would replace those bytes for good, and
 * the statements a fix moves may hold them. psql and PostgreSQL with UTF8 as client encoding reject
 * such a file anyway, so it is named, with where the first invalid byte is, and left unchanged.
 */
function checkUtf8(bytes: Buffer): void {
  if (isUtf8(bytes)) return;
  const at = firstInvalidUtf8(bytes);
  const line = bytes.subarray(0, at).toString('latin1').split('\n').length;
  throw new NotFixable(
    `it is not valid UTF-8 (line ${line}, byte 0x${bytes[at].toString(16).toUpperCase()}); --fix writes only UTF-8 files, so that no byte it cannot read is changed (convert it first, e.g. iconv -f LATIN1 -t UTF-8)`,
  );
}

function firstInvalidUtf8(bytes: Buffer): number {
  for (let i = 0; i < bytes.length;) {
    const c = bytes[i];
    const extra = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (extra < 0 || (extra > 0 && !isUtf8(bytes.subarray(i, i + extra + 1)))) return i;
    i += extra + 1;
  }
  return 0;
}

/**
 * Writes one migration and the files its fixes create, all or nothing: new migrations first (never
 * over an existing file), then the migration (only if unchanged since it was read), then the
 * runner's config file. A failure undoes what was already written.
 */
function writeFixed(r: FileResult, fixed: FixAllResult): string[] {
  const { bytes, stamp } = readForFix(r);
  const { created, companion } = splitFiles(r, fixed.files);
  const undo: (() => void)[] = [];
  try {
    for (const f of created) {
      writeFileAtomic(f.target, Buffer.from(f.text), { create: true });
      undo.push(() => fs.rmSync(f.target, { force: true }));
    }
    const data = Buffer.from(fixed.text);
    writeFileAtomic(r.path, r.bom ? Buffer.concat([BOM, data]) : data, { expect: stamp });
    undo.push(() => writeFileAtomic(r.path, bytes));
    if (companion) writeCompanion(r, companion);
  } catch (error) {
    for (const u of undo.reverse()) u();
    throw error;
  }
  const others = [...created, ...(companion ? [companion] : [])];
  for (const f of others) writeLine(`${f.shown}: written by the fix of ${toPosix(r.path)}`, 'stderr');
  return writtenPaths(r.path, others);
}

/** The paths a fix wrote, resolved, as the history reads them: the migration (and the file it links to) and the new files. */
function writtenPaths(file: string, others: Planned[]): string[] {
  const own = path.resolve(file);
  let real = own;
  try {
    real = fs.realpathSync(own);
  } catch {
    // Written a moment ago: it exists; if not, the history reads it as absent anyway.
  }
  return [...new Set([own, real, ...others.map((f) => f.target)])];
}

interface Planned extends NewFile {
  target: string;
  shown: string;
}

/** New migrations (created, never replacing a file) apart from the runner's config file beside the migration (created or updated). */
function splitFiles(r: FileResult, files: NewFile[]): { created: Planned[]; companion?: Planned } {
  const companionPath = r.runner ? runnerProfile(r.runner.id).companion?.(path.resolve(r.path)) : undefined;
  const planned = files.map((f) => {
    const target = path.resolve(path.dirname(r.path), f.path);
    return { ...f, target, shown: toPosix(path.relative(process.cwd(), target)) };
  });
  return { created: planned.filter((f) => f.target !== companionPath), companion: planned.find((f) => f.target === companionPath) };
}

/** The runner's config file: updated only if it still holds what the analysis read (absent: created). */
function writeCompanion(r: FileResult, f: Planned): void {
  const before = r.runner?.companion;
  if (before === undefined) return writeFileAtomic(f.target, Buffer.from(f.text), { create: true });
  const bytes = fs.readFileSync(f.target);
  if (bytes.toString('utf8') !== before) throw new NotFixable(`${f.shown} changed on disk since it was read; left as it is`);
  writeFileAtomic(f.target, Buffer.from(f.text), { expect: stampOf(bytes, fs.statSync(f.target)) });
}

function printDiff(r: FileResult, fixed: FixAllResult): void {
  checkUtf8(fs.readFileSync(r.path));
  const { created } = splitFiles(r, fixed.files);
  const taken = created.find((f) => fs.existsSync(f.target) || isLink(f.target));
  if (taken) throw new WriteError(taken.shown, 'a file with that name exists; it would not be overwritten');
  writeReport(terminalLines(createTwoFilesPatch(r.path, r.path, r.analysis.text, fixed.text, '', '', { context: 3 })));
  const { companion } = splitFiles(r, fixed.files);
  for (const f of created) writeReport(terminalLines(createTwoFilesPatch('/dev/null', f.shown, '', f.text, '', '', { context: 3 })));
  if (companion) {
    const before = r.runner?.companion;
    const diff = createTwoFilesPatch(before === undefined ? '/dev/null' : companion.shown, companion.shown, before ?? '', companion.text, '', '', {
      context: 3,
    });
    writeReport(terminalLines(diff));
  }
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
