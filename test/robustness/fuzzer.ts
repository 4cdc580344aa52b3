/**
 * The fuzzer's pieces: a seeded PRNG, edit generation from the corpus, invariant checks against
 * the real server, and delta debugging (ddmin) of a failing edit sequence.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Diagnostic, Range } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestClient } from '../lsp/client';
import { TERMINAL_ATTACKS } from './injection';
import { HOSTILE_NAMES, isTimelineImage, liveMarkdown } from './markdownSafety';

/** mulberry32: small, fast, good enough for test generation, and identical on every platform. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** One edit, in terms of the text it applies to (offsets are clamped when replayed on another text). */
export interface Edit {
  kind: string;
  offset: number;
  deleteCount: number;
  insert: string;
}

export function applyEdit(text: string, e: Edit): string {
  const start = Math.min(e.offset, text.length);
  const end = Math.min(start + e.deleteCount, text.length);
  return text.slice(0, start) + e.insert + text.slice(end);
}

const TRICKY = [
  "'",
  '"',
  '$$',
  '$body$',
  '$a$',
  '/*',
  '*/',
  '--',
  '(',
  ')',
  '((',
  '))',
  ';',
  "E'\\",
  '\\',
  '\n\\.\n',
  'BEGIN;',
  'COMMIT;',
  'ROLLBACK;',
  'DO $$ BEGIN ',
  ' END $$;',
  'COPY t FROM stdin;\n',
  '\\set x 1\n',
  '-- lockwise-ignore ',
  '-- lockwise-ignore-file require-lock-timeout\n',
  'BEGIN ATOMIC ',
  'CASE WHEN ',
  ' END',
  'CREATE INDEX i ON t (c);',
  'ALTER TABLE t ADD COLUMN c int NOT NULL;',
  "SET lock_timeout = '0';",
  'CONCURRENTLY ',
  'NOT VALID',
  'REFERENCES p (id)',
  '\r',
  '\r\n',
  '\n',
  '\t',
  '\uFEFF',
  '😀',
  'e\u0301',
  '\u0000',
  '\uD800',
  '\uDC00',
  '\u2028',
  '""',
  "''",
  'U&"',
  "X'",
  // The injection corpora as identifiers and literals: hover, lenses and the audit must stay inert.
  ...TERMINAL_ATTACKS.map((a) => `"${a.replace(/"/g, '""')}"`),
  ...HOSTILE_NAMES.map((a) => `"${a.replace(/"/g, '""')}"`),
  ...HOSTILE_NAMES.slice(0, 4).map((a) => `'${a.replace(/'/g, "''")}'`),
];

function randomChars(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const r = rng.next();
    if (r < 0.5) s += String.fromCharCode(rng.int(128));
    else if (r < 0.7) s += String.fromCharCode(0x80 + rng.int(0x780));
    else if (r < 0.85) s += String.fromCodePoint(0x1f300 + rng.int(0x300));
    else if (r < 0.95) s += String.fromCharCode(0x800 + rng.int(0xd000));
    else s += String.fromCharCode(0xd800 + rng.int(0x800)); // lone surrogate
  }
  return s;
}

/** The next edit for `text`, drawn from the corpus and from the tricky pieces of SQL. */
export function randomEdit(rng: Rng, text: string, corpus: () => string): Edit {
  const at = () => rng.int(text.length + 1);
  const r = rng.next();
  if (r < 0.1) {
    const offset = at();
    return { kind: 'truncate', offset, deleteCount: text.length - offset, insert: '' };
  }
  if (r < 0.25) {
    const offset = at();
    return { kind: 'delete', offset, deleteCount: 1 + rng.int(rng.chance(0.2) ? 400 : 20), insert: '' };
  }
  if (r < 0.45) {
    const source = corpus();
    const from = rng.int(source.length + 1);
    return { kind: 'insert-corpus', offset: at(), deleteCount: 0, insert: source.slice(from, from + 1 + rng.int(300)) };
  }
  if (r < 0.75) return { kind: 'insert-tricky', offset: at(), deleteCount: rng.chance(0.3) ? 1 + rng.int(5) : 0, insert: rng.pick(TRICKY) };
  if (r < 0.88) return { kind: 'random-chars', offset: at(), deleteCount: rng.chance(0.3) ? rng.int(4) : 0, insert: randomChars(rng, 1 + rng.int(16)) };
  if (r < 0.97) {
    const from = at();
    return { kind: 'duplicate', offset: at(), deleteCount: 0, insert: text.slice(from, from + 1 + rng.int(500)) };
  }
  return { kind: 'replace-all', offset: 0, deleteCount: text.length, insert: corpus() };
}

export function loadCorpus(root: string, maxSize = 30_000): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && /\.sql$/i.test(e.name) && fs.statSync(full).size <= maxSize) files.push(full);
    }
  };
  walk(root);
  return files;
}

// ---- invariants ------------------------------------------------------------------------------------

export function rangeInside(doc: TextDocument, range: Range): string | undefined {
  const lines = doc.lineCount;
  const lineLength = (line: number) => {
    const start = doc.offsetAt({ line, character: 0 });
    const end = line + 1 < lines ? doc.offsetAt({ line: line + 1, character: 0 }) : doc.getText().length;
    return doc
      .getText()
      .slice(start, end)
      .replace(/\r?\n$|\r$/, '').length;
  };
  for (const p of [range.start, range.end]) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return `bad position ${JSON.stringify(p)}`;
    if (p.line >= lines) return `line ${p.line} past the last line ${lines - 1}`;
    if (p.character > lineLength(p.line)) return `character ${p.character} past the end of line ${p.line} (${lineLength(p.line)})`;
  }
  if (range.start.line > range.end.line || (range.start.line === range.end.line && range.start.character > range.end.character))
    return `inverted range ${JSON.stringify(range)}`;
  return undefined;
}

