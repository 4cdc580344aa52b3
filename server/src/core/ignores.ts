/**
 * Ignore comments: `-- lockwise-ignore rule-a, rule-b -- reason` on the line before a statement or
 * at the end of its first line; `-- lockwise-ignore-file rule-a` for the whole file. squawk's
 * `squawk-ignore` / `squawk-ignore-file` are honoured the same way. No rule list means every rule.
 */
import { SqlComment } from './parse/splitter';
import { LineIndex, Span } from './text/positions';

export interface IgnoreSet {
  /** Line (0-based) of the comment → rule ids ('*' = all). */
  byLine: Map<number, Set<string>>;
  file: Set<string>;
  /** Rule ids named in `lockwise-ignore` comments that do not exist. */
  unknown: { id: string; span: Span }[];
}

export const DIRECTIVE = /^(?:--|\/\*)\s*(lockwise|squawk)-ignore(-file)?(?=\s|$|\*\/)([^\n]*)/;

export interface Directive {
  tool: 'lockwise' | 'squawk';
  fileWide: boolean;
  /** Rule ids with their offsets within the comment. */
  rules: { id: string; offset: number }[];
  reason?: string;
}

export function parseDirective(comment: string): Directive | undefined {
  const m = DIRECTIVE.exec(comment);
  if (!m) return undefined;
  let rest = m[3].replace(/\*\/\s*$/, '');
  let reason: string | undefined;
  const reasonAt = rest.indexOf(' -- ');
  if (reasonAt >= 0) {
    reason = rest.slice(reasonAt + 4).trim();
    rest = rest.slice(0, reasonAt);
  }
  const base = m[0].length - m[3].length;
  const rules: Directive['rules'] = [];
  const idPattern = /[A-Za-z0-9_-]+/g;
  let id: RegExpExecArray | null;
  while ((id = idPattern.exec(rest))) rules.push({ id: id[0], offset: base + id.index });
  return { tool: m[1] as Directive['tool'], fileWide: !!m[2], rules, reason };
}

export function collectIgnores(comments: SqlComment[], lines: LineIndex, knownRules: Set<string>): IgnoreSet {
  const result: IgnoreSet = { byLine: new Map(), file: new Set(), unknown: [] };
  for (const comment of comments) {
    const directive = parseDirective(comment.text);
    if (!directive) continue;
    const ids = directive.rules.length ? directive.rules.map((r) => r.id) : ['*'];
    if (directive.tool === 'lockwise') {
      for (const r of directive.rules) {
        if (!knownRules.has(r.id)) result.unknown.push({ id: r.id, span: { start: comment.start + r.offset, end: comment.start + r.offset + r.id.length } });
      }
    }
    if (directive.fileWide) {
      for (const id of ids) result.file.add(id);
      continue;
    }
    const line = lines.positionAt(comment.start).line;
    const set = result.byLine.get(line) ?? new Set<string>();
    for (const id of ids) set.add(id);
    result.byLine.set(line, set);
  }
  return result;
}
