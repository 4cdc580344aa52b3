/** ALTER TABLE of a table that existed before this file, one sub-command at a time. */
import { qualify } from '../../model/searchPath';
import { T, as, asAlterTableCmd, asColumnDef, asConstraint } from '../../parse/ast';
import { Span } from '../../text/positions';
import type { CommandVerdict } from '../../locks/model';
import { FileContext, StatementContext } from '../types';
import { commandSpans, headSpan } from './spans';
import { StateKey } from './state';
import type { Statement } from '../../model/statements';

/** One sub-command of an ALTER TABLE, with the table and the statement it belongs to. */
export class AlterCommand {
  constructor(
    readonly cmd: T.AlterTableCmd,
    /** Position in the statement's `cmds`. */
    readonly index: number,
    readonly table: string,
    readonly alter: T.AlterTableStmt,
    /** The lock model's verdict on this sub-command (scan, rewrite, reason, assumed). */
    readonly effect: CommandVerdict | undefined,
    private readonly spans: () => Span[] | undefined,
    private readonly fallback: () => Span,
  ) {}

  /** The sub-command's text; the statement's first line when the text does not line up with the AST (see `exact`). */
  get span(): Span {
    return this.spans()?.[this.index] ?? this.fallback();
  }

  /** False when `span` is the statement's first line instead of the sub-command's text. */
  get exact(): boolean {
    return this.spans() !== undefined;
  }
}

/**
 * The sub-commands of an `ALTER TABLE` (not ALTER INDEX/VIEW/SEQUENCE/...) of a table that existed
 * before this file, only those of `subtype` when given; none for any other statement.
 */
export function alterCommands(ctx: StatementContext, subtype?: T.AlterTableType | T.AlterTableType[]): AlterCommand[] {
  const held = ctx as WithCommands;
  const all = (held[COMMANDS] ??= allCommands(ctx));
  if (subtype === undefined) return [...all];
  if (typeof subtype === 'string') return all.filter((c) => c.cmd.subtype === subtype);
  return all.filter((c) => c.cmd.subtype !== undefined && subtype.includes(c.cmd.subtype));
}

/**
 * Every sub-command of the statement, once per statement context: about ten rules ask for them on
 * each ALTER TABLE, and the commands (and the spans they split from the tokens) are the same for all.
 * Kept on the context itself, not in a module-wide WeakMap: V8's young-generation collection
 * keeps a WeakMap's values alive after their key died, and the commands hold the context, so every
 * analysis since the last collection stayed alive through it and was copied (the editor's runs).
 */
const COMMANDS = Symbol('alter commands');
type WithCommands = StatementContext & { [COMMANDS]?: AlterCommand[] };

function allCommands(ctx: StatementContext): AlterCommand[] {
  const alter = as(ctx.statement.node, 'AlterTableStmt');
  const table = ctx.catalog.key(alter?.relation);
  if (!alter || !table || alter.objtype !== 'OBJECT_TABLE' || !ctx.catalog.existedBeforeFile(table)) return [];
  // Spans are split from the tokens once, and only when a finding asks for one.
  let spans: Span[] | undefined | null = null;
  const allSpans = () => (spans === null ? (spans = commandSpans(ctx.file, ctx.statement, alter)) : spans);
  const head = () => headSpan(ctx.file, ctx.statement);
  const out: AlterCommand[] = [];
  const cmds = alter.cmds ?? [];
  for (let index = 0; index < cmds.length; index++) {
    const cmd = asAlterTableCmd(cmds[index]);
    if (cmd) out.push(new AlterCommand(cmd, index, table, alter, ctx.effect.commands[index], allSpans, head));
  }
  return out;
}

export interface AddedConstraint {
  con: T.Constraint;
  /** Set for a constraint written inside `ADD COLUMN` (a column constraint). */
  column?: T.ColumnDef;
  command: AlterCommand;
}

