/** How analyze() reads a file under its runner: the profile's sections become timeline units. */
import type { LockwiseConfig } from '../config/config';
import type { Statement } from '../model/statements';
import type { RunnerUnit } from '../model/timeline';
import type { RunnerChoice } from './detect';
import { runnerProfile } from './registry';
import type { Part, RunnerId, RunnerInput, RunnerProfile, Section } from './types';

/** The runner of one file as the project layer resolved it. */
export interface FileRunnerOptions {
  id: RunnerId;
  fileName: string;
  companion?: string;
  siblings?: string[];
  /** Why this runner (shown in hover, audit header and `--explain-runner`). */
  choice?: RunnerChoice;
}

/** What the analysis knows about the file's runner. */
export interface RunnerInfo {
  profile: RunnerProfile;
  input: RunnerInput;
  choice?: RunnerChoice;
  sections: Section[];
  units: RunnerUnit[];
}

export function runnerInfo(text: string, statements: Statement[], config: LockwiseConfig, options?: FileRunnerOptions): RunnerInfo | undefined {
  const id = options?.id ?? (config.runner !== 'auto' ? config.runner : undefined);
  if (!id || id === 'none') return undefined;
  const profile = runnerProfile(id);
  const input: RunnerInput = { text, fileName: options?.fileName ?? '', companion: options?.companion, siblings: options?.siblings };
  const sections = profile.read(input).sections.map((section) => {
    if (!profile.refine) return section;
    const texts = statements.filter((s) => s.container === undefined && s.span.start >= section.start && s.span.start < section.end).map((s) => s.text);
    return profile.refine(section, texts, config.pgVersion);
  });
  const units = sections.map((s): RunnerUnit => ({
    start: s.start,
    end: s.end,
    part: s.part,
    mode: s.mode,
    runner: profile.docs.name,
    unit: s.unit,
    optOut: profile.optOutText,
    optOutMode: profile.optOutMode,
    optedOut: s.optedOut,
  }));
  return { profile, input, choice: options?.choice, sections, units };
}

/** The text to split into statements: the file, with rollback SQL its runner keeps in comments uncovered (same length). */
export function visibleText(text: string, config: LockwiseConfig, options?: FileRunnerOptions): string {
  const id = options?.id ?? (config.runner !== 'auto' ? config.runner : undefined);
  if (!id || id === 'none') return text;
  return runnerProfile(id).visibleText?.(text) ?? text;
}

/** The part each statement belongs to (statements outside every section are deployed). */
export function statementParts(statements: Statement[], info: RunnerInfo | undefined): Part[] {
  if (!info) return new Array<Part>(statements.length).fill('up');
  const parts: Part[] = [];
  for (const s of statements) {
    if (s.container !== undefined) {
      parts.push(parts[s.container] ?? 'up');
      continue;
    }
    const section = info?.sections.find((x) => s.span.start >= x.start && s.span.start < x.end);
    parts.push(section?.part ?? 'up');
  }
  return parts;
}

/** "goose runs this file in one transaction", "Prisma sends this file as one multi-statement query". */
export function unitSentence(unit: RunnerUnit): string {
  if (unit.mode === 'transaction') return `${unit.runner} runs ${unit.unit} in one transaction`;
  if (unit.mode === 'multi-statement')
    return `${unit.runner} sends ${unit.unit} as one multi-statement query, which PostgreSQL runs as one implicit transaction`;
  return `${unit.runner} runs ${unit.unit} statement by statement, without a transaction of its own`;
}

/** What to do about a statement that cannot run in the unit's transaction, naming the runner's opt-out. */
export function runnerAdvice(unit: RunnerUnit): string {
  if (unit.mode === 'transaction' && unit.optOutMode === 'statements')
    return `Turn ${unit.runner}'s transaction off with ${unit.optOut}, or move the statement to a migration of its own.`;
  if (unit.mode === 'transaction' && unit.optOutMode) {
    return `Turn ${unit.runner}'s transaction off with ${unit.optOut} and keep the statement alone in its migration (a multi-statement query is still one transaction).`;
  }
  if (unit.optedOut) return "Keep it alone in a migration of its own: a multi-statement query is one transaction even without the runner's.";
  return `Put it alone in a migration of its own (${unit.optOut}).`;
}

/** "goose's transaction around this file", for messages that say where a statement runs. */
export function runnerTransactionWords(unit: RunnerUnit): string {
  return unit.mode === 'multi-statement'
    ? `the implicit transaction of ${unit.runner}'s multi-statement query (${unit.unit})`
    : `the transaction ${unit.runner} runs ${unit.unit} in`;
}

/**
 * The deployed part of a file's text: rollback and verify sections removed, so that the schema
 * history replays only what the runner deploys (a goose file's Down section drops what its Up made).
 */
export function deployedText(text: string, options: FileRunnerOptions): string {
  if (options.id === 'none') return text;
  const sections = runnerProfile(options.id).read({ text, fileName: options.fileName, companion: options.companion, siblings: options.siblings }).sections;
  const dropped = sections.filter((s) => s.part !== 'up').sort((a, b) => a.start - b.start);
  if (!dropped.length) return text;
  let out = '';
  let at = 0;
  for (const s of dropped) {
    out += text.slice(at, (s.marker?.start ?? s.start) > at ? (s.marker?.start ?? s.start) : at);
    at = Math.max(at, s.end);
  }
  return out + text.slice(at);
}
