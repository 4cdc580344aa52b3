/**
 * Which files Lockwise checks, for the CLI and the editor alike. The include/exclude globs are
 * matched against the file's path relative to `base`: the folder of the `.lockwise.json` that
 * declares them (the editor, without one: the workspace folder, else the file's folder).
 * The cases beyond plain glob matching (test/unit/selection.test.ts pins each):
 * 1. a file named on the command line is always checked;
 * 2. an editor document with neither a SQL language id nor a SQL extension is not SQL;
 * 3. an editor document the user set to a SQL language is checked whatever its name: `include`
 *    (which selects by name) does not apply to it, `exclude` does (the CLI has no language ids:
 *    `include` applies to every file it found);
 * 4. a file outside `base` (e.g. `--config` from another tree) is matched against `exclude` by its
 *    absolute path, and `include` does not apply to it.
 */
import * as path from 'path';
import { globMatcher } from './glob';
import { SQL_FILE } from './constants';

export type Selection = 'selected' | 'excluded' | 'not-sql';

export interface Candidate {
  /** Absolute path (or an untitled document's URI). */
  file: string;
  /** The folder the globs are relative to. */
  base: string;
  /** Named on the command line. */
  explicit?: boolean;
  /** Editor documents: whether the language id says SQL (undefined on the command line). */
  sqlLanguage?: boolean;
}

export function select(candidate: Candidate, globs: { include: string[]; exclude: string[] }): Selection {
  if (candidate.explicit) return 'selected';
  const sqlName = SQL_FILE.test(candidate.file);
  if (candidate.sqlLanguage === false && !sqlName) return 'not-sql';
  const byName = sqlName || candidate.sqlLanguage === undefined;
  const rel = toPosix(path.relative(candidate.base, candidate.file));
  const outside = rel.startsWith('../') || path.isAbsolute(rel);
  const target = outside ? toPosix(candidate.file) : rel;
  if (globs.exclude.length && globMatcher(globs.exclude, { dot: true })(target)) return 'excluded';
  if (byName && !outside && globs.include.length && !globMatcher(globs.include, { dot: true })(target)) return 'excluded';
  return 'selected';
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
