/**
 * Incremental analysis for the editor: the analysis of an edited text, equal to `analyze(text)`,
 * computed from the previous run of the same document where that is sound.
 *
 * A statement's verdict depends on its text, the catalog and the rule state before it, its entry
 * in the timeline, and what its rules read of the statements of its own transaction or DO block.
 * The previous run keeps, at *boundaries* (statement indexes that no transaction or DO block
 * spans) every CHECKPOINT_EVERY statements, a snapshot of the catalog (a copy-on-write clone) and
 * of the rule state (each key's `atBoundary` form), and for every statement what its lock model,
 * its rules and its catalog step read (tracking.ts). An edit restarts the walk from the last
 * snapshot before the first changed statement; statements before it keep verdicts and findings.
 * From there the walk keeps a set of what may differ from the previous run (dirty.ts): the
 * entries the changed statements touched, entries derived from their text, line numbers when the
 * line count changed. A statement of unchanged text whose lock model read nothing in the set keeps
 * its verdict. The walk stops at a later boundary where the rest of the text and timeline are the
 * previous run's (shifted), the rule state equals its snapshot and no later statement of the
 * previous run read anything in the set: the rest of the verdicts and findings are carried over,
 * offsets and indexes shifted, and the snapshots after it are patched with the entries that
 * differ. File rules, ignores and severities always run over the whole file. What this cannot
 * follow (a runner, rollback parts, sizes) is analysed in full.
 * `test/unit/incremental.test.ts` compares every result with a full analysis.
 */
import { DEFAULT_CONFIG } from '../config/config';
import { Catalog } from '../model/catalog';
import { buildStatements, Statement, StatementList } from '../model/statements';
import { rebuiltStatements } from './statements';
import { StatementTimeline, Timeline, Transaction } from '../model/timeline';
import { Finding, ReportedFinding, Rule, StatementContext } from '../rules/types';
import { RULES_BY_ID } from '../rules/registry';
import { FileState, StateKey } from '../rules/support/state';
import { LINE_NUMBERS } from '../rules/support/context';
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
  walkStatements,
} from '../analyze';
import { deepEqual, plainCopy } from './equality';
import { NO_SHIFT, Shift, TextChange, textChange } from './shift';
import { KEY, ReadLog, recordReads, scalarFields } from './tracking';
import { applyPatch, CatalogAt, CatalogPatch, Dirty, mergePatches } from './dirty';
import { eol } from '../rules/support/edits';
import { LineIndex } from '../text/positions';

/**
 * Statements between snapshots, at least: an edit re-walks about this many before it, and about
 * this many around each later statement that reads what it changed (skipAhead). Long files get at
 * most MAX_CHECKPOINTS (each snapshot keeps the map entries of a catalog: about 12 MB more heap
 * for a 10,000-statement file at 160 than at 40). At 1,000 statements, 8 instead of 64 walks 19
 * statements per edit of the bench instead of 107 (CPU p50 33 -> 14 ms) for 2 MB more heap; on
 * long files a denser spacing does not pay: a snapshot copies the catalog's maps, and the copies
 * cost what the shorter walks save (10,000 statements: 16 per snapshot walks 220 instead of 711,
 * at the same CPU and 42 MB more heap).
 */
export const CHECKPOINT_EVERY = 8;
const MAX_CHECKPOINTS = 160;
/**
 * Snapshots next to the statements after an edit that read what it changed (nearHit), at most,
 * kept and taken together: the next edit, most often typed at the same place, restarts right
 * before each and goes on right after it instead of walking the ~63 statements between two regular
 * snapshots of a 10,000-statement file around each (the bench's edit: 711 -> 61 statements walked).
 * They pay because a snapshot's catalog copies only what changed since its maps were last
 * flattened (model/layered.ts); with full copies they cost what they saved.
 */
const MAX_HIT_SNAPSHOTS = 256;

/** The catalog (with the entries later runs replaced) and rule state before statement `index`, a boundary. Never changed once taken. */
interface Checkpoint extends CatalogAt {
  index: number;
  state: Map<StateKey<unknown>, unknown>;
  /** Taken besides the regular ones: next to a change (nearChange), next to a statement that read what it changed (nearHit). */
  near?: 'change' | 'hit';
}

type Raw = { rule: Rule; finding: ReportedFinding };
type Reads = string[] | undefined;

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
  /** Per statement, what its lock model, its rules and its catalog step read (undefined: everything). */
  modelReads: Reads[];
  ruleReads: Reads[];
  applyReads: Reads[];
  /** The lock model threw on the statement (its verdict is not carried over: the error is reported again). */
  modelFailed: Uint8Array;
  /** Per statement, the rules that used rule state on it (they run again; the others' findings can be carried over). */
  stateRules: (readonly Rule[] | undefined)[];
  checkpoints: Checkpoint[];
  /** The statements after the change walked because they read what it changed, in order (nearHit). */
  hits: number[];
  eol: string;
  /** The split of the text (undefined when a runner hid part of it): the next run re-splits only around its edit. */
  list?: StatementList;
  /** A line-blind run (peekLineBlind) after lines moved: the strings of findings from this statement on may name old lines. */
  staleFrom?: number;
}

/**
 * A variant's analysis for a fix's check (peekLineBlind). It equals `analyze(text)` but for the
 * strings of the findings `staleLines` names: those may name the line numbers the previous text
 * had (they were carried over across a change that moved lines, or come from a DO block after it,
 * kept with its conditions as they were, or from what such a block's conditions reach: later
 * statements and file rules). Line numbers only ever enter
 * strings (lineOf, DO-block conditions): which findings exist, their rules, severities and spans
 * are the same (test/unit/fixCheck.test.ts compares both on every fix of the fixtures and corpus).
 */
export interface LineBlindAnalysis {
  analysis: Analysis;
  staleLines(finding: Finding): boolean;
}

