/**
 * A database's schema read from the catalog of a real PostgreSQL server, in a form two databases
 * can be compared by: every schema but the system ones (runners' bookkeeping schemas and tables
 * included: both sides of a comparison are applied by the same runner); relations, columns,
 * constraints with their validated state, indexes with validity, sequences, types, functions,
 * triggers, policies and extensions. Oids, relfilenodes and data are left out.
 */
import type { Client } from 'pg';

const USER_NS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp%'
  AND n.nspname NOT LIKE 'pg_toast_temp%'`;

const QUERIES: Record<string, string> = {
  schemas: `SELECT n.nspname FROM pg_namespace n WHERE ${USER_NS} ORDER BY 1`,
  extensions: `SELECT extname FROM pg_extension ORDER BY 1`,
  relations: `SELECT n.nspname, c.relname, c.relkind::text AS kind, c.relpersistence::text AS persistence,
      CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition,
      CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY 1, 2`,
  columns: `SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
      a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity,
      a.attgenerated::text AS generated, a.attnum
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE ${USER_NS} AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY 1, 2, 3`,
  constraints: `SELECT n.nspname, c.relname, k.conname, k.contype::text AS type, pg_get_constraintdef(k.oid) AS definition,
      k.convalidated AS validated
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NS} ORDER BY 1, 2, 3`,
  indexes: `SELECT n.nspname, c.relname AS index, pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid,
      i.indisready AS ready
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NS} ORDER BY 1, 2`,
  sequences: `SELECT schemaname, sequencename, data_type::text AS type, start_value::text AS start,
      increment_by::text AS increment, min_value::text AS min, max_value::text AS max, cycle
    FROM pg_sequences ORDER BY 1, 2`,
  types: `SELECT n.nspname, t.typname, t.typtype::text AS kind,
      (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels,
      CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_NS} AND t.typtype IN ('e', 'd', 'r') ORDER BY 1, 2`,
  functions: `SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) AS args,
      CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END AS definition
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
    WHERE ${USER_NS} AND d.objid IS NULL ORDER BY 1, 2, 3`,
  triggers: `SELECT n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid) AS definition, t.tgenabled::text AS enabled
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${USER_NS} AND NOT t.tgisinternal ORDER BY 1, 2, 3`,
  policies: `SELECT schemaname, tablename, policyname, cmd, qual, with_check FROM pg_policies ORDER BY 1, 2, 3`,
};

export type PgSchema = Record<string, string[]>;

export async function pgSchema(client: Client): Promise<PgSchema> {
  const out: PgSchema = {};
  for (const [key, sql] of Object.entries(QUERIES)) {
    out[key] = (await client.query(sql)).rows.map((row: Record<string, unknown>) => JSON.stringify(row));
  }
  return out;
}

/** Lines only one side has, prefixed `-` (left) or `+` (right); empty when the schemas are equal. */
export function schemaDiff(left: PgSchema, right: PgSchema): string[] {
  const out: string[] = [];
  for (const key of Object.keys(QUERIES)) {
    const l = new Set(left[key]);
    const r = new Set(right[key]);
    for (const row of left[key]) if (!r.has(row)) out.push(`- ${key} ${row}`);
    for (const row of right[key]) if (!l.has(row)) out.push(`+ ${key} ${row}`);
  }
  return out;
}
