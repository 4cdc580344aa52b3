/**
 * What a migration leaves behind, read from the catalog, in a form two databases can be compared
 * by: tables, views and sequences; columns with type, default, nullability, identity and
 * generation; constraints with their definition and validated state; index definitions and
 * validity; sequence parameters. Oids and relfilenodes are left out (they differ between runs).
 */
import { TraceEngine } from '../../server/src/trace/engine';

const QUERIES: Record<string, string> = {
  relations: `SELECT c.relname, c.relkind::text AS kind, c.relpersistence::text AS persistence,
      CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') ORDER BY 1`,
  columns: `SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
      pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity, a.attgenerated::text AS generated
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2`,
  constraints: `SELECT c.relname, k.conname, k.contype::text AS type, pg_get_constraintdef(k.oid) AS definition, k.convalidated AS validated
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' ORDER BY 1, 2`,
  indexes: `SELECT c.relname AS index, pg_get_indexdef(i.indexrelid) AS definition, i.indisvalid AS valid, i.indisready AS ready
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' ORDER BY 1`,
  sequences: `SELECT sequencename, data_type::text AS type, start_value::text AS start, increment_by::text AS increment,
      min_value::text AS min, max_value::text AS max, cycle FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`,
  enums: `SELECT t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
    FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid GROUP BY 1 ORDER BY 1`,
};

export type SchemaSnapshot = Record<string, string[]>;

export async function schemaSnapshot(engine: TraceEngine): Promise<SchemaSnapshot> {
  const out: SchemaSnapshot = {};
  for (const [key, sql] of Object.entries(QUERIES)) {
    out[key] = (await engine.query<Record<string, unknown>>(sql)).map((row) => JSON.stringify(row));
  }
  return out;
}