export class IncrementalAnalyzer {
  private last?: Run;
  /** Tests: how many statements the last call walked (the rest were carried over), and on how many of those the lock model's verdict was carried over. */
  walked = 0;
  modelsReused = 0;
  /** Statements after the edit carried over with the walk going on after them (skipAhead). */
  skipped = 0;
  rulesReused = 0;
  /** Whether the last call split and parsed only the part of the text around the edit (statements.ts). */
  resplit = false;

  /** `every`: statements between snapshots, at least (tests take few, to exercise restarts on small files). */
  constructor(private readonly every = CHECKPOINT_EVERY) {}

  /** The analysis of `text` (equal to `analyze(text, options)`); it becomes the base of the next call. */
  analyze(text: string, options: AnalyzeOptions = {}): Analysis {
    this.last = this.compute(text, options, { keep: true });
    return this.last.analysis;
  }

  /** The analysis of a variant of the last text (a fix applied), without keeping it as the base. */
  peek(text: string, options: AnalyzeOptions = {}): Analysis {
    return this.compute(text, options).analysis;
  }

  /**
   * Like `peek`, for a fix's check, which counts findings by rule, severity and message: when the
   * variant moves lines, what a line number is all that differs from the last run is carried over
   * unchanged (the walk stops as if lines had not moved), so the strings of those findings may
   * name lines of the last text. So may the conditions of the DO blocks after the change: their
   * statements are not built again (statements.ts). `staleLines` says which findings may: those
   * of the statements from the change on, and of file rules (see LineBlindAnalysis).
   */
  peekLineBlind(text: string, options: AnalyzeOptions = {}): LineBlindAnalysis {
    const run = this.compute(text, options, { lineBlind: true });
    const from = run.staleFrom;
    if (from === undefined) return { analysis: run.analysis, staleLines: () => false };
    return { analysis: run.analysis, staleLines: (f) => f.statement >= from || !!RULES_BY_ID.get(f.rule)?.checkFile };
  }

  /** `keep`: the run is the next one's base (a peek takes no snapshots: no run starts from it). */
  private compute(text: string, options: AnalyzeOptions, how: { keep?: true; lineBlind?: true } = {}): Run {
    const lineBlind = !!how.lineBlind;
    const config = options.config ?? DEFAULT_CONFIG;
    const prev = this.last;
    const change = prev && textChange(prev.analysis.text, text);
    let list: StatementList | undefined;
    this.resplit = false;
    const build = (visible: string) => {
      // Kept for the next run only when it is the split of the text itself (no runner hides part of it).
      if (visible !== text) return buildStatements(visible);
      const rebuilt = prev?.list && change ? rebuiltStatements(text, prev.analysis.text, prev.list, change, lineBlind) : undefined;
      this.resplit = !!rebuilt;
      return (list = rebuilt ?? buildStatements(text));
    };
    const lines = prev && change ? LineIndex.edited(prev.analysis.lines, text, change) : undefined;
    const file = fileContext(text, config, options, build, lines);
    const run = new RuleRun(enabledRules(config), config, options.everyRule);
    const walk = new Walk(file, run, options, Math.max(this.every, Math.ceil(file.statements.length / MAX_CHECKPOINTS)), !!how.keep);
    const plan = walk.incremental && prev?.incremental && change && sameOptions(prev.options, options) ? planFrom(prev, file, change, lineBlind) : undefined;
    if (!(plan && prev && walk.resume(prev, plan))) walk.start();
    walk.walk();
    this.walked = walk.walked;
    this.modelsReused = walk.modelsReused;
    this.rulesReused = walk.rulesReused;
    this.skipped = walk.skipped;
    const moved = lineBlind && prev && change && file.lines.lineCount !== prev.analysis.lines.lineCount;
    return walk.finish(list, moved ? firstFrom(file.statements, change.start) : undefined);
  }
}

/** Where an edit leaves the previous run: the changed characters and the statements before and after them. */
interface Plan {
  prev: Run;
  change: TextChange;
  /** Checkpoint (of the previous run) to restart from; statements before it keep their verdicts. */
  restart: Checkpoint;
  /** First statement (same index in both runs) whose text or timeline changed. */
  first: number;
  /** From this statement on (new index), statement `index` stands where the previous run's `index - statementDelta` stood (shifted), its text perhaps changed. */
  aligned: number;
  /** From this statement on (new index), text, offsets and timeline equal the previous run's, shifted. */
  sameFrom: number;
  /** New index minus old index, for statements after the edit. */
  statementDelta: number;
  lineDelta: number;
  /** How offsets and indexes of the previous run after the edit move. */
  shift: Shift;
  /** Lines moved and the run is line-blind (peekLineBlind): line numbers count as the same. */
  lineBlind: boolean;
}

function planFrom(prev: Run, file: PipelineFile, change: TextChange, lineBlind: boolean): Plan | undefined {
  if (eol(file.text) !== prev.eol) return undefined;
  const old = prev.analysis;
  const olds = old.statements;
  const news = file.statements;
  const timeline = file.timeline.perStatement;
  let first = 0;
  while (
    first < olds.length &&
    first < news.length &&
    sameStatement(olds[first].statement, news[first], NO_SHIFT) &&
    sameTimeline(olds[first].timeline, timeline[first], NO_SHIFT.index)
  )
    first++;
  first = firstOnChangedLines(old.text, olds, first, change.start);
  const restart = lastCheckpointAtOrBefore(prev.checkpoints, first);
  if (!restart || !isBoundary(file, restart.index)) return undefined;
  const statementDelta = news.length - olds.length;
  let firstAfter = first;
  while (firstAfter < olds.length && olds[firstAfter].statement.span.start < change.oldEnd) firstAfter++;
  const shift = change.shift(statementDelta, firstAfter);
  let aligned = first;
  while (aligned < news.length && news[aligned].span.start < change.newEnd) aligned++;
  // The statements after the change line up with the previous run's, shifted (else none do).
  const o = olds[aligned - statementDelta];
  if (aligned < news.length && (!o || aligned - statementDelta < firstAfter || shift.offset(o.statement.span.start) !== news[aligned].span.start))
    aligned = news.length;
  while (aligned < news.length && onChangedLine(old.text, file.text, change, news[aligned].span.start)) aligned++;
  const lineDelta = file.lines.lineCount - old.lines.lineCount;
  const blind = lineBlind && lineDelta !== 0;
  let sameFrom = news.length;
  while (sameFrom > first && sameFrom - 1 - statementDelta >= firstAfter) {
    const o = olds[sameFrom - 1 - statementDelta];
    if (!sameStatement(o.statement, news[sameFrom - 1], shift, blind) || !sameTimeline(o.timeline, timeline[sameFrom - 1], shift.index)) break;
    sameFrom--;
  }
  return { prev, change, restart, first, aligned, sameFrom: Math.max(sameFrom, aligned), statementDelta, lineDelta, shift, lineBlind: blind };
}

