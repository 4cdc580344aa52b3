/** GitHub Actions workflow commands (`::error file=...::message`), one per finding, escaped by escapeGithub.ts. */
import { Finding } from '../../rules/types';
import { workflowCommand } from '../escapeGithub';
import { findingJson } from '../findings';
import { FileReport } from './fileReport';

export function githubAnnotations(results: FileReport[]): string {
  let out = '';
  for (const r of results) for (const f of r.analysis.findings) out += githubAnnotation(r, f) + '\n';
  return out;
}

function githubAnnotation(r: FileReport, f: Finding): string {
  const j = findingJson(r.analysis, f);
  const level = f.severity === 'info' ? 'notice' : f.severity;
  return workflowCommand(
    level,
    [
      ['file', r.path],
      ['line', j.line],
      ['col', j.column],
      ['endLine', j.endLine],
      ['endColumn', j.endColumn],
      ['title', f.rule],
    ],
    f.message,
  );
}
