/**
 * The analysis pipeline: text → statements → timeline → (catalog, lock model, rules) per statement
 * → findings with ignores and severities applied. Pure: no I/O, no LSP.
 */
import { LockwiseConfig, DEFAULT_CONFIG, Severity } from './config/config';
import { Catalog } from './model/catalog';
import { buildStatements, Statement, StatementList, statementTokens } from './model/statements';
import { buildTimeline, StatementTimeline, Timeline, Transaction } from './model/timeline';
import { blockedByTable, modelStatement, ModelOptions, StatementEffect } from './locks/model';
import { Operation } from './locks/modes';
import { withBranches } from './locks/branches';
import { LineIndex, Span } from './text/positions';
import { FileContext, Finding, ReportedFinding, Rule, StatementContext } from './rules/types';
import { classifyFix } from './fixes/safety';
import { RULES, RULES_BY_ID } from './rules/registry';
import { collectIgnores, IgnoreSet } from './ignores';
import { SqlComment } from './parse/splitter';
import { Token } from './parse/parser';
import { FileRunnerOptions, RunnerInfo, runnerInfo, statementParts, visibleText } from './runners/apply';
import type { Part } from './runners/types';
import { FileState } from './rules/support/state';
import { scaleFinding, SizeAnalysis, sizeAnalysis, SizeInput } from './size/analysis';
import { statementWork, WorkItem } from './size/work';
import { Baseline, PendingRelation } from './model/baseline';

/** Rules that still run on rollback parts with `downMigrations: "syntax"`: what stops the rollback from running at all. */
const DOWN_SYNTAX_RULES = new Set([
  'syntax-error',
  'unsupported-syntax',
  'ban-concurrent-index-creation-in-transaction',
  'cannot-run-in-transaction',
  'runner-statement-split',
  'unknown-ignore-rule',
]);

export interface HeldUntil {
  /** 'statement': released when the statement ends; 'commit'/'rollback': at that statement; 'end-of-file': implicit transaction; 'never': BEGIN without COMMIT. */
  kind: 'statement' | 'commit' | 'rollback' | 'end-of-file' | 'never';
  /** Statement index of the COMMIT/ROLLBACK. */
  statement?: number;
}

export interface StatementAnalysis {
  statement: Statement;
  effect: StatementEffect;
  /** Operations blocked on each table while the locks are held. */
  blocks: Map<string, Operation[]>;
  timeline: StatementTimeline;
  heldUntil: HeldUntil;
  /** Relation names created earlier in this file, or by a pending migration and empty in production (safe targets). */
  newRelations: Set<string>;
  /** Locked relations that a pending migration created (with a deploy baseline): empty in production. */
  pendingRelations: PendingRelation[];
  /** `up` (deployed), or a rollback/verify part analysed on its own. */
  part: Part;
}

export interface Analysis {
  text: string;
  lines: LineIndex;
  statements: StatementAnalysis[];
  findings: Finding[];
  comments: SqlComment[];
  timeline: Timeline;
  config: LockwiseConfig;
  hasHistory: boolean;
  /** The schema after the deployed part of the file (used to chain history). */
  finalCatalog: Catalog;
  /** The file's runner (undefined: plain psql, today's behaviour). */
  runner?: RunnerInfo;
  /** The deploy baseline the analysis used (undefined: none configured or it could not be resolved). */
  baseline?: Baseline;
  /**
   * Bugs caught while analysing (a rule or the lock model threw on this input). The core never
   * throws on input: the failing step is skipped and the rest of the file is still analysed. The
   * CLI and the server log these; tests assert there are none.
   */
  internalErrors: string[];
  /** Sizes and estimates, when a size snapshot was given. */
  sizes?: SizeAnalysis;
}

export interface AnalyzeOptions {
  config?: LockwiseConfig;
  /** Schema from earlier migration files (not modified). */
  history?: Catalog;
  /** The runner that executes the file (from project/runners.ts); else `config.runner` when it names one. */
  runner?: FileRunnerOptions;
  /** The size snapshot and rates (project/sizes.ts): size-scaled verdicts and estimates. */
  sizes?: SizeInput;
  /** Which history files production has not run yet: tables they create are empty there. */
  baseline?: Baseline;
  /** Tests: run every statement rule on every statement, ignoring `kinds` (the dispatch test checks that no subscription loses a finding). */
  everyRule?: boolean;
}

