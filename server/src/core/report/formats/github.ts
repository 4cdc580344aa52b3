/** GitHub Actions workflow commands (`::error file=...::message`), one per finding. */
import { Finding } from '../../rules/types';
import { findingJson } from '../findings';
import { FileReport } from './fileReport';

export function githubAnnotations(results: FileReport[]): string {
  let out = '';
  for (const r of results) for (const f of r.analysis.findings) out += githubAnnotation(r, f) + '\n';
  return out;
}

function githubEscapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function githubEscapeProperty(s: string): string {
  return githubEscapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function githubAnnotation(r: FileReport, f: Finding): string {
  const j = findingJson(r.analysis, f);
  const level = f.severity === 'info' ? 'notice' : f.severity;
  const props = [
    `file=${githubEscapeProperty(r.path)}`,
    `line=${j.line}`,
    `col=${j.column}`,
    `endLine=${j.endLine}`,
    `endColumn=${j.endColumn}`,
    `title=${githubEscapeProperty(f.rule)}`,
  ];
  return `::${level} ${props.join(',')}::${githubEscapeData(f.message)}`;
}
