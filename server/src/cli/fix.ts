/** `lockwise lint --fix [--dry-run]`: applies every safe fix in place, or prints the diff. */
import * as fs from 'fs';
import * as path from 'path';
import { createTwoFilesPatch } from 'diff';
import { analyze, DEFAULT_CONFIG, fixAll, FixSelection, NewFile, terminalLines } from '../core';
import { toPosix } from '../project/files';
import { HistoryProvider } from '../project/history';
import { RunnerDetector } from '../project/runners';
import { FileResult } from './files';
import { writeLine, writeReport } from '../project/output';

/**
 * The results after fixing (re-analysed, unless it was a dry run). Only safe fixes are applied
 * unless `selection.suggestions`; the suggestions left are counted on stderr.
 */
export function applyFixes(results: FileResult[], dryRun: boolean, selection: FixSelection = {}): FileResult[] {
  const runners = new RunnerDetector();
  const byPath = new Map(results.map((r) => [path.resolve(r.path), r.config]));
  const history = new HistoryProvider(undefined, (f, t) => runners.forFile(f, t, byPath.get(f) ?? DEFAULT_CONFIG));
  const out: FileResult[] = [];
  for (const r of results) {
    const options = {
      config: r.config,
      history: history.catalogBefore(r.path),
      runner: r.runner,
      sizes: r.analysis.sizes?.input,
      baseline: r.analysis.baseline,
    };
    const fixed = fixAll(r.analysis.text, options, selection);
    if (fixed.text !== r.analysis.text) {
      if (dryRun) writeReport(terminalLines(createTwoFilesPatch(r.path, r.path, r.analysis.text, fixed.text, '', '', { context: 3 })));
      else fs.writeFileSync(r.path, (r.bom ? '\uFEFF' : '') + fixed.text);
      writeLine(`${r.path}: fixed ${fixed.fixed.length} finding(s): ${fixed.fixed.join(', ')}`, 'stderr');
      writeNewFiles(r.path, fixed.files, dryRun);
      history.invalidate();
    }
    // Re-detect: the fix may have written the runner's config file (Flyway .conf, diesel metadata.toml).
    const runner = dryRun ? r.runner : runners.forFile(r.path, fixed.text, r.config);
    out.push({ ...r, runner, analysis: dryRun ? r.analysis : analyze(fixed.text, { ...options, runner }) });
  }
  reportSuggestionsLeft(out, selection);
  return out;
}

/** One line naming the suggestions `--fix` left alone, so nobody thinks everything was fixed. */
function reportSuggestionsLeft(results: FileResult[], selection: FixSelection): void {
  if (selection.suggestions) return;
  const left = results.flatMap((r) => r.analysis.findings.filter((f) => f.fix?.safety === 'suggestion').map((f) => f.rule));
  if (!left.length) return;
  const rules = [...new Set(left)].sort().join(', ');
  writeLine(`${left.length} suggestion(s) not applied (they change what the migration does: ${rules}); review them, or use --fix-suggestions`, 'stderr');
}

/** Files a runner-aware fix creates beside the migration (a new migration after it, a runner config file): written and listed. */
function writeNewFiles(migration: string, files: NewFile[], dryRun: boolean): void {
  for (const f of files) {
    const target = path.resolve(path.dirname(migration), f.path);
    const shown = toPosix(path.relative(process.cwd(), target));
    if (dryRun) {
      writeReport(terminalLines(createTwoFilesPatch('/dev/null', shown, '', f.text, '', '', { context: 3 })));
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.text);
    writeLine(`${shown}: written by the fix of ${toPosix(migration)}`, 'stderr');
  }
}
