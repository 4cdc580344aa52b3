/**
 * The analysis worker posts a big document's diagnostics as a change from the list the main thread
 * holds (server/src/lsp/diagnosticsChange.ts): applied there, every change gives back exactly the
 * worker's list, and the items it did not change stay the main thread's objects.
 */
import * as assert from 'assert';
import type { Diagnostic } from 'vscode-languageserver/node';
import { analyze, initParser } from '../../server/src/core';
import { findingDiagnostics } from '../../server/src/lsp/diagnostics';
import { applyChange, changeFrom, PostedList, sameDiagnostic } from '../../server/src/lsp/diagnosticsChange';
import { sameJson } from '../../server/src/lsp/transport';
import { seededRandom } from '../support/random';

function diagnostic(line: number, message: string): Diagnostic {
  const range = { start: { line, character: 2 }, end: { line, character: 12 } };
  return {
    range,
    severity: 2,
    code: 'some-rule',
    codeDescription: { href: 'https://example.com/some-rule.md' },
    source: 'lockwise',
    message,
    ...(line % 5 === 0 ? { relatedInformation: [{ location: { uri: 'file:///m/a.sql', range }, message: 'BEGIN' }] } : {}),
  };
}

/** What crosses between the threads: a structured clone. */
const posted = <T>(value: T): T => structuredClone(value);

/** `list` with frozen items, as applyChange holds it. */
const frozenCopy = (list: Diagnostic[]): Diagnostic[] => applyChange(undefined, { whole: posted(list) })!;

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe('analysis worker: diagnostics posted as a change', () => {
  it('gives back the worker list after any edit, the unchanged items kept as the main thread objects', () => {
    const random = seededRandom(19);
    const edits: ((list: Diagnostic[]) => Diagnostic[])[] = [
      (list) => list, // nothing changed
      (list) => list.map((d, i) => (i === Math.floor(random() * list.length) ? diagnostic(d.range.start.line, `${d.message} edited`) : d)),
      (list) => [...list.slice(0, 10), diagnostic(999, 'new'), ...list.slice(10)],
      (list) => list.filter((_, i) => i !== Math.floor(random() * list.length)),
      (list) => list.map((d, i) => (i > 20 ? diagnostic(d.range.start.line + 1, d.message as string) : d)), // lines moved
      () => [],
      (list) => [...list, ...list.slice(0, 4)], // the same items twice
      (list) => (list.length ? list : Array.from({ length: 40 }, (_, i) => diagnostic(i, `finding ${i}`))),
    ];
    let worker = Array.from({ length: 40 }, (_, i) => diagnostic(i, `finding ${i}`));
    let sent: PostedList | undefined;
    let held: PostedList | undefined;
    for (let job = 1; job <= 200; job++) {
      worker = edits[Math.floor(random() * edits.length)](worker).map((d) => posted(d)); // the worker makes fresh objects
      const made = changeFrom(sent, held?.id, worker);
      assert.deepStrictEqual(made.kept, worker, `job ${job}: the worker keeps its list`);
      if (sent && 'base' in made.change) {
        const { head, tail } = made.change;
        const old = sent.diagnostics;
        assert.ok(
          made.kept.slice(0, head).every((d, i) => d === old[i]) && made.kept.slice(made.kept.length - tail).every((d, i) => d === old[old.length - tail + i]),
          `job ${job}: the worker keeps its own objects where nothing changed`,
        );
      }
      const change = posted(made.change);
      sent = { id: job, diagnostics: made.kept };
      const list = applyChange(held, change);
      assert.ok(list, `job ${job}: the change applies`);
      assert.deepStrictEqual(list, worker, `job ${job}`);
      assert.ok(list.every(isDeepFrozen), `job ${job}: items frozen through and through`);
      if (held && 'base' in change) {
        for (let i = 0; i < change.head; i++) assert.strictEqual(list[i], held.diagnostics[i]);
        for (let i = 1; i <= change.tail; i++) assert.strictEqual(list[list.length - i], held.diagnostics[held.diagnostics.length - i]);
      }
      held = { id: job, diagnostics: list };
    }
  });

  it('posts only the changed middle against the base the main thread holds, else the whole list', () => {
    const last = Array.from({ length: 30 }, (_, i) => diagnostic(i, `finding ${i}`));
    const next = last.map((d, i) => (i === 12 ? diagnostic(12, 'changed') : posted(d)));
    const { change, kept } = changeFrom({ id: 7, diagnostics: last }, 7, next);
    assert.deepStrictEqual(change, { base: 7, head: 12, tail: 17, items: [next[12]] });
    assert.ok(kept[11] === last[11] && kept[12] === next[12] && kept[13] === last[13]);
    const other = changeFrom({ id: 7, diagnostics: last }, 6, next);
    assert.deepStrictEqual(other.change, { whole: next }, 'the main thread holds another list');
    assert.strictEqual(other.kept[0], last[0], 'the worker still keeps its own objects');
    assert.deepStrictEqual(changeFrom(undefined, 7, next).change, { whole: next }, 'the worker dropped the document');
  });

  it('refuses a change whose base the main thread does not hold', () => {
    const last = Array.from({ length: 30 }, (_, i) => diagnostic(i, `finding ${i}`));
    const { change } = changeFrom({ id: 7, diagnostics: last }, 7, last.slice(0, 20));
    assert.strictEqual(applyChange({ id: 8, diagnostics: frozenCopy(last) }, change), undefined);
    assert.strictEqual(applyChange(undefined, change), undefined);
    assert.strictEqual(applyChange({ id: 7, diagnostics: [] }, { base: 7, head: 1, tail: 0, items: [] }), undefined, 'more kept than it has');
  });

  it('compares every field a diagnostic of a finding has: any one changed makes it another', async () => {
    await initParser();
    const sql = 'BEGIN;\nALTER TABLE users ADD COLUMN a text;\nCREATE INDEX users_a ON users (a);\nCOMMIT;\n';
    const made = findingDiagnostics('file:///m/0002.sql', analyze(sql), (rule) => `https://example.com/${rule}.md`);
    const withRelated = made.find((d) => d.relatedInformation?.length);
    assert.ok(withRelated, `a diagnostic with related information among ${made.map((d) => d.code).join(', ')}`);
    const leaves = (value: unknown, at: (string | number)[] = []): (string | number)[][] =>
      typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...at, Array.isArray(value) ? Number(k) : k])) : [at];
    for (const d of made) {
      assert.ok(sameDiagnostic(d, structuredClone(d)));
      for (const path of leaves(d)) {
        const other = structuredClone(d) as unknown as Record<string | number, unknown>;
        let parent = other;
        for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
        const leaf = path[path.length - 1];
        parent[leaf] = typeof parent[leaf] === 'number' ? (parent[leaf] as number) + 1 : `${String(parent[leaf])}!`;
        assert.ok(!sameDiagnostic(d, other as unknown as Diagnostic), `${path.join('.')} changed`);
      }
    }
    const { relatedInformation, ...without } = withRelated;
    assert.ok(!sameDiagnostic(withRelated, without) && !sameDiagnostic(without, withRelated));
    assert.ok(!sameDiagnostic(withRelated, { ...withRelated, relatedInformation: [...relatedInformation!, relatedInformation![0]] }));
  });

  it('lets the transport take a kept item as unchanged: the same frozen object is equal to itself', () => {
    const [item] = frozenCopy([diagnostic(5, 'x')]);
    assert.ok(sameJson(item, item));
    const mutable = diagnostic(5, 'x');
    assert.ok(!sameJson(mutable, mutable), 'an object that may have changed in place is encoded again');
  });
});
