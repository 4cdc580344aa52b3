/**
 * What a migration leaves in the tables, for the fix equivalence suite: every row of every table
 * and materialized view in `public`, and a comparison that tells a changed row from a value the
 * original itself does not reproduce (a volatile default: gen_random_uuid(), clock_timestamp()).
 */
import { TraceEngine } from '../../server/src/trace/engine';

/** Rows per relation, each row as its column → value object (as `to_jsonb` gives it). */
export type RowSnapshot = Record<string, Record<string, unknown>[]>;

const RELATIONS = `SELECT quote_ident(c.relname) AS name, c.relname AS relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'm') AND c.relispopulated ORDER BY 2`;

export async function rowSnapshot(engine: TraceEngine): Promise<RowSnapshot> {
  const out: RowSnapshot = {};
  for (const { name, relname } of await engine.query<{ name: string; relname: string }>(RELATIONS)) {
    out[relname] = (await engine.query<{ row: Record<string, unknown> }>(`SELECT to_jsonb(t) AS row FROM ${name} t`)).map((r) => r.row);
  }
  return out;
}

/** Total rows, to check that a comparison had something to compare. */
export function rowCount(snapshot: RowSnapshot): number {
  return Object.values(snapshot).reduce((n, rows) => n + rows.length, 0);
}

const text = (v: unknown) => JSON.stringify(v === undefined ? null : v);

/** A column's values, sorted: the same multiset in two runs of the original means the column is deterministic. */
function values(rows: Record<string, unknown>[], column: string): string[] {
  return rows.map((r) => text(r[column])).sort();
}

/**
 * Differences between the rows the fixed migration leaves and those of the original. `again` is a
 * second run of the original: a column whose values differ between the two runs is volatile, and
 * for it only what the original guarantees is compared (how many rows are NULL, and whether the
 * column holds one value or several: the exact count of distinct values is chance, two rows of a
 * clock_timestamp() default may share a microsecond); every other column must hold the same values
 * in the same rows.
 */
export function rowDifferences(original: RowSnapshot, again: RowSnapshot, fixed: RowSnapshot): string[] {
  const out: string[] = [];
  const tables = [...new Set([...Object.keys(original), ...Object.keys(fixed)])].sort();
  for (const table of tables) {
    const a = original[table] ?? [];
    const b = fixed[table] ?? [];
    if (a.length !== b.length) {
      out.push(`${table}: ${a.length} rows after the original, ${b.length} after the fix`);
      continue;
    }
    const columns = [...new Set([...a, ...b].flatMap((r) => Object.keys(r)))].sort();
    const volatile = new Set(columns.filter((c) => text(values(a, c)) !== text(values(again[table] ?? [], c))));
    const stable = (r: Record<string, unknown>) => text(columns.filter((c) => !volatile.has(c)).map((c) => [c, r[c] ?? null]));
    const left = a.map(stable).sort();
    const right = b.map(stable).sort();
    const changed = left.filter((row, i) => row !== right[i]);
    if (changed.length) out.push(`${table}: ${changed.length} row(s) differ, e.g. ${changed[0]} became ${right[left.indexOf(changed[0])]}`);
    for (const c of volatile) {
      const nulls = (rows: Record<string, unknown>[]) => rows.filter((r) => r[c] === null || r[c] === undefined).length;
      // One value or several tells per-row evaluation from per-statement only for values that do not
      // come from the clock: PGlite's clock has millisecond steps, so three rows written by one statement
      // share a clock_timestamp() or not by chance. Fixtures whose rows are compared use gen_random_uuid().
      const varies = (rows: Record<string, unknown>[]) => new Set(rows.filter((r) => r[c] !== null && r[c] !== undefined).map((r) => text(r[c]))).size > 1;
      if (nulls(a) !== nulls(b)) out.push(`${table}.${c}: ${nulls(a)} NULL(s) after the original, ${nulls(b)} after the fix`);
      else if (varies(a) !== varies(b))
        out.push(`${table}.${c}: ${varies(a) ? 'several values' : 'one value'} after the original, ${varies(b) ? 'several' : 'one'} after the fix`);
    }
  }
  return out;
}

const EMPTY_TABLES = `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition ORDER BY 1`;

const columnsOf = (table: string) => `SELECT quote_ident(attname) AS name, format_type(atttypid, atttypmod) AS type, atttypid::regtype::text AS base
  FROM pg_attribute WHERE attrelid = '${table.replace(/'/g, "''")}'::regclass AND attnum > 0 AND NOT attisdropped AND attidentity = '' AND attgenerated = ''
  ORDER BY attnum`;

/** A literal of `type` for row `n`, or undefined for types left to their default. */
function literal(base: string, type: string, n: number): string | undefined {
  if (/^(smallint|integer|bigint|numeric|real|double precision)$/.test(base)) return String(n);
  if (/^(text|character varying|character)$/.test(base)) return `'${n}'::${type}`;
  if (base === 'boolean') return n % 2 ? 'true' : 'false';
  if (base === 'uuid') return `'00000000-0000-0000-0000-${String(n).padStart(12, '0')}'`;
  if (base === 'date') return `DATE '2024-01-01' + ${n}`;
  if (/^timestamp/.test(base)) return `TIMESTAMPTZ '2024-01-01 00:00:00+00' + interval '${n} hours'`;
  if (base === 'jsonb' || base === 'json') return `'{"n": ${n}}'`;
  return undefined;
}

/**
 * Puts three rows into every table of `public` that has none and takes a generic row (every column
 * a number, text, flag, uuid, date, time or JSON literal; foreign keys and checks permitting), so
 * that a fix is compared on data, not on empty tables. Tables that refuse such rows stay empty.
 */
export async function seedEmptyTables(engine: TraceEngine): Promise<string[]> {
  const seeded: string[] = [];
  for (const { name } of await engine.query<{ name: string }>(EMPTY_TABLES)) {
    if ((await engine.query(`SELECT 1 FROM ${name} LIMIT 1`)).length) continue;
    const columns = await engine.query<{ name: string; type: string; base: string }>(columnsOf(name));
    const rows = [1, 2, 3].map((n) => columns.map((c) => literal(c.base, c.type, n)));
    const usable = columns.filter((_c, i) => rows.every((r) => r[i] !== undefined));
    if (!usable.length) continue;
    const values = rows.map((r) => `(${r.filter((v) => v !== undefined).join(', ')})`).join(', ');
    try {
      await engine.exec(`INSERT INTO ${name} (${usable.map((c) => c.name).join(', ')}) VALUES ${values}`);
      seeded.push(name);
    } catch {
      // A foreign key, check or NOT NULL column without a literal: the table stays empty.
    }
  }
  return seeded;
}
