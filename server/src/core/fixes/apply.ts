/** Applying fixes: edits are plain text insertions and replacements, never a reprint of the AST. */
import { Analysis, analyze, AnalyzeOptions } from '../analyze';
import { Finding, TextEdit } from '../rules/types';
import type { NewFile } from '../runners/types';
import * as path from 'path';
import { runnerProfile } from '../runners/registry';
import { FixSelection, selected } from './safety';

/**
 * Applies non-overlapping edits (document offsets into `text`), as if from the last to the first
 * (so of two insertions at one offset, the later one's text comes first). The pieces are joined
 * once: a flat string, where replacing edit by edit made a rope that the next edit, and then the
 * first reader, copied whole (about 1 MB each at 10,000 statements, for every fix checked).
 */
export function applyEdits(text: string, edits: TextEdit[]): string {
  if (edits.length === 0) return text;
  const order = edits.map((e, k) => ({ e, k }));
  order.sort((a, b) => a.e.start - b.e.start || a.e.end - b.e.end || b.k - a.k);
  const pieces: string[] = [];
  let at = 0;
  for (const { e } of order) {
    pieces.push(text.slice(at, e.start), e.newText);
    at = e.end;
  }
  pieces.push(text.slice(at));
  return pieces.join('');
}

export interface FixAllResult {
  text: string;
  /** Rule ids of the findings fixed, in order. */
  fixed: string[];
  /** Files the fixes create (new migrations after this one, runner config files), in order. */
  files: NewFile[];
  /** Why fixing stopped before no fixable finding was left (a fix that undoes another): never silent. */
  stopped?: string;
  /** The analysis options once `files` exist (a runner config file is the migration's companion): to re-analyse `text`. */
  options: AnalyzeOptions;
  /** The analysis of `text` with `options` (the last one fixing made): no need to analyse it again. */
  analysis: Analysis;
}

/** Which fixes (FixSelection: safe ones, suggestions when asked for) and how they are applied. */
export interface FixAllOptions extends FixSelection {
  /** Apply independent one-statement fixes together (default), or strictly one per round (the reference the tests compare with). */
  batch?: boolean;
}

/**
 * Applies every available safe fix (and suggestions when `fixOptions.suggestions`), re-analysing
 * after each step (a fix may move statements), until no such finding is left or none can be applied. Each step must not add error findings. No cap
 * on the number of steps: a text seen before means two fixes undo each other, and that is reported.
 */
export function fixAll(text: string, options: AnalyzeOptions = {}, fixOptions: FixAllOptions = {}): FixAllResult {
  const state: FixState = { text, opts: options, fixed: [], files: [] };
  const seen = new Set<string>([text]);
  for (;;) {
    // The check of the step just applied analysed this text with these options already.
    const analysis = state.checked ?? analyze(state.text, state.opts);
    state.checked = undefined;
    const fixable = analysis.findings.filter((f) => selected(f, fixOptions));
    if (fixable.length === 0) return result(state, analysis);
    if (!((fixOptions.batch ?? true) && applyBatch(state, analysis, fixable)) && !applyOne(state, analysis, fixable)) return result(state, analysis);
    if (seen.has(state.text)) return { ...result(state, state.checked!), stopped: 'a fix undid an earlier one (the fixes cycle)' };
    seen.add(state.text);
  }
}

interface FixState {
  text: string;
  opts: AnalyzeOptions;
  fixed: string[];
  files: NewFile[];
  /** The analysis of `text` with `opts` made by the check of the last step applied. */
  checked?: Analysis;
}

function result(state: FixState, analysis: Analysis): FixAllResult {
  return { text: state.text, fixed: state.fixed, files: state.files, options: state.opts, analysis };
}

const countOf = (findings: Finding[], keep: (f: Finding) => boolean) => findings.filter(keep).length;
const isError = (f: Finding) => f.severity === 'error';
const isSyntax = (f: Finding) => f.rule === 'syntax-error';

/** One fix, checked: the first whose result adds no syntax error and no error finding. False when none can be applied. */
function applyOne(state: FixState, analysis: Analysis, fixable: Finding[]): boolean {
  const errorsBefore = countOf(analysis.findings, isError);
  const syntaxBefore = countOf(analysis.findings, isSyntax);
  // One fix at a time keeps each step checkable; cheap because parses are cached by statement text.
  for (const finding of fixable) {
    const candidate = applyEdits(state.text, finding.fix!.edits);
    const nextOpts = withFiles(state.opts, finding.fix!.files);
    const after = analyze(candidate, nextOpts);
    const allowed = finding.severity === 'error' ? errorsBefore - 1 : errorsBefore;
    if (countOf(after.findings, isSyntax) > syntaxBefore || countOf(after.findings, isError) > allowed) continue;
    state.text = candidate;
    state.checked = after;
    state.fixed.push(finding.rule);
    for (const f of finding.fix!.files ?? []) {
      const same = state.files.findIndex((g) => g.path === f.path);
      if (same >= 0) state.files[same] = f;
      else state.files.push(f);
    }
    state.opts = nextOpts;
    return true;
  }
  return false;
}

