/**
 * A big document's diagnostics as the analysis worker posts them: what changed since the last list
 * it posted for the document. An edit changes the diagnostics around it, and the ones before it
 * (and after it, when no line moved) are the last list's. Posting, receiving and converting all
 * 1,396 diagnostics of a 10,000-statement file was most of the main thread's work per edit; now the
 * worker posts the changed middle, and the main thread keeps the rest of its last list as objects.
 *
 * Both sides hold the same last list: the main thread says which one it holds (`base`, the id of the
 * job that posted it), and the worker posts a change only against that one, else the whole list.
 */
import type { Diagnostic, Range } from 'vscode-languageserver/node';
import { commonEnds } from './commonEnds';

/** The whole list, or `items` replacing all but the `head` first and `tail` last items of the `base` list. */
export type DiagnosticsChange = { whole: Diagnostic[] } | { base: number; head: number; tail: number; items: Diagnostic[] };

/** The list the main thread holds for a document: the diagnostics of the job `id`. */
export interface PostedList {
  id: number;
  diagnostics: readonly Diagnostic[];
}

/**
 * `next` as a change from `last` when `last` is the list the receiver holds (`base`), else whole;
 * and the list to keep as the next `last`: `next` with `last`'s objects where they are equal, so
 * that what an edit leaves alone is not made, kept and collected again on every edit.
 */
export function changeFrom(last: PostedList | undefined, base: number | undefined, next: Diagnostic[]): { change: DiagnosticsChange; kept: Diagnostic[] } {
  if (!last) return { change: { whole: next }, kept: next };
  const old = last.diagnostics;
  const { head, tail } = commonEnds(old, next, sameDiagnostic);
  const items = next.slice(head, next.length - tail);
  const kept = [...old.slice(0, head), ...items, ...old.slice(old.length - tail)];
  return { change: last.id === base ? { base, head, tail, items } : { whole: next }, kept };
}

/**
 * The list a change stands for, built on `last` (which must be its base), with new items frozen:
 * every item of the result is frozen through and through, so the transport may take an item it
 * encoded before as unchanged (transport.ts `sameJson`). Undefined when `last` is not the base.
 */
export function applyChange(last: PostedList | undefined, change: DiagnosticsChange): Diagnostic[] | undefined {
  if ('whole' in change) return change.whole.map(deepFreeze);
  if (!last || last.id !== change.base || change.head + change.tail > last.diagnostics.length) return undefined;
  const old = last.diagnostics;
  return [...old.slice(0, change.head), ...change.items.map(deepFreeze), ...old.slice(old.length - change.tail)];
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

/**
 * Whether two diagnostics made by `toDiagnostic` (diagnostics.ts) are equal, field by field: the analysis worker
 * compares the 1,396 of a 10,000-statement file with the last ones on every edit, and a walk of any
 * object's keys made that the slowest part of the first edits (test/unit/diagnosticsChange.test.ts
 * changes each field in turn).
 */
export function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  if (a.message !== b.message || a.code !== b.code || a.severity !== b.severity || a.source !== b.source) return false;
  if (!sameRange(a.range, b.range) || a.codeDescription?.href !== b.codeDescription?.href) return false;
  const ra = a.relatedInformation;
  const rb = b.relatedInformation;
  if (ra === undefined || rb === undefined) return ra === rb;
  if (ra.length !== rb.length) return false;
  for (let i = 0; i < ra.length; i++) {
    if (ra[i].message !== rb[i].message || ra[i].location.uri !== rb[i].location.uri || !sameRange(ra[i].location.range, rb[i].location.range)) return false;
  }
  return true;
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}
