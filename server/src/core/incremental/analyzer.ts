/**
 * Incremental analysis for the editor: the analysis of an edited text, equal to `analyze(text)`,
 * computed from the previous run of the same document where that is sound.
 *
 * A statement's verdict depends on its text, the catalog and the rule state before it, its entry
 * in the timeline, and what its rules read of the statements of its own transaction or DO block.
 * So the previous run keeps, at *boundaries* (statement indexes that no transaction or DO block
 * spans) every CHECKPOINT_EVERY statements, a snapshot of the catalog (copy-on-write clones) and of
 * the rule state (each key's `atBoundary` form). An edit restarts the walk from the last snapshot
 * before the first changed statement (statements before it keep their verdicts and findings) and
 * stops at the first later boundary where the rest of the file is unchanged text, its timeline is
 * the same and the catalog and rule state equal the previous run's there: the rest of the verdicts
 * and findings are the previous run's, their offsets shifted. File rules, ignores and severities
 * always run over the whole file. Whatever this cannot prove (a runner, rollback parts, sizes, a
 * changed line count or statement count after the edit, ...) falls back to walking to the end.
 * `test/unit/incremental.test.ts` compares every result with a full analysis.
 */
import { DEFAULT_CONFIG } from '../config/config';
import { Catalog } from '../model/catalog';
import { Statement } from '../model/statements';
import { StatementTimeline, Transaction } from '../model/timeline';
import { ReportedFinding, Rule } from '../rules/types';
import { FileState, StateKey } from '../rules/support/state';
import {
  Analysis,
  AnalyzeOptions,
  enabledRules,
  fileContext,
  finishAnalysis,
  initialCatalog,
  PipelineFile,
  rebasedAnalysis,
  RuleRun,
  StatementAnalysis,
  stepStatement,
} from '../analyze';
import { deepEqual, plainCopy } from './equality';
import { NO_SHIFT, Shift, TextChange, textChange } from './shift';
import { ReadLog, recordReads } from './tracking';
import { Dirty } from './dirty';
import { eol } from '../rules/support/edits';

/** Statements between snapshots: an edit re-walks at most about this many before it. */
export const CHECKPOINT_EVERY = 64;

/** The catalog and rule state before statement `index` (a boundary). Never changed once taken. */
interface Checkpoint {
  index: number;
  catalog: Catalog;
  state: Map<StateKey<unknown>, unknown>;
}

type Raw = { rule: Rule; finding: ReportedFinding };

/** What a run keeps for the next one. */
interface Run {
  options: AnalyzeOptions;
  analysis: Analysis;
  /** False: the file is outside what incremental analysis handles; the next run is a full one. */
  incremental: boolean;
  /** The statement rules' findings in walk order; `rawAt[i]`..`rawAt[i + 1]` came from statement i. */
  raw: Raw[];
  rawAt: Int32Array;
  /** Internal errors in walk order, indexed like `raw`. */
  errors: string[];
  errorsAt: Int32Array;
  /** Per statement, what its lock model and its catalog step read (tracking.ts; undefined: everything). */
  modelReads: Reads[];
  applyReads: Reads[];
  /** The lock model threw on the statement (its verdict is not carried over: the error is reported again). */
  modelFailed: Uint8Array;
  checkpoints: Checkpoint[];
  eol: string;
}

type Reads = string[] | undefined;

export class IncrementalAnalyzer {
  private last?: Run;

  constructor(private readonly every = CHECKPOINT_EVERY) {}

  /** The analysis of `text` (equal to `analyze(text, options)`); it becomes the base of the next call. */
  analyze(text: string, options: AnalyzeOptions = {}): Analysis {
    this.last = this.compute(text, options);
    return this.last.analysis;
  }

  /** The analysis of a variant of the last text (a fix applied), without keeping it as the base. */
  peek(text: string, options: AnalyzeOptions = {}): Analysis {
    return this.compute(text, options).analysis;
  }