/**
 * Several fixes in one step, where applying them one by one could not differ. Candidates are local
 * fixes (they edit only their own statement, add no statement, create no file), one per statement.
 * One fix at a time applies them in file order, so a fix that is not local before a candidate goes
 * first: the candidate stays only if that fix leaves it as it is. The result is then checked (see
 * tryBatch); when anything fails, nothing is applied (false) and the caller applies one fix.
 * Without this, a file with 2,000 fixable statements took 2,000 whole-file analyses.
 */
function applyBatch(state: FixState, analysis: Analysis, fixable: Finding[]): boolean {
  const batch: Finding[] = [];
  const taken = new Set<number>();
  let checked = 0;
  for (const f of fixable) {
    if (!isLocal(f, analysis)) {
      // Each earlier fix that is not local costs one analysis: a few, then stop collecting.
      if (++checked > MAX_COMMUTE_CHECKS) break;
      const later = fixable.slice(fixable.indexOf(f) + 1).filter((g) => isLocal(g, analysis) && !taken.has(g.statement));
      if (later.length > 0 && !keepsFixes(state, f, later)) break;
      continue;
    }
    if (taken.has(f.statement)) continue;
    taken.add(f.statement);
    batch.push(f);
  }
  return batch.length >= 2 && tryBatch(state, analysis, batch);
}

const MAX_COMMUTE_CHECKS = 3;

function isLocal(f: Finding, analysis: Analysis): boolean {
  const stmt = analysis.statements[f.statement]?.statement;
  if (!stmt || stmt.container !== undefined || f.fix!.files?.length) return false;
  return f.fix!.edits.every((e) => e.start >= stmt.span.start && e.end <= stmt.span.end && !e.newText.includes(';'));
}

/** After `first` alone, every finding of `later` is still there with the same fix (moved by first's edits). */
function keepsFixes(state: FixState, first: Finding, later: Finding[]): boolean {
  const edits = first.fix!.edits;
  const after = analyze(applyEdits(state.text, edits), withFiles(state.opts, first.fix!.files));
  const moved = (offset: number) => offset + edits.filter((e) => e.end <= offset).reduce((n, e) => n + e.newText.length - (e.end - e.start), 0);
  const signature = (f: Finding, shift: (n: number) => number) =>
    `${f.rule}@${f.fix!.edits.map((e) => `${shift(e.start)}-${shift(e.end)}:${e.newText}`).join('|')}`;
  const present = new Set(after.findings.filter((f) => f.fix).map((f) => signature(f, (n) => n)));
  const touched = (f: Finding) => edits.some((e) => f.fix!.edits.some((g) => e.start < g.end && g.start < e.end));
  return later.every((f) => !touched(f) && present.has(signature(f, moved)));
}

function tryBatch(state: FixState, analysis: Analysis, batch: Finding[]): boolean {
  const candidate = applyEdits(
    state.text,
    batch.flatMap((f) => f.fix!.edits),
  );
  const after = analyze(candidate, state.opts);
  if (after.statements.length !== analysis.statements.length) return false;
  if (countOf(after.findings, isSyntax) > countOf(analysis.findings, isSyntax)) return false;
  if (countOf(after.findings, isError) > countOf(analysis.findings, isError) - countOf(batch, isError)) return false;
  // A fix may clear another statement's finding (one lock_timeout fix covers the statements after it), never add one.
  const edited = new Set(batch.map((f) => f.statement));
  const key = (f: Finding) => `${f.statement}:${f.rule}:${f.severity}`;
  const before = new Set(analysis.findings.map(key));
  if (after.findings.some((f) => !edited.has(f.statement) && !before.has(key(f)))) return false;
  const stillThere = new Set(after.findings.map((f) => `${f.statement}:${f.rule}`));
  if (batch.some((f) => stillThere.has(`${f.statement}:${f.rule}`))) return false;
  state.text = candidate;
  state.checked = after;
  state.fixed.push(...batch.map((f) => f.rule));
  return true;
}

/**
 * The analysis options once `files` exist: a runner config file written beside the migration is
 * its companion (Flyway `.conf`, diesel `metadata.toml`), and new migrations take their names.
 */
function withFiles(options: AnalyzeOptions, files: NewFile[] | undefined): AnalyzeOptions {
  const runner = options.runner;
  if (!files?.length || !runner) return options;
  const companionPath = runnerProfile(runner.id).companion?.(runner.fileName);
  const companion = files.find((f) => f.path === companionPath)?.text ?? runner.companion;
  const names = files.flatMap((f) => [path.basename(f.path), path.basename(path.dirname(f.path))]);
  return { ...options, runner: { ...runner, companion, siblings: [...(runner.siblings ?? []), ...names] } };
}

export { analyze };