/**
 * The pipeline, one step per function: build the file context (with its runner and parts), run
 * the statement rules with the catalog before each statement, run the file rules, then apply
 * ignores and severities.
 */
export function analyze(text: string, options: AnalyzeOptions = {}): Analysis {
  const config = options.config ?? DEFAULT_CONFIG;
  const file = fileContext(text, config, options);
  const run = new RuleRun(enabledRules(config), config, options.everyRule);
  const { statements, finalCatalog } = walkStatements(file, initialCatalog(options), run);
  return finishAnalysis(file, run, statements, finalCatalog, options);
}

/** The catalog the file's first statement sees: a copy of the schema history. */
export function initialCatalog(options: AnalyzeOptions): Catalog {
  const catalog = options.history ? options.history.cloneForApply() : new Catalog();
  catalog.inFile = true;
  catalog.baseline = options.baseline;
  return catalog;
}

/** After the statements: sizes, the file rules, ignores and severities (also the end of an incremental run). */
export function finishAnalysis(file: PipelineFile, run: RuleRun, statements: StatementAnalysis[], finalCatalog: Catalog, options: AnalyzeOptions): Analysis {
  const { config } = file;
  if (options.sizes) file.sizes = sizesOf(options.sizes, statements, file, config);
  run.fileRules(file);
  const findings = finalFindings(file, run.raw);
  return {
    text: file.text,
    lines: file.lines,
    statements,
    findings,
    comments: file.comments,
    timeline: file.timeline,
    config,
    hasHistory: file.hasHistory,
    finalCatalog,
    runner: file.runner,
    baseline: options.baseline,
    internalErrors: run.internalErrors,
    ...(file.sizes ? { sizes: file.sizes } : {}),
  };
}

/** What the pipeline steps share: the rules' file context, the comments and each statement's part. */
export type PipelineFile = FileContext & { comments: SqlComment[]; parts: Part[]; sizeInput?: SizeInput; work: WorkItem[][] };

/**
 * Split, parse, runner, timeline: what every rule sees of the whole file. `build` makes the
 * statement list of the visible text and `lines` indexes the text (incremental analysis re-splits
 * and re-indexes only around an edit).
 */
export function fileContext(
  text: string,
  config: LockwiseConfig,
  options: AnalyzeOptions,
  build: (visible: string) => StatementList = buildStatements,
  lines: LineIndex = new LineIndex(text),
): PipelineFile {
  // Same length as `text`: only rollback SQL a runner keeps in comments is uncovered.
  const { statements, comments, metaCommands } = build(visibleText(text, config, options.runner));
  const runner = runnerInfo(text, statements, config, options.runner);
  const tokenCache = new Map<number, Token[]>();
  return {
    text,
    lines,
    statements,
    comments,
    parts: statementParts(statements, runner),
    sizeInput: options.sizes,
    work: [],
    effects: [],
    timeline: buildTimeline(statements, config.assumeInTransaction, {
      units: runner?.units,
      settings: config.runnerSettings,
      timeZone: config.timeZone,
      metaCommands,
    }),
    config,
    hasHistory: !!options.history && options.history.relations.size > 0,
    state: new FileState(),
    runner,
    tokens(stmt) {
      let t = tokenCache.get(stmt.index);
      if (!t) tokenCache.set(stmt.index, (t = statementTokens(stmt)));
      return t;
    },
  };
}

export function enabledRules(config: LockwiseConfig): Rule[] {
  return RULES.filter((rule) => severityOf(rule, config) !== 'off' && (rule.minPgVersion ?? 0) <= config.pgVersion);
}