/**
 * Rules read the lines a statement stands on besides its text: the indentation before it, what
 * follows its `;` (fixes insert and remove whole lines: rules/support/edits.ts, fixes/placement.ts).
 * Statements before the change whose last line it touches count as changed: the first of them, or
 * `first`. Statements inside a DO block are passed over (their block may end on that line).
 */
function firstOnChangedLines(text: string, olds: StatementAnalysis[], first: number, changeStart: number): number {
  for (let k = first - 1; k >= 0; k--) {
    const s = olds[k].statement;
    if (!hasLineBreak(text, s.terminatorEnd, changeStart)) first = k;
    else if (s.container === undefined) break;
  }
  return first;
}

/**
 * Whether the change touches the line on which a later statement starts at `start` (new text): no
 * line break after it before `start`, and it does not end with one in both texts (a deletion
 * right after a line break took characters of the line).
 */
function onChangedLine(before: string, after: string, change: TextChange, start: number): boolean {
  if (hasLineBreak(after, change.newEnd, start)) return false;
  return !(isLineBreak(after.charCodeAt(change.newEnd - 1)) && isLineBreak(before.charCodeAt(change.oldEnd - 1)));
}

function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (isLineBreak(text.charCodeAt(k))) return true;
  return false;
}

function isLineBreak(c: number): boolean {
  return c === 10 || c === 13;
}

/** One run: the walk over the new text, carrying over what the plan allows. */
class Walk {
  readonly incremental: boolean;
  readonly analyses: StatementAnalysis[];
  readonly rawAt: Int32Array;
  readonly errorsAt: Int32Array;
  readonly modelReads: Reads[];
  readonly ruleReads: Reads[];
  readonly applyReads: Reads[];
  readonly modelFailed: Uint8Array;
  readonly stateRules: (readonly Rule[] | undefined)[];
  readonly checkpoints: Checkpoint[] = [];
  private readonly log = new ReadLog();
  /** The rule running now, and the rules of the current statement that used rule state. */
  private readonly stateUse: StateUse = { touching: [] };
  /** The last statement whose lock model ran in this walk (rules read the verdicts of earlier statements of their transaction). */
  private lastModelRun = -1;
  /** Statements whose rules' findings were carried over in part (tests). */
  rulesReused = 0;
  private catalog!: Catalog;
  private plan?: Plan;
  private dirty = new Dirty();
  /** The last statement of the previous run whose reads hit `dirty`, for `dirty.version` (-1: none). */
  private lastHit?: { version: number; index: number };
  /** The first statement of the previous run from `from` on whose reads hit `dirty`, for `dirty.version`. */
  private nextHit?: { version: number; from: number; index: number };
  private from = 0;
  private finalCatalog?: Catalog;
  /** The extra snapshot after the change is taken. */
  private nearAfter = false;
  /** Statements after the change walked because they read what it changed; one of them since the last boundary; snapshots next to them taken or kept. */
  private readonly hits: number[] = [];
  private hitSince = false;
  private hitSnapshots = 0;
  /** The previous run's snapshots next to the statements it walked for reading what its change made differ (nextToHit). */
  private nearHits?: Set<Checkpoint>;
  /** The previous run's snapshots by the index they stand at in this run (after the change only). */
  private aligned?: Map<number, Checkpoint>;
  walked = 0;
  modelsReused = 0;
  skipped = 0;

  constructor(
    private readonly file: PipelineFile,
    private readonly run: RuleRun,
    private readonly options: AnalyzeOptions,
    private readonly every: number,
    /** Snapshots are taken (and carried over) for the next run. */
    private readonly snapshots: boolean,
  ) {
    const n = file.statements.length;
    this.analyses = new Array(n);
    this.rawAt = new Int32Array(n + 1);
    this.errorsAt = new Int32Array(n + 1);
    this.modelReads = new Array(n);
    this.ruleReads = new Array(n);
    this.applyReads = new Array(n);
    this.modelFailed = new Uint8Array(n);
    this.stateRules = new Array(n);
    // Rollback parts run in another order and state, a runner's units and sizes read across the
    // whole file: those files are analysed in full every time.
    this.incremental = !options.sizes && !options.everyRule && !file.runner && file.parts.every((p) => p === 'up');
    if (this.incremental) file.noteRead = readNoter(this.log);
  }

  start(): void {
    this.catalog = this.tracked(initialCatalog(this.options));
    this.useState(new FileState());
  }

  /** The rule state, watched: which rule uses which key (derived keys and memos do not carry state). */
  private useState(state: FileState): void {
    this.file.state = state;
    if (!this.incremental) return;
    state.onAccess = stateWatcher(this.stateUse);
  }

  private tracked(catalog: Catalog): Catalog {
    // A catalog with a structure reads cannot be recorded on: analysed in full, every time.
    if (this.incremental && !recordReads(catalog, this.log)) (this as { incremental: boolean }).incremental = false;
    return catalog;
  }

