/**
 * Where a fix puts a statement that cannot stay in the runner's transaction: the runner's opt-out
 * when the rest of the file is safe outside a transaction, else a new migration (or Liquibase
 * changeset) right after this one, named by the runner's convention.
 */
import { as, asAlterTableCmd, nodeKind } from '../parse/ast';
import type { Statement } from '../model/statements';
import type { Fix, StatementContext, TextEdit } from '../rules/types';
import type { NewFile } from '../runners/types';
import { removeStatement } from './placement';
import { modelStatement } from '../locks/model';
import { splitStatements } from '../parse/splitter';

/** Text edits plus the files a fix creates, and how the statement gets out of the transaction. */
export interface RunnerPlacement {
  edits: TextEdit[];
  files: NewFile[];
  how: string;
}

/**
 * Puts `sql` (the statement's new text, after the settings it needs such as a carried
 * `SET lock_timeout`) where the runner does not wrap it in a transaction. `needsNoTransaction`: the
 * statement cannot run in any transaction (CONCURRENTLY); otherwise it only needs a transaction of
 * its own (VALIDATE after the NOT VALID constraint committed). A runner that sends a unit without
 * its transaction as one query (an implicit transaction when it holds several statements) gets the
 * statement alone.
 */
export function placeUnderRunner(ctx: StatementContext, statementSql: string[], needsNoTransaction: boolean): RunnerPlacement | undefined {
  const info = ctx.file.runner;
  const unitIndex = ctx.timeline.unit;
  if (!info || unitIndex === undefined || ctx.statement.container !== undefined) return undefined;
  const section = info.sections[unitIndex];
  const profile = info.profile;
  // A statement that cannot run in any transaction must be alone in a query (several steps are a
  // multi-statement query anyway, and keep the lock_timeout carried before them).
  const oneQuery = needsNoTransaction && profile.optOutMode !== 'statements' && splitStatements(statementSql[statementSql.length - 1]).chunks.length === 1;
  const sql = (oneQuery ? statementSql.slice(-1) : statementSql).map((s) => s.trim().replace(/;+$/, ''));
  // A config-file opt-out (Flyway, diesel) covers the whole migration: only from its deployed part, where it was checked.
  const optOutHere = section.part === 'up' || !profile.companion;
  if (needsNoTransaction && profile.optOut && optOutHere && canOptOut(ctx, unitIndex)) {
    const opt = profile.optOut(info.input, section);
    if (opt) {
      const replace = { start: ctx.statement.span.start, end: ctx.statement.span.end, newText: sql.join(';\n') };
      return { edits: [replace, ...opt.edits], files: opt.files, how: `${profile.optOutText} added` };
    }
  }
  // A rollback statement has no later migration to move to.
  if (section.part !== 'up') return undefined;
  // Later statements that cannot run in a transaction either go along, in the same new unit.
  const along = needsNoTransaction && !oneQuery ? tailWithoutTransaction(ctx, unitIndex) : [];
  // A new changeset right after this one passes only the rest of this unit; a new migration, the rest of the file.
  const passes = profile.moveAfter ? unitIndex : undefined;
  if (laterStatementsDepend(ctx, new Set(along.map((s) => s.index)), passes)) return undefined;
  const moved = [...sql, ...along.map((s) => s.text)];
  const removed = [ctx.statement, ...along].map((s) => removeStatement(ctx.file, s));
  const after = profile.moveAfter?.(info.input, section, moved);
  if (after) return { edits: [...removed, ...after.edits], files: after.files, how: `${movedWhat(along)} to a new changeset after this one` };
  const files = profile.nextMigration?.(info.input, moved);
  if (!files?.length) return undefined;
  const name = files[0].path.split(/[\\/]/).slice(-2).join('/');
  return { edits: removed, files, how: `${movedWhat(along)} to a new migration ${name}` };
}

function movedWhat(along: Statement[]): string {
  return along.length ? `moved with the ${along.length} statement(s) after it that need no transaction either` : 'moved';
}

/**
 * The statements after this one in its unit when every one of them cannot run in a transaction
 * either (several CREATE INDEX CONCURRENTLY at the end of a migration): moved alone, the first
 * would have to go after the others, where the runner's naming leaves no slot.
 */
function tailWithoutTransaction(ctx: StatementContext, unitIndex: number): Statement[] {
  const rest = ctx.file.statements.filter(
    (s) => s.index > ctx.statement.index && s.container === undefined && ctx.file.timeline.perStatement[s.index]?.unit === unitIndex,
  );
  const options = { pgVersion: ctx.file.config.pgVersion };
  const alsoOutside = (s: Statement) => s.kind !== 'Invalid' && modelStatement(s.node, ctx.catalog, options).noTransaction;
  return rest.every(alsoOutside) ? rest : [];
}

/** The statements the opt-out would take out of the transaction (goose's applies to the whole file). */
function optOutScope(ctx: StatementContext, unitIndex: number): Statement[] {
  const wholeFile = ctx.file.runner?.profile.id === 'goose';
  return ctx.file.statements.filter((s) => s.container === undefined && (wholeFile || ctx.file.timeline.perStatement[s.index].unit === unitIndex));
}

/**
 * Without the transaction, a failure leaves the statements before it applied and the retry runs
 * them again: every other statement must be harmless to repeat. A unit sent as one
 * multi-statement query stays a transaction unless the statement is alone in it.
 */
function canOptOut(ctx: StatementContext, unitIndex: number): boolean {
  const scope = optOutScope(ctx, unitIndex);
  const others = scope.filter((s) => s.index !== ctx.statement.index);
  if (ctx.file.runner?.profile.optOutMode === 'multi-statement') return others.length === 0;
  return others.every(retrySafe);
}

