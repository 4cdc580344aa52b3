/** `lockwise audit`: every statement's locks, what they block and for how long (text, markdown, HTML or JSON). */
import { jsonListPieces } from '../core';
import { auditFileMarkdown } from '../core';
import { auditHtml } from '../core';
import { auditText } from '../core';
import { hasFindings, overview, overviewFile } from '../core';
import { overviewMarkdown } from '../core';
import { UsageError } from '../project/files';
import { writeReport, writeReportPieces } from '../project/output';
import { Options } from './args';
import { worstSeverityExitCode } from './files';
import { reportFiles } from './reports';

export async function audit(opts: Options): Promise<number> {
  // A terminal gets aligned plain text; a pipe or a file gets markdown, as before.
  const format = opts.format ?? (process.stdout.isTTY ? 'text' : 'markdown');
  if (!['markdown', 'json', 'html', 'text'].includes(format)) throw new UsageError(`--format for audit must be markdown, text, html or json, not "${format}"`);
  if (opts.fix || opts.dryRun) throw new UsageError('--fix and --dry-run go with lint, not audit');
  const files = (await reportFiles(opts, 'audit')).map((f) => f.payload.audit!);
  const summary = overview(files.map(overviewFile));
  if (format === 'json') writeReportPieces(jsonListPieces('files', files, (f) => f));
  else if (format === 'html') writeReport(auditHtml(files, summary, { all: opts.all }));
  else if (format === 'text') writeReport(auditText(files, summary, { all: opts.all }));
  else {
    const shown = opts.all ? files : files.filter(hasFindings);
    const head = overviewMarkdown(summary, { all: opts.all, allHint: '`--all` shows every file' });
    writeReport(`# Lockwise audit\n\n${head}\n${shown.map((f) => auditFileMarkdown(f)).join('\n')}`);
  }
  return worstSeverityExitCode(
    files.map((f) => f.findings),
    opts.failOn,
  );
}