/** The enabled rules, what they reported and the bugs caught while running them. */
export class RuleRun {
  readonly raw: { rule: Rule; finding: ReportedFinding }[] = [];
  readonly internalErrors: string[] = [];
  /** One reporter per rule for the whole file, not one closure per rule per statement; made when the rule first runs. */
  private readonly reporters = new Map<Rule, (finding: ReportedFinding) => void>();
  readonly statementRules: Rule[];
  /** The statement rules that run on rollback parts (`downMigrations`). */
  readonly downRules: Rule[];
  /** By part and statement kind: the rules subscribed to it (`kinds`; all when a rule has none), in registry order. */
  private readonly dispatch = new Map<string, Rule[]>();

  constructor(
    private readonly enabled: Rule[],
    config: LockwiseConfig,
    private readonly everyRule = false,
  ) {
    this.statementRules = enabled.filter((rule) => rule.checkStatement);
    this.downRules = this.statementRules.filter((r) => keepDown(config.downMigrations, r.id));
  }

  /** The statement rules to run on a statement of `kind` in a deployed (`up`) or rollback part. */
  rulesFor(kind: string, up: boolean): Rule[] {
    const key = up ? kind : `down:${kind}`;
    let rules = this.dispatch.get(key);
    if (!rules) {
      const all = up ? this.statementRules : this.downRules;
      this.dispatch.set(key, (rules = this.everyRule ? all : all.filter((r) => !r.kinds || r.kinds.includes(kind))));
    }
    return rules;
  }

  /** The rule's reporter (most rules report nothing in most files: made on first use). */
  private reporter(rule: Rule): (finding: ReportedFinding) => void {
    let report = this.reporters.get(rule);
    if (!report) this.reporters.set(rule, (report = (finding: ReportedFinding) => void this.raw.push({ rule, finding })));
    return report;
  }

  statementRulesOn(rules: Rule[], ctx: StatementContext, where: () => string): void {
    // The hot loop (rules × statements): a plain try/catch, no closure per call.
    for (const rule of rules) {
      try {
        rule.checkStatement!(ctx, this.reporter(rule));
      } catch (error) {
        this.internalErrors.push(`${where()}: rule ${rule.id}: ${errorText(error)}`);
      }
    }
  }

  fileRules(file: FileContext): void {
    for (const rule of this.enabled) {
      if (!rule.checkFile) continue;
      try {
        rule.checkFile(file, this.reporter(rule));
      } catch (error) {
        this.internalErrors.push(`file: rule ${rule.id}: ${errorText(error)}`);
      }
    }
  }
}

/**
 * Per statement: lock model on the catalog before it, statement rules, then the catalog moves on.
 * Deployed statements first, then rollback parts against the schema after them, in a fresh rule state.
 * Also an incremental run's walk when the next run cannot start from it (core/incremental/analyzer.ts).
 */
export function walkStatements(file: PipelineFile, catalog: Catalog, run: RuleRun): { statements: StatementAnalysis[]; finalCatalog: Catalog } {
  const { parts } = file;
  const analyses: StatementAnalysis[] = new Array(file.statements.length);
  const order = [...file.statements.filter((s) => parts[s.index] === 'up'), ...file.statements.filter((s) => parts[s.index] !== 'up')];
  let finalCatalog = catalog;
  for (const stmt of order) {
    const up = parts[stmt.index] === 'up';
    if (!up && finalCatalog === catalog) {
      finalCatalog = catalog.clone();
      file.state = new FileState();
    }
    analyses[stmt.index] = stepStatement(file, catalog, run, stmt);
  }
  return { statements: analyses, finalCatalog };
}

/** How incremental analysis steps in: a known lock model verdict, and a call between the steps. */
export interface StepHooks {
  /** The lock model's verdict on this statement with this catalog, known from an earlier run. */
  effect?: StatementEffect;
  /** Called before the rules run and before the catalog moves on. */
  phase?(next: 'rules' | 'apply'): void;
  /** Runs the statement's rules instead of `RuleRun.statementRulesOn` (incremental analysis carries some findings over). */
  rules?(rules: Rule[], ctx: StatementContext, where: () => string): void;
}

