/**
 * Code actions: each finding's fix, "Insert lock_timeout", the ignore comments and fix-all. Every
 * edit inserts or replaces text; nothing is reprinted from the AST, so formatting and comments stay.
 * A fix is only offered when applying it removes its finding and adds no error-level finding of
 * another rule (rules are added independently of this layer; this keeps a bad fix out of the editor).
 */
import { diffLines } from 'diff';
import * as path from 'path';
import { CodeAction, CodeActionKind, CreateFile, Range, SnippetTextEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import {
  analyze,
  Analysis,
  applyEdits,
  statementAt,
  Finding,
  fixAll,
  fixSelected,
  AnalyzeOptions,
  insertLockTimeout,
  LineBlindAnalysis,
  lockRank,
  maskLines,
  NewFile,
  parseDirective,
  RULES_BY_ID,
  TextEdit as CoreEdit,
} from '../core';
import { pathToUri, rangesIntersect, toRange, toTextEdit, uriToPath } from './convert';
import { DocsLink, findingDiagnostic } from './diagnostics';

export const FIX_ALL_KIND = 'source.fixAll.lockwise';
/**
 * Checking a fix re-analyses the whole file with the fix applied. A request over a whole big file
 * (thousands of fixable findings) checked every one and kept every re-analysis: minutes of CPU and
 * gigabytes. Now a request checks at most EAGER_CHECKS fixes; with a client that resolves code
 * actions the others are listed without their edit and checked on `codeAction/resolve`, one at a
 * time, when chosen. No request lists more than MAX_FIX_ACTIONS fixes (nobody reads a longer menu).
 */
export const EAGER_CHECKS = 8;
export const MAX_FIX_ACTIONS = 50;

/** What a listed but unresolved action carries to `codeAction/resolve`. */
export type ActionData =
  { kind: 'fix'; uri: string; version: number; finding: number; rule: string; start: number } | { kind: 'fixAll'; uri: string; version: number };

export interface ActionTarget {
  uri: string;
  version: number;
  analysis: Analysis;
  /** Options that reproduce `analysis` on another text (config and schema history). */
  options: AnalyzeOptions;
  /** The analysis of another text with `options` (a fix applied); `analyze` when not given. */
  reanalyze?: (text: string) => Analysis;
  /** The same, line-blind (IncrementalAnalyzer.peekLineBlind): tried first by a fix's check. */
  reanalyzeLineBlind?: (text: string) => LineBlindAnalysis;
  /** Whether the client accepts versioned `documentChanges` (stale edits are then refused). */
  versioned: boolean;
  /** Whether the client can resolve a code action's edit later (`codeAction/resolve`). */
  resolvable: boolean;
  /** Whether the client shows disabled code actions with their reason (`CodeAction.disabled`). */
  disabledActions?: boolean;
  /** Whether the client takes snippet text edits (LSP 3.18 `SnippetTextEdit`, in versioned document changes). */
  snippetEdits?: boolean;
  docs: DocsLink;
}

export function workspaceEdit(target: ActionTarget, edits: TextEdit[]): WorkspaceEdit {
  if (target.versioned) return { documentChanges: [{ textDocument: { uri: target.uri, version: target.version }, edits }] };
  return { changes: { [target.uri]: edits } };
}

/**
 * The document's edits, plus the files a runner-aware fix creates (a new migration, a runner config
 * file) as CreateFile operations with their text. Undefined when files are needed but the client
 * takes no versioned document changes (it then cannot take resource operations either).
 */
export function coreEdit(target: ActionTarget, edits: CoreEdit[], files: NewFile[] = []): WorkspaceEdit | undefined {
  const main = edits.map((e) => toTextEdit(target.analysis.lines, e));
  if (!files.length) return workspaceEdit(target, main);
  const dir = uriToPath(target.uri);
  if (!target.versioned || !dir) return undefined;
  const created = files.flatMap((f) => {
    const uri = pathToUri(path.resolve(path.dirname(dir), f.path));
    return [CreateFile.create(uri, { overwrite: true }), { textDocument: { uri, version: null }, edits: [TextEdit.insert({ line: 0, character: 0 }, f.text)] }];
  });
  return { documentChanges: [{ textDocument: { uri: target.uri, version: target.version }, edits: main }, ...created] };
}

function wants(only: string[] | undefined, kind: string): boolean {
  if (!only || only.length === 0) return kind !== FIX_ALL_KIND;
  return only.some((o) => kind === o || kind.startsWith(o + '.'));
}

export function codeActions(target: ActionTarget, range: Range, only: string[] | undefined): CodeAction[] {
  const { analysis } = target;
  const actions: CodeAction[] = [];
  if (wants(only, CodeActionKind.QuickFix)) {
    // The statement is the unit users think in: the cursor anywhere in it offers its findings' actions.
    const here = statementAt(analysis, analysis.lines.offsetAt(range.start));
    const findings = analysis.findings.filter(
      (f) => rangesIntersect(toRange(analysis.lines, f.span), range) || (here !== undefined && f.statement === here.statement.index),
    );
    actions.push(...fixActions(target, findings));
    const lockTimeout = lockTimeoutAction(target, range);
    if (lockTimeout) actions.push(lockTimeout);
    const seen = new Set<string>();
    for (const finding of findings) {
      if (RULES_BY_ID.get(finding.rule)?.ignorable === false || seen.has(finding.rule)) continue;
      seen.add(finding.rule);
      const diagnostic = findingDiagnostic(target.uri, analysis, finding, target.docs);
      const statementEdit = ignoreStatementEdit(analysis, finding);
      if (statementEdit) {
        actions.push({
          title: `Ignore ${finding.rule} for this statement`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: ignoreEdit(target, statementEdit),
        });
      }
      actions.push({
        title: `Ignore ${finding.rule} for this file`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        edit: ignoreEdit(target, ignoreFileEdit(analysis, finding.rule)),
      });
    }
  }
  if (only && wants(only, FIX_ALL_KIND)) {
    const all = fixAllAction(target);
    if (all) actions.push(all);
  }
  return actions;
}

/** Each finding's fix: checked now (the first EAGER_CHECKS), else left for resolve when the client can. */
function fixActions(target: ActionTarget, findings: Finding[]): CodeAction[] {
  const { analysis } = target;
  const out: CodeAction[] = [];
  let checked = 0;
  for (const finding of findings) {
    if (out.length >= MAX_FIX_ACTIONS) continue;
    if (!finding.fix) {
      const withheld = withheldAction(target, finding);
      if (withheld) out.push(withheld);
      continue;
    }
    const action: CodeAction = {
      title: finding.fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [findingDiagnostic(target.uri, analysis, finding, target.docs)],
      isPreferred: !!finding.fix.preferred,
    };
    if (checked < EAGER_CHECKS || knownVerdict(target, finding) !== undefined) {
      if (knownVerdict(target, finding) === undefined) checked++;
      const edit = coreEdit(target, finding.fix.edits, finding.fix.files);
      if (edit && fixIsSafe(target, finding)) out.push({ ...action, edit });
    } else if (target.resolvable) {
      const data: ActionData = {
        kind: 'fix',
        uri: target.uri,
        version: target.version,
        finding: analysis.findings.indexOf(finding),
        rule: finding.rule,
        start: finding.span.start,
      };
      out.push({ ...action, data });
    }
  }
  return out;
}

/**
 * A fix the rule withholds here, shown disabled with the reason (so the user knows why there is
 * none), for clients that show disabled actions.
 */
function withheldAction(target: ActionTarget, finding: Finding): CodeAction | undefined {
  if (!finding.withheld || !target.disabledActions) return undefined;
  return {
    title: finding.withheld.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [findingDiagnostic(target.uri, target.analysis, finding, target.docs)],
    disabled: { reason: `No fix here: ${finding.withheld.reason}` },
  };
}

/**
 * Fills in a listed action's edit (`codeAction/resolve`). Undefined when the document changed since
 * the action was listed or the fix does not pass its check: the action then has no edit.
 */
export function resolveAction(target: ActionTarget, action: CodeAction, data: ActionData): CodeAction | undefined {
  if (data.version !== target.version) return undefined;
  if (data.kind === 'fixAll') {
    const { edits, files } = fixAllEdits(target);
    const edit = coreEdit(target, edits, files);
    return edit && { ...action, edit };
  }
  const finding = target.analysis.findings[data.finding];
  if (!finding?.fix || finding.rule !== data.rule || finding.span.start !== data.start) return undefined;
  const edit = coreEdit(target, finding.fix.edits, finding.fix.files);
  return edit && fixIsSafe(target, finding) ? { ...action, edit } : undefined;
}

/** Whether a listed action's `data` is one of ours. */
export function isActionData(data: unknown): data is ActionData {
  if (typeof data !== 'object' || data === null) return false;
  const d = data as Record<string, unknown>;
  return (d.kind === 'fix' || d.kind === 'fixAll') && typeof d.uri === 'string' && typeof d.version === 'number';
}

/** Verdicts of checked fixes, per analysis (booleans only: the re-analyses themselves are not kept). */
const verdicts = new WeakMap<Analysis, Map<Finding, boolean>>();

function knownVerdict(target: ActionTarget, finding: Finding): boolean | undefined {
  return verdicts.get(target.analysis)?.get(finding);
}

/**
 * Applying the fix must not add syntax errors nor error findings of other rules, and must remove the
 * finding itself. The same rule may report again elsewhere: rules that report only the first
 * occurrence (require-lock-timeout) move on to the next statement once the first is fixed.
 */
export function fixIsSafe(target: ActionTarget, finding: Finding): boolean {
  if (!finding.fix) return false;
  let known = verdicts.get(target.analysis);
  if (!known) verdicts.set(target.analysis, (known = new Map()));
  let verdict = known.get(finding);
  if (verdict === undefined) known.set(finding, (verdict = checkFix(target, finding)));
  return verdict;
}

/**
 * A fix that inserts or removes lines moves the line numbers that later findings name, and an
 * exact re-analysis then walks to the end of the file. The line-blind analysis stops where only
 * line numbers differ; its verdict is taken unless a finding it may have left naming old lines
 * could be counted as the fixed finding's (same rule, same message but for its numbers).
 */
function checkFix(target: ActionTarget, finding: Finding): boolean {
  if (!finding.fix) return false;
  const fixed = applyEdits(target.analysis.text, finding.fix.edits);
  const blind = target.reanalyzeLineBlind?.(fixed);
  if (blind) {
    const masked = maskLines(finding.message);
    const unsure = (f: Finding) => f.rule === finding.rule && blind.staleLines(f) && f.message !== maskLines(f.message) && maskLines(f.message) === masked;
    if (!blind.analysis.findings.some(unsure)) return fixVerdict(target.analysis.findings, blind.analysis.findings, finding);
  }
  const after = (target.reanalyze ? target.reanalyze(fixed) : analyze(fixed, target.options)).findings;
  return fixVerdict(target.analysis.findings, after, finding);
}

function fixVerdict(before: Finding[], after: Finding[], finding: Finding): boolean {
  const count = (fs: Finding[], keep: (f: Finding) => boolean) => fs.filter(keep).length;
  const syntax = (f: Finding) => f.rule === 'syntax-error';
  const otherErrors = (f: Finding) => f.severity === 'error' && f.rule !== finding.rule;
  const same = (f: Finding) => f.rule === finding.rule && f.message === finding.message;
  if (count(after, syntax) > count(before, syntax)) return false;
  if (count(after, otherErrors) > count(before, otherErrors)) return false;
  return count(after, same) < count(before, same);
}

/**
 * "Insert lock_timeout" for a statement that takes a lock stronger than ROW EXCLUSIVE on an existing
 * relation with no lock_timeout in effect, when no require-lock-timeout fix already offers it.
 */
function lockTimeoutAction(target: ActionTarget, range: Range): CodeAction | undefined {
  const { analysis } = target;
  const offset = analysis.lines.offsetAt(range.start);
  const s = analysis.statements.find((st) => offset >= st.statement.span.start && offset <= st.statement.terminatorEnd);
  if (!s || s.statement.kind === 'Invalid') return undefined;
  const timeout = s.timeline.lockTimeout;
  if (timeout && timeout.ms > 0) return undefined;
  if (s.effect.concurrently) return undefined;
  const strong = s.effect.locks.some((l) => !l.harmless && lockRank(l.mode) > lockRank('ROW EXCLUSIVE') && !s.newRelations.has(l.relation));
  if (!strong) return undefined;
  if (analysis.findings.some((f) => f.rule === 'require-lock-timeout' && f.fix && f.statement === s.statement.index)) return undefined;
  const fix = insertLockTimeout(analysis, s.statement.index);
  return { title: fix.title, kind: CodeActionKind.QuickFix, edit: coreEdit(target, fix.edits) };
}

function eol(text: string): string {
  return /\r\n|\r|\n/.exec(text)?.[0] ?? '\n';
}

/** `-- lockwise-ignore <rule>` on a new line above the statement, or added to the directive already there. */
export function ignoreStatementEdit(analysis: Analysis, finding: Finding): CoreEdit | undefined {
  const stmt = analysis.statements[finding.statement]?.statement;
  // Comments inside a DO body are part of a string literal: an ignore there would not be seen.
  if (!stmt || stmt.container !== undefined) return undefined;
  const { lines, text } = analysis;
  const line = lines.positionAt(stmt.span.start).line;
  if (line > 0) {
    const prevStart = lines.lineStart(line - 1);
    const prev = text.slice(prevStart, lines.lineEndOffset(line - 1));
    const lead = /^[ \t]*/.exec(prev)![0].length;
    const directive = parseDirective(prev.slice(lead));
    if (directive && directive.tool === 'lockwise' && !directive.fileWide && directive.rules.length) {
      const last = directive.rules[directive.rules.length - 1];
      const at = prevStart + lead + last.offset + last.id.length;
      return { start: at, end: at, newText: `, ${finding.rule}` };
    }
  }
  const lineStart = lines.lineStart(line);
  const indent = /^[ \t]*/.exec(text.slice(lineStart, stmt.span.start))![0];
  return { start: lineStart, end: lineStart, newText: `${indent}-- lockwise-ignore ${finding.rule}${WHY}${eol(text)}` };
}

/**
 * `-- lockwise-ignore-file <rule>`: added to an existing file directive, else after the header
 * comment block when a blank line separates it from the SQL (so a statement-level ignore that sits
 * right above the first statement stays right above it), else on the first line.
 */
export function ignoreFileEdit(analysis: Analysis, rule: string): CoreEdit {
  const { lines, text } = analysis;
  for (const c of analysis.comments) {
    const directive = parseDirective(c.text);
    if (directive && directive.tool === 'lockwise' && directive.fileWide && directive.rules.length) {
      const last = directive.rules[directive.rules.length - 1];
      const at = c.start + last.offset + last.id.length;
      return { start: at, end: at, newText: `, ${rule}` };
    }
  }
  const lineText = (n: number) => text.slice(lines.lineStart(n), lines.lineEndOffset(n));
  let k = 0;
  while (k < lines.lineCount && /^\s*--/.test(lineText(k)) && !/^\s*--\s*(lockwise|squawk)-ignore/.test(lineText(k))) k++;
  const afterHeader = k > 0 && (k >= lines.lineCount || lineText(k).trim() === '');
  const nl = eol(text);
  if (afterHeader && k < lines.lineCount) {
    const at = lines.lineStart(k);
    return { start: at, end: at, newText: `-- lockwise-ignore-file ${rule}${WHY}${nl}` };
  }
  if (afterHeader) return { start: text.length, end: text.length, newText: `${nl}-- lockwise-ignore-file ${rule}${WHY}` };
  return { start: 0, end: 0, newText: `-- lockwise-ignore-file ${rule}${WHY}${nl}` };
}

/** The reason placeholder a new ignore comment ends with (the text after ` -- ` is its reason). */
export const WHY = ' -- <why>';

/**
 * An ignore comment's edit: `<why>` becomes a selected snippet placeholder (type the reason over it)
 * where the client takes snippet edits, plain text otherwise.
 */
function ignoreEdit(target: ActionTarget, edit: CoreEdit): WorkspaceEdit | undefined {
  const at = edit.newText.indexOf(WHY);
  if (at < 0 || !target.snippetEdits || !target.versioned) return coreEdit(target, [edit]);
  const range = toRange(target.analysis.lines, { start: edit.start, end: edit.end });
  const before = edit.newText.slice(0, at + WHY.length - '<why>'.length);
  const after = edit.newText.slice(at + WHY.length);
  const value = `${snippetText(before)}\${1:<why>}${snippetText(after)}`;
  const snippet: SnippetTextEdit = { range, snippet: { kind: 'snippet', value } };
  return { documentChanges: [{ textDocument: { uri: target.uri, version: target.version }, edits: [snippet] }] };
}

/** Text inside a snippet: `$`, `}` and `\` are escaped. */
function snippetText(text: string): string {
  return text.replace(/[$}\\]/g, (c) => `\\${c}`);
}

