/** The `lockwise lint` text format: one finding per entry with its source line, carets and fix hint. */
import { findingJson } from '../findings';
import { FileReport } from './fileReport';

const COLORS = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
type Paint = (kind: keyof typeof COLORS, s: string) => string;

export function textReport(results: FileReport[], color: boolean): string {
  const paint: Paint = (k, s) => (color ? COLORS[k] + s + COLORS.reset : s);
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const r of results) {
    for (const f of r.analysis.findings) {
      counts[f.severity]++;
      lines.push(...findingLines(r, f, paint));
    }
  }
  const total = counts.error + counts.warning + counts.info;
  lines.push(
    total
      ? `${total} finding(s) in ${results.length} file(s): ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info`
      : `No findings in ${results.length} file(s).`,
  );
  return lines.join('\n') + '\n';
}

function findingLines(r: FileReport, f: FileReport['analysis']['findings'][number], c: Paint): string[] {
  const a = r.analysis;
  const j = findingJson(a, f);
  const lines = [`${c('bold', `${r.path}:${j.line}:${j.column}`)} ${c(f.severity, f.severity)} ${c('dim', f.rule)} ${f.message}`];
  const lineIndex = j.line - 1;
  const src = a.text.slice(a.lines.lineStart(lineIndex), a.lines.lineEndOffset(lineIndex));
  lines.push(c('dim', `  ${String(j.line).padStart(4)} | `) + src);
  const width = j.endLine === j.line ? Math.max(1, j.endColumn - j.column) : Math.max(1, src.length - j.column + 1);
  lines.push(c('dim', '       | ') + ' '.repeat(Math.max(0, j.column - 1)) + c(f.severity, '^'.repeat(width)));
  if (f.fix) lines.push(c('dim', `       = fix: ${f.fix.title} (lockwise lint --fix)`));
  return lines;
}