/** One statement: lock model on the catalog before it, its rules, then the catalog moves on. */
export function stepStatement(file: PipelineFile, catalog: Catalog, run: RuleRun, stmt: Statement, hooks?: StepHooks): StatementAnalysis {
  const part = file.parts[stmt.index];
  const where = () => `statement ${stmt.index} (${stmt.kind})`;
  const zone = file.timeline.perStatement[stmt.index]?.timeZone;
  const effect =
    hooks?.effect ??
    modelEffect(stmt, catalog, { pgVersion: file.config.pgVersion, timeZone: zone }, (e) => run.internalErrors.push(`${where()}: lock model: ${e}`));
  hooks?.phase?.('rules');
  file.effects[stmt.index] = effect;
  if (file.sizeInput) file.work[stmt.index] = workOf(stmt, effect, catalog, file.sizeInput, (e) => run.internalErrors.push(`${where()}: sizes: ${e}`));
  const stmtTimeline = file.timeline.perStatement[stmt.index];
  const ctx = { file, statement: stmt, effect, timeline: stmtTimeline, catalog };
  if (hooks?.rules) hooks.rules(run.rulesFor(stmt.kind, part === 'up'), ctx, where);
  else run.statementRulesOn(run.rulesFor(stmt.kind, part === 'up'), ctx, where);
  const analysis = statementAnalysis(stmt, effect, stmtTimeline, catalog, part);
  hooks?.phase?.('apply');
  try {
    catalog.apply(stmt.node, stmt.index);
  } catch (error) {
    run.internalErrors.push(`${where()}: catalog: ${errorText(error)}`);
  }
  return analysis;
}

/** The lock model's effect; a model bug is reported and the statement gets the empty effect. */
function modelEffect(stmt: Statement, catalog: Catalog, modelOptions: ModelOptions, report: (error: string) => void): StatementEffect {
  try {
    return withBranches(stmt, modelStatement(stmt.node, catalog, modelOptions), (node) => modelStatement(node, catalog, modelOptions));
  } catch (error) {
    report(errorText(error));
    return modelStatement(undefined, catalog, modelOptions);
  }
}

function workOf(stmt: Statement, effect: StatementEffect, catalog: Catalog, sizes: SizeInput, report: (error: string) => void): WorkItem[] {
  try {
    return statementWork(stmt, effect, catalog, sizes.snapshot);
  } catch (error) {
    report(errorText(error));
    return [];
  }
}

/** The size analysis over the walked statements: each one's work, how long its locks are held, what it blocks. */
function sizesOf(input: SizeInput, statements: StatementAnalysis[], file: PipelineFile, config: LockwiseConfig): SizeAnalysis {
  const last = statements.length - 1;
  return sizeAnalysis(
    input,
    statements.map((s) => {
      const h = s.heldUntil;
      const heldTo = h.kind === 'statement' ? s.statement.index : h.kind === 'never' ? last : (h.statement ?? last);
      return {
        index: s.statement.index,
        work: file.work[s.statement.index] ?? [],
        heldTo: Math.max(heldTo, s.statement.index),
        deployed: s.part === 'up',
        blocks: s.blocks,
        newRelations: s.newRelations,
      };
    }),
    config,
  );
}

/** Every rule id, for the ignore comments (one set, not one per file). */
const KNOWN_RULE_IDS: Set<string> = new Set(RULES_BY_ID.keys());

/** Rollback-part findings, ignore comments and configured severities applied, unknown ignored ids reported, sorted by position. */
function finalFindings(file: PipelineFile, raw: RuleRun['raw']): Finding[] {
  const { config, statements, lines, parts } = file;
  const ignores = collectIgnores(file.comments, lines, KNOWN_RULE_IDS);
  const findings: Finding[] = [];
  const frozen = file.runner?.profile.frozen?.(file.runner.input);
  const commented = file.runner?.profile.commentedRollback;
  for (const { rule, finding } of raw) {
    const up = parts[finding.statement] === 'up';
    if (!up && !keepDown(config.downMigrations, rule.id)) continue;
    if (isIgnored(ignores, rule.id, statements[finding.statement], lines)) continue;
    // A finding's own severity replaces the rule's default, never a severity the user configured.
    const severity = config.rules[rule.id] ?? finding.severity ?? rule.defaultSeverity;
    const noFix = frozen ?? (up ? undefined : commented);
    const out =
      noFix && (finding.fix || rule.fixable)
        ? withheld(finding, rule.id, severity, noFix)
        : { ...finding, rule: rule.id, severity: severity as Severity, fix: finding.fix && classifyFix(rule, finding.fix) };
    findings.push(file.sizes ? scaleFinding(out, file.sizes, config) : out);
  }
  findings.push(...unknownIgnoreFindings(ignores, statements, config));
  findings.sort((a, b) => a.span.start - b.span.start || a.rule.localeCompare(b.rule));
  return findings;
}

