/**
 * PostgreSQL's table-level lock modes, their conflict matrix (from the documentation's "Conflicting
 * Lock Modes" table, confirmed cell by cell on PostgreSQL 15 in test/data/oracle), and the concurrent
 * operations each mode blocks.
 */

export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

export const lockRank = (mode: LockMode): number => LOCK_MODES.indexOf(mode);

export function strongest(modes: LockMode[]): LockMode | undefined {
  let best: LockMode | undefined;
  for (const m of modes) if (!best || lockRank(m) > lockRank(best)) best = m;
  return best;
}

/** For each mode, the modes it conflicts with. */
const CONFLICTS: Record<LockMode, LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  EXCLUSIVE: ['ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ACCESS EXCLUSIVE': [...LOCK_MODES],
};

export function conflicts(held: LockMode, requested: LockMode): boolean {
  return CONFLICTS[held].includes(requested);
}

export function conflictingModes(mode: LockMode): LockMode[] {
  return [...CONFLICTS[mode]];
}

/** Concurrent operations and the table lock each one needs. */
export const OPERATIONS = [
  { name: 'SELECT', mode: 'ACCESS SHARE' },
  { name: 'SELECT FOR UPDATE', mode: 'ROW SHARE' },
  { name: 'INSERT', mode: 'ROW EXCLUSIVE' },
  { name: 'UPDATE', mode: 'ROW EXCLUSIVE' },
  { name: 'DELETE', mode: 'ROW EXCLUSIVE' },
  { name: 'CREATE INDEX', mode: 'SHARE' },
  { name: 'CREATE INDEX CONCURRENTLY', mode: 'SHARE UPDATE EXCLUSIVE' },
  { name: 'VACUUM', mode: 'SHARE UPDATE EXCLUSIVE' },
  { name: 'ALTER TABLE', mode: 'ACCESS EXCLUSIVE' },
] as const satisfies readonly { name: string; mode: LockMode }[];

export type Operation = (typeof OPERATIONS)[number]['name'];

/** Operations on a table blocked while `mode` is held on it. */
export function blockedOperations(mode: LockMode): Operation[] {
  return OPERATIONS.filter((op) => conflicts(mode, op.mode)).map((op) => op.name);
}

/** Explanations for hovering a lock mode name. */
export const MODE_DESCRIPTIONS: Record<LockMode, string> = {
  'ACCESS SHARE': 'Taken by SELECT. Conflicts only with ACCESS EXCLUSIVE.',
  'ROW SHARE': 'Taken by SELECT FOR UPDATE/SHARE. Conflicts with EXCLUSIVE and ACCESS EXCLUSIVE.',
  'ROW EXCLUSIVE': 'Taken by INSERT, UPDATE, DELETE, MERGE. Conflicts with SHARE and stronger.',
  'SHARE UPDATE EXCLUSIVE':
    'Taken by VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT and some ALTER TABLE forms. Self-conflicting; reads and writes continue.',
  SHARE: 'Taken by CREATE INDEX (without CONCURRENTLY). Blocks INSERT, UPDATE and DELETE; reads continue.',
  'SHARE ROW EXCLUSIVE': 'Taken by CREATE TRIGGER and ADD FOREIGN KEY. Blocks writes; self-conflicting.',
  EXCLUSIVE: 'Taken by REFRESH MATERIALIZED VIEW CONCURRENTLY. Only plain reads (ACCESS SHARE) continue.',
  'ACCESS EXCLUSIVE':
    'Taken by most ALTER TABLE forms, DROP, TRUNCATE, VACUUM FULL, CLUSTER, REFRESH MATERIALIZED VIEW and LOCK TABLE. Blocks everything, including SELECT.',
};

/** `LOCK TABLE ... IN <mode> MODE` numbers (LockStmt.mode) to names. */
/** `pg_locks.mode` names (`AccessShareLock`) → our mode names. */
export const PG_LOCK_MODES: Readonly<Record<string, LockMode>> = {
  AccessShareLock: 'ACCESS SHARE',
  RowShareLock: 'ROW SHARE',
  RowExclusiveLock: 'ROW EXCLUSIVE',
  ShareUpdateExclusiveLock: 'SHARE UPDATE EXCLUSIVE',
  ShareLock: 'SHARE',
  ShareRowExclusiveLock: 'SHARE ROW EXCLUSIVE',
  ExclusiveLock: 'EXCLUSIVE',
  AccessExclusiveLock: 'ACCESS EXCLUSIVE',
};

export function lockModeFromNumber(n: number | undefined): LockMode {
  return LOCK_MODES[Math.max(0, Math.min(7, (n ?? 8) - 1))];
}
