/** `lockwise lint`: findings in text, JSON, SARIF or GitHub annotations; `--fix` applies safe fixes first. */
import { githubAnnotations, lintJson, sarifReport, textReport } from '../core';
import { runnerText } from '../core';
import { toPosix, UsageError } from '../project/files';
import { HOMEPAGE, ruleDocsUrl } from '../project/constants';
import { Options, VERSION } from './args';
import { analyzeFiles, worstSeverityExitCode } from './files';
import { applyFixes } from './fix';
import { writeCommands, writeLine, writeReport } from '../project/output';

const FORMATS = ['text', 'json', 'sarif', 'github'];

export async function lint(opts: Options): Promise<number> {
  const format = opts.format ?? 'text';
  if (!FORMATS.includes(format)) throw new UsageError(`--format for lint must be text, json, sarif or github, not "${format}"`);
  if (opts.dryRun && !opts.fix) throw new UsageError('--dry-run goes with --fix');
  let results = await analyzeFiles(opts);
  if (opts.explainRunner) {
    for (const r of results) writeLine(`${r.path}: ${runnerText(r.analysis) ?? `plain psql (${r.runner?.choice.reason ?? 'no runner'})`}`);
    return 0;
  }
  if (opts.fix) {
    results = applyFixes(results, opts.dryRun, { suggestions: opts.fixSuggestions });
    if (opts.dryRun) return 0;
  }
  if (format === 'json') writeReport(lintJson(results));
  else if (format === 'sarif')
    writeReport(sarifReport(results, { version: VERSION, root: toPosix(process.cwd()), helpUri: ruleDocsUrl, informationUri: HOMEPAGE }));
  else if (format === 'github') writeCommands(githubAnnotations(results));
  else writeReport(textReport(results, opts.color));
  return worstSeverityExitCode(results, opts.failOn);
}
