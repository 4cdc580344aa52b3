/**
 * A glob matcher whose cost is bounded by pattern length × path length, for the include/exclude
 * globs of `.lockwise.json` (file content: a hostile pattern must not hang `lint` or the server's
 * main thread). Regex-compiling matchers backtrack exponentially on patterns such as
 * `*a*a*a*a*a*a*a*b`; this one matches segment by segment with memoised positions.
 *
 * Supported: `*`, `?`, `[abc]` / `[a-z]` / `[!x]` / `[^x]`, `{a,b}` (nested, expanded up to
 * MAX_ALTERNATIVES), `**` as a whole segment, `\` escapes, a leading `!` to negate, a leading `./`.
 * Extglobs (`@(a|b)`, `+(x)`) are not: their characters match literally.
 */

type Token = { kind: 'char'; c: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; negated: boolean; ranges: [string, string][] };
type Segment = { kind: 'globstar' } | { kind: 'tokens'; tokens: Token[] };

export const MAX_PATTERN_LENGTH = 4096;
export const MAX_ALTERNATIVES = 256;

export interface GlobOptions {
  /** Whether `*`, `?` and `**` match names that start with a dot. */
  dot: boolean;
}

interface Compiled {
  negated: boolean;
  alternatives: Segment[][];
}

/** A predicate for a list of globs: a path matches when some pattern matches and no negated one does. */
export function globMatcher(patterns: string[], options: GlobOptions): (path: string) => boolean {
  const compiled = patterns.map(compile);
  const positive = compiled.filter((c) => !c.negated);
  const negative = compiled.filter((c) => c.negated);
  return (p: string) => {
    const segments = splitPath(p);
    // A list of only negated patterns selects everything else (picomatch does the same).
    const hit = positive.length === 0 || positive.some((c) => matchesAny(c, segments, options));
    return hit && !negative.some((c) => matchesAny(c, segments, options));
  };
}

/** The leading segments of a pattern that hold no glob characters: the folder to walk from. */
export function globBase(pattern: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const part of parts.slice(0, -1)) {
    if (/[*?[\]{}\\!]/.test(part)) break;
    fixed.push(part);
  }
  if (fixed.length === parts.length - 1 && !/[*?[\]{}\\]/.test(parts[parts.length - 1])) return pattern;
  const base = fixed.join('/');
  return base === '' && pattern.startsWith('/') ? '/' : base;
}

function splitPath(p: string): string[] {
  return p.replace(/^(\.\/)+/, '').split('/');
}

function matchesAny(c: Compiled, segments: string[], options: GlobOptions): boolean {
  return c.alternatives.some((alt) => matchSegments(alt, segments, options));
}

function compile(pattern: string): Compiled {
  let source = pattern.length > MAX_PATTERN_LENGTH ? pattern.slice(0, MAX_PATTERN_LENGTH) : pattern;
  let negated = false;
  while (source.startsWith('!')) {
    negated = !negated;
    source = source.slice(1);
  }
  source = source.replace(/^(\.\/)+/, '');
  const alternatives = expandBraces(source).map((alt) => alt.split('/').map(segment));
  return { negated, alternatives };
}

function segment(text: string): Segment {
  if (text === '**') return { kind: 'globstar' };
  return { kind: 'tokens', tokens: tokenize(text) };
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\' && i + 1 < text.length) out.push({ kind: 'char', c: text[++i] });
    else if (ch === '?') out.push({ kind: 'any' });
    else if (ch === '*') {
      if (out[out.length - 1]?.kind !== 'star') out.push({ kind: 'star' });
    } else if (ch === '[') {
      const parsed = parseClass(text, i);
      if (parsed) {
        out.push(parsed.token);
        i = parsed.end;
      } else out.push({ kind: 'char', c: ch });
    } else out.push({ kind: 'char', c: ch });
  }
  return out;
}