/**
 * Constraints of kind `contype` that an ALTER TABLE of an existing table adds, in text order:
 * `ADD CONSTRAINT` table constraints and the column constraints of `ADD COLUMN`.
 */
export function addedConstraints(ctx: StatementContext, contype: T.ConstrType): AddedConstraint[] {
  const out: AddedConstraint[] = [];
  for (const command of alterCommands(ctx, ['AT_AddConstraint', 'AT_AddColumn'])) {
    if (command.cmd.subtype === 'AT_AddConstraint') {
      const con = asConstraint(command.cmd.def);
      if (con?.contype === contype) out.push({ con, command });
      continue;
    }
    const column = asColumnDef(command.cmd.def);
    for (const con of (column?.constraints ?? []).map(asConstraint)) if (con?.contype === contype) out.push({ con, column, command });
  }
  return out;
}

/** True when an earlier statement of this file added `column` to `table` (no running code uses it yet). */
export function columnAddedInFile(ctx: StatementContext, table: string | undefined, column: string | undefined): boolean {
  if (!table || !column) return false;
  const key = `${table}\u0000${column}`;
  ctx.file.noteRead?.(ADDED_COLUMN + key);
  const first = addedColumns(ctx.file, ctx.statement.index).get(key);
  return first !== undefined && first < ctx.statement.index;
}

interface AddedColumns {
  scanned: number;
  first: Map<string, number>;
}

/** The read key of an entry of the memo below (`FileContext.noteRead`). */
const ADDED_COLUMN = 'added-column:';

// A memo of a scan of the statements: derived from the text, followed by key.
const ADDED_COLUMNS = new StateKey<AddedColumns>(() => ({ scanned: 0, first: new Map<string, number>() }), {
  derived: (s) => addsColumns(s).map((key) => ADDED_COLUMN + key),
});

/**
 * First statement index that adds each (table, column), scanned once per file up to `until`
 * (exclusive) and extended as later statements ask: a rescan from the top for every DROP/RENAME
 * COLUMN was quadratic on long files.
 */
function addedColumns(file: FileContext, until: number): Map<string, number> {
  return scanAddedColumns(file.state.get(ADDED_COLUMNS), file, until).first;
}

function scanAddedColumns(memo: AddedColumns, file: FileContext, until: number): AddedColumns {
  for (; memo.scanned < until && memo.scanned < file.statements.length; memo.scanned++) {
    const s = file.statements[memo.scanned];
    for (const key of addsColumns(s)) if (!memo.first.has(key)) memo.first.set(key, s.index);
  }
  return memo;
}

/**
 * `addsColumns` by parse tree: the tree of a statement whose text an edit left alone is the same
 * object in the next analysis (incremental/statements.ts), and every analysis scans the statements
 * before the one asking again (the memo above lives in one analysis).
 */
const ADDS_COLUMNS = new WeakMap<object, string[]>();

/** `table\0column` of each column an ALTER TABLE adds. */
function addsColumns(s: Statement): string[] {
  if (!s.node) return [];
  let keys = ADDS_COLUMNS.get(s.node);
  if (!keys) ADDS_COLUMNS.set(s.node, (keys = addsColumnsOf(s.node)));
  return keys;
}

function addsColumnsOf(node: NonNullable<Statement['node']>): string[] {
  const alter = as(node, 'AlterTableStmt');
  // Keyed as the catalog keys tables when the name is qualified (an unqualified one is taken as public's).
  const table = alter?.relation?.relname ? qualify(alter.relation.schemaname, alter.relation.relname) : undefined;
  if (!alter || !table) return [];
  const out: string[] = [];
  for (const c of alter.cmds ?? []) {
    const cmd = asAlterTableCmd(c);
    const column = cmd?.subtype === 'AT_AddColumn' ? asColumnDef(cmd.def)?.colname : undefined;
    if (column) out.push(`${table}\u0000${column}`);
  }
  return out;
}
