/**
 * Schemas and search_path: the catalog key of a relation (its name in `public`, `schema.name`
 * elsewhere), the search_path a SET or set_config() leaves, and the system catalogs that
 * pg_catalog, searched first unless the path names it, holds.
 */
import { Node, T, as, constValue, findAll, nameList } from '../parse/ast';

/** PostgreSQL's default search_path. */
export const DEFAULT_SEARCH_PATH: readonly string[] = ['$user', 'public'];

/**
 * The catalog key of relation `name` in `schema`: the bare name in `public` (or no schema), else
 * `schema.name`. Keys are what the lock model, the trace and the findings name relations by.
 */
export function qualify(schema: string | undefined, name: string): string {
  return !schema || schema === 'public' ? name : `${schema}.${name}`;
}

/**
 * The relations of pg_catalog (tables and views) on PostgreSQL 15 and 18; test/engine/catalog.engine
 * compares the list with both engines. An unqualified name among them is the system catalog.
 */
export const SYSTEM_RELATIONS: ReadonlySet<string> = new Set(
  `
  pg_aggregate pg_aios pg_am pg_amop pg_amproc pg_attrdef pg_attribute pg_auth_members pg_authid
  pg_available_extension_versions pg_available_extensions pg_backend_memory_contexts pg_cast
  pg_class pg_collation pg_config pg_constraint pg_conversion pg_cursors pg_database
  pg_db_role_setting pg_default_acl pg_depend pg_description pg_enum pg_event_trigger
  pg_extension pg_file_settings pg_foreign_data_wrapper pg_foreign_server pg_foreign_table
  pg_group pg_hba_file_rules pg_ident_file_mappings pg_index pg_indexes pg_inherits pg_init_privs
  pg_language pg_largeobject pg_largeobject_metadata pg_locks pg_matviews pg_namespace pg_opclass
  pg_operator pg_opfamily pg_parameter_acl pg_partitioned_table pg_policies pg_policy
  pg_prepared_statements pg_prepared_xacts pg_proc pg_publication pg_publication_namespace
  pg_publication_rel pg_publication_tables pg_range pg_replication_origin
  pg_replication_origin_status pg_replication_slots pg_rewrite pg_roles pg_rules pg_seclabel
  pg_seclabels pg_sequence pg_sequences pg_settings pg_shadow pg_shdepend pg_shdescription
  pg_shmem_allocations pg_shmem_allocations_numa pg_shseclabel pg_stat_activity
  pg_stat_all_indexes pg_stat_all_tables pg_stat_archiver pg_stat_bgwriter pg_stat_checkpointer
  pg_stat_database pg_stat_database_conflicts pg_stat_gssapi pg_stat_io pg_stat_progress_analyze
  pg_stat_progress_basebackup pg_stat_progress_cluster pg_stat_progress_copy
  pg_stat_progress_create_index pg_stat_progress_vacuum pg_stat_recovery_prefetch
  pg_stat_replication pg_stat_replication_slots pg_stat_slru pg_stat_ssl pg_stat_subscription
  pg_stat_subscription_stats pg_stat_sys_indexes pg_stat_sys_tables pg_stat_user_functions
  pg_stat_user_indexes pg_stat_user_tables pg_stat_wal pg_stat_wal_receiver
  pg_stat_xact_all_tables pg_stat_xact_sys_tables pg_stat_xact_user_functions
  pg_stat_xact_user_tables pg_statio_all_indexes pg_statio_all_sequences pg_statio_all_tables
  pg_statio_sys_indexes pg_statio_sys_sequences pg_statio_sys_tables pg_statio_user_indexes
  pg_statio_user_sequences pg_statio_user_tables pg_statistic pg_statistic_ext
  pg_statistic_ext_data pg_stats pg_stats_ext pg_stats_ext_exprs pg_subscription
  pg_subscription_rel pg_tables pg_tablespace pg_timezone_abbrevs pg_timezone_names pg_transform
  pg_trigger pg_ts_config pg_ts_config_map pg_ts_dict pg_ts_parser pg_ts_template pg_type pg_user
  pg_user_mapping pg_user_mappings pg_views pg_wait_events
`
    .trim()
    .split(/\s+/),
);

/**
 * A search_path value as PostgreSQL reads it: a comma-separated list of identifiers, unquoted ones
 * folded to lower case, `"$user"` kept.
 */
export function parseSearchPath(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\s*("(?:[^"]|"")*"|[^,]+?)\s*(?:,|$)/g)) {
    const item = m[1];
    if (!item) continue;
    out.push(item.startsWith('"') ? item.slice(1, -1).replace(/""/g, '"') : item.toLowerCase());
  }
  return out;
}

/** A search_path change in one statement: SET [LOCAL] search_path, RESET, or set_config('search_path', ...). */
export interface SearchPathChange {
  /** The new path; undefined for RESET / SET ... TO DEFAULT. */
  path?: string[];
  local: boolean;
}

/** The search_path change a statement makes, if any (SET SCHEMA 'x' is SET search_path). */
export function searchPathChange(node: Node | undefined): SearchPathChange | undefined {
  const set = as(node, 'VariableSetStmt');
  if (set) {
    if (set.kind === 'VAR_RESET_ALL') return { local: false };
    if (set.name !== 'search_path') return undefined;
    if (set.kind === 'VAR_RESET' || set.kind === 'VAR_SET_DEFAULT') return { local: !!set.is_local };
    if (set.kind !== 'VAR_SET_VALUE') return undefined;
    const items = (set.args ?? []).map((a) => constValue(a)).filter((v): v is string => typeof v === 'string');
    // SET takes identifiers already folded by the parser; a quoted string may hold several.
    return { path: items.flatMap((v) => (v.includes(',') ? parseSearchPath(v) : [v])), local: !!set.is_local };
  }
  if (!as(node, 'SelectStmt')) return undefined;
  for (const call of findAll<T.FuncCall>(node, 'FuncCall')) {
    const fn = nameList(call.funcname);
    if (fn[fn.length - 1] !== 'set_config' || constValue(call.args?.[0]) !== 'search_path') continue;
    const value = constValue(call.args?.[1]);
    const local = constValue(call.args?.[2]);
    if (typeof value === 'string') return { path: parseSearchPath(value), local: local === true || local === 'true' };
  }
  return undefined;
}