  /** Statements before the plan's checkpoint keep the previous run's verdicts, findings and snapshots (false: start over). */
  resume(prev: Run, plan: Plan): boolean {
    this.catalog = this.tracked(applyPatch(cloneCatalog(plan.restart.catalog, this.log), plan.restart.patch));
    if (!this.incremental) return false;
    this.plan = plan;
    const r = plan.restart.index;
    keepTimelineBefore(this.file.timeline, prev.analysis.timeline, r);
    const timeline = this.file.timeline.perStatement;
    for (let i = 0; i < r; i++) {
      this.rawAt[i] = this.run.raw.length;
      this.errorsAt[i] = this.run.internalErrors.length;
      this.carry(prev, i, i, timeline[i]);
      for (let k = prev.rawAt[i]; k < prev.rawAt[i + 1]; k++) this.run.raw.push(prev.raw[k]);
      for (let k = prev.errorsAt[i]; k < prev.errorsAt[i + 1]; k++) this.run.internalErrors.push(prev.errors[k]);
    }
    if (this.snapshots) for (const c of prev.checkpoints) if (c.index <= r && (c === plan.restart || this.keeps(c, c.index))) this.checkpoints.push(c);
    this.useState(restoreState(plan.restart.state));
    this.from = r;
    return true;
  }

  /** Walks from the restart point; with a previous run, stops where it converges with it. */
  walk(): void {
    const { file } = this;
    const n = file.statements.length;
    if (!this.incremental) return this.walkInFull();
    for (let i = this.from; i < n; i++) {
      // Before any comparison with a snapshot of the previous run here: the change may end right at this statement.
      if (this.plan && i === this.plan.first) this.enterChange(this.plan);
      if (this.incremental && isBoundary(file, i)) {
        const snapshot = this.alignedSnapshot(i);
        if (snapshot) {
          if (this.converged(i, snapshot)) return;
          const to = this.skipAhead(i, snapshot);
          if (to !== undefined) i = to;
        }
        if (this.snapshots) this.snapshotAt(i);
        this.hitSince = false;
      }
      this.step(i);
    }
    this.rawAt[n] = this.run.raw.length;
    this.errorsAt[n] = this.run.internalErrors.length;
  }

  /**
   * A run the next one cannot start from (a runner, sizes, rollback parts) is `analyze`'s own walk,
   * without the bookkeeping of reads: the rollback parts come after the whole up part, which text
   * order does not give when they are interleaved (Liquibase's `--rollback` after each changeset).
   */
  private walkInFull(): void {
    const n = this.file.statements.length;
    const { statements, finalCatalog } = walkStatements(this.file, this.catalog, this.run);
    for (let i = 0; i < n; i++) this.analyses[i] = statements[i];
    this.finalCatalog = finalCatalog;
    this.rawAt[n] = this.run.raw.length;
    this.errorsAt[n] = this.run.internalErrors.length;
    this.walked = n;
  }

  /** A snapshot before boundary `i` when one is due, or next to the change. */
  private snapshotAt(i: number): void {
    const due = this.dueCheckpoint(i);
    const near = due ? undefined : this.nearChange(i) ? 'change' : this.nearHit(i) ? 'hit' : undefined;
    if (due || near)
      this.checkpoints.push({ index: i, catalog: cloneCatalog(this.catalog, this.log), state: canonicalState(this.file, i), ...(near ? { near } : {}) });
  }

  /** What the changed statements of the previous run touched, and line numbers when lines moved, may differ now. */
  private enterChange(plan: Plan): void {
    const { prev } = plan;
    for (let o = plan.first; o < plan.aligned - plan.statementDelta; o++) {
      this.dirty.add(prev.applyReads[o]);
      this.dirty.add(derivedKeys(prev.analysis.statements[o].statement));
    }
    if (plan.lineDelta !== 0) this.dirty.add([LINE_NUMBERS], true);
  }

  /**
   * One statement. With a previous run, a statement of the same model input keeps its lock model
   * verdict unless the model read something that may differ now; what its catalog step touched
   * may differ afterwards when it read such a thing, or when its text changed.
   */
  private step(i: number): void {
    const { file, run, log } = this;
    const prev = this.plan?.prev;
    const stmt = file.statements[i];
    const old = prev ? this.counterpart(prev, i) : undefined;
    const plan = this.plan;
    if (plan && old === undefined && i >= plan.aligned) {
      // A statement after the change whose text (or DO-body condition) changed with it.
      const o = plan.prev.analysis.statements[i - plan.statementDelta].statement;
      this.dirty.add(plan.prev.applyReads[o.index]);
      this.dirty.add(derivedKeys(o));
    }
    const known = old !== undefined && !prev!.modelFailed[old] && !this.dirty.hits(prev!.modelReads[old]) ? prev!.analysis.statements[old].effect : undefined;
    if (old !== undefined && i >= plan!.aligned && this.hitAt(prev!, old)) {
      this.hits.push(i);
      this.hitSince = true;
    }
    this.rawAt[i] = run.raw.length;
    this.errorsAt[i] = run.internalErrors.length;
    log.take();
    const errorsBefore = run.internalErrors.length;
    let scalars: [string, unknown][] = [];
    const carried = known && this.carriedRules(i, old!);
    this.stateUse.touching = [];
    this.analyses[i] = stepStatement(file, this.catalog, run, stmt, {
      effect: known,
      rules: (rules, ctx, where) => this.runRules(rules, ctx, where, carried || undefined),
      phase: (next) => {
        const reads = log.take();
        if (next === 'apply') {
          this.ruleReads[i] = carried ? union(prev!.ruleReads[old!], reads) : reads;
          this.stateRules[i] = this.stateUse.touching.length ? this.stateUse.touching : undefined;
          scalars = scalarFields(this.catalog);
          return;
        }
        this.modelReads[i] = known ? prev!.modelReads[old!] : reads;
        this.modelFailed[i] = known || run.internalErrors.length === errorsBefore ? 0 : 1;
      },
    });
    const applied = log.take();
    // A catalog value every statement may read (the search_path) written: where it may differ, everything may.
    for (const [k, [field, value]] of scalarFields(this.catalog).entries())
      if (scalars[k]?.[0] !== field || scalars[k][1] !== value) applied?.push(KEY.scalar + field);
    this.applyReads[i] = applied;
    if (known) this.modelsReused++;
    else this.lastModelRun = i;
    if (carried) this.rulesReused++;
    if (old === undefined) {
      this.dirty.add(applied);
      this.dirty.add(derivedKeys(stmt));
    } else if (this.dirty.hits(applied) || this.dirty.hits(prev!.applyReads[old])) {
      this.dirty.add(applied);
      this.dirty.add(prev!.applyReads[old]);
    }
    this.walked++;
  }

