/**
 * Locks of the statements other than ALTER TABLE and DML that reach relations: each handler is
 * one row of locks/utilityStatements.ts, where its examples are measured on PostgreSQL 15
 * (test/engine/utilityStatements.engine.test.ts).
 */
import type * as T from '@pgsql/types';
import { Node, as, asDefElem, nameList } from '../parse/ast';
import { Catalog } from '../model/catalog';
import { functionInfo, functionStatements } from '../model/routines';
import type { LockSink, RelationLock, StatementEffect } from './model';

/** The model of a statement nested in this one (EXPLAIN's query, a rule's action, ...). */
export type InnerModel = (node: Node) => StatementEffect;
export type UtilityHandler = (sink: LockSink, node: Node, catalog: Catalog, inner: InnerModel) => void;

/**
 * Locks parse analysis and planning take (a query that is not run: EXPLAIN, PREPARE, a SQL
 * function's validator): the relations it names, not what running it reaches (foreign keys, triggers, nextval).
 */
function planned(l: RelationLock): boolean {
  return !l.condition && !l.releasedEarly && (l.role === 'target' || l.role === 'source');
}

function lockPlanned(sink: LockSink, effect: StatementEffect): void {
  for (const l of effect.locks) if (planned(l)) sink.lock(l.relation, l.mode, l.role === 'target' ? 'target' : 'source');
}

/** The statements of a SQL function body, `AS '...'` or BEGIN ATOMIC. */
function sqlBody(stmt: T.CreateFunctionStmt): Node[] {
  if (stmt.sql_body) return (as(stmt.sql_body, 'List')?.items ?? []).flatMap((i) => as(i, 'List')?.items ?? [i]);
  const fn = functionInfo(stmt);
  return fn?.language === 'sql' ? functionStatements(fn).map((s) => s.node) : [];
}

export const UTILITY_HANDLERS: Record<string, UtilityHandler> = {
  ExplainStmt(sink, node, _catalog, inner) {
    const stmt = as(node, 'ExplainStmt')!;
    const analyze = (stmt.options ?? []).some((o) => asDefElem(o)?.defname === 'analyze');
    const effect = inner(stmt.query as Node);
    if (!analyze) return lockPlanned(sink, effect);
    for (const l of effect.locks) sink.merge({ ...l });
  },

  // Parse analysis and planning lock what the query names; running it later (EXECUTE, FETCH) takes the rest.
  PrepareStmt: (sink, node, _catalog, inner) => lockPlanned(sink, inner(as(node, 'PrepareStmt')!.query as Node)),
  DeclareCursorStmt: (sink, node, _catalog, inner) => lockPlanned(sink, inner(as(node, 'DeclareCursorStmt')!.query as Node)),

  CreateFunctionStmt(sink, node, _catalog, inner) {
    // fmgr_sql_validator parses and analyses a SQL body when check_function_bodies is on (the default).
    const stmt = as(node, 'CreateFunctionStmt')!;
    for (const body of sqlBody(stmt)) lockPlanned(sink, inner(body));
  },

  RuleStmt(sink, node, catalog, inner) {
    const stmt = as(node, 'RuleStmt')!;
    sink.lock(catalog.key(stmt.relation), 'ACCESS EXCLUSIVE', 'target');
    // transformRuleStmt analyses each action: the tables they write and read are locked as by the action.
    for (const action of stmt.actions ?? []) lockPlanned(sink, inner(action));
  },

  CreateSchemaStmt(sink, node, _catalog, inner) {
    for (const element of as(node, 'CreateSchemaStmt')!.schemaElts ?? []) for (const l of inner(element).locks) sink.merge({ ...l });
  },

  CreateSeqStmt(sink, node, catalog) {
    const owner = (as(node, 'CreateSeqStmt')!.options ?? []).map(asDefElem).find((o) => o?.defname === 'owned_by');
    const names = nameList(as(owner?.arg, 'List')?.items);
    if (names.length >= 2) sink.lock(catalog.keyOf(names.slice(0, -1)), 'ACCESS SHARE', 'referenced');
  },

  CreatePublicationStmt: (sink, node, catalog) => publishedTables(sink, catalog, as(node, 'CreatePublicationStmt')!.pubobjects),
  AlterPublicationStmt: (sink, node, catalog) => publishedTables(sink, catalog, as(node, 'AlterPublicationStmt')!.pubobjects),

  AlterExtensionContentsStmt(sink, node, catalog) {
    const stmt = as(node, 'AlterExtensionContentsStmt')!;
    if (!RELATION_OBJECTS.has(stmt.objtype ?? '')) return;
    sink.lock(catalog.keyOf(nameList(as(stmt.object, 'List')?.items)), 'SHARE UPDATE EXCLUSIVE', stmt.objtype === 'OBJECT_INDEX' ? 'target_index' : 'target');
  },

  AlterObjectDependsStmt(sink, node, catalog) {
    const stmt = as(node, 'AlterObjectDependsStmt')!;
    const relation = catalog.key(stmt.relation);
    // A trigger is found through its table, which get_object_address opens with ACCESS SHARE (measured).
    if (stmt.objectType === 'OBJECT_TRIGGER') sink.lock(relation, 'ACCESS SHARE', 'target');
    else sink.lock(relation, 'ACCESS EXCLUSIVE', stmt.objectType === 'OBJECT_INDEX' ? 'target_index' : 'target');
  },

  AlterDomainStmt(sink, node, catalog) {
    const stmt = as(node, 'AlterDomainStmt')!;
    if (!checksColumns(stmt)) return;
    // Every column of the domain is checked: its table is locked SHARE and scanned (get_rels_with_domain).
    const domain = nameList(stmt.typeName).pop();
    for (const rel of catalog.relations.values()) if ([...rel.columns.values()].some((c) => c.type === domain)) sink.lock(rel.name, 'SHARE', 'dependent');
  },
};

