/** Findings as LSP diagnostics, and the diagnostic of an invalid `.lockwise.json`. */
import { Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Range } from 'vscode-languageserver/node';
import { ConfigError } from '../core';
import type { Analysis, Finding } from '../core';
import type { Span } from '../core';
import { toRange, toSeverity } from './convert';
import type { Lines } from './convert';

export const SOURCE = 'lockwise';

export type DocsLink = (rule: string) => string;

/** What a finding's diagnostic is made of, as UTF-16 offsets: `toDiagnostic` turns it into the Diagnostic. */
export interface DiagnosticData {
  rule: string;
  severity: Finding['severity'];
  message: string;
  span: Span;
  related: { span: Span; message: string }[];
}

export function diagnosticData(analysis: Analysis, finding: Finding): DiagnosticData {
  return {
    rule: finding.rule,
    severity: finding.severity,
    message: finding.message,
    span: { start: finding.span.start, end: finding.span.end },
    related: relatedSpans(analysis, finding),
  };
}

export function toDiagnostic(uri: string, lines: Lines, data: DiagnosticData, docs: DocsLink): Diagnostic {
  const diagnostic: Diagnostic = {
    range: toRange(lines, data.span),
    severity: toSeverity(data.severity),
    code: data.rule,
    codeDescription: { href: docs(data.rule) },
    source: SOURCE,
    message: data.message,
  };
  if (data.related.length) {
    diagnostic.relatedInformation = data.related.map((r): DiagnosticRelatedInformation => ({
      location: { uri, range: toRange(lines, r.span) },
      message: r.message,
    }));
  }
  return diagnostic;
}

export function findingDiagnostic(uri: string, analysis: Analysis, finding: Finding, docs: DocsLink): Diagnostic {
  return toDiagnostic(uri, analysis.lines, diagnosticData(analysis, finding), docs);
}

export function findingDiagnostics(uri: string, analysis: Analysis, docs: DocsLink): Diagnostic[] {
  return analysis.findings.map((f) => findingDiagnostic(uri, analysis, f, docs));
}

/** The rule's own related spans, then where the statement's locks start being held and where they are released. */
function relatedSpans(analysis: Analysis, finding: Finding): { span: Span; message: string }[] {
  const out: { span: Span; message: string }[] = [];
  for (const r of finding.related ?? []) out.push({ span: { start: r.span.start, end: r.span.end }, message: r.message });
  const s = analysis.statements[finding.statement];
  if (!s || finding.rule === 'syntax-error' || finding.rule === 'unknown-ignore-rule') return out;
  const tx = s.timeline.transaction;
  if (!tx || tx.implicit || tx.begin === undefined || tx.begin === finding.statement) return out;
  const begin = analysis.statements[tx.begin];
  if (!begin) return out;
  const beginLine = analysis.lines.positionAt(begin.statement.span.start).line;
  if (out.some((o) => analysis.lines.positionAt(o.span.start).line === beginLine)) return out;
  const holdsLocks = s.effect.locks.some((l) => !l.harmless);
  out.push({
    span: { start: begin.statement.span.start, end: begin.statement.span.end },
    message: holdsLocks ? 'The transaction starts here: its locks are held from here until it ends' : 'The transaction starts here',
  });
  const h = s.heldUntil;
  if ((h.kind === 'commit' || h.kind === 'rollback') && h.statement !== undefined) {
    const end = analysis.statements[h.statement];
    if (end) {
      const word = h.kind === 'commit' ? 'COMMIT' : 'ROLLBACK';
      out.push({
        span: { start: end.statement.span.start, end: end.statement.span.end },
        message: holdsLocks ? `The locks are released at this ${word}` : `The transaction ends at this ${word}`,
      });
    }
  }
  return out;
}

/** A diagnostic on `.lockwise.json` itself, on the offending key when it can be found. */
export function configDiagnostic(error: ConfigError, text: string | undefined): Diagnostic {
  let range: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  if (text !== undefined && error.key) {
    const last = error.key.split('.').pop() ?? error.key;
    const quoted = JSON.stringify(last);
    let at = text.indexOf(quoted);
    if (at < 0) at = text.indexOf(JSON.stringify(error.key));
    if (at >= 0) range = spanRange(text, at, at + quoted.length);
  } else if (text !== undefined) {
    const firstLineEnd = text.search(/\r|\n/);
    range = { start: { line: 0, character: 0 }, end: { line: 0, character: firstLineEnd < 0 ? text.length : firstLineEnd } };
  }
  return { range, severity: DiagnosticSeverity.Error, source: SOURCE, message: error.message, code: 'invalid-config' };
}

/** A `baseline` that cannot be resolved (no git, unknown ref, ...): a warning on the key, the analysis runs without it. */
export function baselineDiagnostic(message: string, text: string | undefined): Diagnostic {
  const located = configDiagnostic(new ConfigError('', 'baseline', message), text);
  return { ...located, severity: DiagnosticSeverity.Warning, message: `baseline not used: ${message}`, code: 'baseline-unavailable' };
}

function spanRange(text: string, start: number, end: number): Range {
  const pos = (offset: number) => {
    const before = text.slice(0, offset);
    const lines = before.split(/\r\n|\r|\n/);
    return { line: lines.length - 1, character: lines[lines.length - 1].length };
  };
  return { start: pos(start), end: pos(end) };
}