  /** Tests: how many statements the last call walked (the rest were carried over), and on how many of those the lock model's verdict was carried over. */
  walked = 0;
  modelsReused = 0;

  private compute(text: string, options: AnalyzeOptions): Run {
    const config = options.config ?? DEFAULT_CONFIG;
    const file = fileContext(text, config, options);
    const run = new RuleRun(enabledRules(config), config, options.everyRule);
    const walk = new Walk(file, run, options, this.every);
    const prev = this.last;
    const plan = walk.incremental && prev?.incremental && sameOptions(prev.options, options) ? planFrom(prev, file) : undefined;
    if (plan) walk.resume(prev!, plan);
    else walk.start();
    walk.walk(plan && prev);
    this.walked = walk.walked;
    this.modelsReused = walk.modelsReused;
    return walk.finish();
  }
}

/** Where an edit leaves the previous run: the changed characters and the statements before and after them. */
interface Plan {
  change: TextChange;
  /** Checkpoint (of the previous run) to restart from; statements before it keep their verdicts. */
  restart: Checkpoint;
  /** First statement (new index) from which text and timeline equal the previous run's, shifted. */
  sameFrom: number;
  /** First statement (same index in both runs) whose text or timeline changed. */
  first: number;
  /** New index minus old index, for statements after the edit. */
  statementDelta: number;
  lineDelta: number;
  /** How offsets and indexes of the previous run after the edit move. */
  shift: Shift;
}

function planFrom(prev: Run, file: PipelineFile): Plan | undefined {
  if (eol(file.text) !== prev.eol) return undefined;
  const old = prev.analysis;
  const change = textChange(old.text, file.text);
  const olds = old.statements;
  const news = file.statements;
  let first = 0;
  while (
    first < olds.length &&
    first < news.length &&
    sameStatement(olds[first].statement, news[first], NO_SHIFT) &&
    sameTimeline(olds[first].timeline, file.timeline.perStatement[first], NO_SHIFT.index)
  )
    first++;
  const restart = lastCheckpointAtOrBefore(prev.checkpoints, first);
  if (!restart || !isBoundary(file, restart.index)) return undefined;
  const statementDelta = news.length - olds.length;
  let firstAfter = first;
  while (firstAfter < olds.length && olds[firstAfter].statement.span.start < change.oldEnd) firstAfter++;
  const shift = change.shift(statementDelta, firstAfter);
  let sameFrom = news.length;
  while (sameFrom > first && sameFrom - 1 - statementDelta >= 0) {
    const o = olds[sameFrom - 1 - statementDelta];
    if (sameFrom - 1 - statementDelta < firstAfter) break;
    if (!sameStatement(o.statement, news[sameFrom - 1], shift) || !sameTimeline(o.timeline, file.timeline.perStatement[sameFrom - 1], shift.index)) break;
    sameFrom--;
  }
  const lineDelta = file.lines.lineCount - old.lines.lineCount;
  return { change, restart, first, sameFrom, statementDelta, lineDelta, shift };
}

/** One run: the walk over the new text, carrying over what the plan allows. */
class Walk {
  readonly incremental: boolean;
  readonly analyses: StatementAnalysis[];
  readonly rawAt: Int32Array;
  readonly errorsAt: Int32Array;
  readonly modelReads: Reads[];
  readonly applyReads: Reads[];
  readonly modelFailed: Uint8Array;
  readonly checkpoints: Checkpoint[] = [];
  private readonly log = new ReadLog();
  private catalog!: Catalog;
  private plan?: Plan;
  private dirty = new Dirty();
  private from = 0;
  private finalCatalog?: Catalog;
  walked = 0;
  /** Statements whose lock model verdict was carried over (tests). */
  modelsReused = 0;

