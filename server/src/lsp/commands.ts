/**
 * `workspace/executeCommand` handlers: audit reports (markdown from the core's auditMarkdown, with
 * line links the markdown preview can follow), fix-all, and the status bar's file summary.
 */
import * as path from 'path';
import { runnerText } from '../core/report/describe';
import { CancellationToken } from 'vscode-languageserver/node';
import { auditJson, auditMarkdown } from '../core';
import { DocumentState, Project } from './documents';
import { uriToPath } from './convert';

export { COMMANDS } from './protocol';

/** A file URI usable as a markdown link target. Not every client percent-encodes brackets and parentheses: a raw `)[x](command:...)` in the URI would end the link and start another. */
export function linkTarget(uri: string): string {
  return uri.replace(/[()[\]<>`"\\\s]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export function displayPath(project: Project, uri: string): string {
  const file = uriToPath(uri);
  if (!file) return uri;
  const folder = project.folderOf(file);
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

/** One file's audit section; line links are the file URI with `#L<line>`, which the markdown preview opens at that line. */
async function auditSection(project: Project, uri: string): Promise<{ markdown: string; skipped?: string }> {
  const loaded = await project.stateOfFile(uri);
  if (!loaded) return { markdown: '', skipped: 'cannot read the file' };
  const skipped = skippedText(loaded.state);
  if (skipped || !loaded.state.analysis) return { markdown: '', skipped: skipped ?? 'not checked' };
  const linkable = uri.startsWith('file:');
  const target = linkTarget(uri);
  const markdown = auditMarkdown(displayPath(project, uri), loaded.state.analysis, linkable ? { lineLink: (line) => `${target}#L${line}` } : {});
  return { markdown };
}

export async function auditFile(project: Project, uri: string): Promise<string> {
  const section = await auditSection(project, uri);
  if (section.skipped) return `# Lockwise audit\n\n${escapeInline(displayPath(project, uri))}: ${section.skipped}.\n`;
  return `# Lockwise audit\n\n${section.markdown}`;
}

export interface AuditFilesResult {
  markdown: string;
  audited: number;
  skipped: number;
}

/** Files in migration order (natural sort), so the report reads like the deploy. */
export async function auditFiles(project: Project, uris: string[], token: CancellationToken, header = true): Promise<AuditFilesResult> {
  const sorted = [...new Set(uris)].sort((a, b) => collator.compare(a, b));
  const sections: string[] = [];
  let skipped = 0;
  for (const uri of sorted) {
    if (token.isCancellationRequested) break;
    const section = await auditSection(project, uri);
    if (section.skipped) skipped++;
    else sections.push(section.markdown);
  }
  const body = sections.join('\n');
  const markdown = header ? `# Lockwise audit\n\n${sections.length ? body : 'No migration files to audit.\n'}` : body;
  return { markdown, audited: sections.length, skipped };
}

export type { FileSummary } from './protocol';
import type { FileSummary } from './protocol';

export async function fileSummary(project: Project, uri: string): Promise<FileSummary> {
  const empty: FileSummary = { uri, worstLock: null, tables: [], rewrites: [], findings: { error: 0, warning: 0, info: 0 } };
  const loaded = await project.stateOfFile(uri);
  if (!loaded) return { ...empty, skipped: 'cannot read the file' };
  const { analysis } = loaded.state;
  const skipped = skippedText(loaded.state);
  if (skipped || !analysis) return { ...empty, skipped: skipped ?? 'not checked' };
  const summary = auditJson(displayPath(project, uri), analysis).summary;
  const findings = { error: 0, warning: 0, info: 0 };
  for (const f of analysis.findings) findings[f.severity]++;
  return { uri, worstLock: summary.worstLock, tables: summary.tablesTouched, rewrites: summary.rewrites, findings, runner: runnerText(analysis) };
}

function escapeInline(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+\-.!|~&]/g, (c) => `\\${c}`);
}