/**
 * A deployed statement the move passes (later in `unit`, or later in the file) names a relation this
 * one locks, as a whole identifier: moving it after them could change the result. The `along`
 * statements move with it. Only the statements that hold a word of a name are tested (wordIndex).
 */
function laterStatementsDepend(ctx: StatementContext, along: Set<number>, unit: number | undefined): boolean {
  const index = as(ctx.statement.node, 'IndexStmt')?.idxname;
  const names = [...new Set([...ctx.effect.locks.map((l) => l.relation), ...(ctx.effect.target ? [ctx.effect.target] : []), ...(index ? [index] : [])])];
  const passed = (k: number) => {
    const otherUnit = ctx.file.timeline.perStatement[k]?.unit;
    if (k <= ctx.statement.index || along.has(k) || (unit !== undefined && otherUnit !== unit)) return false;
    return otherUnit === undefined || ctx.file.runner?.sections[otherUnit]?.part === 'up';
  };
  const words = wordIndex(ctx.file.statements);
  if (words.invalid.some(passed)) return true;
  if (!names.length) return false;
  // A name that is one word (most: a table of `public`) occurs as a whole identifier exactly in the
  // statements its word lists: no regex to build, nor to run over each of them.
  if (names.every(isWord)) return names.some((n) => words.statements.get(n.toLowerCase())?.some(passed));
  const named = new RegExp(`(?<![\\w$])(${names.map(escapeRegExp).join('|')})(?![\\w$])`, 'i');
  const candidates: Iterable<number> = names.every((n) => firstWord(n) !== undefined)
    ? names.flatMap((n) => words.statements.get(firstWord(n)!) ?? [])
    : ctx.file.statements.keys();
  for (const k of candidates) if (passed(k) && named.test(ctx.file.statements[k].text)) return true;
  return false;
}

/** A name's or a text's words: the runs that `(?<![\w$])` and `(?![\w$])` bound (ASCII only, as the 'i' flag compares them without 'u'). */
const WORD = /[A-Za-z0-9_$]+/g;

/** One run of WORD's characters, all of it: its regex matches where the run is a word of the text. */
function isWord(name: string): boolean {
  return /^[A-Za-z0-9_$]+$/.test(name);
}

function firstWord(name: string): string | undefined {
  return /[A-Za-z0-9_$]+/.exec(name)?.[0].toLowerCase();
}

/**
 * Per file (its statement array): each lower-cased word and the statements whose text holds it, and
 * the statements that do not parse. A statement in which a name occurs as a whole identifier holds
 * every word of the name as a word of its own (the name's bounds are word bounds in the text), so
 * the statements under the name's first word are the only ones its regex can match. Built once, so
 * that placing the fixes of a file costs one pass over its text instead of one per fix.
 */
const wordIndexes = new WeakMap<readonly Statement[], { statements: Map<string, number[]>; invalid: number[] }>();

function wordIndex(statements: readonly Statement[]): { statements: Map<string, number[]>; invalid: number[] } {
  let index = wordIndexes.get(statements);
  if (index) return index;
  index = { statements: new Map(), invalid: [] };
  for (const s of statements) {
    if (s.kind === 'Invalid') index.invalid.push(s.index);
    for (const m of s.text.matchAll(WORD)) {
      const word = m[0].toLowerCase();
      const list = index.statements.get(word);
      if (!list) index.statements.set(word, [s.index]);
      else if (list[list.length - 1] !== s.index) list.push(s.index);
    }
  }
  wordIndexes.set(statements, index);
  return index;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Statements that can run twice without failing or changing the result. */
export function retrySafe(stmt: Statement): boolean {
  const node = stmt.node;
  switch (nodeKind(node)) {
    case 'VariableSetStmt':
    case 'SelectStmt':
    case 'CommentStmt':
      return true;
    case 'IndexStmt':
      return !!as(node, 'IndexStmt')?.if_not_exists;
    case 'CreateStmt':
      return !!as(node, 'CreateStmt')?.if_not_exists;
    case 'DropStmt':
      return !!as(node, 'DropStmt')?.missing_ok;
    case 'CreateFunctionStmt':
      return !!as(node, 'CreateFunctionStmt')?.replace;
    case 'ViewStmt':
      return !!as(node, 'ViewStmt')?.replace;
    case 'AlterTableStmt': {
      const cmds = as(node, 'AlterTableStmt')?.cmds ?? [];
      return (
        cmds.length > 0 &&
        cmds.every((c) => {
          const cmd = asAlterTableCmd(c);
          return !!cmd?.missing_ok && (cmd.subtype === 'AT_AddColumn' || cmd.subtype === 'AT_DropColumn' || cmd.subtype === 'AT_DropConstraint');
        })
      );
    }
    default:
      return false;
  }
}

/** For a statement that cannot run in its runner's transaction: the opt-out, or the move to a new migration. */
export function runnerFix(ctx: StatementContext): Fix | undefined {
  const tx = ctx.timeline.transaction;
  if (!tx?.implicit || !tx.runner) return undefined;
  const placed = placeUnderRunner(ctx, [ctx.statement.text], true);
  if (!placed) return undefined;
  const title = placed.how.endsWith('added')
    ? `Run the file without ${tx.runner.runner}'s transaction: ${placed.how}`
    : `Run it outside ${tx.runner.runner}'s transaction: ${placed.how}`;
  return { kind: 'runner-placement', title, preferred: true, edits: placed.edits, files: placed.files };
}
