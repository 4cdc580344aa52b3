/** The `lockwise lint --format json` document: findings per file, without their fixes. */
import { findingJson } from '../findings';
import { jsonListPieces } from '../escapeJson';
import { FileReport } from './fileReport';

export function lintJson(results: FileReport[]): string {
  return [...lintJsonPieces(results)].join('');
}

/** The same document in pieces, one per file, each file's JSON made when its piece is (the CLI writes them as they come). */
export function lintJsonPieces(results: FileReport[]): Generator<string> {
  return jsonListPieces('files', results, (r) => ({ path: r.path, findings: r.analysis.findings.map((f) => withoutFix(findingJson(r.analysis, f))) }));
}

function withoutFix<T extends { fix?: unknown }>(f: T): Omit<T, 'fix'> {
  const { fix: _fix, ...rest } = f;
  return rest;
}
