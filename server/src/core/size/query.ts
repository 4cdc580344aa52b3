/**
 * The one SQL query behind `.lockwise/stats.json`: `lockwise stats pull` runs it, `lockwise stats
 * query` prints it for `psql -At -f`, and both give the same JSON document. Sizes come from
 * pg_relation_size (ACCESS SHARE on each table for an instant: it waits behind a migration's
 * ACCESS EXCLUSIVE, hence the short lock_timeout the pull sets), rows from pg_class.reltuples (the
 * planner's estimate, no scan). System schemas, temporary and toast tables are left out.
 */
export const STATS_QUERY = `SELECT json_build_object(
  'version', 1,
  'capturedAt', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
  'server', json_build_object('version', current_setting('server_version'), 'versionNum', current_setting('server_version_num')::int),
  'database', current_database(),
  'tables', coalesce((
    SELECT json_agg(t ORDER BY t.schema, t.name)
    FROM (
      SELECT n.nspname AS schema,
             c.relname AS name,
             c.relkind::text AS kind,
             c.reltuples::float8 AS reltuples,
             pg_relation_size(c.oid) AS "heapBytes",
             pg_indexes_size(c.oid) AS "indexBytes",
             coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS "toastBytes",
             coalesce((
               SELECT json_agg(json_build_object('name', i.relname, 'bytes', pg_relation_size(i.oid)) ORDER BY i.relname)
               FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = c.oid
             ), '[]'::json) AS indexes
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'm')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
    ) t
  ), '[]'::json)
);
`;