  /**
   * The rules' findings on the previous run's statement `old` (shifted), by rule, when they still
   * hold for statement `i`: nothing its rules read may differ, its transaction or DO block lies
   * wholly outside the changed part (rules read its other statements), and it had no internal
   * error. Rules that used rule state there run again (`stateful`).
   */
  private carriedRules(i: number, old: number): CarriedFindings | undefined {
    const plan = this.plan!;
    const { prev } = plan;
    if (prev.errorsAt[old + 1] !== prev.errorsAt[old] || this.dirty.hits(prev.ruleReads[old])) return undefined;
    const [lo, hi] = segmentOf(this.file, i);
    if (this.lastModelRun >= lo) return undefined;
    const before = hi < plan.first && lo >= plan.restart.index;
    if (!before && !(lo >= plan.aligned && this.alignedSegment(prev, i, old, hi))) return undefined;
    const shift = before ? NO_SHIFT : plan.shift;
    const byRule = new Map<Rule, Raw[]>();
    for (let k = prev.rawAt[old]; k < prev.rawAt[old + 1]; k++) {
      const moved = shiftRaw(prev.raw[k], shift);
      if (!moved) return undefined;
      const list = byRule.get(moved.rule);
      if (list) list.push(moved);
      else byRule.set(moved.rule, [moved]);
    }
    return { byRule, stateful: new Set(prev.stateRules[old] ?? []) };
  }

  /**
   * After the change: the statement's timeline is the previous run's (shifted) and the rest of its
   * transaction has the same text (the part before it is covered by `lastModelRun`). Long
   * transactions are not searched.
   */
  private alignedSegment(prev: Run, i: number, old: number, hi: number): boolean {
    const plan = this.plan!;
    if (!sameTimeline(prev.analysis.statements[old].timeline, this.file.timeline.perStatement[i], plan.shift.index)) return false;
    if (hi - i > 256) return false;
    for (let k = i + 1; k <= hi; k++) {
      const o = prev.analysis.statements[k - plan.statementDelta]?.statement;
      if (!o || !sameModelInput(o, this.file.statements[k])) return false;
    }
    return true;
  }

  /** Each rule in order: run (its use of rule state noted), or its carried findings. */
  private runRules(rules: Rule[], ctx: StatementContext, where: () => string, carried?: CarriedFindings): void {
    for (const rule of rules) {
      if (carried && !carried.stateful.has(rule)) {
        for (const raw of carried.byRule.get(rule) ?? []) this.run.raw.push(raw);
        continue;
      }
      this.stateUse.rule = rule;
      this.run.statementRulesOn([rule], ctx, where);
    }
    this.stateUse.rule = undefined;
  }

  /** The previous run's statement this one continues (same model input), when outside the changed part. */
  private counterpart(prev: Run, i: number): number | undefined {
    const plan = this.plan!;
    const old = i < plan.first ? i : i >= plan.aligned ? i - plan.statementDelta : undefined;
    if (old === undefined || (i >= plan.aligned && !sameModelInput(prev.analysis.statements[old].statement, this.file.statements[i]))) return undefined;
    // The lock model reads the session's TimeZone too.
    return deepEqual(prev.analysis.statements[old].timeline.timeZone, this.file.timeline.perStatement[i]?.timeZone) ? old : undefined;
  }

  /** The previous run's snapshot before the statement that stood where statement `i` stands (after the change). */
  private alignedSnapshot(i: number): Checkpoint | undefined {
    const plan = this.plan;
    if (!plan || i < plan.aligned) return undefined;
    if (!this.aligned) {
      this.aligned = new Map();
      for (const c of plan.prev.checkpoints) if (c.index + plan.statementDelta >= plan.aligned) this.aligned.set(c.index + plan.statementDelta, c);
    }
    return this.aligned.get(i);
  }

  /**
   * An extra snapshot at the last boundary before the change and the first one after it: the next
   * edit, most often typed at the same place, restarts right before it and may stop right after.
   */
  private nearChange(i: number): boolean {
    const plan = this.plan;
    if (!plan) return false;
    const taken = this.checkpoints[this.checkpoints.length - 1]?.index === i;
    if (i >= plan.aligned) {
      const take = !this.nearAfter && !taken;
      this.nearAfter = true;
      return take;
    }
    if (taken || i > plan.first) return false;
    for (let j = i + 1; j <= plan.first; j++) if (isBoundary(this.file, j)) return false;
    return true;
  }

  /**
   * At boundary `i` after the change: a statement walked since the last boundary read what the
   * change made differ, or the next one that may is before the next boundary. Few are taken (and
   * kept: `keeps`), and only while the walk goes on after the change.
   */
  private nearHit(i: number): boolean {
    const plan = this.plan;
    if (!plan || i < plan.aligned || this.hitSnapshots >= MAX_HIT_SNAPSHOTS) return false;
    if (this.checkpoints[this.checkpoints.length - 1]?.index === i) return false;
    let before = false;
    if (!this.hitSince) {
      const next = this.nextHitIn(plan.prev, i - plan.statementDelta) + plan.statementDelta;
      before = next < this.file.statements.length;
      for (let j = i + 1; before && j <= next; j++) if (isBoundary(this.file, j)) before = false;
    }
    if (!this.hitSince && !before) return false;
    this.hitSnapshots++;
    return true;
  }

