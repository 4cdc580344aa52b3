/** The contract between the engine and the rules. */
import type { LockwiseConfig, RuleSetting, Severity } from '../config/config';
import type { Catalog } from '../model/catalog';
import type { Statement } from '../model/statements';
import type { StatementTimeline, Timeline } from '../model/timeline';
import type { StatementEffect } from '../locks/model';
import type { Span } from '../text/positions';
import type { Token } from '../parse/parser';
import type { LineIndex } from '../text/positions';
import type { FileState } from './support/state';
import type { RunnerInfo } from '../runners/apply';
import type { NewFile } from '../runners/types';
import type { SizeAnalysis } from '../size/analysis';

export interface TextEdit {
  /** UTF-16 document offsets; `start === end` inserts. */
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The obvious fix for this finding (VS Code's `isPreferred`). */
  preferred?: boolean;
  /** Files the fix creates (a new migration after this one, a runner config file): created, or replaced when they exist. */
  files?: NewFile[];
}

export interface RelatedInfo {
  span: Span;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  message: string;
  span: Span;
  /** Index of the statement it is about. */
  statement: number;
  fix?: Fix;
  /** Why the finding's fix is not offered (the runner forbids editing the file). */
  fixWithheld?: string;
  related?: RelatedInfo[];
}

/**
 * What a rule reports. `severity` optionally replaces the rule's default severity for this one
 * finding (e.g. a warning rule whose slow cases are errors); it is ignored when the user set the
 * rule's severity in the configuration.
 */
export type ReportedFinding = Omit<Finding, 'rule' | 'severity'> & { severity?: Severity };

export interface RuleDocs {
  /** One line: what the rule flags. */
  summary: string;
  /** Why it is dangerous, with the lock it takes (markdown). */
  why: string;
  /** The safe alternative (markdown). */
  safe: string;
  /** SQL the rule flags. */
  bad: string;
  /** The safe SQL. */
  good: string;
  /** Configuration both examples assume (e.g. the runner), where the defaults do not fit. */
  exampleConfig?: Partial<LockwiseConfig>;
}

/** Everything a rule may look at for one statement; the catalog is the schema *before* it. */
export interface StatementContext {
  file: FileContext;
  statement: Statement;
  effect: StatementEffect;
  timeline: StatementTimeline;
  catalog: Catalog;
}

export interface FileContext {
  text: string;
  lines: LineIndex;
  statements: Statement[];
  effects: StatementEffect[];
  timeline: Timeline;
  config: LockwiseConfig;
  /** True when earlier migration files were replayed into the catalog. */
  hasHistory: boolean;
  /** Rule-private state that lives for one analysis of one file. */
  state: FileState;
  /** The runner that executes the file (undefined: plain psql). */
  runner?: RunnerInfo;
  /** Sizes and estimates, when a size snapshot was given (computed after the statements, for checkFile). */
  sizes?: SizeAnalysis;
  tokens(stmt: Statement): Token[];
}

export interface Rule {
  id: string;
  defaultSeverity: RuleSetting;
  docs: RuleDocs;
  /** Oldest PostgreSQL version the rule applies to. */
  minPgVersion?: number;
  /** Whether the rule offers a quick fix (for the docs and `lockwise rules`). */
  fixable: boolean;
  /** False when an ignore comment makes no sense for it (the editor offers none): the finding is about the file itself. */
  ignorable?: boolean;
  /** Called for every statement in file order. */
  checkStatement?(ctx: StatementContext, report: (finding: ReportedFinding) => void): void;
  /** Called once after every statement was seen. */
  checkFile?(file: FileContext, report: (finding: ReportedFinding) => void): void;
}
