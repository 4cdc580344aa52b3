/**
 * `workspace/executeCommand` handlers: audit reports (markdown from the core's auditMarkdown, with
 * line links the markdown preview can follow), fix-all, and the status bar's file summary.
 */
import * as path from 'path';
import { escapeMarkdown, runnerText } from '../core';
import { CancellationToken } from 'vscode-languageserver/node';
import { auditJson } from '../core';
import { auditFileMarkdown } from '../core';
import { hasFindings, overview, overviewFile, OverviewFile, WorstStatement } from '../core';
import { LOCK_MODES } from '../core';
import { overviewMarkdown } from '../core';
import { Documents, DocumentState } from './documents';
import { NATURAL_ORDER } from '../project/constants';
import { uriToPath } from './convert';

export { COMMANDS } from './protocol';

/** A file URI usable as a markdown link target. Not every client percent-encodes brackets and parentheses: a raw `)[x](command:...)` in the URI would end the link and start another. */
export function linkTarget(uri: string): string {
  return uri.replace(/[()[\]<>`"\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

export function displayPath(documents: Documents, uri: string): string {
  const file = uriToPath(uri);
  if (!file) return uri;
  const folder = documents.workspace.folderOf(file);
  return (folder ? path.relative(folder, file) : file).split(path.sep).join('/');
}

function skippedText(state: DocumentState): string | undefined {
  switch (state.context.skip) {
    case 'too-large':
      return `skipped: the file is larger than lockwise.maxFileSize (${formatBytes(state.context.settings.maxFileSize)})`;
    case 'excluded':
      return 'skipped: excluded by the include/exclude settings';
    case 'not-sql':
      return 'skipped: not a SQL file';
    default:
      return undefined;
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${n} bytes`;
}

interface AuditSection {
  markdown: string;
  skipped?: string;
  /** What the file adds to the overview (worst statements, tables, counts). */
  overview?: OverviewFile;
}

/**
 * One file's audit section, with its lock timeline picture; line links are the file URI with
 * `#L<line>`, which the markdown preview opens at that line.
 */
async function auditSection(documents: Documents, uri: string): Promise<AuditSection> {
  const loaded = await documents.stateOfFile(uri);
  if (!loaded) return { markdown: '', skipped: 'cannot read the file' };
  const skipped = skippedText(loaded.state);
  if (skipped || !loaded.state.analysis) return { markdown: '', skipped: skipped ?? 'not checked' };
  const linkable = uri.startsWith('file:');
  const target = linkTarget(uri);
  const data = auditJson(displayPath(documents, uri), loaded.state.analysis);
  const markdown = auditFileMarkdown(data, { timeline: true, ...(linkable ? { lineLink: (line: number) => `${target}#L${line}` } : {}) });
  return { markdown, overview: { ...overviewFile(data), ...(linkable ? { link: target } : {}) } };
}

export async function auditFile(documents: Documents, uri: string): Promise<string> {
  const section = await auditSection(documents, uri);
  if (section.skipped) return `# Lockwise audit\n\n${escapeMarkdown(displayPath(documents, uri))}: ${section.skipped}.\n`;
  return `# Lockwise audit\n\n${section.markdown}`;
}

export type { AuditFilesResult } from './protocol';
import type { AuditFilesResult } from './protocol';

export interface AuditFilesOptions {
  /** Start with the title and the overview of these files (false: a batch of a larger audit). */
  header?: boolean;
  /** Sections for files without findings too. */
  all?: boolean;
}

/** Files in migration order (natural sort), so the report reads like the deploy; only files with findings unless `all`. */
export async function auditFiles(documents: Documents, uris: string[], token: CancellationToken, options: AuditFilesOptions = {}): Promise<AuditFilesResult> {
  const sorted = [...new Set(uris)].sort((a, b) => NATURAL_ORDER.compare(a, b));
  const sections: string[] = [];
  const files: OverviewFile[] = [];
  let skipped = 0;
  for (const uri of sorted) {
    if (token.isCancellationRequested) break;
    const section = await auditSection(documents, uri);
    if (section.skipped || !section.overview) {
      skipped++;
      continue;
    }
    files.push(section.overview);
    if (options.all || hasFindings(section.overview)) sections.push(section.markdown);
  }
  const body = sections.join('\n');
  const markdown = options.header === false ? body : auditHeader(files, options.all) + body;
  return { markdown, audited: files.length, skipped, files };
}

/** The title and the overview of a (workspace) audit. */
export function auditHeader(files: OverviewFile[], all = false): string {
  if (files.length === 0) return '# Lockwise audit\n\nNo migration files to audit.\n';
  return `# Lockwise audit\n\n${overviewMarkdown(overview(files), { all })}\n`;
}

export type { FileSummary } from './protocol';
import type { FileSummary } from './protocol';

export async function fileSummary(documents: Documents, uri: string): Promise<FileSummary> {
  const empty: FileSummary = { uri, worstLock: null, tables: [], rewrites: [], findings: { error: 0, warning: 0, info: 0 } };
  const loaded = await documents.stateOfFile(uri);
  if (!loaded) return { ...empty, skipped: 'cannot read the file' };
  const { analysis } = loaded.state;
  const skipped = skippedText(loaded.state);
  if (skipped || !analysis) return { ...empty, skipped: skipped ?? 'not checked' };
  const summary = auditJson(displayPath(documents, uri), analysis).summary;
  const findings = { error: 0, warning: 0, info: 0 };
  for (const f of analysis.findings) findings[f.severity]++;
  return { uri, worstLock: summary.worstLock, tables: summary.tablesTouched, rewrites: summary.rewrites, findings, runner: runnerText(analysis) };
}

/**
 * The overview records come back from the client: check their shape before rendering them (the
 * renderer escapes their text; a wrong type would throw instead).
 */
export function isOverviewFile(value: unknown): value is OverviewFile {
  const f = value as OverviewFile;
  const isCount = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  return (
    typeof f === 'object' &&
    f !== null &&
    typeof f.path === 'string' &&
    (f.link === undefined || typeof f.link === 'string') &&
    isCount(f.statements) &&
    typeof f.findings === 'object' &&
    f.findings !== null &&
    isCount(f.findings.error) &&
    isCount(f.findings.warning) &&
    isCount(f.findings.info) &&
    typeof f.tables === 'object' &&
    f.tables !== null &&
    Object.values(f.tables).every(isCount) &&
    Array.isArray(f.worst) &&
    f.worst.every(isWorst)
  );
}

function isWorst(w: unknown): boolean {
  const x = w as WorstStatement;
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof x.path === 'string' &&
    typeof x.sql === 'string' &&
    typeof x.relation === 'string' &&
    typeof x.held === 'string' &&
    typeof x.line === 'number' &&
    typeof x.score === 'number' &&
    typeof x.statementsUnder === 'number' &&
    (LOCK_MODES as readonly string[]).includes(x.mode) &&
    (x.level === 'reads' || x.level === 'writes') &&
    (x.work === null || x.work === 'rewrite' || x.work === 'scan' || x.work === 'index build')
  );
}
