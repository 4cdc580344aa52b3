/**
 * The statement list of an edited text from the previous one: only the part around the change is
 * split and parsed again. The splitter (parse/splitter.ts) carries nothing across a `;` that ends a
 * statement (outside BEGIN ATOMIC, not a COPY FROM stdin, whose data follows): from such a point
 * on, the same text splits the same way. So the text is split again from the last such point
 * before the change to the first one after it where the new split is back in that state, and the
 * statements, comments and meta-commands on either side are the previous run's (shifted after
 * it). A DO block in the re-split part (whose conditions name lines counted from its start) is
 * built in full; DO blocks after an edit that moved lines get their statements built again, but
 * for a line-blind check (`keepDoBlocks`: IncrementalAnalyzer.peekLineBlind), which takes their
 * conditions' line numbers as they were.
 * `test/unit/incremental.test.ts` compares every result with a full analysis.
 */
import { buildStatements, doBlockStatements, plainStatement, Statement, StatementList } from '../model/statements';
import { ownText } from '../parse/parser';
import { LineIndex } from '../text/positions';
import { TextChange } from './shift';

/** A resume point after the change that does not work out is tried this many times before building in full. */
const TRIES = 4;

export function rebuiltStatements(text: string, before: string, old: StatementList, change: TextChange, keepDoBlocks = false): StatementList | undefined {
  const olds = old.statements;
  let m = olds.length - 1;
  while (m >= 0 && !(olds[m].container === undefined && olds[m].terminatorEnd <= change.start && resumesAt(before, olds[m]))) m--;
  // Statements before `a`, the end of statement m (or the start of the text), stay as they are: those before index k (a DO block's come after it).
  const a = m >= 0 ? olds[m].terminatorEnd : 0;
  const k = after(olds, m, a);
  const delta = change.newEnd - change.oldEnd;
  let tries = 0;
  for (let j = k; j <= olds.length && tries < TRIES; j++) {
    const end = j < olds.length ? olds[j] : undefined;
    if (end && !(end.container === undefined && end.terminatorEnd > change.oldEnd && resumesAt(before, end))) continue;
    tries++;
    // Up to the end of old statement j (shifted), or to the end of the text.
    const b = end ? end.terminatorEnd + delta : text.length;
    // Its own copy: the statements split from it outlive this text (later runs keep them), and a
    // slice of the text would keep the whole of it alive with them, one document per edit.
    const part = ownText(text.slice(a, b));
    const middle = buildStatements(part);
    if (!middle.statements.every((s) => s.container === undefined && s.reads === undefined)) return undefined;
    if (end && !endsReset(part, middle)) continue;
    return joined(
      old,
      k,
      end ? after(olds, j, end.terminatorEnd) : olds.length,
      middle,
      a,
      end ? end.terminatorEnd : before.length,
      delta,
      !keepDoBlocks && linesMoved(before, text, change) ? text : undefined,
    );
  }
  return undefined;
}

/** The first statement after statement `i` that starts at `end` or later (the statements of a DO block follow it). */
function after(olds: Statement[], i: number, end: number): number {
  let k = i + 1;
  while (k < olds.length && olds[k].span.start < end) k++;
  return k;
}

/** The splitter starts afresh after this statement: it ends with its own `;` and is no COPY (whose data lines follow). */
function resumesAt(text: string, s: Statement): boolean {
  return s.terminated && text.charCodeAt(s.terminatorEnd - 1) === 59 /* ; */ && !/^copy\b/i.test(s.text);
}

/** The split of `part` left the splitter where the whole text's split is at its end: right after the `;` of its last statement, in no comment or meta-command. */
function endsReset(part: string, split: StatementList): boolean {
  const last = split.statements[split.statements.length - 1];
  if (!last || last.container !== undefined || last.terminatorEnd !== part.length || !resumesAt(part, last)) return false;
  return !split.comments.some((c) => c.end >= part.length) && !split.metaCommands.some((m) => m.end >= part.length);
}

/**
 * The previous statements before index `k` (ending at `a`), the part split again (offsets from
 * `a`), and the previous statements from index `after` on (from old offset `oldB`), moved by
 * `delta` characters and the count difference. `movedLines`: the new text, when the edit may
 * have moved the lines after it.
 */