/** A finding of a fixable rule in a file the runner forbids editing: no fix, and the reason for the views. */
function withheld(finding: ReportedFinding, rule: string, severity: string, reason: string): Finding {
  const { fix, ...rest } = finding;
  const title = fix?.title ?? finding.withheld?.title;
  return { ...rest, rule, severity: severity as Severity, fixWithheld: reason, withheld: title ? { title, reason } : undefined };
}

function unknownIgnoreFindings(ignores: IgnoreSet, statements: Statement[], config: LockwiseConfig): Finding[] {
  const rule = RULES_BY_ID.get('unknown-ignore-rule');
  if (!rule || severityOf(rule, config) === 'off') return [];
  return ignores.unknown.map((unknown) => ({
    rule: 'unknown-ignore-rule',
    severity: severityOf(rule, config) as Severity,
    message: `Unknown rule "${unknown.id.slice(0, 80)}" in an ignore comment: it silences nothing`,
    help: '`lockwise rules` lists the rule ids',
    span: unknown.span,
    statement: nearestStatement(statements, unknown.span.start),
  }));
}

function keepDown(mode: LockwiseConfig['downMigrations'], rule: string): boolean {
  return mode === 'full' || (mode === 'syntax' && DOWN_SYNTAX_RULES.has(rule));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What hover, CodeLens and the audit show for a statement. `blocks` and `newRelations` are only
 * read by those views, so they are computed on first read (most statements are never hovered; the
 * editor re-analyses the whole file on every edit). What they need from the catalog *before* the
 * statement is captured now: the index record of each locked relation and whether it is new.
 * A class (getters on the prototype), not an object literal with getters: that cost two closures
 * per statement, in time and in the memory of every retained analysis.
 */
class LazyStatementAnalysis implements StatementAnalysis {
  private blocksMemo?: Map<string, Operation[]>;
  private newRelationsMemo?: Set<string>;
  readonly heldUntil: HeldUntil;

  constructor(
    readonly statement: Statement,
    readonly effect: StatementEffect,
    readonly timeline: StatementTimeline,
    private readonly before: CatalogView,
    readonly part: Part,
  ) {
    this.heldUntil = heldUntil(timeline.transaction, statement);
  }

  get blocks(): Map<string, Operation[]> {
    return (this.blocksMemo ??= blockedByTable(this.effect, this.before));
  }

  get newRelations(): Set<string> {
    const fresh = this.before.fresh;
    return (this.newRelationsMemo ??= new Set(this.effect.locks.filter((l) => fresh.has(l.relation)).map((l) => l.relation)));
  }

  get pendingRelations(): PendingRelation[] {
    return this.before.pending;
  }

  /** The same verdict for the statement at its place in an edited text (incremental analysis: same text, catalog and rule state before it). */
  rebased(statement: Statement, timeline: StatementTimeline): LazyStatementAnalysis {
    if (statement === this.statement && timeline === this.timeline) return this;
    return new LazyStatementAnalysis(statement, this.effect, timeline, this.before, this.part);
  }
}

/** A statement's verdict carried over to an edited text where it stands unchanged (see incremental.ts). */
export function rebasedAnalysis(analysis: StatementAnalysis, statement: Statement, timeline: StatementTimeline): StatementAnalysis {
  if (!(analysis instanceof LazyStatementAnalysis)) throw new Error('rebasedAnalysis: not an analysis made by stepStatement');
  return analysis.rebased(statement, timeline);
}

function statementAnalysis(statement: Statement, effect: StatementEffect, timeline: StatementTimeline, catalog: Catalog, part: Part): StatementAnalysis {
  return new LazyStatementAnalysis(statement, effect, timeline, catalogView(effect, catalog), part);
}

interface CatalogView {
  indexes: ReadonlyMap<string, { table: string }>;
  fresh: ReadonlySet<string>;
  pending: PendingRelation[];
}

const NO_INDEXES: ReadonlyMap<string, { table: string }> = new Map();
const NO_RELATIONS: ReadonlySet<string> = new Set();
const NO_PENDING: PendingRelation[] = [];

/** The catalog facts `blocks` and `newRelations` read, for the statement's locked relations only. */
function catalogView(effect: StatementEffect, catalog: Catalog): CatalogView {
  let indexes: Map<string, { table: string }> | undefined;
  let fresh: Set<string> | undefined;
  let pending: PendingRelation[] | undefined;
  for (const lock of effect.locks) {
    const index = catalog.indexes.get(lock.relation);
    if (index) (indexes ??= new Map()).set(lock.relation, { table: index.table });
    if (catalog.isNew(lock.relation)) (fresh ??= new Set()).add(lock.relation);
    const creator = catalog.baseline && !lock.harmless ? catalog.pendingCreator(lock.relation) : undefined;
    if (creator && !fresh?.has(lock.relation)) {
      (fresh ??= new Set()).add(lock.relation);
      (pending ??= []).push({ relation: lock.relation, createdBy: creator, rows: catalog.relation(lock.relation)!.rows ?? 'none' });
    }
  }
  return { indexes: indexes ?? NO_INDEXES, fresh: fresh ?? NO_RELATIONS, pending: pending ?? NO_PENDING };
}

export function severityOf(rule: Rule, config: LockwiseConfig) {
  return config.rules[rule.id] ?? rule.defaultSeverity;
}

/** Shared: every statement outside a transaction has one (a run builds one per statement, edits and checked fixes included). */
const HELD_FOR_STATEMENT: HeldUntil = { kind: 'statement' };
const HELD_FOREVER: HeldUntil = { kind: 'never' };

function heldUntil(tx: Transaction | undefined, stmt: Statement): HeldUntil {
  if (!tx || stmt.kind === 'TransactionStmt') return HELD_FOR_STATEMENT;
  if (tx.implicit) return { kind: 'end-of-file', statement: tx.last };
  if (tx.end === undefined) return HELD_FOREVER;
  return { kind: tx.endKind === 'rollback' ? 'rollback' : 'commit', statement: tx.end };
}

function isIgnored(ignores: IgnoreSet, ruleId: string, stmt: Statement | undefined, lines: LineIndex): boolean {
  if (ignores.file.has(ruleId) || ignores.file.has('*')) return true;
  if (!stmt) return false;
  const line = lines.positionAt(stmt.span.start).line;
  for (const l of [line - 1, line]) {
    const set = ignores.byLine.get(l);
    if (set && (set.has(ruleId) || set.has('*'))) return true;
  }
  return false;
}

function nearestStatement(statements: Statement[], offset: number): number {
  const n = startingBy(statements, offset, (s) => s.span.start);
  return n > 0 ? statements[n - 1].index : 0;
}

/** How many of `items`, which stand in text order (statements, or their analyses), start at or before `offset`. */
function startingBy<T>(items: readonly T[], offset: number, start: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (start(items[mid]) <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function statementAt(analysis: Analysis, offset: number): StatementAnalysis | undefined {
  // Statements stand in text order, a DO block's body right after it and inside it, and top-level ones
  // do not overlap: from the last one that starts at or before the offset, back to the top-level one
  // before it, the first that holds the offset is the innermost (a hover scanned all 10,000 of a big file).
  const list = analysis.statements;
  for (let i = startingBy(list, offset, (s) => s.statement.span.start) - 1; i >= 0; i--) {
    const s = list[i].statement;
    if (offset <= Math.max(s.span.end, s.terminatorEnd)) return list[i];
    if (s.container === undefined) return undefined;
  }
  return undefined;
}

export type { Span };
