/**
 * The work a statement does on existing tables, in bytes of heap per kind (rewrite, scan, CHECK or
 * foreign key validation, index build), from the lock model's verdict, the statement and the size
 * snapshot. Tables the snapshot does not hold (created since, or by this migration) do no work.
 */
import { as, asAlterTableCmd, asConstraint } from '../parse/ast';
import type { Catalog } from '../model/catalog';
import type { Statement } from '../model/statements';
import type { StatementEffect } from '../locks/model';
import { findTable, StatsSnapshot, TableStats } from './snapshot';
import type { WorkKind } from './rates';

export interface WorkItem {
  kind: WorkKind;
  table: TableStats;
  /** Heap bytes processed (a foreign key validation reads both tables). */
  bytes: number;
}

/** The statement's work items; empty when it does none on a table the snapshot knows. */
export function statementWork(stmt: Statement, effect: StatementEffect, catalog: Catalog, snapshot: StatsSnapshot): WorkItem[] {
  if (!effect.rewrite && !effect.scan && !effect.indexBuild) return [];
  // A partitioned table holds no rows itself (its partitions do, and the snapshot does not say which): not sized.
  const sized = (name: string | undefined) => {
    const table = name && !catalog.isNew(name) ? findTable(snapshot, name) : undefined;
    return table?.kind === 'p' ? undefined : table;
  };
  const target = sized(effect.target);
  if (stmt.kind === 'ReindexStmt') return reindexWork(stmt, snapshot, sized);
  if (!target) return [];
  if (effect.rewrite) return rewriteWork(target, stmt.kind === 'AlterTableStmt' ? alterIndexBuilds(stmt) : 0);
  if (stmt.kind === 'AlterTableStmt') return alterWork(stmt, effect, catalog, target, sized);
  return [{ kind: effect.indexBuild ? 'index' : 'scan', table: target, bytes: target.heapBytes }];
}

/** A rewrite copies heap and TOAST, then rebuilds every index (each one reads the new heap); `extra` indexes built by the same ALTER. */
function rewriteWork(table: TableStats, extra: number): WorkItem[] {
  const items: WorkItem[] = [{ kind: 'rewrite', table, bytes: table.heapBytes + table.toastBytes }];
  for (let i = 0; i < table.indexes.length + extra; i++) items.push({ kind: 'index', table, bytes: table.heapBytes });
  return items;
}

type Sized = (name: string | undefined) => TableStats | undefined;

/** ALTER TABLE without a rewrite: each sub-command's own scan, validation or index build. */
function alterWork(stmt: Statement, effect: StatementEffect, catalog: Catalog, target: TableStats, sized: Sized): WorkItem[] {
  const items: WorkItem[] = [];
  const cmds = (as(stmt.node, 'AlterTableStmt')?.cmds ?? []).map(asAlterTableCmd);
  cmds.forEach((cmd, i) => {
    if (!cmd || !effect.commands[i]?.scan) return;
    const con = asConstraint(cmd.def);
    if (cmd.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_FOREIGN') items.push(fkItem(target, sized(catalog.key(con.pktable))));
    else if (cmd.subtype === 'AT_AddConstraint' && con?.contype === 'CONSTR_CHECK') items.push({ kind: 'check', table: target, bytes: target.heapBytes });
    else if (con && !con.indexname && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(con.contype ?? ''))
      items.push({ kind: 'index', table: target, bytes: target.heapBytes });
    else if (cmd.subtype === 'AT_ValidateConstraint') {
      const known = catalog.relation(effect.target ?? '')?.constraints.get(cmd.name ?? '');
      if (known?.type === 'foreign') items.push(fkItem(target, sized(known.references)));
      else items.push({ kind: known?.type === 'check' ? 'check' : 'scan', table: target, bytes: target.heapBytes });
    } else items.push({ kind: 'scan', table: target, bytes: target.heapBytes });
  });
  return items;
}

/** Validating a foreign key is one anti-join reading the referencing and the referenced table. */
function fkItem(table: TableStats, referenced: TableStats | undefined): WorkItem {
  return { kind: 'fk', table, bytes: table.heapBytes + (referenced && referenced !== table ? referenced.heapBytes : 0) };
}

/** Indexes a rewriting ALTER TABLE builds besides the existing ones (ADD PRIMARY KEY, UNIQUE, EXCLUDE without USING INDEX). */
function alterIndexBuilds(stmt: Statement): number {
  const cmds = (as(stmt.node, 'AlterTableStmt')?.cmds ?? []).map(asAlterTableCmd);
  return cmds.filter((cmd) => {
    const con = asConstraint(cmd?.def);
    return cmd?.subtype === 'AT_AddConstraint' && con && !con.indexname && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE', 'CONSTR_EXCLUSION'].includes(con.contype ?? '');
  }).length;
}

/** REINDEX TABLE rebuilds each index of the table; REINDEX INDEX the one, found by name in the snapshot. */
function reindexWork(stmt: Statement, snapshot: StatsSnapshot, sized: Sized): WorkItem[] {
  const node = as(stmt.node, 'ReindexStmt');
  if (!node) return [];
  const name = node.relation?.relname ?? node.name ?? '';
  if (node.kind === 'REINDEX_OBJECT_TABLE') {
    const table = sized(name);
    return table ? table.indexes.map(() => ({ kind: 'index' as const, table, bytes: table.heapBytes })) : [];
  }
  const table = snapshot.tables.find((t) => t.indexes.some((i) => i.name === name));
  return table && node.kind === 'REINDEX_OBJECT_INDEX' ? [{ kind: 'index', table, bytes: table.heapBytes }] : [];
}
