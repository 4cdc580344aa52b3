/** SARIF 2.1.0 (code scanning): every rule as a reporting descriptor, findings with their fixes. */
import { Severity } from '../../config/config';
import { RULES } from '../../rules/registry';
import { Finding, Rule } from '../../rules/types';
import { findingJson, FindingJson } from '../findings';
import { jsonText } from '../escapeJson';
import { renderRuleDoc } from '../ruleDocs';
import { FileReport } from './fileReport';

export function sarifReport(results: FileReport[], toolVersion: string): string {
  const ruleIndex = new Map(RULES.map((r, i) => [r.id, i]));
  const sarifResults = results.flatMap((r) => r.analysis.findings.map((f) => sarifResult(r, f, ruleIndex)));
  const driver = { name: 'lockwise', version: toolVersion, semanticVersion: toolVersion, rules: RULES.map(ruleDescriptor) };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver }, results: sarifResults, columnKind: 'utf16CodeUnits' }],
  };
  return jsonText(log);
}

function sarifLevel(s: Severity): string {
  return s === 'info' ? 'note' : s;
}

function ruleDescriptor(r: Rule) {
  return {
    id: r.id,
    shortDescription: { text: r.docs.summary },
    fullDescription: { text: r.docs.why.replace(/[*`]/g, '') },
    help: { text: r.docs.safe.replace(/[*`]/g, ''), markdown: renderRuleDoc(r) },
    defaultConfiguration: { level: r.defaultSeverity === 'off' ? 'none' : sarifLevel(r.defaultSeverity), enabled: r.defaultSeverity !== 'off' },
    properties: { fixable: r.fixable },
  };
}

function sarifResult(r: FileReport, f: Finding, ruleIndex: Map<string, number>) {
  const j = findingJson(r.analysis, f);
  const region = { startLine: j.line, startColumn: j.column, endLine: j.endLine, endColumn: j.endColumn };
  return {
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule),
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(r.path) }, region } }],
    ...(j.fix ? { fixes: [sarifFix(r.path, j.fix)] } : {}),
  };
}

function sarifFix(path: string, fix: NonNullable<FindingJson['fix']>) {
  return {
    description: { text: fix.title },
    artifactChanges: [
      {
        artifactLocation: { uri: encodeURI(path) },
        replacements: fix.edits.map((e) => ({
          deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
          insertedContent: { text: e.newText },
        })),
      },
    ],
  };
}