export interface StepCheck {
  /** Hover / code-action positions drawn for this step (part of the reproducible sequence). */
  hover: { line: number; character: number };
  actions: Range;
  extras: boolean;
}

export function drawCheck(rng: Rng, doc: TextDocument): StepCheck {
  const pos = () => {
    const line = rng.int(doc.lineCount + (rng.chance(0.05) ? 2 : 0));
    return { line, character: rng.int(rng.chance(0.1) ? 500 : 80) };
  };
  const a = pos();
  const b = pos();
  const [start, end] = a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
  return { hover: pos(), actions: { start, end }, extras: rng.chance(0.15) };
}

/** Runs the per-step checks; returns the problems found (empty when the server behaved). */
export async function checkStep(client: TestClient, uri: string, check: StepCheck, serverErrors: () => string[]): Promise<string[]> {
  const problems: string[] = [];
  const doc = client.docs.get(uri)!;
  let published: { diagnostics: Diagnostic[] } | undefined;
  try {
    published = await client.diagnostics(uri, 0);
  } catch (error) {
    problems.push(`no diagnostics for version ${doc.version}: ${(error as Error).message.slice(0, 300)}`);
  }
  for (const d of published?.diagnostics ?? []) {
    const bad = rangeInside(doc, d.range);
    if (bad) problems.push(`diagnostic ${d.code} ${JSON.stringify(d.range)}: ${bad}`);
    for (const r of d.relatedInformation ?? []) {
      const badRelated = r.location.uri === uri ? rangeInside(doc, r.location.range) : undefined;
      if (badRelated) problems.push(`related information of ${d.code}: ${badRelated}`);
    }
  }
  const timed = <T>(what: string, p: Promise<T>): Promise<T | undefined> =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not answer in 10 s`)), 10000))]).catch((error: Error) => {
      problems.push(`${what}: ${error.message.slice(0, 300)}`);
      return undefined;
    });
  const hover = await timed('hover', client.hover(uri, check.hover.line, check.hover.character));
  if (hover?.range) {
    const bad = rangeInside(doc, hover.range);
    if (bad) problems.push(`hover range: ${bad}`);
  }
  const hoverText = (hover?.contents as { value?: string } | undefined)?.value ?? '';
  for (const p of liveMarkdown(hoverText)) problems.push(`hover renders ${p.type} ${JSON.stringify(p.detail.slice(0, 80))}`);
  const actions = await timed('codeAction', client.codeActions(uri, check.actions));
  for (const action of actions ?? []) {
    for (const change of action.edit?.documentChanges ?? []) {
      if (!('textDocument' in change) || change.textDocument.uri !== uri) continue;
      for (const e of change.edits) {
        const bad = 'range' in e ? rangeInside(doc, e.range) : undefined;
        if (bad) problems.push(`code action "${action.title}" edit: ${bad}`);
      }
    }
    for (const e of action.edit?.changes?.[uri] ?? []) {
      const bad = rangeInside(doc, e.range);
      if (bad) problems.push(`code action "${action.title}" edit: ${bad}`);
    }
  }
  if (check.extras) {
    const lenses = await timed('codeLens', client.codeLens(uri));
    for (const lens of lenses ?? []) {
      const bad = rangeInside(doc, lens.range);
      if (bad) problems.push(`CodeLens range: ${bad}`);
      if (/(?<!\\)\$\([A-Za-z0-9-]+\)|[\r\n]/.test(lens.command?.title ?? '')) problems.push(`CodeLens title ${JSON.stringify(lens.command?.title)}`);
    }
    const audit = await timed('auditFile', client.executeCommand<string>('lockwise.auditFile', uri));
    const ownLink = (href: string) => href.startsWith('file:') && /#L\d+$/.test(href);
    for (const p of liveMarkdown(audit ?? '', ownLink, isTimelineImage)) problems.push(`audit renders ${p.type} ${JSON.stringify(p.detail.slice(0, 80))}`);
    await timed('fileSummary', client.executeCommand('lockwise.fileSummary', uri));
  }
  problems.push(...serverErrors());
  return problems;
}

// ---- delta debugging -------------------------------------------------------------------------------

/**
 * ddmin (Zeller): the smallest subsequence of `items` (1-minimal) for which `fails` still holds.
 * `fails` must be deterministic enough; `budget` bounds the number of tests.
 */
export async function ddmin<T>(items: T[], fails: (subset: T[]) => Promise<boolean>, budget = 200): Promise<T[]> {
  let current = items;
  let n = 2;
  let tests = 0;
  while (current.length >= 2 && tests < budget) {
    const size = Math.ceil(current.length / n);
    const chunks: T[][] = [];
    for (let i = 0; i < current.length; i += size) chunks.push(current.slice(i, i + size));
    let reduced = false;
    for (let i = 0; i < chunks.length && tests < budget; i++) {
      tests++;
      if (await fails(chunks[i])) {
        current = chunks[i];
        n = 2;
        reduced = true;
        break;
      }
    }
    if (!reduced) {
      for (let i = 0; i < chunks.length && tests < budget; i++) {
        const complement = chunks.filter((_, k) => k !== i).flat();
        tests++;
        if (await fails(complement)) {
          current = complement;
          n = Math.max(n - 1, 2);
          reduced = true;
          break;
        }
      }
    }
    if (!reduced) {
      if (n >= current.length) break;
      n = Math.min(current.length, n * 2);
    }
  }
  if (current.length === 1 && tests < budget && (await fails([]))) return [];
  return current;
}
