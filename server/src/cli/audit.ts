/** `lockwise audit`: every statement's locks, what they block and for how long (text, markdown, HTML or JSON). */
import { auditJson } from '../core';
import { auditFileMarkdown } from '../core';
import { auditHtml } from '../core';
import { auditText } from '../core';
import { hasFindings, overview, overviewFile } from '../core';
import { overviewMarkdown } from '../core';
import { UsageError } from '../project/files';
import { Options } from './args';
import { analyzeFiles, worstSeverityExitCode } from './files';

export async function audit(opts: Options): Promise<number> {
  // A terminal gets aligned plain text; a pipe or a file gets markdown, as before.
  const format = opts.format ?? (process.stdout.isTTY ? 'text' : 'markdown');
  if (!['markdown', 'json', 'html', 'text'].includes(format)) throw new UsageError(`--format for audit must be markdown, text, html or json, not "${format}"`);
  if (opts.fix || opts.dryRun) throw new UsageError('--fix and --dry-run go with lint, not audit');
  const results = await analyzeFiles(opts);
  const files = results.map((r) => auditJson(r.path, r.analysis));
  const summary = overview(files.map(overviewFile));
  const out = process.stdout;
  if (format === 'json') out.write(JSON.stringify({ files }, null, 2) + '\n');
  else if (format === 'html') out.write(auditHtml(files, summary, { all: opts.all }));
  else if (format === 'text') out.write(auditText(files, summary, { all: opts.all }));
  else {
    const shown = opts.all ? files : files.filter(hasFindings);
    const head = overviewMarkdown(summary, { all: opts.all, allHint: '`--all` shows every file' });
    out.write(`# Lockwise audit\n\n${head}\n${shown.map((f) => auditFileMarkdown(f)).join('\n')}`);
  }
  return worstSeverityExitCode(results, opts.failOn);
}