/** ADD CONSTRAINT CHECK (not NOT VALID), VALIDATE CONSTRAINT and SET NOT NULL read every column of the domain. */
function checksColumns(stmt: T.AlterDomainStmt): boolean {
  if (stmt.subtype === 'O' || stmt.subtype === 'V') return true;
  const con = as(stmt.def, 'Constraint');
  return stmt.subtype === 'C' && con?.contype === 'CONSTR_CHECK' && !con.skip_validation;
}

const RELATION_OBJECTS = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_FOREIGN_TABLE', 'OBJECT_INDEX']);

/** FOR TABLE / ADD TABLE: SHARE UPDATE EXCLUSIVE on each table (OpenTableList). */
function publishedTables(sink: LockSink, catalog: Catalog, objects: Node[] | undefined): void {
  for (const o of objects ?? []) {
    const spec = as(o, 'PublicationObjSpec');
    if (spec?.pubobjtype === 'PUBLICATIONOBJ_TABLE') sink.lock(catalog.key(spec.pubtable?.relation), 'SHARE UPDATE EXCLUSIVE', 'target');
  }
}

/** COMMENT ON / SECURITY LABEL: the lock get_object_address takes for the object, if it is a relation or on one. */
export function commentLock(sink: LockSink, catalog: Catalog, objtype: string | undefined, object: Node | undefined): void {
  const names = nameList(as(object, 'List')?.items);
  switch (objtype) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_SEQUENCE':
    case 'OBJECT_FOREIGN_TABLE':
      return sink.lock(catalog.keyOf(names), 'SHARE UPDATE EXCLUSIVE', 'target');
    case 'OBJECT_INDEX':
      return sink.lock(catalog.keyOf(names), 'SHARE UPDATE EXCLUSIVE', 'target_index');
    case 'OBJECT_COLUMN':
      return sink.lock(catalog.keyOf(names.slice(0, -1)), 'SHARE UPDATE EXCLUSIVE', 'target');
    case 'OBJECT_TABCONSTRAINT':
    case 'OBJECT_TRIGGER':
    case 'OBJECT_RULE':
    case 'OBJECT_POLICY':
      // Found through their table, which is only read (measured: ACCESS SHARE).
      return sink.lock(catalog.keyOf(names.slice(0, -1)), 'ACCESS SHARE', 'target');
    default:
      return;
  }
}

/** The relations a CREATE TABLE copies with LIKE (ACCESS SHARE, transformTableLikeClause). */
export function likeSources(stmt: T.CreateStmt, catalog: Catalog): string[] {
  return (stmt.tableElts ?? []).flatMap((e) => {
    const like = as(e, 'TableLikeClause');
    const key = like ? catalog.key(like.relation) : undefined;
    return key ? [key] : [];
  });
}