/** Every safe fix (the core's fixAll) as one edit set: a line diff, so unchanged lines and cursors stay put. */
export function fixAllEdits(target: ActionTarget): { edits: CoreEdit[]; fixed: string[]; files: NewFile[] } {
  const result = fixAll(target.analysis.text, target.options);
  return { edits: minimalEdits(target.analysis.text, result.text), fixed: result.fixed, files: result.files };
}

function fixAllAction(target: ActionTarget): CodeAction | undefined {
  if (!target.analysis.findings.some((f) => fixSelected(f))) return suggestionsOnlyAction(target);
  // Fixing everything re-analyses the file per fix: only when the action is chosen, if the client lets us.
  if (target.resolvable) {
    const data: ActionData = { kind: 'fixAll', uri: target.uri, version: target.version };
    return { title: 'Fix all Lockwise findings', kind: FIX_ALL_KIND, data };
  }
  const { edits, fixed, files } = fixAllEdits(target);
  const edit = coreEdit(target, edits, files);
  if (edits.length === 0 || !edit) return undefined;
  return { title: `Fix all Lockwise findings (${fixed.length})`, kind: FIX_ALL_KIND, edit };
}

/**
 * Fix-all when only suggestions are left: disabled, saying why (they change what the migration
 * does, so fix-all and fix-on-save never apply them).
 */
function suggestionsOnlyAction(target: ActionTarget): CodeAction | undefined {
  const suggestions = target.analysis.findings.filter((f) => f.fix?.safety === 'suggestion').length;
  if (!suggestions || !target.disabledActions) return undefined;
  return {
    title: 'Fix all Lockwise findings',
    kind: FIX_ALL_KIND,
    disabled: { reason: `${suggestions} suggestion(s) left, which change what the migration does: apply them one by one from the lightbulb` },
  };
}

export function minimalEdits(before: string, after: string): CoreEdit[] {
  if (before === after) return [];
  const edits: CoreEdit[] = [];
  let offset = 0;
  for (const part of diffLines(before, after)) {
    const previous = edits[edits.length - 1];
    if (part.removed) {
      if (previous && previous.end === offset) previous.end += part.value.length;
      else edits.push({ start: offset, end: offset + part.value.length, newText: '' });
      offset += part.value.length;
    } else if (part.added) {
      if (previous && previous.end === offset) previous.newText += part.value;
      else edits.push({ start: offset, end: offset, newText: part.value });
    } else {
      offset += part.value.length;
    }
  }
  return edits;
}