  constructor(
    private readonly file: PipelineFile,
    private readonly run: RuleRun,
    private readonly options: AnalyzeOptions,
    private readonly every: number,
  ) {
    const n = file.statements.length;
    this.analyses = new Array(n);
    this.rawAt = new Int32Array(n + 1);
    this.errorsAt = new Int32Array(n + 1);
    this.modelReads = new Array(n);
    this.applyReads = new Array(n);
    this.modelFailed = new Uint8Array(n);
    // Rollback parts run in another order and state, a runner's units and sizes read across the
    // whole file: those files are analysed in full every time.
    this.incremental = !options.sizes && !options.everyRule && !file.runner && file.parts.every((p) => p === 'up');
  }

  start(): void {
    this.catalog = this.tracked(initialCatalog(this.options));
    this.file.state = new FileState();
  }

  private tracked(catalog: Catalog): Catalog {
    return this.incremental ? recordReads(catalog, this.log) : catalog;
  }

  /** Statements before the plan's checkpoint keep the previous run's verdicts, findings and snapshots. */
  resume(prev: Run, plan: Plan): void {
    this.plan = plan;
    const r = plan.restart.index;
    const timeline = this.file.timeline.perStatement;
    for (let i = 0; i < r; i++) {
      this.rawAt[i] = this.run.raw.length;
      this.errorsAt[i] = this.run.internalErrors.length;
      this.carry(prev, i, i, timeline[i]);
      for (let k = prev.rawAt[i]; k < prev.rawAt[i + 1]; k++) this.run.raw.push(prev.raw[k]);
      for (let k = prev.errorsAt[i]; k < prev.errorsAt[i + 1]; k++) this.run.internalErrors.push(prev.errors[k]);
    }
    for (const c of prev.checkpoints) if (c.index <= r) this.checkpoints.push(c);
    this.catalog = this.tracked(cloneCatalog(plan.restart.catalog, this.log));
    this.file.state = restoreState(plan.restart.state);
    this.from = r;
  }

  /** Walks from the restart point; with a previous run, stops where it converges with it. */
  walk(prev: Run | undefined): void {
    const { file } = this;
    const n = file.statements.length;
    for (let i = this.from; i < n; i++) {
      if (this.incremental && isBoundary(file, i) && this.dueCheckpoint(i)) {
        if (prev && this.converged(prev, i)) return;
        this.checkpoints.push({ index: i, catalog: cloneCatalog(this.catalog, this.log), state: canonicalState(file, i) });
      }
      this.step(i, prev);
    }
    this.rawAt[n] = this.run.raw.length;
    this.errorsAt[n] = this.run.internalErrors.length;
  }

  /**
   * One statement. With a previous run, a statement of the same text at the same index keeps its
   * lock model verdict unless it read a part of the catalog that may differ now; what its catalog
   * step touched may differ afterwards when it read such a part, or when its text changed.
   */
  private step(i: number, prev: Run | undefined): void {
    const { file, run, log } = this;
    const stmt = file.statements[i];
    const old = prev && this.plan ? this.counterpart(prev, i) : undefined;
    if (prev && this.plan && old === undefined && i < prev.applyReads.length) this.dirty.add(prev.applyReads[i]);
    const known = old !== undefined && !prev!.modelFailed[old] && !this.dirty.hits(prev!.modelReads[old]) ? prev!.analysis.statements[old].effect : undefined;
    this.rawAt[i] = run.raw.length;
    this.errorsAt[i] = run.internalErrors.length;
    log.take();
    const errorsBefore = run.internalErrors.length;
    this.analyses[i] = stepStatement(file, this.catalog, run, stmt, {
      effect: known,
      phase: (next) => {
        const reads = log.take();
        if (next !== 'rules') return;
        this.modelReads[i] = known ? prev!.modelReads[old!] : reads;
        this.modelFailed[i] = known || run.internalErrors.length === errorsBefore ? 0 : 1;
      },
    });
    const applied = log.take();
    this.applyReads[i] = applied;
    if (known) this.modelsReused++;
    if (old === undefined) this.dirty.add(applied);
    else if (this.dirty.hits(applied) || this.dirty.hits(prev!.applyReads[old])) {
      this.dirty.add(applied);
      this.dirty.add(prev!.applyReads[old]);
    }
    this.walked++;
  }

