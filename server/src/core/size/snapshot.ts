/**
 * The size snapshot (`.lockwise/stats.json`): per table its row estimate and heap, index and toast
 * sizes, as `lockwise stats pull` or `lockwise stats query` captured them. Pure: validation of the
 * parsed JSON, lookup by the names the lock model uses, and the words the views print.
 */

export interface IndexStats {
  name: string;
  bytes: number;
}

export interface TableStats {
  schema: string;
  name: string;
  /** `r` table, `p` partitioned table, `m` materialized view (pg_class.relkind). */
  kind: string;
  /** pg_class.reltuples: the planner's row estimate; -1 when never vacuumed or analysed (PostgreSQL 14+). */
  reltuples: number;
  heapBytes: number;
  indexBytes: number;
  toastBytes: number;
  indexes: IndexStats[];
}

export interface StatsSnapshot {
  version: 1;
  /** ISO 8601, UTC. */
  capturedAt: string;
  server: { version: string; versionNum: number };
  database: string;
  tables: TableStats[];
}

export const STATS_FILE = '.lockwise/stats.json';

/** A stats file that does not match the schema (schemas/stats.schema.json): the message names the field. */
export class SnapshotError extends Error {}

/** Validates parsed JSON as a snapshot; throws a SnapshotError naming the first bad field. */
export function validateSnapshot(raw: unknown): StatsSnapshot {
  const obj = record(raw, 'the file');
  if (obj.version !== 1) throw new SnapshotError('"version" must be 1');
  const capturedAt = str(obj.capturedAt, 'capturedAt');
  if (Number.isNaN(Date.parse(capturedAt))) throw new SnapshotError('"capturedAt" must be an ISO 8601 time');
  const server = record(obj.server, 'server');
  if (!Array.isArray(obj.tables)) throw new SnapshotError('"tables" must be an array');
  return {
    version: 1,
    capturedAt,
    server: { version: str(server.version, 'server.version'), versionNum: num(server.versionNum, 'server.versionNum') },
    database: str(obj.database, 'database'),
    tables: obj.tables.map((t, i) => tableStats(t, `tables[${i}]`)),
  };
}

function tableStats(raw: unknown, where: string): TableStats {
  const t = record(raw, where);
  if (!Array.isArray(t.indexes)) throw new SnapshotError(`"${where}.indexes" must be an array`);
  return {
    schema: str(t.schema, `${where}.schema`),
    name: str(t.name, `${where}.name`),
    kind: str(t.kind, `${where}.kind`),
    reltuples: num(t.reltuples, `${where}.reltuples`),
    heapBytes: num(t.heapBytes, `${where}.heapBytes`),
    indexBytes: num(t.indexBytes, `${where}.indexBytes`),
    toastBytes: num(t.toastBytes, `${where}.toastBytes`),
    indexes: t.indexes.map((x, i) => {
      const index = record(x, `${where}.indexes[${i}]`);
      return { name: str(index.name, `${where}.indexes[${i}].name`), bytes: num(index.bytes, `${where}.indexes[${i}].bytes`) };
    }),
  };
}

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new SnapshotError(`${where === 'the file' ? where : `"${where}"`} must be a JSON object`);
  return v as Record<string, unknown>;
}

function str(v: unknown, where: string): string {
  if (typeof v !== 'string') throw new SnapshotError(`"${where}" must be a string`);
  return v;
}

function num(v: unknown, where: string): number {
  // psql prints bigint sizes as JSON numbers; a string of digits is accepted too (a bigint beyond 2^53 from another client).
  const n = typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new SnapshotError(`"${where}" must be a number`);
  return n;
}

/**
 * The table a lock model name (unqualified, as the migration wrote it) refers to: `schema.name` when
 * qualified, else the one in `public`, else the largest of that name (the conservative choice).
 */
export function findTable(snapshot: StatsSnapshot, relation: string): TableStats | undefined {
  const dot = relation.lastIndexOf('.');
  if (dot > 0) {
    const [schema, name] = [relation.slice(0, dot), relation.slice(dot + 1)];
    return snapshot.tables.find((t) => t.schema === schema && t.name === name);
  }
  const named = snapshot.tables.filter((t) => t.name === relation);
  return named.find((t) => t.schema === 'public') ?? named.sort((a, b) => totalBytes(b) - totalBytes(a))[0];
}

export function totalBytes(t: TableStats): number {
  return t.heapBytes + t.indexBytes + t.toastBytes;
}

/** Rows as the views print them: the estimate, or "unknown rows" when the table was never analysed. */
export function rowsText(t: TableStats): string {
  if (t.reltuples < 0) return 'rows unknown (never analysed)';
  const n = Math.round(t.reltuples);
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'row' : 'rows'}`;
}

/** `users: 1,200 rows, 200 kB`: the reason a view gives for a size verdict. */
export function sizeText(t: TableStats): string {
  return `${t.name}: ${rowsText(t)}, ${formatBytes(totalBytes(t))}`;
}

/** PostgreSQL's pg_size_pretty units (1 kB = 1024 bytes), one decimal under 10. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${value} bytes`;
  return `${value < 10 ? Math.round(value * 10) / 10 : Math.round(value)} ${units[unit]}`;
}

/** Age of the snapshot in milliseconds at `now`. */
export function snapshotAgeMs(snapshot: StatsSnapshot, now: number): number {
  return Math.max(0, now - Date.parse(snapshot.capturedAt));
}

/** "3 days", "5 hours": a snapshot's age for a message. */
export function ageText(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.max(1, Math.round(ms / 60_000))} min`;
  if (hours < 48) return `${Math.round(hours)} hours`;
  return `${Math.round(hours / 24)} days`;
}