function joined(
  old: StatementList,
  k: number,
  after: number,
  middle: StatementList,
  a: number,
  oldB: number,
  delta: number,
  movedLines: string | undefined,
): StatementList | undefined {
  const tail = old.statements.slice(after);
  const statements = old.statements.slice(0, k);
  for (const s of middle.statements) statements.push(moved(s, a, k));
  const indexDelta = statements.length - after;
  if (movedLines !== undefined && tail.some((s) => s.container !== undefined || s.reads !== undefined)) {
    if (!movedDoBlocks(tail, delta, indexDelta, movedLines, statements)) return undefined;
  } else for (const s of tail) statements.push(delta === 0 && indexDelta === 0 ? s : moved(s, delta, indexDelta));
  const comments = [...old.comments.filter((c) => c.end <= a), ...middle.comments.map((c) => ({ ...c, start: c.start + a, end: c.end + a }))];
  for (const c of old.comments) if (c.start >= oldB) comments.push(delta === 0 ? c : { ...c, start: c.start + delta, end: c.end + delta });
  const metaCommands = [...old.metaCommands.filter((m) => m.end <= a), ...middle.metaCommands.map((m) => ({ ...m, start: m.start + a, end: m.end + a }))];
  for (const m of old.metaCommands) if (m.start >= oldB) metaCommands.push(delta === 0 ? m : { ...m, start: m.start + delta, end: m.end + delta });
  return { statements, comments, metaCommands };
}

/**
 * The tail statements moved, after an edit that moved lines: DO-block conditions name lines, so
 * each DO block's statements and reads are built again from the moved DO statement (as
 * buildStatements does). False when a block gives another count of statements than before.
 */
function movedDoBlocks(tail: Statement[], delta: number, indexDelta: number, text: string, out: Statement[]): boolean {
  let lines: LineIndex | undefined;
  const lineAt = (offset: number) => (lines ??= new LineIndex(text)).positionAt(offset).line + 1;
  for (let j = 0; j < tail.length; j++) {
    const s = tail[j];
    if (s.container !== undefined) continue;
    const m = moved(s, delta, indexDelta);
    out.push(m);
    if (s.kind !== 'DoStmt') continue;
    let count = 0;
    while (j + 1 + count < tail.length && tail[j + 1 + count].container === s.index) count++;
    const inner = doBlockStatements(m, lineAt);
    if (inner.length !== count) return false;
    for (const x of inner) out.push({ ...x, index: out.length });
  }
  return true;
}

/**
 * A statement `by` characters and `indexBy` statements further on. A plain statement is made by
 * `plainStatement`, as the splitter makes it, so that V8 gives the moved copy the built one's hidden
 * class: a spread copy gets a class of its own, and every function that reads statements then met
 * two classes after each edit and was deoptimised and optimised again.
 */
function moved(s: Statement, by: number, indexBy: number): Statement {
  const span = { start: s.span.start + by, end: s.span.end + by };
  if (isPlain(s)) return plainStatement(s.index + indexBy, span, s.text, s.kind, s.node, s.terminated, s.terminatorEnd + by);
  const out: Statement = { ...s, index: s.index + indexBy, span, terminatorEnd: s.terminatorEnd + by };
  if (s.container !== undefined) out.container = s.container + indexBy;
  if (s.error) out.error = { message: s.error.message, offset: s.error.offset + by };
  return out;
}

/** A statement `plainStatement` made: no keys but its. */
function isPlain(s: Statement): boolean {
  return 'node' in s && !('error' in s) && !('container' in s) && !('condition' in s) && !('reads' in s);
}

/** Whether the change may have moved the lines after it: a line break in it or next to it (a `\r\n` split or joined). */
function linesMoved(before: string, after: string, change: TextChange): boolean {
  const hasBreak = (t: string, from: number, to: number) => {
    for (let i = Math.max(0, from - 1); i < Math.min(t.length, to + 1); i++) if (t.charCodeAt(i) === 10 || t.charCodeAt(i) === 13) return true;
    return false;
  };
  return hasBreak(before, change.start, change.oldEnd) || hasBreak(after, change.start, change.newEnd);
}