  /** The previous run's statement at the same index with the same text (the model and catalog step see only text, index and catalog). */
  private counterpart(prev: Run, i: number): number | undefined {
    if (this.plan!.statementDelta !== 0) return i < this.plan!.first ? i : undefined;
    const before = prev.analysis.statements[i];
    const s = this.file.statements[i];
    if (!before || !sameModelInput(before.statement, s)) return undefined;
    // The lock model reads the session's TimeZone too.
    return deepEqual(before.timeline.timeZone, this.file.timeline.perStatement[i]?.timeZone) ? i : undefined;
  }

  private dueCheckpoint(i: number): boolean {
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last?.index === i) return false;
    return !last || i - last.index >= this.every;
  }

  /**
   * At boundary `i`, where the previous run has a snapshot: the catalog difference becomes exact
   * again; when there is none, the rule state is the same and the rest of the file is the previous
   * run's (shifted), the rest is carried over and this returns true.
   */
  private converged(prev: Run, i: number): boolean {
    const plan = this.plan;
    if (!plan || plan.statementDelta !== 0) return false;
    const snapshot = prev.checkpoints.find((c) => c.index === i);
    if (!snapshot) return false;
    if (!this.dirty.empty) this.dirty = this.dirty.narrowed(this.catalog, snapshot.catalog, this.log);
    if (!this.dirty.empty || i < plan.sameFrom || plan.lineDelta !== 0) return false;
    if (!deepEqual(canonicalState(this.file, i), snapshot.state)) return false;
    const { shift } = plan;
    const n = this.file.statements.length;
    const raw: Raw[] = [];
    for (let k = prev.rawAt[i]; k < prev.rawAt[n]; k++) {
      const moved = shiftRaw(prev.raw[k], shift);
      if (!moved) return false;
      raw.push(moved);
    }
    const timeline = this.file.timeline.perStatement;
    for (let j = i; j < n; j++) {
      this.rawAt[j] = this.run.raw.length + (prev.rawAt[j] - prev.rawAt[i]);
      this.errorsAt[j] = this.run.internalErrors.length + (prev.errorsAt[j] - prev.errorsAt[i]);
      this.carry(prev, j, j, timeline[j]);
    }
    this.run.raw.push(...raw);
    for (let k = prev.errorsAt[i]; k < prev.errorsAt[n]; k++) this.run.internalErrors.push(prev.errors[k]);
    this.rawAt[n] = this.run.raw.length;
    this.errorsAt[n] = this.run.internalErrors.length;
    for (const c of prev.checkpoints) if (c.index >= i) this.checkpoints.push(c);
    this.finalCatalog = prev.analysis.finalCatalog;
    return true;
  }

  /** Statement `i` keeps the verdict of the previous run's statement `old` (same text, catalog and state before it). */
  private carry(prev: Run, i: number, old: number, timeline: StatementTimeline): void {
    const before = prev.analysis.statements[old];
    this.file.effects[i] = before.effect;
    this.analyses[i] = rebasedAnalysis(before, this.file.statements[i], timeline);
    this.modelReads[i] = prev.modelReads[old];
    this.applyReads[i] = prev.applyReads[old];
    this.modelFailed[i] = prev.modelFailed[old];
  }

  finish(): Run {
    const { file, run, options } = this;
    const n = file.statements.length;
    const raw = run.raw.slice(0, this.rawAt[n]);
    const errors = run.internalErrors.slice(0, this.errorsAt[n]);
    this.log.on = false;
    const analysis = finishAnalysis(file, run, this.analyses, this.finalCatalog ?? this.catalog, options);
    return {
      options,
      analysis,
      incremental: this.incremental,
      raw,
      rawAt: this.rawAt,
      errors,
      errorsAt: this.errorsAt,
      modelReads: this.modelReads,
      applyReads: this.applyReads,
      modelFailed: this.modelFailed,
      checkpoints: this.incremental ? this.checkpoints : [],
      eol: eol(file.text),
    };
  }
}

