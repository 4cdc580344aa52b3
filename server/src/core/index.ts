/** The analysis core's public surface, used by the CLI and the language server. */
export { analyze, statementAt, severityOf } from './analyze';
export { IncrementalAnalyzer, LineBlindAnalysis, maskLines } from './incremental/analyzer';
export type { Analysis, StatementAnalysis, AnalyzeOptions, HeldUntil } from './analyze';
export { initParser } from './parse/parser';
export { loadAskedGrammars } from './parse/grammars';
export { RULES, RULES_BY_ID } from './rules/registry';
export type { Rule, Finding, Fix, ClassifiedFix, FixDoc, FixSafety, WithheldFix, TextEdit } from './rules/types';
export { classifyFix, selected as fixSelected } from './fixes/safety';
export type { FixSelection } from './fixes/safety';
export * from './config/config';
export { applyEdits, fixAll } from './fixes/apply';
export { auditJson, auditMarkdown } from './report/audit';
export type { AuditFileJson } from './report/audit';
export type { FileReport, ReportedAnalysis, ReportedStatement } from './report/formats/fileReport';
export { textReport, textReportPieces } from './report/formats/text';
export { lintJson, lintJsonPieces } from './report/formats/json';
export { sarifReport, sarifReportPieces } from './report/formats/sarif';
export { githubAnnotations } from './report/formats/github';
export { renderRuleDoc } from './report/ruleDocs';
export { findingJson } from './report/findings';
export { Catalog } from './model/catalog';
export { baselineLabel, migrationName, parseBaseline, pendingReason } from './model/baseline';
export type { Baseline, BaselineSpec, PendingRelation } from './model/baseline';
export { LineIndex } from './text/positions';
export { RUNNERS, RUNNERS_BY_ID, runnerProfile } from './runners/registry';
export { detectRunner, describeChoice, markerRunner } from './runners/detect';
export type { FolderFacts, RunnerChoice } from './runners/detect';
export type { RunnerId, RunnerProfile, TxMode, Part, NewFile } from './runners/types';
export { RUNNER_IDS } from './runners/types';
export type { FileRunnerOptions } from './runners/apply';
export { insertLockTimeout } from './fixes/lockTimeout';
export { roundsToZero } from './model/timeline';
// What the front ends (CLI, server, trace) read beyond the pipeline: descriptions, views, lock modes, AST access.
export { as } from './parse/ast';
export type { T } from './parse/ast';
export { buildStatements } from './model/statements';
export type { Statement } from './model/statements';
export { LOCK_MODES, PG_LOCK_MODES, MODE_DESCRIPTIONS, blockedOperations, conflictingModes, lockRank, strongest } from './locks/modes';
export type { LockMode } from './locks/modes';
export type { StatementEffect } from './locks/model';
export { SYSTEM_CATALOG, TEMPORARY_TABLE } from './locks/model';
export { certainMode, mergeLock, unionEffects } from './locks/branches';
export { auditFileMarkdown, oneLine } from './report/audit';
export { codeSafe, escapeMarkdown } from './report/escapeMarkdown';
export {
  blockLevel,
  blocksInWords,
  compactSummary,
  heldUntilText,
  lineOfStatement,
  lockNote,
  lockTimeoutText,
  mayTake,
  runnerText,
  strongestExistingLock,
  strongestLock,
} from './report/describe';
export { parseDirective } from './ignores';
export type { Span } from './text/positions';
export { hasFindings, overview, overviewFile } from './report/overview';
export type { WorstStatement } from './report/overview';
export type { OverviewFile } from './report/overview';
export { overviewMarkdown } from './report/overviewMarkdown';
export { deployedText } from './runners/apply';
export { auditHtml } from './report/auditHtml';
export { auditText } from './report/auditText';
// Sizes and estimates (issue 16): the snapshot, its query, the rates, the views' words.
export { STATS_FILE, SnapshotError, validateSnapshot, findTable, formatBytes, sizeText, ageText, snapshotAgeMs } from './size/snapshot';
export type { StatsSnapshot, TableStats } from './size/snapshot';
export { STATS_QUERY } from './size/query';
export {
  DEFAULT_RATES,
  OVERHEAD_FLOOR_MS,
  RATE_WIDEN,
  RATE_WIDEN_FAST,
  RATES_FILE,
  RatesError,
  ratesFromSamples,
  validateRates,
  WORK_KINDS,
} from './size/rates';
export type { Rates, WorkKind } from './size/rates';
export type { SizeAnalysis, SizeInput } from './size/analysis';
export { durationText, estimateText } from './size/estimate';
export { estimateSummary } from './report/sizes';
export type { Estimate } from './size/estimate';
export { clip, quoted, showControls, terminalExcerpt, terminalLines, terminalText } from './report/escapeTerminal';
export { commandData, commandProperty, inertLines, isWorkflowCommand, workflowCommand } from './report/escapeGithub';
export { itemJson, jsonAround, jsonListPieces, jsonPieces, jsonText } from './report/escapeJson';
