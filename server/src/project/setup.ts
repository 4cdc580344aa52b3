/**
 * What `lockwise init` learns about a project from its files: the PostgreSQL major version it
 * runs (a compose file's image tag, or asdf/mise's .tool-versions), its migration folders, and the
 * runner each folder is detected to use (project/runners.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { RunnerChoice } from '../core';
import { SQL_FILE } from './constants';
import { RunnerDetector } from './runners';

export interface VersionHint {
  pgVersion: number;
  /** The file and the text it came from, e.g. `docker-compose.yml: postgres:16-alpine`. */
  evidence: string;
}

export interface MigrationFolder {
  /** Relative to the project root, with '/' separators. */
  dir: string;
  runner: RunnerChoice;
}

const COMPOSE_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
/** `image: postgres:16`, `postgis/postgis:16-3.4`, `timescale/timescaledb:2.14.2-pg16`, `bitnami/postgresql:15`. */
const COMPOSE_IMAGE = /^\s*image:\s*["']?([\w./-]*(?:postgres|postgis|timescaledb)[\w./-]*):([\w.-]+)/gim;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'out', 'target', 'vendor', '.venv']);
/** File names that say "ordered migration": a number, a timestamp, Flyway's V1__. */
const ORDERED_NAME = /^(\d|[VUR]\d)/;
const MAX_DEPTH = 6;

/** The major version in an image tag: `16-alpine` → 16, `latest-pg15` → 15; `latest` → undefined. */
export function majorFromTag(tag: string): number | undefined {
  // TimescaleDB tags lead with their own version (2.14.2-pg16): a pgNN part wins.
  const m = /pg(\d{1,2})\b/.exec(tag) ?? /^(\d{1,2})(?:[.\-_]|$)/.exec(tag);
  const major = m ? Number(m[1]) : NaN;
  return major >= 9 && major <= 19 ? major : undefined;
}

/** The first PostgreSQL image of a compose file whose tag names a major version: `postgres:16`, 16. */
export function versionFromCompose(text: string): { image: string; pgVersion: number } | undefined {
  for (const m of text.matchAll(COMPOSE_IMAGE)) {
    const pgVersion = majorFromTag(m[2]);
    if (pgVersion) return { image: `${m[1]}:${m[2]}`, pgVersion };
  }
  return undefined;
}

/** `.tool-versions` (asdf, mise): a `postgres 16.2` or `postgresql 16.2` line. */
export function versionFromToolVersions(text: string): number | undefined {
  const m = /^\s*postgres(?:ql)?\s+(\d+)/m.exec(text);
  const major = m ? Number(m[1]) : NaN;
  return major >= 9 && major <= 19 ? major : undefined;
}

export function detectPgVersion(root: string): VersionHint | undefined {
  for (const name of COMPOSE_FILES) {
    const found = versionFromCompose(readSmall(path.join(root, name)) ?? '');
    if (found) return { pgVersion: found.pgVersion, evidence: `${name}: image ${found.image}` };
  }
  const pgVersion = versionFromToolVersions(readSmall(path.join(root, '.tool-versions')) ?? '');
  return pgVersion ? { pgVersion, evidence: `.tool-versions: postgres ${pgVersion}` } : undefined;
}

/**
 * Folders of ordered SQL migrations: a folder whose SQL files have ordered names or whose name says
 * "migration"; for one-folder-per-migration layouts (diesel, Prisma) the folder above them.
 */
export function findMigrationFolders(root: string): MigrationFolder[] {
  const roots = new Set<string>();
  for (const dir of sqlFolders(root, 0)) {
    const names = fs.readdirSync(dir).filter((n) => SQL_FILE.test(n));
    const parent = path.dirname(dir);
    if (/migrat/i.test(path.basename(parent)) && !/migrat/i.test(path.basename(dir))) roots.add(parent);
    else if (/migrat/i.test(path.basename(dir)) || names.filter((n) => ORDERED_NAME.test(n)).length >= 2) roots.add(dir);
  }
  const detector = new RunnerDetector();
  return [...roots].sort().map((dir) => ({ dir: toPosix(path.relative(root, dir)) || '.', runner: detector.detectFolder(firstSqlFolder(dir)) }));
}

function sqlFolders(dir: string, depth: number): string[] {
  if (depth > MAX_DEPTH) return [];
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const here = entries.some((e) => e.isFile() && SQL_FILE.test(e.name)) ? [dir] : [];
  const below = entries.filter((e) => e.isDirectory() && !SKIP_DIRS.has(e.name) && !e.name.startsWith('.'));
  return [...here, ...below.flatMap((e) => sqlFolders(path.join(dir, e.name), depth + 1))];
}

/** The folder whose files a runner sees: `dir` itself, or its first per-migration subfolder. */
function firstSqlFolder(dir: string): string {
  return sqlFolders(dir, 0)[0] ?? dir;
}

function readSmall(file: string): string | undefined {
  try {
    return fs.statSync(file).size <= 256 * 1024 ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
