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
export { RUNNERS, RUNNERS_BY_ID, runnerProfile } from './runners/registry';
export { detectRunner, describeChoice, markerRunner } from './runners/detect';
export type { FolderFacts, RunnerChoice } from './runners/detect';
export type { RunnerId, RunnerProfile, TxMode, Part, NewFile } from './runners/types';
export { RUNNER_IDS } from './runners/types';
export type { FileRunnerOptions } from './runners/apply';