  /**
   * A snapshot carried over from the previous run: an extra one only around this change
   * (nearChange), or next to a statement the previous run walked because it read what its change
   * made differ (nearHit, while few are kept), so that they do not pile up.
   */
  private keeps(c: Checkpoint, at: number): boolean {
    if (c.near === 'change') return Math.abs(at - this.plan!.first) <= 2 * this.every;
    if (c.near !== 'hit') return true;
    if (this.hitSnapshots >= MAX_HIT_SNAPSHOTS || !this.nextToHit(c)) return false;
    this.hitSnapshots++;
    return true;
  }

  /** The previous run's snapshot is the last one at or before a statement it walked for reading what its change made differ, or the first one after it. */
  private nextToHit(c: Checkpoint): boolean {
    if (!this.nearHits) {
      const { hits, checkpoints } = this.plan!.prev;
      this.nearHits = new Set();
      for (const h of hits) {
        const k = lastAtOrBefore(checkpoints, h);
        if (k >= 0) this.nearHits.add(checkpoints[k]);
        if (k + 1 < checkpoints.length) this.nearHits.add(checkpoints[k + 1]);
      }
    }
    return this.nearHits.has(c);
  }

  private dueCheckpoint(i: number): boolean {
    const last = this.checkpoints[this.checkpoints.length - 1];
    if (last?.index === i) return false;
    return !last || i - last.index >= this.every;
  }

  /**
   * At boundary `i`, where the previous run has a snapshot: what may differ becomes exact again;
   * when the rest of the file is the previous run's (shifted), the rule state equals the snapshot
   * and no later statement of the previous run read what differs, the rest is carried over.
   */
  private converged(i: number, snapshot: Checkpoint): boolean {
    const plan = this.plan!;
    const old = snapshot.index;
    const { prev } = plan;
    if (!this.dirty.empty) this.dirty = this.dirty.narrowed(this.catalog, snapshot, this.log);
    if (i < plan.sameFrom || !this.dirty.exactAndBounded || this.lastHitIn(prev) >= old) return false;
    if (!deepEqual(canonicalState(this.file, i), snapshot.state)) return false;
    const oldCount = prev.analysis.statements.length;
    // Internal errors name statement indexes.
    if (plan.statementDelta !== 0 && prev.errorsAt[oldCount] > prev.errorsAt[old]) return false;
    const raw = shiftedRaw(prev, old, oldCount, plan.shift);
    if (!raw) return false;
    // What differs was read by no later statement: it stands to the end, in every later snapshot.
    const patch = this.catalogPatch();
    this.carryRange(prev, i, old, oldCount, raw, patch);
    const n = this.file.statements.length;
    this.rawAt[n] = this.run.raw.length;
    this.errorsAt[n] = this.run.internalErrors.length;
    const final = prev.analysis.finalCatalog;
    this.finalCatalog = patch ? applyPatch(cloneCatalog(final, this.log), patch) : final;
    return true;
  }

  /**
   * At boundary `i`, where the previous run has a snapshot, when the text from here on is the
   * previous run's (shifted), what differs is known exactly and the rule state equals the
   * snapshot (as for convergence) but a later statement read what differs: the statements up to
   * the previous run's last snapshot at or before that statement read the same as before, so they
   * are carried over, and the walk goes on from that snapshot with the entries that differ patched
   * in. Returns the statement the walk goes on from (undefined: none skipped).
   */
  private skipAhead(i: number, snapshot: Checkpoint): number | undefined {
    const plan = this.plan!;
    const { prev } = plan;
    const old = snapshot.index;
    if (i < plan.sameFrom || !this.dirty.exactAndBounded) return undefined;
    const hit = this.nextHitIn(prev, old);
    let target: Checkpoint | undefined;
    for (const c of prev.checkpoints) if (c.index > old && c.index <= hit) target = c;
    if (!target || !isBoundary(this.file, target.index + plan.statementDelta)) return undefined;
    if (!deepEqual(canonicalState(this.file, i), snapshot.state)) return undefined;
    if (plan.statementDelta !== 0 && prev.errorsAt[target.index] > prev.errorsAt[old]) return undefined;
    const raw = shiftedRaw(prev, old, target.index, plan.shift);
    if (!raw) return undefined;
    const patch = this.catalogPatch();
    this.carryRange(prev, i, old, target.index, raw, patch);
    this.catalog = this.tracked(applyPatch(applyPatch(cloneCatalog(target.catalog, this.log), target.patch), patch));
    this.useState(restoreState(target.state));
    this.skipped += target.index - old;
    return target.index + plan.statementDelta;
  }

  /**
   * The catalog entries that differ, to patch into what is carried over; undefined when none do
   * (what differs is no catalog entry, e.g. only line numbers): then the previous run's final
   * catalog is kept as it is instead of being copied, and its snapshots' patches are not copied.
   */
  private catalogPatch(): CatalogPatch | undefined {
    const patch = this.dirty.empty ? undefined : this.dirty.patchFrom(this.catalog, this.log);
    return patch?.size ? patch : undefined;
  }

  /** Whether the previous run's statement `j` read what may differ (line-blind: line numbers aside, see peekLineBlind). */
  private hitAt(prev: Run, j: number): boolean {
    const except = this.plan?.lineBlind ? LINE_NUMBERS : undefined;
    return this.dirty.hits(prev.modelReads[j], except) || this.dirty.hits(prev.ruleReads[j], except) || this.dirty.hits(prev.applyReads[j], except);
  }

