/** The `lockwise lint --format json` document: findings per file, without their fixes. */
import { findingJson } from '../findings';
import { jsonText } from '../escapeJson';
import { FileReport } from './fileReport';

export function lintJson(results: FileReport[]): string {
  const files = results.map((r) => ({ path: r.path, findings: r.analysis.findings.map((f) => withoutFix(findingJson(r.analysis, f))) }));
  return jsonText({ files });
}

function withoutFix<T extends { fix?: unknown }>(f: T): Omit<T, 'fix'> {
  const { fix: _fix, ...rest } = f;
  return rest;
}
