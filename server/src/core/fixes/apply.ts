/** Applying fixes: edits are plain text insertions and replacements, never a reprint of the AST. */
import { analyze, AnalyzeOptions } from '../analyze';
import { TextEdit } from '../rules/types';
import type { NewFile } from '../runners/types';
import * as path from 'path';
import { runnerProfile } from '../runners/registry';
import { FixSelection, selected } from './safety';

/** Applies non-overlapping edits (document offsets into `text`). */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

export interface FixAllResult {
  text: string;
  /** Rule ids of the findings fixed, in order. */
  fixed: string[];
  /** Files the fixes create (new migrations after this one, runner config files), in order. */
  files: NewFile[];
}

/**
 * Applies every available safe fix (and suggestions when `selection.suggestions`), re-analysing after
 * each round (a fix may move statements), until no such finding is left or a round changes nothing.
 * Each round's result must not add error findings.
 */
export function fixAll(text: string, options: AnalyzeOptions = {}, selection: FixSelection = {}, maxRounds = 500): FixAllResult {
  let current = text;
  const fixed: string[] = [];
  const files: NewFile[] = [];
  // New files take names the next fix must not reuse.
  let opts = options;
  for (let round = 0; round < maxRounds; round++) {
    const analysis = analyze(current, opts);
    const fixable = analysis.findings.filter((f) => selected(f, selection));
    if (fixable.length === 0) break;
    const errorsBefore = analysis.findings.filter((f) => f.severity === 'error').length;
    const syntaxBefore = analysis.findings.filter((f) => f.rule === 'syntax-error').length;
    let progressed = false;
    // One fix at a time keeps each step checkable; cheap because parses are cached by statement text.
    for (const finding of fixable) {
      const candidate = applyEdits(current, finding.fix!.edits);
      const nextOpts = withFiles(opts, finding.fix!.files);
      const after = analyze(candidate, nextOpts);
      const errorsAfter = after.findings.filter((f) => f.severity === 'error').length;
      const syntaxAfter = after.findings.filter((f) => f.rule === 'syntax-error').length;
      const allowed = finding.severity === 'error' ? errorsBefore - 1 : errorsBefore;
      if (syntaxAfter > syntaxBefore || errorsAfter > allowed) continue;
      current = candidate;
      fixed.push(finding.rule);
      for (const f of finding.fix!.files ?? []) {
        const same = files.findIndex((g) => g.path === f.path);
        if (same >= 0) files[same] = f;
        else files.push(f);
      }
      opts = nextOpts;
      progressed = true;
      break;
    }
    if (!progressed) break;
  }
  return { text: current, fixed, files };
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
