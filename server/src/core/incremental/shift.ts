/** Where an edit changed a text, and how offsets and statement indexes after it move. */
import type { Span } from '../text/positions';

export interface TextChange {
  /** The changed characters: [start, oldEnd) of the old text became [start, newEnd) of the new. */
  start: number;
  oldEnd: number;
  newEnd: number;
  /** The move of what stood after the change, when `statementDelta` statements were added. */
  shift(statementDelta: number, firstAfter: number): Shift;
}

export interface Shift {
  /** An old offset in the new text (offsets inside the change map to undefined). */
  offset(o: number): number | undefined;
  /** An old statement index in the new list. */
  index(i: number): number;
  span(s: Span): Span | undefined;
}

/** Characters compared at once (as slices) before the comparison goes character by character. */
const BLOCK = 4096;

/**
 * The common prefix and suffix of two texts. Whole blocks are compared as slices first: V8
 * compares two strings natively, about 30 times faster than a loop over `charCodeAt` (8-23 ms
 * for the 900 KB of a 10,000-statement file, on every edit and every fix checked).
 */
export function textChange(before: string, after: string): TextChange {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start + BLOCK <= max && before.slice(start, start + BLOCK) === after.slice(start, start + BLOCK)) start += BLOCK;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let tail = 0;
  const tailBlock = (t: string) => t.slice(t.length - tail - BLOCK, t.length - tail);
  while (tail + BLOCK <= max - start && tailBlock(before) === tailBlock(after)) tail += BLOCK;
  while (tail < max - start && before.charCodeAt(before.length - 1 - tail) === after.charCodeAt(after.length - 1 - tail)) tail++;
  const oldEnd = before.length - tail;
  const newEnd = after.length - tail;
  return {
    start,
    oldEnd,
    newEnd,
    shift(statementDelta, firstAfter) {
      const delta = newEnd - oldEnd;
      const offset = (o: number) => (o >= oldEnd ? o + delta : o < start ? o : undefined);
      return {
        offset,
        index: (i) => (i >= firstAfter ? i + statementDelta : i),
        span(s) {
          const a = offset(s.start);
          const b = offset(s.end);
          return a === undefined || b === undefined ? undefined : { start: a, end: b };
        },
      };
    },
  };
}

/** No move: the part before an edit. */
export const NO_SHIFT: Shift = { offset: (o) => o, index: (i) => i, span: (s) => s };