  /** The last statement of the previous run whose recorded reads hit what may differ (cached per version of the set). */
  private lastHitIn(prev: Run): number {
    if (this.lastHit?.version === this.dirty.version) return this.lastHit.index;
    let index = -1;
    if (!this.dirty.empty) {
      for (let j = prev.analysis.statements.length - 1; j >= 0 && index < 0; j--) if (this.hitAt(prev, j)) index = j;
    }
    this.lastHit = { version: this.dirty.version, index };
    return index;
  }

  /** The first statement of the previous run from `from` on whose recorded reads hit what may differ (its statement count: none). */
  private nextHitIn(prev: Run, from: number): number {
    const cached = this.nextHit;
    if (cached && cached.version === this.dirty.version && cached.from <= from && from <= cached.index) return cached.index;
    const n = prev.analysis.statements.length;
    let j = from;
    if (!this.dirty.empty) while (j < n && !this.hitAt(prev, j)) j++;
    else j = n;
    this.nextHit = { version: this.dirty.version, from, index: j };
    return j;
  }

  /**
   * Statements `old`..`oldEnd - 1` of the previous run stand at `i`.. now: their verdicts, findings
   * (`raw`, shifted), internal errors and reads, and the previous run's snapshots from `old` to
   * `oldEnd` (included) with the entries that differ (`patch`).
   */
  private carryRange(prev: Run, i: number, old: number, oldEnd: number, raw: Raw[], patch: CatalogPatch | undefined): void {
    const delta = i - old;
    const timeline = this.file.timeline.perStatement;
    for (let j = i; j < oldEnd + delta; j++) {
      this.rawAt[j] = this.run.raw.length + (prev.rawAt[j - delta] - prev.rawAt[old]);
      this.errorsAt[j] = this.run.internalErrors.length + (prev.errorsAt[j - delta] - prev.errorsAt[old]);
      this.carry(prev, j, j - delta, timeline[j]);
    }
    for (const r of raw) this.run.raw.push(r);
    for (let k = prev.errorsAt[old]; k < prev.errorsAt[oldEnd]; k++) this.run.internalErrors.push(prev.errors[k]);
    if (!this.snapshots) return;
    const last = () => this.checkpoints[this.checkpoints.length - 1]?.index ?? -1;
    for (const c of prev.checkpoints) {
      if (c.index < old || c.index > oldEnd || c.index + delta <= last() || !this.keeps(c, c.index + delta)) continue;
      this.checkpoints.push({ ...c, index: c.index + delta, ...(patch ? { patch: mergePatches(c.patch, patch) } : {}) });
    }
  }

  /** Statement `i` keeps the verdict of the previous run's statement `old` (same text, catalog and state before it). */
  private carry(prev: Run, i: number, old: number, timeline: StatementTimeline): void {
    const before = prev.analysis.statements[old];
    this.file.effects[i] = before.effect;
    this.analyses[i] = rebasedAnalysis(before, this.file.statements[i], timeline);
    this.modelReads[i] = prev.modelReads[old];
    this.ruleReads[i] = prev.ruleReads[old];
    this.applyReads[i] = prev.applyReads[old];
    this.modelFailed[i] = prev.modelFailed[old];
    this.stateRules[i] = prev.stateRules[old];
  }

  /**
   * The run, every field present and in one order, so that V8 gives all runs one shape. A run spread
   * into another object with `list` and a `staleFrom` only some had made the code that reads the
   * previous run (carry, carryRange, resume) deoptimise on "wrong map" and be optimised again, edit
   * after edit; one shape took 9% off the CPU of 50 edits at 10,000 statements (bench/FINDINGS.md).
   */
  finish(list: StatementList | undefined, staleFrom: number | undefined): Run {
    const { file, run, options } = this;
    const n = file.statements.length;
    const raw = run.raw.slice(0, this.rawAt[n]);
    const errors = run.internalErrors.slice(0, this.errorsAt[n]);
    this.log.on = false;
    delete file.noteRead;
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
      ruleReads: this.ruleReads,
      applyReads: this.applyReads,
      modelFailed: this.modelFailed,
      stateRules: this.stateRules,
      checkpoints: this.incremental ? this.checkpoints : [],
      hits: this.hits,
      eol: eol(file.text),
      list,
      staleFrom,
    };
  }
}

/** The rule running now, and the rules of the current statement that used rule state. */
interface StateUse {
  rule?: Rule;
  touching: Rule[];
}

/*
 * The two callbacks a walk leaves on its file and rule state capture only what they use, never the
 * Walk: a young-generation collection (V8's scavenge) still reached a walk's callbacks after its
 * run was replaced, and through a Walk they kept its whole run alive (its statements, timeline,
 * analyses, catalog copies and the run before it), so each scavenge copied the data of every edit
 * since the last one (1,000 statements: 4.2 MB per scavenge).
 */

/** Notes a key read that the catalog cannot see (FileContext.noteRead). */
function readNoter(log: ReadLog): (key: string) => void {
  return (key) => log.note(key);
}

/** Notes which rule used rule state (derived keys and memos do not carry state). */
function stateWatcher(use: StateUse): (key: StateKey<unknown>) => void {
  return (key) => {
    const rule = use.rule;
    if (rule && !key.options.derived && !key.options.memo && !use.touching.includes(rule)) use.touching.push(rule);
  };
}

/** A previous run's findings on a statement, by rule, and the rules that must run again. */
interface CarriedFindings {
  byRule: Map<Rule, Raw[]>;
  stateful: Set<Rule>;
}

/** The statements its rules may read with statement `i`: its transaction, its DO block (to the end for an open or implicit transaction). */
function segmentOf(file: PipelineFile, i: number): [number, number] {
  const tx = file.timeline.perStatement[i]?.transaction;
  const container = file.statements[i].container;
  const open = tx && (tx.implicit || tx.begin === undefined || tx.end === undefined);
  const lo = Math.min(i, tx?.begin ?? i, container ?? i);
  const hi = tx ? (open ? Number.MAX_SAFE_INTEGER : tx.end!) : i;
  return [open ? -1 : lo, hi];
}

