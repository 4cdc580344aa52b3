/**
 * The `lockwise lint` text format, laid out like rustc and Clippy: a message line
 * (`path:line:col: severity[rule]: message`), the source line with carets under the finding, then
 * `= help:` (the fix, or the safe alternative) and `= note:` lines. Rule fixture snapshots
 * (`test/fixtures/rules/<rule>/<case>.snap`) are these same blocks with a span instead of a path.
 * Everything that comes from the document or a path is escaped for the terminal here, once.
 */
import type { Analysis, StatementAnalysis } from '../../analyze';
import { Finding } from '../../rules/types';
import { lockNote } from '../describe';
import { TAKEN_ONLY } from '../../locks/branches';
import { terminalExcerpt, terminalText } from '../escapeTerminal';
import { FileReport, ReportedAnalysis, ReportedStatement } from './fileReport';

const COLORS = { error: '\x1b[31m', warning: '\x1b[33m', info: '\x1b[36m', dim: '\x1b[2m', bold: '\x1b[1m', reset: '\x1b[0m' };
export type Paint = (kind: keyof typeof COLORS, s: string) => string;
const plain: Paint = (_k, s) => s;

/** `docsUrl`: where a rule's page is published (the CLI passes the repository's), for a last `= note: see <url>` line. */
export type DocsUrl = (ruleId: string) => string;

export function textReport(results: FileReport[], color: boolean, docsUrl?: DocsUrl): string {
  return [...textReportPieces(results, color, docsUrl)].join('');
}

/**
 * The same report in pieces, one per finding and the summary, each ending a line: the CLI writes
 * them as they come (project/output.ts `writeReportPieces`) instead of the whole report as one string.
 */
export function* textReportPieces(results: FileReport[], color: boolean, docsUrl?: DocsUrl): Generator<string> {
  const paint: Paint = color ? (k, s) => COLORS[k] + s + COLORS.reset : plain;
  const counts = { error: 0, warning: 0, info: 0 };
  for (const r of results) {
    for (const f of r.analysis.findings) {
      counts[f.severity]++;
      const start = r.analysis.lines.positionAt(f.span.start);
      yield findingBlock(r.analysis, f, `${terminalText(r.path)}:${start.line + 1}:${start.character + 1}`, paint, docsUrl).join('\n') + '\n\n';
    }
  }
  const total = counts.error + counts.warning + counts.info;
  yield total
    ? `${total} finding(s) in ${results.length} file(s): ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info\n`
    : `No findings in ${results.length} file(s).\n`;
}

/**
 * One finding: `<location>: severity[rule]: message`, the first line of its span with carets, then
 * its help and notes. `location` is already escaped.
 */
export function findingBlock(a: ReportedAnalysis, f: Finding, location: string, c: Paint = plain, docsUrl?: DocsUrl): string[] {
  const lines = [`${c('bold', `${location}:`)} ${c(f.severity, `${f.severity}[${f.rule}]`)}${c('bold', `: ${terminalText(f.message)}`)}`];
  const lineIndex = a.lines.positionAt(f.span.start).line;
  const endLineIndex = a.lines.positionAt(f.span.end).line;
  const lineStart = a.lines.lineStart(lineIndex);
  const src = a.text.slice(lineStart, a.lines.lineEndOffset(lineIndex));
  // A window around the finding, escaped; the carets count what is shown.
  const excerpt = terminalExcerpt(src, f.span.start - lineStart, endLineIndex === lineIndex ? f.span.end - lineStart : src.length);
  const lineNumber = String(lineIndex + 1);
  const gutter = lineNumber.length + 1;
  const bar = (label: string) => c('dim', `${label.padStart(gutter)} | `);
  lines.push(bar(lineNumber) + excerpt.text);
  lines.push(bar('') + ' '.repeat(excerpt.caret) + c(f.severity, '^'.repeat(excerpt.width)));
  for (const [label, text] of trailers(a, f, docsUrl)) lines.push(c('dim', `${' '.repeat(gutter)} = ${label}: `) + terminalText(text));
  return lines;
}

/**
 * The `= help:` and `= note:` lines: the fix (applied by `--fix`, a suggestion only by
 * `--fix-suggestions`) or else the safe way; why a fix is withheld; the lock the statement takes on
 * an existing table and for how long; the finding's own notes; the rule's page.
 */
function trailers(a: ReportedAnalysis, f: Finding, docsUrl: DocsUrl | undefined): [string, string][] {
  const out: [string, string][] = [];
  if (f.fix) out.push(['help', `${f.fix.title} (lockwise lint ${f.fix.safety === 'safe' ? '--fix' : '--fix-suggestions'})`]);
  else if (f.help) out.push(['help', f.help]);
  if (f.withheld) out.push(['note', `no quick fix: ${f.withheld.reason}`]);
  const lock = statementLockNote(a, f.statement);
  if (lock) out.push(['note', lock]);
  // A may-take lock's condition is in the lock note already.
  for (const n of f.notes ?? []) if (!(lock && n.startsWith(TAKEN_ONLY) && lock.includes(n.slice(TAKEN_ONLY.length)))) out.push(['note', n]);
  if (docsUrl) out.push(['note', `see ${docsUrl(f.rule)}`]);
  return out;
}

/** The statement's lock in words: computed from a whole analysis, or carried by a reported one (cache, worker). */
function statementLockNote(a: ReportedAnalysis, index: number): string | undefined {
  const s = a.statements[index];
  if (!s) return undefined;
  if (!isWhole(s)) return s.lockNote;
  return s.statement.kind === 'Invalid' ? undefined : lockNote(a as Analysis, s);
}

function isWhole(s: ReportedStatement | StatementAnalysis): s is StatementAnalysis {
  return 'heldUntil' in s;
}
