/**
 * The PostgreSQL 18 parser (libpg_query compiled to WASM). `initParser()` must resolve once before
 * any synchronous call; after that, parsing is synchronous and cached by statement text, so an edit
 * in the editor re-parses only the statements whose text changed.
 */
import type * as LibPgQuery from 'libpg-query';
import type { Node, ParseResult } from 'libpg-query';
import { OffsetMapper } from '../text/positions';
import { DEFAULT_CONFIG } from '../config/config';
import { loadGrammars } from './grammars';
import { scanSql } from './scanner';

export type { Node };

let loaded: Promise<void> | undefined;
let ready = false;
/** The parser module, loaded by `initParser()`: a run that parses nothing (the CLI's warm cache) never loads it. */
let pg: typeof LibPgQuery;

/**
 * Loads PostgreSQL 18's parser and, for each configured `pgVersion` below 18, the older grammars that
 * check its syntax (grammars.ts): a run whose configs all say 18 never loads them. Without an
 * argument: the default pgVersion's. `newerGrammars` false: the grammars newer than a pgVersion's
 * are loaded only once a check asks for one (`loadAskedGrammars`), and the analysis that asked runs again.
 */
export function initParser(pgVersions: number | readonly number[] = DEFAULT_CONFIG.pgVersion, newerGrammars = true): Promise<void> {
  loaded ??= import('libpg-query').then(async (module) => {
    pg = module;
    await pg.loadModule();
    ready = true;
  });
  const older = [...new Set(typeof pgVersions === 'number' ? [pgVersions] : pgVersions)].map((v) => loadGrammars(v, newerGrammars));
  return older.length ? Promise.all([loaded, ...older]).then(() => undefined) : loaded;
}

export interface ParsedStatement {
  /** The statement node, e.g. `{ AlterTableStmt: {...} }`. */
  node: Node;
  /** UTF-16 span of this statement within the parsed text. */
  start: number;
  end: number;
}

export interface ParseOutcome {
  statements: ParsedStatement[];
  error?: { message: string; /** UTF-16 offset within the parsed text */ offset: number };
}

export interface Token {
  start: number;
  end: number;
  /** Upper-cased text for keywords, raw text otherwise. */
  text: string;
  keyword: boolean;
  /** libpg_query's token name: IDENT, SCONST, ICONST, ... (keywords have their own). */
  kind: string;
}

/**
 * Bounded, approximately-LRU cache keyed by statement text, bounded both in entries and in bytes.
 * The byte bound matters in the editor: each edit inside a 330 KB `INSERT ... VALUES` makes a new
 * key, and 20,000 entries of several MB each (the text, its tree or tokens) exhausted the server.
 * The size of an entry is estimated from its key's length (`bytesPerChar`: on a 330 KB INSERT the
 * tree took 17 bytes per character and the tokens 23, plus the key's own 2).
 * A hit moves the entry to the young end only when it is in the older half: moving on every hit
 * (a delete and a re-insert per statement per analysis) was a visible share of every editor
 * re-analysis. An entry that is hit cannot be evicted before `limit / 2` further insertions.
 *
 * The cache keeps its own copy of each key (`ownText`), and `compute` derives a value from that
 * copy: a statement's text is a slice of its document, and V8 keeps the whole document alive for
 * a slice, so each edit's new statement text (a key) kept one more copy of the document (0.9 MB
 * per keystroke at 10,000 statements), which the estimate above never counted.
 */
export class TextCache<T> {
  private readonly map = new Map<string, { value: T; stamp: number }>();
  /** Insertions so far (stamps increase in map order). */
  private clock = 0;
  private bytes = 0;
  constructor(
    private readonly limit: number,
    private readonly maxBytes: number,
    private readonly bytesPerChar: number,
  ) {}
  get size(): number {
    return this.map.size;
  }
  /** Estimated bytes held. */
  get weight(): number {
    return this.bytes;
  }
  get(key: string): T | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (this.clock - entry.stamp > this.limit / 2) {
      this.map.delete(key);
      entry.stamp = ++this.clock;
      this.map.set(key, entry);
    }
    return entry.value;
  }
  /** The cached value of `key`, else `compute` of the cache's own copy of it (the value must derive only from that copy). */
  getOrCompute(key: string, compute: (own: string) => T): T {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const own = ownText(key);
    const value = compute(own);
    this.insert(own, value);
    return value;
  }
  set(key: string, value: T): void {
    this.insert(ownText(key), value);
  }
  private insert(key: string, value: T): void {
    this.delete(key);
    this.map.set(key, { value, stamp: ++this.clock });
    this.bytes += this.cost(key);
    while (this.map.size > 1 && (this.map.size > this.limit || this.bytes > this.maxBytes)) {
      const oldest = this.map.keys().next().value;
      if (oldest === undefined) break;
      this.delete(oldest);
    }
  }
  private delete(key: string): void {
    if (this.map.delete(key)) this.bytes -= this.cost(key);
  }
  private cost(key: string): number {
    return key.length * this.bytesPerChar;
  }
}

/**
 * A string equal to `text` that holds only its own characters, never the document it was sliced
 * from: the concatenation is flattened into a new string by the slice (V8; test/unit/textCacheRetention.test.ts).
 */
export function ownText(text: string): string {
  return (' ' + text).slice(1);
}

const MB = 1024 * 1024;
const parseCache = new TextCache<ParseOutcome>(20000, 64 * MB, 20);
const scanCache = new TextCache<Token[]>(20000, 64 * MB, 25);

