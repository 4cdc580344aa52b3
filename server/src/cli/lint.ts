/** `lockwise lint`: findings in text, JSON, SARIF or GitHub annotations; `--fix` applies safe fixes first. */
import { FileReport, githubAnnotations, LineIndex, lintJsonPieces, ReportedAnalysis, ReportedStatement, sarifReportPieces, textReportPieces } from '../core';
import { runnerText } from '../core';
import { toPosix, UsageError } from '../project/files';
import { HOMEPAGE, ruleDocsUrl } from '../project/constants';
import { Options, VERSION } from './args';
import { analyzeFiles, worstSeverityExitCode } from './files';
import { applyFixes } from './fix';
import { reportFiles, ReportedFile } from './reports';
import { writeCommands, writeLine, writeReportPieces } from '../project/output';

const FORMATS = ['text', 'json', 'sarif', 'github'];

export async function lint(opts: Options): Promise<number> {
  const format = opts.format ?? 'text';
  if (!FORMATS.includes(format)) throw new UsageError(`--format for lint must be text, json, sarif or github, not "${format}"`);
  if (opts.dryRun && !opts.fix) throw new UsageError('--dry-run goes with --fix');
  let results: FileReport[];
  let failed = false;
  if (opts.explainRunner || opts.fix) {
    // Both need whole analyses (the runner, the fixes): analysed here, never cached.
    const analysed = await analyzeFiles(opts);
    if (opts.explainRunner) {
      for (const r of analysed) writeLine(`${r.path}: ${runnerText(r.analysis) ?? `plain psql (${r.runner?.choice.reason ?? 'no runner'})`}`);
      return 0;
    }
    const outcome = applyFixes(analysed, opts.dryRun, { suggestions: opts.fixSuggestions });
    results = outcome.results;
    failed = outcome.failures.length > 0;
    // A dry run exits as lint would after the fixes: 1 when findings at or above --fail-on remain.
    if (opts.dryRun) return failed ? 2 : exitCode(results, opts);
  } else {
    const files = await reportFiles(opts, 'lint');
    results = files.map((f) => ({ path: f.path, analysis: reported(f) }));
  }
  if (format === 'json') writeReportPieces(lintJsonPieces(results));
  else if (format === 'sarif')
    writeReportPieces(sarifReportPieces(results, { version: VERSION, root: toPosix(process.cwd()), helpUri: ruleDocsUrl, informationUri: HOMEPAGE }));
  else if (format === 'github') writeCommands(githubAnnotations(results));
  else writeReportPieces(textReportPieces(results, opts.color, ruleDocsUrl));
  // A file that could not be fixed is an I/O error: exit 2, after the report of every file.
  return failed ? 2 : exitCode(results, opts);
}

function exitCode(results: FileReport[], opts: Options): number {
  return worstSeverityExitCode(
    results.map((r) => r.analysis.findings),
    opts.failOn,
  );
}

/** What the formats read of a file, rebuilt from its cached or worker-computed payload. */
function reported(f: ReportedFile): ReportedAnalysis {
  const statements: (ReportedStatement | undefined)[] = [];
  for (const [index, text] of Object.entries(f.payload.statementTexts))
    statements[Number(index)] = { statement: { text }, lockNote: f.payload.lockNotes?.[Number(index)] };
  return { text: f.text, lines: new LineIndex(f.text), findings: f.payload.findings, statements };
}
