/**
 * The deploy baseline: which migrations production has already run. A table created by a pending
 * migration (one not in the baseline) is empty in production until that deploy, so indexing,
 * constraining, validating or rewriting it reads no rows and blocks nobody. The project layer
 * finds the pending files (git or a migration id, `project/baseline.ts`); the core only reads the set.
 */
import * as path from 'path';

/** `baseline` in the config: a git ref, or the id of the last migration production ran. */
export type BaselineSpec = { git: string } | { migration: string };

export interface Baseline {
  /** The baseline as the user wrote it, for messages: `origin/main`, `20261101`. */
  label: string;
  /** Resolved paths of the migration files that are not in the baseline. */
  pending: ReadonlySet<string>;
}

/** How many rows pending migrations put in a table they created: none, literal VALUES rows, or unknown (INSERT ... SELECT, COPY, CREATE TABLE AS). */
export type PendingRows = 'none' | 'values' | 'unknown';

const MAX_LENGTH = 256;

/** The spec, or why the value is not one (a git ref must not look like an option: git would read it as one). */
export function parseBaseline(raw: unknown): BaselineSpec | string {
  const problem = 'must be a git ref such as "origin/main", or {"migration": "<id of the last deployed migration>"}';
  if (typeof raw === 'string') return validName(raw) ? { git: raw } : problem;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return problem;
  const keys = Object.keys(raw);
  const value = (raw as Record<string, unknown>)[keys[0]];
  if (keys.length !== 1 || typeof value !== 'string' || !validName(value)) return problem;
  if (keys[0] === 'git') return { git: value };
  if (keys[0] === 'migration') return { migration: value };
  return problem;
}

function validName(name: string): boolean {
  return name.trim().length > 0 && name.length <= MAX_LENGTH && !name.startsWith('-') && !/[\u0000-\u001f\u007f]/.test(name);
}

export function baselineLabel(spec: BaselineSpec): string {
  return 'git' in spec ? spec.git : spec.migration;
}

/** A migration file as people name it: `20261130_add_orders.sql`, or `<folder>/up.sql` for one-folder-per-migration layouts. */
export function migrationName(file: string): string {
  const base = path.basename(file);
  return /^(up|down|migration)\.\w+$/i.test(base) ? `${path.basename(path.dirname(file))}/${base}` : base;
}

/** A relation a statement locks that a pending migration created. */
export interface PendingRelation {
  relation: string;
  /** The history file that created it. */
  createdBy: string;
  rows: PendingRows;
}

/** Why locking it stops nobody: "orders is created by 20261130_add_orders.sql, not deployed yet (baseline origin/main): it is empty in production". */
export function pendingReason(p: PendingRelation, baseline: Baseline): string {
  const state = p.rows === 'values' ? 'in production it holds only the rows pending migrations insert with VALUES' : 'it is empty in production';
  return `${p.relation} is created by ${migrationName(p.createdBy)}, not deployed yet (baseline ${baseline.label}): ${state}`;
}
