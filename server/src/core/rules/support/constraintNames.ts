/**
 * The names PostgreSQL gives the constraints an ALTER TABLE adds without naming them, for fixes that
 * must name them explicitly (pg_constraint.c's ChooseConstraintName: "a name that is unique within
 * the specified namespace", avoiding the names "already chosen within the current command"; and
 * ChooseIndexName → ChooseRelationName for index-backed ones):
 * `<table>_<columns>_<label>`, then `<label>1`, `<label>2`, ... while the name is taken in the
 * schema. Measured on PostgreSQL 15 (the fixtures' fixed files run in test/engine/fixEquivalence):
 *  - taken means any constraint of the schema (not only the table's); for UNIQUE and PRIMARY KEY
 *    also any relation (the index gets the same name);
 *  - DROP CONSTRAINT / DROP COLUMN run before any ADD of the same statement, wherever they are
 *    written, and free their names;
 *  - names given earlier in the statement are taken, and the constraints written in ADD COLUMN are
 *    named before those of ADD CONSTRAINT, wherever they are written.
 */
import { T, as, asAlterTableCmd, asColumnDef, asConstraint, nameList } from '../../parse/ast';
import { checkNameColumns, chooseName } from '../../model/catalog';
import { StatementContext, TextEdit } from '../types';
import { constraintClauseSpan } from './spans';
import { quoteIdent } from './names';
import { StateKey } from './state';

const MEMO = new StateKey<{ statement?: StatementContext['statement']; names: Map<T.Constraint, string> }>(() => ({ names: new Map() }));

/** The name the constraint gets: its own, or the one PostgreSQL chooses (see above). */
export function addedConstraintName(ctx: StatementContext, con: T.Constraint): string {
  if (con.conname) return con.conname;
  const memo = ctx.file.state.get(MEMO);
  if (memo.statement !== ctx.statement) ctx.file.state.set(MEMO, { statement: ctx.statement, names: chooseNames(ctx) });
  return ctx.file.state.get(MEMO).names.get(con) ?? nameOf(ctx, con, [], () => false);
}

/**
 * `CONSTRAINT <name>` written before every other unnamed constraint the statement adds: a fix that
 * takes one constraint out of the statement would otherwise change the names PostgreSQL gives the rest.
 */
export function nameTheOthers(ctx: StatementContext, moved: T.Constraint): TextEdit[] | undefined {
  const alter = as(ctx.statement.node, 'AlterTableStmt');
  const edits: TextEdit[] = [];
  for (const { con } of alter ? inPostgresOrder(alter) : []) {
    if (con === moved || con.conname) continue;
    const clause = constraintClauseSpan(ctx.file, ctx.statement, con.location);
    if (!clause) return undefined;
    edits.push({ start: clause.start, end: clause.start, newText: `CONSTRAINT ${quoteIdent(addedConstraintName(ctx, con))} ` });
  }
  return edits;
}

interface Added {
  con: T.Constraint;
  /** The column of a constraint written in ADD COLUMN. */
  column?: string;
}

function chooseNames(ctx: StatementContext): Map<T.Constraint, string> {
  const alter = as(ctx.statement.node, 'AlterTableStmt');
  const names = new Map<T.Constraint, string>();
  const key = ctx.catalog.key(alter?.relation);
  if (!alter || !key) return names;
  const freed = namesFreedBy(ctx, key, alter);
  const given = new Set<string>();
  // Constraint names are unique per schema: those of the table's own schema count.
  const schema = ctx.catalog.relation(key)?.schema;
  const constraintTaken = (n: string) => given.has(n) || (ctx.catalog.constraintNameTaken(n, schema) && !freed.has(n));
  for (const { con, column } of inPostgresOrder(alter)) {
    if (con.conname) {
      given.add(con.conname);
      continue;
    }
    const name = nameOf(ctx, con, column ? [column] : [], constraintTaken, freed);
    names.set(con, name);
    given.add(name);
  }
  return names;
}

