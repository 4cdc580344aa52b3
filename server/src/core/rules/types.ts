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
import type { StatsSnapshot } from '../size/snapshot';

export interface TextEdit {
  /** UTF-16 document offsets; `start === end` inserts. */
  start: number;
  end: number;
  newText: string;
}

/**
 * How far a fix can be trusted. `safe`: wherever the original migration runs to completion, the
 * fixed one leaves the same schema and the same rows (it may give up earlier on its lock_timeout,
 * and can be retried). `suggestion`: it changes what the migration does (the consequence is in
 * its title); a person applies it, one at a time, never `lint --fix`, fix-all or fix-on-save.
 */
export type FixSafety = 'safe' | 'suggestion';

/** A rule's description of one of its fixes (`Rule.fixes`), the source of its safety class. */
export interface FixDoc {
  safety: FixSafety;
  /** What the fix writes, in one sentence (the docs). */
  does: string;
  /** safe: why the result is the same. suggestion: what changes, short, as it ends the fix's title ("existing rows stay NULL"). */
  effect: string;
}

/** A fix as a rule writes it. */
export interface Fix {
  /** Which of the rule's `fixes` this is: its safety class comes from there. */
  kind: string;
  title: string;
  edits: TextEdit[];
  /** The obvious fix for this finding (VS Code's `isPreferred`); never set on a suggestion. */
  preferred?: boolean;
  /** Files the fix creates (a new migration after this one, a runner config file): created, or replaced when they exist. */
  files?: NewFile[];
}

/** A fix on a finding: its class stamped from the rule's metadata by the engine (a suggestion's title ends with its consequence). */
export interface ClassifiedFix extends Fix {
  safety: FixSafety;
}

/** A fix the rule could not offer here, and why (shown as a disabled code action). */
export interface WithheldFix {
  title: string;
  reason: string;
}

export interface RelatedInfo {
  span: Span;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  /**
   * One short sentence that names the table and the danger (a Problems row shows about 75
   * characters; at most 160). The why, the lock detail and the safe way are in the rule's docs,
   * the `help` and `notes` below and the hover, never here.
   */
  message: string;
  /** The safe way for this finding when it has no fix (the CLI's `= help:`, the hover); a fix's title says it otherwise. */
  help?: string;
  /** What is particular to this finding beyond the message: an assumption, the runner, a side effect (`= note:`, the hover). */
  notes?: string[];
  span: Span;
  /** Index of the statement it is about. */
  statement: number;
  fix?: ClassifiedFix;
  /** Why the finding's fix is not offered (the runner forbids editing the file). */
  fixWithheld?: string;
  /** When the rule has a fix for findings like this one but not here (the editor shows it disabled, with the reason). */
  withheld?: WithheldFix;
  related?: RelatedInfo[];
}

/**
 * What a rule reports. `severity` optionally replaces the rule's default severity for this one
 * finding (e.g. a warning rule whose slow cases are errors); it is ignored when the user set the
 * rule's severity in the configuration.
 */
export type ReportedFinding = Omit<Finding, 'rule' | 'severity' | 'fix'> & { severity?: Severity; fix?: Fix };

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
  /** The size snapshot both examples assume, for rules that only speak with one. */
  exampleStats?: StatsSnapshot;
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
  /**
   * Incremental analysis (core/incremental) follows what each statement read: rules call this for
   * reads it cannot see (a derived state key's entry, line numbers written into a message).
   */
  noteRead?(key: string): void;
}

export interface Rule {
  id: string;
  defaultSeverity: RuleSetting;
  docs: RuleDocs;
  /** Oldest PostgreSQL version the rule applies to. */
  minPgVersion?: number;
  /** Whether the rule offers a quick fix (for the docs and `lockwise rules`). */
  fixable: boolean;
  /** Every fix the rule can offer, by `Fix.kind`, with its safety class (required when `fixable`). */
  fixes?: Record<string, FixDoc>;
  /** False when an ignore comment makes no sense for it (the editor offers none): the finding is about the file itself. */
  ignorable?: boolean;
  /**
   * The statement kinds `checkStatement` inspects (`IndexStmt`, `AlterTableStmt`, `Invalid` for a
   * syntax error, ...): it is called only on those, as ESLint's node selectors and ruff's per-node
   * dispatch do. Omitted: every statement (rules that keep state across statements, or read the
   * lock model's verdict whatever the statement).
   */
  kinds?: readonly string[];
  /** Called for every statement in file order (of its `kinds`). */
  checkStatement?(ctx: StatementContext, report: (finding: ReportedFinding) => void): void;
  /** Called once after every statement was seen. */
  checkFile?(file: FileContext, report: (finding: ReportedFinding) => void): void;
}
