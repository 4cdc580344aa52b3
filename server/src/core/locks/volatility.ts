/**
 * Whether a column default is evaluated once (stored in the catalog, no rewrite on PostgreSQL 11+)
 * or per row (a table rewrite). Only volatile functions force a rewrite; `now()` is STABLE.
 */
import { Node, T, findAll, nameList } from '../parse/ast';

/** Built-in functions known to be VOLATILE. */
const VOLATILE = new Set([
  'clock_timestamp',
  'timeofday',
  'random',
  'random_normal',
  'setseed',
  'gen_random_uuid',
  'uuidv4',
  'uuidv7',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'nextval',
  'currval',
  'lastval',
  'txid_current',
  'pg_current_xact_id',
  'gen_salt',
  'crypt',
  'dblink',
]);

/** Built-in functions known to be STABLE or IMMUTABLE (a default using them does not rewrite). */
const NOT_VOLATILE = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_timestamp',
  'current_date',
  'localtimestamp',
  'lower',
  'upper',
  'trim',
  'btrim',
  'ltrim',
  'rtrim',
  'concat',
  'concat_ws',
  'coalesce',
  'nullif',
  'greatest',
  'least',
  'to_jsonb',
  'to_json',
  'jsonb_build_object',
  'json_build_object',
  'jsonb_build_array',
  'json_build_array',
  'array_to_json',
  'row_to_json',
  'to_char',
  'to_timestamp',
  'to_date',
  'date_trunc',
  'make_interval',
  'length',
  'md5',
  'replace',
  'substring',
  'substr',
  'format',
  'abs',
  'round',
  'floor',
  'ceil',
  'ceiling',
  'timezone',
  'current_setting',
  'inet_client_addr',
  'current_schema',
  'array_fill',
  'jsonb',
  'uuid_nil',
  'uuid_ns_url',
  'uuid_ns_dns',
  'uuid_generate_v3',
  'uuid_generate_v5',
  'st_setsrid',
  'st_makepoint',
  'gen_random_text',
  'cast',
  'int4',
  'int8',
  'text',
  'numeric',
  'char_length',
  'bool',
]);

export type Volatility = 'volatile' | 'stable' | 'unknown';

export interface VolatilityVerdict {
  volatility: Volatility;
  /** The function that decided it. */
  fn?: string;
}

/** Classifies a default expression by the functions it calls. */
export function defaultVolatility(expr: Node | undefined): VolatilityVerdict {
  let unknown: string | undefined;
  for (const call of findAll<T.FuncCall>(expr, 'FuncCall')) {
    const names = nameList(call.funcname);
    const fn = names[names.length - 1]?.toLowerCase() ?? '';
    if (VOLATILE.has(fn)) return { volatility: 'volatile', fn };
    if (!NOT_VOLATILE.has(fn)) unknown ??= fn;
  }
  // A sub-select in a default is not allowed; SQLValueFunction (CURRENT_TIMESTAMP, ...) is stable.
  return unknown ? { volatility: 'unknown', fn: unknown } : { volatility: 'stable' };
}