function ensureReady(): void {
  if (!ready) throw new Error('the SQL parser is not loaded yet: await initParser() first');
}

/** Parses one statement's text (it may hold several when the splitter could not tell them apart). */
export function parseStatementText(text: string): ParseOutcome {
  return parseCache.getOrCompute(text, (own) => {
    ensureReady();
    return parseUncached(own);
  });
}

function parseUncached(text: string): ParseOutcome {
  const mapper = new OffsetMapper(text);
  // libpg_query reads a C string: it would silently stop at a NUL byte (and parse what came before).
  // PostgreSQL rejects NUL in a query ("invalid byte sequence for encoding UTF8: 0x00").
  const nul = text.indexOf('\0');
  if (nul >= 0) return { statements: [], error: { message: 'a NUL byte (0x00) is not allowed in SQL text', offset: nul } };
  try {
    const result: ParseResult = pg.parseSync(wellFormed(text));
    const statements: ParsedStatement[] = [];
    for (const raw of result.stmts ?? []) {
      if (!raw.stmt) continue;
      const startByte = raw.stmt_location ?? 0;
      const start = mapper.fromUtf8(startByte);
      const end = raw.stmt_len ? mapper.fromUtf8(startByte + raw.stmt_len) : text.length;
      statements.push({ node: raw.stmt, start: skipSpace(text, start), end });
    }
    return { statements };
  } catch (error) {
    // A RangeError is the JS side of libpg-query running out of stack on a very deep parse tree.
    const message =
      error instanceof RangeError
        ? 'the statement is nested too deeply to analyse (PostgreSQL may also reject it: "stack depth limit exceeded")'
        : shortenMessage(error instanceof Error ? error.message : String(error));
    const cursor = pg.hasSqlDetails(error) ? (error.sqlDetails?.cursorPosition ?? 0) : 0;
    // libpg-query already converts PostgreSQL's 1-based cursorpos to a 0-based code-point offset.
    const offset = mapper.fromCodePoints(Math.max(0, cursor));
    return { statements: [], error: { message, offset } };
  }
}

/** `... at or near "<rest of the statement>"` can quote megabytes: keep the start of the quoted text. */
function shortenMessage(message: string, max = 60): string {
  const m = /^([\s\S]*? at or near ")([\s\S]*)"$/.exec(message);
  if (m && m[2].length > max) return `${m[1]}${cut(m[2], max)}…"`;
  return message.length > 500 ? `${cut(message, 500)}…` : message;
}

/** The first `n` UTF-16 units, without splitting a surrogate pair. */
function cut(text: string, n: number): string {
  const c = text.charCodeAt(n - 1);
  return text.slice(0, c >= 0xd800 && c <= 0xdbff ? n - 1 : n);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Lone surrogates (possible in an editor buffer, never in a UTF-8 file) become U+FFFD: same UTF-16
 * length and the same 3 UTF-8 bytes, so every offset still maps. The WASM glue sizes its buffer for
 * them differently than it writes them, which cut the end of the statement off.
 */
export function wellFormed(text: string): string {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

const COMMENT_TOKENS = new Set(['SQL_COMMENT', 'C_COMMENT']);

/** Scanner tokens (comments excluded) with UTF-16 offsets within `text`. */
export function scanTokens(text: string): Token[] {
  // Tokens slice their text out of `own`, so a cached token list holds no document either.
  return scanCache.getOrCompute(text, scanOwn);
}

/** `scanTokens` uncached: new token objects, the caller's to change (statementTokens places them). */
export function freshTokens(text: string): Token[] {
  return scanOwn(ownText(text));
}

/** The tokens of `own`, a string that holds only its own characters (the tokens' texts are slices of it). */
function scanOwn(own: string): Token[] {
  ensureReady();
  // The JavaScript lexer where it knows the answer (the usual case); libpg-query's otherwise. Text
  // with a NUL or a lone surrogate goes to libpg-query, which sees it cut or mended (wellFormed).
  LONE_SURROGATE.lastIndex = 0;
  return (!own.includes('\0') && !LONE_SURROGATE.test(own) && scanSql(own)) || scanWasm(own);
}

/** libpg-query's `scanSync` (comments excluded; none for text it rejects), uncached: the reference test/unit/sqlScanner.test.ts compares scanSql with. */
export function scanWasm(text: string): Token[] {
  ensureReady();
  const mapper = new OffsetMapper(text);
  try {
    return pg
      .scanSync(wellFormed(text))
      .tokens.filter((t) => !COMMENT_TOKENS.has(t.tokenName))
      .map((t) => {
        const keyword = t.keywordKind !== 0;
        return {
          start: mapper.fromUtf8(t.start),
          end: mapper.fromUtf8(t.end),
          text: keyword ? t.text.toUpperCase() : t.text,
          keyword,
          kind: keyword ? t.keywordName : t.tokenName,
        };
      });
  } catch {
    return [];
  }
}

const plpgsqlCache = new TextCache<{ tree: unknown | undefined }>(2000, 32 * MB, 20);

/** Parses a PL/pgSQL function definition (`CREATE FUNCTION ... LANGUAGE plpgsql AS $$...$$`), cached by text. */
export function parsePlpgsql(createFunctionText: string): unknown | undefined {
  const cached = plpgsqlCache.get(createFunctionText);
  if (cached) return cached.tree;
  ensureReady();
  let tree: unknown | undefined;
  try {
    tree = pg.parsePlPgSQLSync(wellFormed(createFunctionText));
  } catch {
    tree = undefined;
  }
  plpgsqlCache.set(createFunctionText, { tree });
  return tree;
}