function nameOf(ctx: StatementContext, con: T.Constraint, column: string[], taken: (n: string) => boolean, freed = new Set<string>()): string {
  const relation = as(ctx.statement.node, 'AlterTableStmt')?.relation;
  const table = relation?.relname ?? '';
  // An index name is taken in the table's schema (catalog keys: `schema.name` outside public).
  const inSchema = (n: string) => ctx.catalog.siblingKey(ctx.catalog.key(relation) ?? '', n) ?? n;
  const relationTaken = (n: string) => taken(n) || (ctx.catalog.relationNameTaken(inSchema(n)) && !freed.has(inSchema(n)));
  switch (con.contype) {
    case 'CONSTR_CHECK':
      return chooseName(table, checkNameColumns(con.raw_expr), 'check', taken);
    case 'CONSTR_FOREIGN':
      return chooseName(table, column.length ? column : nameList(con.fk_attrs), 'fkey', taken);
    case 'CONSTR_PRIMARY':
      return con.indexname ?? chooseName(table, [], 'pkey', relationTaken);
    case 'CONSTR_UNIQUE':
      return con.indexname ?? chooseName(table, column.length ? column : nameList(con.keys), 'key', relationTaken);
    default:
      return chooseName(table, column, 'excl', relationTaken);
  }
}

/** The constraints the statement adds, those written in ADD COLUMN first, then ADD CONSTRAINT's, each in text order. */
function inPostgresOrder(alter: T.AlterTableStmt): Added[] {
  const inline: Added[] = [];
  const added: Added[] = [];
  for (const c of alter.cmds ?? []) {
    const cmd = asAlterTableCmd(c);
    if (cmd?.subtype === 'AT_AddConstraint') {
      const con = asConstraint(cmd.def);
      if (con) added.push({ con });
    } else if (cmd?.subtype === 'AT_AddColumn') {
      const col = asColumnDef(cmd.def);
      for (const con of (col?.constraints ?? []).map(asConstraint))
        if (con && col?.colname && NAMED.has(con.contype ?? '')) inline.push({ con, column: col.colname });
    }
  }
  return [...inline, ...added];
}

/** Column constraints that become named constraints (NOT NULL, DEFAULT, ... do not). */
const NAMED = new Set(['CONSTR_CHECK', 'CONSTR_FOREIGN', 'CONSTR_UNIQUE', 'CONSTR_PRIMARY']);

/** Index and constraint names that the DROP CONSTRAINT / DROP COLUMN subcommands of an ALTER TABLE free. */
export function namesFreedBy(ctx: StatementContext, table: string, stmt: T.AlterTableStmt): Set<string> {
  const rel = ctx.catalog.relation(table);
  const constraints = ctx.catalog.constraintsOf(table);
  const freed = new Set<string>();
  for (const c of stmt.cmds ?? []) {
    const cmd = asAlterTableCmd(c);
    if (cmd?.subtype === 'AT_DropConstraint' && cmd.name) {
      freed.add(cmd.name);
      const index = constraints.find((k) => k.name === cmd.name)?.index;
      if (index) freed.add(index);
    } else if (cmd?.subtype === 'AT_DropColumn' && cmd.name && rel) {
      for (const idx of ctx.catalog.indexesOf(table)) if (idx.columns.includes(cmd.name)) freed.add(idx.name);
      for (const con of constraints) if (con.columns.includes(cmd.name)) freed.add(con.name);
    }
  }
  return freed;
}

/**
 * The name PostgreSQL gives a new constraint on the table `relation` names (ChooseConstraintName):
 * `<table>_<columns>_<label>`, numbered while a constraint of the table's schema holds it.
 */
export function newConstraintName(ctx: StatementContext, relation: T.RangeVar | undefined, columns: string[], label: string): string {
  const key = ctx.catalog.key(relation) ?? '';
  const written = relation?.schemaname === 'public' ? undefined : relation?.schemaname;
  const schema = ctx.catalog.relation(key)?.schema ?? written;
  return chooseName(relation?.relname ?? key, columns, label, (n) => ctx.catalog.constraintNameTaken(n, schema));
}
