/** The analysis core's public surface, used by the CLI and the language server. */
export { analyze, statementAt, severityOf } from './analyze';
export type { Analysis, StatementAnalysis, AnalyzeOptions, HeldUntil } from './analyze';
export { initParser } from './parse/parser';
export { RULES, RULES_BY_ID } from './rules/registry';
export type { Rule, Finding, Fix, TextEdit } from './rules/types';
export * from './config/config';
export { applyEdits, fixAll } from './fixes/apply';
export { auditJson, auditMarkdown } from './report/audit';
export { findingJson } from './report/findings';
export { Catalog } from './model/catalog';
export { LineIndex } from './text/positions';
