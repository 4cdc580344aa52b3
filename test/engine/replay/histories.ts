/**
 * The real migration histories the replay suite runs, each listed in the order its runner applies
 * the `up` files. The corpus is third-party text for tests only (never copied into the repository).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface History {
  project: string;
  /** Absolute paths of the up migrations, in run order. */
  files: string[];
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sub-folders of `root` that hold `file`, sorted by folder name, as `<folder>/<file>`. */
function perFolder(root: string, file: string): string[] {
  return fs
    .readdirSync(root)
    .filter((d) => fs.existsSync(path.join(root, d, file)))
    .sort(byName)
    .map((d) => path.join(root, d, file));
}

/**
 * ory/x popx `Migrations.SortAndFilter`: by version (the digits before `_`), and a version's
 * dialect-neutral file runs only when no file for the dialect (`.postgres.`) has that version.
 */
function popx(dir: string): string[] {
  const ups = fs.readdirSync(dir).filter((f) => /^\d+_.*\.up\.sql$/.test(f));
  const version = (f: string): string => f.slice(0, f.indexOf('_'));
  const dialect = new Set(ups.filter((f) => f.endsWith('.postgres.up.sql')).map(version));
  const isOther = (f: string): boolean => /\.(mysql|sqlite3?|cockroach)\.up\.sql$/.test(f);
  return ups
    .filter((f) => !isOther(f) && (f.endsWith('.postgres.up.sql') || !dialect.has(version(f))))
    .sort((a, b) => byName(version(a), version(b)))
    .map((f) => path.join(dir, f));
}

/** golang-migrate: `<version>_<title>.up.sql`, by numeric version. */
function golangMigrate(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d+_.*\.up\.sql$/.test(f))
    .sort((a, b) => Number(a.slice(0, a.indexOf('_'))) - Number(b.slice(0, b.indexOf('_'))))
    .map((f) => path.join(dir, f));
}

/** The histories found under `corpus` (a project whose folder is missing is left out). */
export function histories(corpus: string): History[] {
  const projects: { project: string; dir: string; list: (dir: string) => string[] }[] = [
    // diesel: one folder per migration, `up.sql`, applied in folder-name order.
    { project: 'lemmy', dir: 'lemmy/migrations', list: (d) => perFolder(d, 'up.sql') },
    // Prisma Migrate: one folder per migration, `migration.sql`, in folder-name order.
    { project: 'documenso', dir: 'documenso/packages/prisma/migrations', list: (d) => perFolder(d, 'migration.sql') },
    { project: 'harbor', dir: 'harbor/make/migrations/postgresql', list: golangMigrate },
    { project: 'kratos', dir: 'kratos/persistence/sql/migrations/sql', list: popx },
  ];
  return projects.filter((p) => fs.existsSync(path.join(corpus, p.dir))).map((p) => ({ project: p.project, files: p.list(path.join(corpus, p.dir)) }));
}
