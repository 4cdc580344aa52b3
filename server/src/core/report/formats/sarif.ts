/**
 * SARIF 2.1.0 for GitHub code scanning: every rule as a reporting descriptor (summary, full
 * description, help and its page), findings with their fixes, paths relative to `%SRCROOT%` (the
 * folder the CLI ran in) whatever the user typed, and a fingerprint per finding that does not move
 * when lines are added above it. Validated against the SARIF 2.1.0 schema in test/unit/sarif.test.ts.
 */
import { createHash } from 'crypto';
import { Severity } from '../../config/config';
import { RULES } from '../../rules/registry';
import { Finding, Rule } from '../../rules/types';
import { jsonPieces } from '../escapeJson';
import { fileUri, relativeUri } from '../escapeUri';
import { findingJson, FindingJson } from '../findings';
import { renderRuleDoc } from '../ruleDocs';
import { FileReport, ReportedAnalysis } from './fileReport';

export interface SarifOptions {
  version: string;
  /** %SRCROOT%: the absolute folder (POSIX separators) that relative report paths are relative to. */
  root: string;
  /** The rule's documentation page. */
  helpUri(ruleId: string): string;
  informationUri?: string;
}

const SRCROOT = '%SRCROOT%';

export function sarifReport(results: FileReport[], options: SarifOptions): string {
  return [...sarifReportPieces(results, options)].join('');
}

/** The same log in pieces, one per result (escapeJson.ts `jsonPieces`): the CLI writes them as they come. */
export function sarifReportPieces(results: FileReport[], options: SarifOptions): Generator<string> {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const sarifResults = results.flatMap((r) => fileResults(r, ruleIndex));
  const driver = {
    name: 'lockwise',
    version: options.version,
    semanticVersion: options.version,
    ...(options.informationUri ? { informationUri: options.informationUri } : {}),
    rules: RULES.map((r) => ruleDescriptor(r, options.helpUri(r.id))),
  };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        originalUriBaseIds: { [SRCROOT]: { uri: `${fileUri(options.root.replace(/\/$/, ''))}/` } },
        results: sarifResults,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return jsonPieces(log, sarifResults, (r) => r);
}

function sarifLevel(s: Severity): string {
  return s === 'info' ? 'note' : s;
}

function plain(markdown: string): string {
  return markdown.replace(/[*`]/g, '');
}

function ruleDescriptor(r: Rule, helpUri: string) {
  return {
    id: r.id,
    shortDescription: { text: r.docs.summary },
    fullDescription: { text: plain(r.docs.why), markdown: r.docs.why },
    helpUri,
    help: { text: plain(r.docs.safe), markdown: renderRuleDoc(r) },
    defaultConfiguration: { level: r.defaultSeverity === 'off' ? 'none' : sarifLevel(r.defaultSeverity), enabled: r.defaultSeverity !== 'off' },
    properties: { fixable: r.fixable },
  };
}

/** Where a report path points: relative ones under %SRCROOT%, absolute ones (outside it) as file: URIs. */
function artifactLocation(path: string) {
  return path.startsWith('/') || /^[A-Za-z]:\//.test(path) ? { uri: fileUri(path) } : { uri: relativeUri(path), uriBaseId: SRCROOT };
}

function fileResults(r: FileReport, ruleIndex: Map<string, number>) {
  const seen = new Map<string, number>();
  return r.analysis.findings.map((f) => {
    const key = fingerprintKey(r.analysis, f);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return sarifResult(r, f, ruleIndex, createHash('sha256').update(`${key}\0${occurrence}`).digest('hex'));
  });
}

/**
 * What identifies a finding without its line: the rule, its statement (whitespace collapsed) and the
 * text it points at. The n-th identical one in the file gets n in its hash.
 */
function fingerprintKey(a: ReportedAnalysis, f: Finding): string {
  const statement = a.statements[f.statement]?.statement.text.replace(/\s+/g, ' ').trim() ?? '';
  return [f.rule, statement, a.text.slice(f.span.start, f.span.end).replace(/\s+/g, ' ')].join('\0');
}

function sarifResult(r: FileReport, f: Finding, ruleIndex: Map<string, number>, fingerprint: string) {
  const j = findingJson(r.analysis, f);
  const region = { startLine: j.line, startColumn: j.column, endLine: j.endLine, endColumn: j.endColumn };
  return {
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule),
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: artifactLocation(r.path), region } }],
    partialFingerprints: { 'lockwiseFinding/v1': fingerprint },
    ...(j.fix ? { fixes: [sarifFix(r.path, j.fix)] } : {}),
  };
}

function sarifFix(path: string, fix: NonNullable<FindingJson['fix']>) {
  return {
    description: { text: fix.title },
    artifactChanges: [
      {
        artifactLocation: artifactLocation(path),
        replacements: fix.edits.map((e) => ({
          deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
          insertedContent: { text: e.newText },
        })),
      },
    ],
  };
}
