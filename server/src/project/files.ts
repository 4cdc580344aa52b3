/** Expands CLI paths (files, folders, globs) to files: SQL files in folders, whatever a glob matches, files named as they are. */
import * as fs from 'fs';
import * as path from 'path';
import { globBase, globMatcher } from './glob';
import { NATURAL_ORDER, SQL_FILE } from './constants';
import { toPosix } from './selection';

export { toPosix };

export class UsageError extends Error {}

export interface FoundFile {
  file: string;
  /** Named on the command line (always checked), not found in a folder or by a glob (filtered by config). */
  explicit: boolean;
}

/** The files, in migration order. */
export function expandPaths(inputs: string[]): FoundFile[] {
  // Keyed by the absolute path: `x.sql` and `./x.sql` are one file.
  const out = new Map<string, FoundFile>();
  const add = (file: string, explicit: boolean) => {
    const key = path.resolve(file);
    out.set(key, { file: out.get(key)?.file ?? file, explicit: explicit || (out.get(key)?.explicit ?? false) });
  };
  for (const input of inputs) {
    if (/[*?[\]{}]/.test(input)) {
      const matched = globFiles(input);
      if (matched.length === 0) throw new UsageError(`no files match ${input}`);
      for (const f of matched) add(f, false);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (error) {
      throw new UsageError(
        `cannot read ${input}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`,
      );
    }
    if (stat.isDirectory()) {
      for (const f of walk(input).filter((f) => SQL_FILE.test(f))) add(f, false);
    } else {
      add(input, true);
    }
  }
  return [...out.values()].sort((a, b) => NATURAL_ORDER.compare(a.file, b.file));
}

/**
 * The path every report prints for a file (text, JSON, SARIF under %SRCROOT%, GitHub annotations):
 * relative to the current folder when inside it, whatever was typed (`./x`, `x`, `/abs/cwd/x`),
 * else absolute; POSIX separators.
 */
export function reportPath(file: string, cwd = process.cwd()): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  const outside = relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return toPosix(outside ? absolute : relative);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new UsageError(`cannot read directory ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name === '.git') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else if (e.isFile()) out.push(full);
    // A symlinked migration is linted (a symlinked folder is not followed: it could loop).
    else if (e.isSymbolicLink() && isRegularFile(full)) out.push(full);
  }
  return out;
}

function isRegularFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function globFiles(pattern: string): string[] {
  const base = globBase(toPosix(pattern)) || '.';
  if (!fs.existsSync(base)) return [];
  const isMatch = globMatcher([toPosix(pattern)], { dot: false });
  const files = fs.statSync(base).isDirectory() ? walk(base) : [base];
  return files.filter((f) => isMatch(toPosix(f)) || isMatch(toPosix(path.normalize(f))));
}

/** A migration named for lint, audit or trace: refused with a UsageError naming it when it is not a readable regular file. */
export function readSqlFile(file: string): string {
  try {
    // A FIFO would block the read forever and a device such as /dev/zero never ends.
    if (!fs.statSync(file).isFile()) throw new UsageError(`cannot read ${file}: not a regular file`);
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
