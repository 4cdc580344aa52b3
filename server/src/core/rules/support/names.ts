/** Identifiers: quoting for generated SQL, and reading name tokens back the way PostgreSQL does. */
import { Statement } from '../../model/statements';
import { Token } from '../../parse/parser';
import { FileContext } from '../types';

/** PostgreSQL's NAMEDATALEN - 1: longer identifiers are truncated. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Quotes an identifier when PostgreSQL needs it. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

const RESERVED = new Set([
  'user',
  'order',
  'group',
  'table',
  'select',
  'from',
  'where',
  'check',
  'default',
  'primary',
  'references',
  'unique',
  'column',
  'constraint',
  'index',
  'all',
  'and',
  'or',
  'not',
  'null',
  'to',
  'end',
  'limit',
  'offset',
  'desc',
  'asc',
  'window',
  'analyse',
  'analyze',
  'when',
  'then',
  'case',
  'do',
  'on',
  'using',
  'in',
  'is',
  'as',
  'with',
  'create',
  'grant',
  'primary',
  'foreign',
  'only',
  'array',
  'both',
  'leading',
  'trailing',
  'having',
  'into',
  'returning',
  'current_user',
  'session_user',
  'current_date',
  'current_time',
  'current_timestamp',
]);

/** A relation name as SQL: `schema.name` when qualified, each part quoted when needed. */
export function relationSql(rv: { schemaname?: string; relname?: string } | undefined): string {
  if (!rv?.relname) return '';
  return (rv.schemaname ? quoteIdent(rv.schemaname) + '.' : '') + quoteIdent(rv.relname);
}

/** The value of an identifier token: quoted ones unquoted, unquoted ones folded to lower case (ASCII only, like PostgreSQL). */
export function identValue(token: Token): string {
  const text = token.text;
  if (text.startsWith('"') && text.endsWith('"') && text.length >= 2) return text.slice(1, -1).replace(/""/g, '"');
  if (/^u&"/i.test(text)) return text;
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** True for tokens that can be a name (identifiers and non-reserved keywords). */
export function isNameToken(token: Token): boolean {
  return token.kind === 'IDENT' || token.kind === 'UNRESERVED_KEYWORD' || token.kind === 'COL_NAME_KEYWORD' || token.kind === 'TYPE_FUNC_NAME_KEYWORD';
}

/** PostgreSQL's truncation of an identifier to 63 bytes, on a character boundary. */
export function truncateIdentifier(name: string): string {
  if (Buffer.byteLength(name, 'utf8') <= MAX_IDENTIFIER_BYTES) return name;
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch, 'utf8') > MAX_IDENTIFIER_BYTES) break;
    out += ch;
  }
  return out;
}

/** The first name token at or after `from` whose value is `name` (compared after truncation, as the AST holds it). */
export function findNameToken(file: FileContext, stmt: Statement, name: string, from = 0): Token | undefined {
  return file.tokens(stmt).find((t) => t.start >= from && isNameToken(t) && truncateIdentifier(identValue(t)) === name);
}
