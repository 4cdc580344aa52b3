/**
 * The `lockwise lint` text format, laid out like rustc and Clippy: a message line
 * (`path:line:col: severity[rule]: message`), the source line with carets under the finding, then
 * `= help:` (the fix, or the safe alternative) and `= note:` lines. Rule fixture snapshots
 * (`test/fixtures/rules/<rule>/<case>.snap`) are these same blocks with a span instead of a path.
 * Everything that comes from the document or a path is escaped for the terminal here, once.
 */
import { Finding } from '../../rules/types';
import { terminalExcerpt, terminalText } from '../escapeTerminal';
import { findingJson } from '../findings';
import { FileReport, ReportedAnalysis } from './fileReport';

const COLORS = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
export type Paint = (kind: keyof typeof COLORS, s: string) => string;
const plain: Paint = (_k, s) => s;

export function textReport(results: FileReport[], color: boolean): string {
  const paint: Paint = color ? (k, s) => COLORS[k] + s + COLORS.reset : plain;
  const lines: string[] = [];
  const counts = { error: 0, warning: 0, info: 0 };
  for (const r of results) {
    for (const f of r.analysis.findings) {
      counts[f.severity]++;
      const j = findingJson(r.analysis, f);
      lines.push(...findingBlock(r.analysis, f, `${terminalText(r.path)}:${j.line}:${j.column}`, paint), '');
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

/**
 * One finding: `<location>: severity[rule]: message`, the first line of its span with carets, then
 * its help and notes. `location` is already escaped.
 */
export function findingBlock(a: ReportedAnalysis, f: Finding, location: string, c: Paint = plain): string[] {
  const j = findingJson(a, f);
  const lines = [`${c('bold', `${location}:`)} ${c(f.severity, `${f.severity}[${f.rule}]`)}${c('bold', `: ${terminalText(f.message)}`)}`];
  const lineIndex = j.line - 1;
  const lineStart = a.lines.lineStart(lineIndex);
  const src = a.text.slice(lineStart, a.lines.lineEndOffset(lineIndex));
  // A window around the finding, escaped; the carets count what is shown.
  const excerpt = terminalExcerpt(src, f.span.start - lineStart, j.endLine === j.line ? f.span.end - lineStart : src.length);
  const gutter = String(j.line).length + 1;
  const bar = (label: string) => c('dim', `${label.padStart(gutter)} | `);
  lines.push(bar(String(j.line)) + excerpt.text);
  lines.push(bar('') + ' '.repeat(excerpt.caret) + c(f.severity, '^'.repeat(excerpt.width)));
  for (const [label, text] of trailers(f)) lines.push(c('dim', `${' '.repeat(gutter)} = ${label}: `) + terminalText(text));
  return lines;
}

/** The `= help:` and `= note:` lines: the fix (applied by `--fix`, a suggestion only by `--fix-suggestions`), else the rule's safe alternative. */
function trailers(f: Finding): [string, string][] {
  const out: [string, string][] = [];
  if (f.fix) out.push(['help', `${f.fix.title} (lockwise lint ${f.fix.safety === 'safe' ? '--fix' : '--fix-suggestions'})`]);
  return out;
}