/**
 * No transaction and no DO block is open across the start of statement `i`: what its rules read of
 * other statements (their transaction's BEGIN and COMMIT, the statements between, the DO statement)
 * lies on its side.
 */
function isBoundary(file: PipelineFile, i: number): boolean {
  if (i === 0) return true;
  if (i >= file.statements.length || file.statements[i].container !== undefined) return false;
  const before = file.timeline.perStatement[i - 1]?.transaction;
  const here = file.timeline.perStatement[i]?.transaction;
  return (!before || before.end === i - 1) && (!here || here.begin === i);
}

function lastCheckpointAtOrBefore(checkpoints: Checkpoint[], index: number): Checkpoint | undefined {
  let found: Checkpoint | undefined;
  for (const c of checkpoints) if (c.index <= index) found = c;
  return found;
}

/** The same inputs besides the text: the server builds them anew for each run, so compared as data (the history catalog is memoised). */
function sameOptions(a: AnalyzeOptions, b: AnalyzeOptions): boolean {
  return (
    a.history === b.history &&
    a.sizes === b.sizes &&
    a.everyRule === b.everyRule &&
    deepEqual(a.config, b.config) &&
    deepEqual(a.runner, b.runner) &&
    deepEqual(a.baseline, b.baseline)
  );
}

/**
 * The fields compared below. A field added to these types later is not known to be compared
 * here: objects that have one never count as the same (a full walk), until it is added here.
 */
const STATEMENT_FIELDS = new Set(['index', 'span', 'text', 'kind', 'node', 'error', 'container', 'condition', 'reads', 'terminated', 'terminatorEnd']);
const TIMELINE_FIELDS = new Set(['transaction', 'lockTimeout', 'statementTimeout', 'timeZone', 'nestedBegin', 'unit']);
const TRANSACTION_FIELDS = new Set(['id', 'begin', 'end', 'endKind', 'implicit', 'runner', 'last']);

function onlyKnown(o: object, fields: ReadonlySet<string>): boolean {
  for (const k in o) if (!fields.has(k)) return false;
  return true;
}

/** What the lock model reads of a statement besides the catalog: its text (parse trees are cached by text), its condition in a DO body, a DO block's own queries. */
function sameModelInput(a: Statement, b: Statement): boolean {
  return (
    onlyKnown(a, STATEMENT_FIELDS) &&
    onlyKnown(b, STATEMENT_FIELDS) &&
    a.text === b.text &&
    a.kind === b.kind &&
    a.condition === b.condition &&
    sameReads(a.reads, b.reads)
  );
}

function sameReads(a: Statement['reads'], b: Statement['reads']): boolean {
  if (!a || !b) return a === b;
  return (
    a.length === b.length && a.every((r, k) => r.condition === b[k].condition && (r.node === b[k].node || JSON.stringify(r.node) === JSON.stringify(b[k].node)))
  );
}

/** Same text, kind and shape at offsets moved by `shift`. */
function sameStatement(a: Statement, b: Statement, shift: Shift): boolean {
  return (
    sameModelInput(a, b) &&
    shift.offset(a.span.start) === b.span.start &&
    shift.offset(a.span.end) === b.span.end &&
    shift.offset(a.terminatorEnd) === b.terminatorEnd &&
    a.terminated === b.terminated &&
    (a.container === undefined ? b.container === undefined : shift.index(a.container) === b.container) &&
    a.error?.message === b.error?.message &&
    (a.error === undefined || shift.offset(a.error.offset) === b.error?.offset)
  );
}

