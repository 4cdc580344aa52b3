/** Expands CLI paths (files, folders, globs) to SQL files, honouring include/exclude globs. */
import * as fs from 'fs';
import * as path from 'path';
import picomatch from 'picomatch';

export class UsageError extends Error {}

const SQL_EXTENSIONS = /\.(sql|psql|pgsql)$/i;
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Files named on the command line (always checked) vs. found in folders or by globs (filtered by config). */
export const explicitFiles = new Set<string>();

export function expandPaths(inputs: string[], exclude: string[] = []): string[] {
  const excluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  const out = new Set<string>();
  for (const input of inputs) {
    if (/[*?[\]{}]/.test(input)) {
      const matched = globFiles(input);
      if (matched.length === 0) throw new UsageError(`no files match ${input}`);
      for (const f of matched) out.add(f);
      continue;
    }
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch (error) {
      throw new UsageError(`cannot read ${input}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`);
    }
    if (stat.isDirectory()) {
      const files = walk(input).filter((f) => SQL_EXTENSIONS.test(f));
      for (const f of files) out.add(f);
    } else {
      out.add(input);
      explicitFiles.add(input);
    }
  }
  return [...out].filter((f) => !excluded(toPosix(path.relative(process.cwd(), f)))).sort((a, b) => collator.compare(a, b));
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
  const scan = picomatch.scan(pattern);
  const base = scan.base || '.';
  if (!fs.existsSync(base)) return [];
  const isMatch = picomatch(toPosix(pattern), { dot: false });
  const files = fs.statSync(base).isDirectory() ? walk(base) : [base];
  return files.filter((f) => isMatch(toPosix(f)) || isMatch(toPosix(path.normalize(f))));
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/**
 * Whether a file found in a folder is selected by the config's include/exclude globs, matched
 * against its path relative to the config file's folder (or the working directory without one).
 */
export function selectedByConfig(file: string, include: string[], exclude: string[], base: string): boolean {
  const rel = toPosix(path.relative(base, path.resolve(file)));
  const opts = { dot: true };
  if (include.length && !picomatch(include, opts)(rel)) return false;
  return !(exclude.length && picomatch(exclude, opts)(rel));
}