function union(a: Reads, b: Reads): Reads {
  return a && b ? [...new Set([...a, ...b])] : undefined;
}

/** The keys a statement contributes to rule state derived from the text (`StateKeyOptions.derived`). */
function derivedKeys(statement: Statement): string[] {
  const out: string[] = [];
  for (const key of StateKey.all) if (key.options.derived) out.push(...key.options.derived(statement));
  return out;
}

/**
 * The statements before boundary `r` keep the previous run's timeline entries and transactions:
 * planFrom found them equal, and the previous run's are already old. Fresh equal ones (the
 * timeline is built again for the whole text) would be kept by the analysis, and promoted and
 * collected again after every edit, with their statements' analyses (`rebasedAnalysis` keeps an
 * analysis whose statement and entry are the same objects).
 */
function keepTimelineBefore(timeline: Timeline, prev: Timeline, r: number): void {
  for (let i = 0; i < r; i++) timeline.perStatement[i] = prev.perStatement[i];
  // No transaction spans a boundary: those before it are the same, in the same order.
  for (let k = 0; k < timeline.transactions.length && k < prev.transactions.length; k++) {
    const t = prev.transactions[k];
    if (t.begin === undefined || t.begin >= r || t.end === undefined || t.end >= r) break;
    timeline.transactions[k] = t;
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

/** The first statement that starts at `offset` or later (binary search: statements are in text order). */
function firstFrom(statements: Statement[], offset: number): number {
  let low = 0;
  let high = statements.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (statements[mid].span.start < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** The position of the last snapshot at or before statement `index` (-1: none); snapshots are in statement order. */
function lastAtOrBefore(checkpoints: Checkpoint[], index: number): number {
  let low = 0;
  let high = checkpoints.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (checkpoints[mid].index <= index) low = mid + 1;
    else high = mid;
  }
  return low - 1;
}

function lastCheckpointAtOrBefore(checkpoints: Checkpoint[], index: number): Checkpoint | undefined {
  const k = lastAtOrBefore(checkpoints, index);
  return k >= 0 ? checkpoints[k] : undefined;
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

/**
 * What the lock model reads of a statement besides the catalog: its text (parse trees are cached by
 * text), its condition in a DO body, a DO block's own queries. `lineBlind`: conditions (which name
 * lines) compared with their line numbers masked.
 */
function sameModelInput(a: Statement, b: Statement, lineBlind = false): boolean {
  return (
    onlyKnown(a, STATEMENT_FIELDS) &&
    onlyKnown(b, STATEMENT_FIELDS) &&
    a.text === b.text &&
    a.kind === b.kind &&
    sameCondition(a.condition, b.condition, lineBlind) &&
    sameReads(a.reads, b.reads, lineBlind)
  );
}

function sameReads(a: Statement['reads'], b: Statement['reads'], lineBlind: boolean): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((r, k) => sameCondition(r.condition, b[k].condition, lineBlind) && deepEqual(r.node, b[k].node));
}

function sameCondition(a: string | undefined, b: string | undefined, lineBlind: boolean): boolean {
  return a === b || (lineBlind && a !== undefined && b !== undefined && maskLines(a) === maskLines(b));
}

/**
 * The text with the number of every "line N" masked: two texts that differ only in the lines they
 * name mask alike. Every line number the core writes into a string follows the word "line"
 * (lineOf's callers, DO-block conditions).
 */
export function maskLines(text: string): string {
  return text.replace(/\bline [0-9]+/g, 'line #');
}

/** Same text, kind and shape at offsets moved by `shift` (`lineBlind`: see sameModelInput). */
function sameStatement(a: Statement, b: Statement, shift: Shift, lineBlind = false): boolean {
  // The statements before an edit are the previous run's own objects (statements.ts).
  if (a === b && shift === NO_SHIFT) return true;
  return (
    sameModelInput(a, b, lineBlind) &&
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
  return (
    onlyKnown(a, TRANSACTION_FIELDS) &&
    onlyKnown(b, TRANSACTION_FIELDS) &&
    a.implicit === b.implicit &&
    movedIndex(a.begin, index) === b.begin &&
    movedIndex(a.end, index) === b.end &&
    a.endKind === b.endKind &&
    movedIndex(a.last, index) === b.last &&
    a.runner === b.runner
  );
}

/** A statement index moved by `index` (no closure per call: this compares every later statement's transaction). */
function movedIndex(x: number | undefined, index: (i: number) => number): number | undefined {
  return x === undefined ? undefined : index(x);
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
    if (key.options.derived) continue;
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
 * baseline, current statement); the copy records nothing and copying is not a read. It shares the
 * catalog's name indexes (a walk clones at every snapshot and restart: rebuilding them from every
 * relation each time was a tenth of an edit at 10,000 statements); patches note what they set
 * (applyPatch).
 */
function cloneCatalog(catalog: Catalog, log: ReadLog): Catalog {
  const was = log.on;
  log.on = false;
  const copy = catalog.cloneForApply();
  log.on = was;
  const fields = copy as unknown as Record<string, unknown>;
  for (const [field, value] of scalarFields(catalog)) fields[field] = value;
  copy.currentStatement = catalog.currentStatement;
  return copy;
}

/** The previous run's findings on statements `old`..`oldEnd - 1`, at their place in the new text (undefined: one fell inside the edit). */
function shiftedRaw(prev: Run, old: number, oldEnd: number, shift: Shift): Raw[] | undefined {
  const raw: Raw[] = [];
  for (let k = prev.rawAt[old]; k < prev.rawAt[oldEnd]; k++) {
    const moved = shiftRaw(prev.raw[k], shift);
    if (!moved) return undefined;
    raw.push(moved);
  }
  return raw;
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