/** The same transaction and settings, statement indexes moved by `index` (transaction ids are only compared within a run). */
function sameTimeline(a: StatementTimeline | undefined, b: StatementTimeline | undefined, index: (i: number) => number): boolean {
  if (!a || !b) return a === b;
  return (
    onlyKnown(a, TIMELINE_FIELDS) &&
    onlyKnown(b, TIMELINE_FIELDS) &&
    sameTransaction(a.transaction, b.transaction, index) &&
    sameSetting(a.lockTimeout, b.lockTimeout, index) &&
    sameSetting(a.statementTimeout, b.statementTimeout, index) &&
    a.nestedBegin === b.nestedBegin &&
    a.unit === b.unit &&
    sameZone(a.timeZone, b.timeZone, index)
  );
}

function sameTransaction(a: Transaction | undefined, b: Transaction | undefined, index: (i: number) => number): boolean {
  if (!a || !b) return a === b;
  const at = (x: number | undefined) => (x === undefined ? undefined : index(x));
  return (
    onlyKnown(a, TRANSACTION_FIELDS) &&
    onlyKnown(b, TRANSACTION_FIELDS) &&
    a.implicit === b.implicit &&
    at(a.begin) === b.begin &&
    at(a.end) === b.end &&
    a.endKind === b.endKind &&
    at(a.last) === b.last &&
    a.runner === b.runner
  );
}

function sameZone(a: StatementTimeline['timeZone'], b: StatementTimeline['timeZone'], index: (i: number) => number): boolean {
  if (!a || !b) return a === b;
  return a.text === b.text && a.utc === b.utc && index(a.setAt) === b.setAt && a.local === b.local;
}

function sameSetting(a: StatementTimeline['lockTimeout'], b: StatementTimeline['lockTimeout'], index: (i: number) => number): boolean {
  if (!a || !b) return a === b;
  return a.ms === b.ms && index(a.setAt) === b.setAt && a.local === b.local && a.text === b.text;
}

/**
 * The rule state at boundary `i` in its snapshot form (each key's `atBoundary`), as plain copies.
 * Keys no statement used yet are created with their initial value (as their first use would):
 * a key whose boundary form reads the statements before `i` differs between two texts even so.
 */
function canonicalState(file: PipelineFile, i: number): Map<StateKey<unknown>, unknown> {
  const out = new Map<StateKey<unknown>, unknown>();
  for (const key of StateKey.all) {
    const value = file.state.get(key);
    out.set(key, plainCopy(key.options.atBoundary ? key.options.atBoundary(value, file, i) : value));
  }
  return out;
}

function restoreState(snapshot: Map<StateKey<unknown>, unknown>): FileState {
  const state = new FileState();
  for (const [key, value] of snapshot) state.set(key, plainCopy(value));
  return state;
}

/**
 * A copy-on-write clone with the analysis settings `clone()` leaves to its caller (in the file,
 * baseline, current statement); the copy records nothing and copying is not a read.
 */
function cloneCatalog(catalog: Catalog, log: ReadLog): Catalog {
  const was = log.on;
  log.on = false;
  const copy = catalog.clone();
  log.on = was;
  copy.inFile = catalog.inFile;
  copy.migration = catalog.migration;
  copy.baseline = catalog.baseline;
  copy.currentStatement = catalog.currentStatement;
  return copy;
}

/** A previous run's finding at its place in the new text; undefined when an offset falls inside the edit. */
function shiftRaw(raw: Raw, shift: Shift): Raw | undefined {
  const f = raw.finding;
  const span = shift.span(f.span);
  if (!span) return undefined;
  let related = f.related;
  if (related) {
    const moved = related.map((r) => ({ r, span: shift.span(r.span) }));
    if (moved.some((m) => !m.span)) return undefined;
    related = moved.map((m) => ({ ...m.r, span: m.span! }));
  }
  let fix = f.fix;
  if (fix) {
    const edits = fix.edits.map((e) => ({ e, span: shift.span(e) }));
    if (edits.some((m) => !m.span)) return undefined;
    fix = { ...fix, edits: edits.map((m) => ({ ...m.e, start: m.span!.start, end: m.span!.end })) };
  }
  return { rule: raw.rule, finding: { ...f, span, statement: shift.index(f.statement), ...(related ? { related } : {}), ...(fix ? { fix } : {}) } };
}
