/**
 * Offsets and positions. Everything inside the core is a UTF-16 code-unit offset into the document
 * text (what JavaScript strings and the LSP use). libpg_query reports UTF-8 byte offsets in AST
 * locations and scanner tokens, and code-point positions in syntax errors: this module is the one
 * place that converts them.
 */

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 code-unit column. */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Half-open span of UTF-16 offsets in the document. */
export interface Span {
  start: number;
  end: number;
}

/** Line starts of a text; lines end at `\r\n`, `\n` or a lone `\r` (as in the LSP). */
export class LineIndex {
  /**
   * Sized once (counted, then filled): pushed into an array, the starts of a 906 KB text left ~1 MB
   * of outgrown copies behind on every analysis, on fresh pages of the large-object space.
   */
  private readonly lineStarts: Int32Array;

  /** `starts`: the text's line starts, already known (`edited`). */
  constructor(
    private readonly text: string,
    starts?: Int32Array,
  ) {
    this.lineStarts = starts ?? lineStartsOf(text);
  }

  /**
   * `new LineIndex(text)`, where `text` is `before`'s text with [start, oldEnd) replaced by what now
   * stands at [start, newEnd) (incremental/shift.ts `textChange`): the starts before the change are
   * kept, those after it moved, and only the changed characters scanned.
   */
  static edited(before: LineIndex, text: string, change: { start: number; oldEnd: number; newEnd: number }): LineIndex {
    const old = before.lineStarts;
    const { start, oldEnd, newEnd } = change;
    // A start at p depends on the characters at p - 1 and p: before `start` both are unchanged, and
    // from newEnd + 1 on (oldEnd + 1 in the old text) both lie after the change.
    const kept = firstAtOrAfter(old, start);
    const moved = firstAtOrAfter(old, oldEnd + 1);
    const last = Math.min(newEnd, text.length);
    const scanned = scanStarts(text, start, last);
    const starts = new Int32Array(kept + scanned + (old.length - moved));
    starts.set(old.subarray(0, kept));
    scanStarts(text, start, last, starts, kept);
    const delta = newEnd - oldEnd;
    for (let j = moved, k = kept + scanned; j < old.length; j++) starts[k++] = old[j] + delta;
    return new LineIndex(text, starts);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= clamped) low = mid;
      else high = mid - 1;
    }
    return { line: low, character: clamped - this.lineStarts[low] };
  }

  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const lineStart = this.lineStarts[position.line];
    const lineEnd = this.lineEndOffset(position.line);
    return Math.min(lineStart + Math.max(0, position.character), lineEnd);
  }

  /** Offset of the end of the line's content (before its line break). */
  lineEndOffset(line: number): number {
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    let end = next;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 10) end--;
    if (end > this.lineStarts[line] && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))];
  }

  rangeOf(span: Span): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }
}

/** Whether a line starts at offset `p` (what `lineStartsOf` finds, one offset at a time). */
function startsLine(text: string, p: number): boolean {
  if (p === 0) return true;
  const before = text.charCodeAt(p - 1);
  return before === 10 /* \n */ || (before === 13 /* \r */ && text.charCodeAt(p) !== 10);
}

/**
 * The line starts at offsets `from` to `to` (included), one offset at a time: their count, and
 * written into `out` from index `at` when it is given.
 */
function scanStarts(text: string, from: number, to: number, out?: Int32Array, at = 0): number {
  let k = at;
  for (let p = from; p <= to; p++) {
    if (!startsLine(text, p)) continue;
    if (out) out[k] = p;
    k++;
  }
  return k - at;
}

function lineStartsOf(text: string): Int32Array {
  // Without carriage returns, line feeds are found by indexOf (native: a few times faster than a
  // loop over 900 KB, built for every full analysis and every checked fix).
  if (text.indexOf('\r') < 0) {
    let count = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    const starts = new Int32Array(count);
    let k = 1;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
    return starts;
  }
  const starts = new Int32Array(scanStarts(text, 0, text.length));
  scanStarts(text, 0, text.length, starts);
  return starts;
}

/** The number of `starts` (ascending) below `offset`: the index of the first at or after it. */
function firstAtOrAfter(starts: Int32Array, offset: number): number {
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (starts[mid] < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

/**
 * Maps UTF-8 byte offsets and code-point offsets within one piece of text (a statement) to UTF-16
 * offsets. ASCII text (the common case) maps to itself without any table.
 */
export class OffsetMapper {
  private byteToUtf16: Uint32Array | undefined;
  private readonly ascii: boolean;

  constructor(private readonly text: string) {
    this.ascii = ASCII_ONLY.test(text);
  }

  fromUtf8(byteOffset: number): number {
    if (this.ascii) return Math.max(0, Math.min(byteOffset, this.text.length));
    const table = this.table();
    return table[Math.max(0, Math.min(byteOffset, table.length - 1))];
  }

  /** `cursorpos`-style positions count code points. */
  fromCodePoints(codePointOffset: number): number {
    if (this.ascii) return Math.max(0, Math.min(codePointOffset, this.text.length));
    let utf16 = 0;
    for (let cp = 0; cp < codePointOffset && utf16 < this.text.length; cp++) utf16 += this.isPair(utf16) ? 2 : 1;
    return Math.min(utf16, this.text.length);
  }

  /** A high surrogate followed by a low one: one code point, 4 UTF-8 bytes. Lone surrogates are not pairs. */
  private isPair(i: number): boolean {
    const c = this.text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) return false;
    const d = this.text.charCodeAt(i + 1);
    return d >= 0xdc00 && d <= 0xdfff;
  }

  private table(): Uint32Array {
    if (this.byteToUtf16) return this.byteToUtf16;
    const bytes = Buffer.byteLength(this.text, 'utf8');
    const table = new Uint32Array(bytes + 1);
    let b = 0;
    for (let i = 0; i < this.text.length; i++) {
      const c = this.text.charCodeAt(i);
      let width: number;
      let units = 1;
      if (c < 0x80) width = 1;
      else if (c < 0x800) width = 2;
      else if (this.isPair(i)) {
        width = 4;
        units = 2;
      } else width = 3; // BMP, or a lone surrogate (3 bytes, as the WASM parser and Buffer encode it)
      for (let k = 0; k < width; k++) table[b + k] = i;
      b += width;
      i += units - 1;
    }
    table[bytes] = this.text.length;
    this.byteToUtf16 = table;
    return table;
  }
}