function parseClass(text: string, open: number): { token: Token; end: number } | undefined {
  let i = open + 1;
  const negated = text[i] === '!' || text[i] === '^';
  if (negated) i++;
  const ranges: [string, string][] = [];
  for (let first = true; i < text.length; first = false) {
    if (text[i] === ']' && !first) return { token: { kind: 'class', negated, ranges }, end: i };
    let lo = text[i];
    if (lo === '\\' && i + 1 < text.length) lo = text[++i];
    let hi = lo;
    if (text[i + 1] === '-' && i + 2 < text.length && text[i + 2] !== ']') {
      hi = text[i + 2];
      i += 2;
    }
    ranges.push([lo, hi]);
    i++;
  }
  return undefined;
}

/** `{a,b}c` → `ac`, `bc`; nested braces expand too; past MAX_ALTERNATIVES the rest stays literal. */
function expandBraces(pattern: string): string[] {
  const results: string[] = [];
  const pending = [pattern];
  while (pending.length) {
    const p = pending.pop()!;
    const group = firstBraceGroup(p);
    if (!group || results.length + pending.length >= MAX_ALTERNATIVES) {
      results.push(p);
      continue;
    }
    const before = p.slice(0, group.open);
    const after = p.slice(group.close + 1);
    for (const option of group.options.reverse()) pending.push(before + option + after);
  }
  return results;
}

function firstBraceGroup(p: string): { open: number; close: number; options: string[] } | undefined {
  for (let open = 0; open < p.length; open++) {
    if (p[open] === '\\') {
      open++;
      continue;
    }
    if (p[open] !== '{') continue;
    let depth = 0;
    let start = open + 1;
    const options: string[] = [];
    for (let i = open; i < p.length; i++) {
      if (p[i] === '\\') i++;
      else if (p[i] === '{') depth++;
      else if (p[i] === ',' && depth === 1) {
        options.push(p.slice(start, i));
        start = i + 1;
      } else if (p[i] === '}' && --depth === 0) {
        options.push(p.slice(start, i));
        // `{a}` is literal, like in the shell.
        if (options.length > 1) return { open, close: i, options };
        break;
      }
    }
  }
  return undefined;
}

/** Segment-level match with `**`; memoised on (pattern segment, path segment): O(P × S) segment tests. */
function matchSegments(pattern: Segment[], path: string[], options: GlobOptions): boolean {
  const memo = new Map<number, boolean>();
  const width = path.length + 1;
  const go = (pi: number, si: number): boolean => {
    const key = pi * width + si;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (pi === pattern.length) result = si === path.length;
    else {
      const seg = pattern[pi];
      if (seg.kind === 'globstar') {
        result = go(pi + 1, si);
        for (let k = si; !result && k < path.length; k++) {
          if (!options.dot && path[k].startsWith('.')) break;
          result = go(pi + 1, k + 1);
        }
      } else result = si < path.length && matchTokens(seg.tokens, path[si], options) && go(pi + 1, si + 1);
    }
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * One path segment against one pattern segment: the classic single-backtrack wildcard algorithm
 * (only the last `*` is ever resumed), O(tokens × characters) in the worst case.
 */
function matchTokens(tokens: Token[], name: string, options: GlobOptions): boolean {
  // A leading dot is matched only by a literal dot unless `dot` is set.
  if (!options.dot && name.startsWith('.') && (tokens[0]?.kind !== 'char' || tokens[0].c !== '.')) return false;
  let t = 0;
  let n = 0;
  let starT = -1;
  let starN = 0;
  while (n < name.length) {
    const tok = tokens[t];
    if (tok && tok.kind === 'star') {
      starT = t++;
      starN = n;
    } else if (tok && tokenMatches(tok, name[n])) {
      t++;
      n++;
    } else if (starT >= 0) {
      t = starT + 1;
      n = ++starN;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

function tokenMatches(tok: Token, ch: string): boolean {
  switch (tok.kind) {
    case 'char':
      return tok.c === ch;
    case 'any':
      return true;
    case 'class':
      return tok.ranges.some(([lo, hi]) => ch >= lo && ch <= hi) !== tok.negated;
    default:
      return false;
  }
}
