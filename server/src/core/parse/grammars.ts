/**
 * The grammars of PostgreSQL 13–17 (libpg_query builds from @pgsql/parser, WASM), to tell whether the
 * configured major accepts a statement that PostgreSQL 18's parser (parser.ts) accepted. Loaded only
 * for a configured pgVersion below 18, by `initParser(pgVersion)`; then `grammarRejection` is
 * synchronous and cached by text. Only the verdict is read: no tree leaves the WASM side.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import { OffsetMapper } from '../text/positions';
import { TextCache, wellFormed } from './parser';

/** The oldest grammar there is: an older pgVersion is checked with it. 18 and newer: parser.ts's. */
export const OLDEST_GRAMMAR = 13;
export const NEWEST_GRAMMAR = 17;

/** The parts of an Emscripten module of libpg_query that the verdict needs. */
interface GrammarModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  /** The module's memory as bytes (a new view after the memory grew). */
  HEAPU8: Uint8Array;
  UTF8ToString(ptr: number): string;
  getValue(ptr: number, type: 'i32'): number;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
}

export interface GrammarRejection {
  /** PostgreSQL's message, e.g. `syntax error at or near "NOT"`. */
  message: string;
  /** UTF-16 offset within the text. */
  offset: number;
  /** The major whose grammar checked it (the configured one, or 13 for older ones). */
  checkedWith: number;
  /** The first major whose grammar accepts the statement (18: only PostgreSQL 18's parser). */
  since: number;
}

const loading = new Map<number, Promise<void>>();
const modules = new Map<number, GrammarModule>();
/** Why a grammar could not be loaded (a damaged install): its check then fails alone, as a rule bug would. */
const failures = new Map<number, string>();
/** A grammar's verdict: its error, or none; `tooDeep`: no verdict (the WASM stack ran out, see parseError). */
type Verdict = { error?: { message: string; offset: number }; tooDeep?: boolean };

/** The grammar that checks `pgVersion`, or undefined when PostgreSQL 18's parser is the right one. */
export function grammarFor(pgVersion: number): number | undefined {
  return pgVersion > NEWEST_GRAMMAR ? undefined : Math.max(OLDEST_GRAMMAR, pgVersion);
}

/**
 * Loads the grammar of `pgVersion` and, with `newer`, every newer one up to 17 (about 10 ms and 3 MB
 * each): the newer ones say which version first accepts a rejected statement, or first rejects what
 * PostgreSQL 18 rejects. Without `newer` they are loaded when a check asks for one (`loadAskedGrammars`).
 */
export function loadGrammars(pgVersion: number, newer = true): Promise<void> {
  const first = grammarFor(pgVersion);
  if (first === undefined) return Promise.resolve();
  const jobs: Promise<void>[] = [];
  for (let v = first; v <= (newer ? NEWEST_GRAMMAR : first); v++) jobs.push(loadGrammar(v));
  return Promise.all(jobs).then(() => undefined);
}

/** Grammars a check asked for that were not loaded: that check failed (an internal error of its analysis). */
const asked = new Set<number>();

/**
 * Loads the grammars checks asked for since the last call and were not loaded; true when there were
 * any, and so an analysis that ran meanwhile must run again. A batch run loads the grammars newer than
 * its pgVersion this way: most runs never need them (each cost a tenth of the start of a run that analyses).
 */
export function loadAskedGrammars(): Promise<boolean> {
  if (asked.size === 0) return Promise.resolve(false);
  const jobs = [...asked].map(loadGrammar);
  asked.clear();
  return Promise.all(jobs).then(() => true);
}

function loadGrammar(major: number): Promise<void> {
  let job = loading.get(major);
  if (!job) {
    job = (async () => {
      const load = createRequire(__filename);
      const factory = load(path.join(grammarDir(major), 'libpg-query.js')) as () => Promise<GrammarModule>;
      modules.set(major, await factory());
    })().catch((error: unknown) => void failures.set(major, error instanceof Error ? error.message : String(error)));
    loading.set(major, job);
  }
  return job;
}

/**
 * The bundle (dist/*.js) carries each grammar in dist/grammars/v<N>/ (scripts/build.mjs); the compiled
 * sources read them from the package. Each glue script loads the .wasm beside it, so they cannot share
 * one folder (the names are the same).
 */
function grammarDir(major: number): string {
  const bundled = path.join(__dirname, 'grammars', `v${major}`);
  if (fs.existsSync(path.join(bundled, 'libpg-query.js'))) return bundled;
  const entry = createRequire(__filename).resolve(`@pgsql/parser/v${major}`);
  return path.join(path.dirname(entry), `v${major}`);
}

/**
 * Why the grammar of `pgVersion` rejects `text`, a statement PostgreSQL 18's parser accepted; undefined
 * when it accepts it too, or when `pgVersion` is 18 or newer. `upcoming`: the statements of the file
 * after this one, which a miss checks in the same call (see `checkBatch`).
 */
export function grammarRejection(text: string, pgVersion: number, upcoming?: () => Iterable<string>): GrammarRejection | undefined {
  const major = grammarFor(pgVersion);
  if (major === undefined) return undefined;
  if (upcoming && !cacheOf(major).get(text)) checkBatch(major, text, upcoming());
  const { error, tooDeep } = verdict(major, text);
  if (tooDeep || !error) return undefined;
  let since = NEWEST_GRAMMAR + 1;
  for (let v = major + 1; v <= NEWEST_GRAMMAR; v++) {
    const newer = verdict(v, text);
    if (!newer.error && !newer.tooDeep) {
      since = v;
      break;
    }
  }
  return { ...error, checkedWith: major, since };
}

/**
 * For `text`, a statement PostgreSQL 18's parser rejected, that the grammar of `pgVersion` (below 18)
 * accepts (a word 16 reserved, such as `system_user`): the first newer major that rejects it.
 */
export function rejectedFrom(text: string, pgVersion: number): number | undefined {
  const major = grammarFor(pgVersion);
  if (major === undefined) return undefined;
  const own = verdict(major, text);
  if (own.error || own.tooDeep) return undefined;
  for (let v = major + 1; v <= NEWEST_GRAMMAR; v++) if (verdict(v, text).error) return v;
  return NEWEST_GRAMMAR + 1;
}

/** Statements joined into one parse: a line break ends a trailing `--` comment, `;` the statement. */
const SEPARATOR = '\n;\n';
/** At most this much SQL in one call: the WASM memory grows to hold the text and its JSON tree, and never shrinks. */
const BATCH_CHARS = 256 * 1024;
/**
 * The batch stops at this many statements in a row already checked: after an edit only the edited
 * statement is new, and looking every later one up in the cache (up to BATCH_CHARS of them, each a
 * string comparison) found nothing to parse on every keystroke. One further on is checked alone when
 * its turn comes, as any statement a batch left out.
 */
const CHECKED_RUN = 64;

/**
 * Parses `text` and the `upcoming` statements not yet checked in one call, joined by `;`, and records
 * as accepted every statement the parse got past: one call per file instead of one per statement,
 * and most files pass whole. Each statement is one that PostgreSQL 18's parser accepted on its own,
 * so joined they lex as they do apart, and a `;` can follow a statement only once it is complete
 * (the grammar has no `;` inside one but in BEGIN ATOMIC bodies, which the statement then closes
 * itself). Hence when the joined parse fails, every statement before the one holding the error
 * position is accepted on its own too, and that one is parsed alone (for its own message), like the
 * ones after it when their turn comes. test/unit/grammarBatches.test.ts compares both on the corpus.
 */
function checkBatch(major: number, text: string, upcoming: Iterable<string>): void {
  const cache = cacheOf(major);
  const texts = [text];
  const seen = new Set(texts);
  let size = text.length;
  // Statements already checked count too: a file whose batches keep failing is walked a bounded step each time.
  let checkedRun = 0;
  for (const next of upcoming) {
    size += next.length + SEPARATOR.length;
    if (size > BATCH_CHARS || checkedRun === CHECKED_RUN) break;
    if (seen.has(next) || cache.get(next)) {
      checkedRun++;
      continue;
    }
    checkedRun = 0;
    seen.add(next);
    texts.push(next);
  }
  if (texts.length < 2) return;
  const { error, tooDeep } = parseError(grammar(major), texts.join(SEPARATOR));
  if (tooDeep) {
    // One of them nests too deeply for the joined call: each on its own, as without a batch.
    for (const t of texts) verdict(major, t);
    return;
  }
  let accepted = texts.length;
  if (error) {
    // The statement holding the error position: the last one starting at or before it.
    accepted = 0;
    for (let start = 0; accepted < texts.length; accepted++) {
      start += texts[accepted].length + SEPARATOR.length;
      if (start > error.offset) break;
    }
  }
  for (let k = 0; k < accepted; k++) cache.set(texts[k], ACCEPTED);
}

const ACCEPTED: Verdict = {};
/** Verdicts by grammar, keyed by statement text. */
const verdicts = new Map<number, TextCache<Verdict>>();

/** Tests: forget every verdict, so that the next ones are parsed again. */
export function forgetVerdicts(): void {
  verdicts.clear();
}

function cacheOf(major: number): TextCache<Verdict> {
  let cache = verdicts.get(major);
  if (!cache) verdicts.set(major, (cache = new TextCache<Verdict>(20000, 16 * 1024 * 1024, 4)));
  return cache;
}

function verdict(major: number, text: string): Verdict {
  const cache = cacheOf(major);
  const cached = cache.get(text);
  if (cached) return cached;
  const outcome = parseError(grammar(major), text);
  cache.set(text, outcome);
  return outcome;
}

function grammar(major: number): GrammarModule {
  const module = modules.get(major);
  const failure = failures.get(major);
  if (failure) throw new Error(`the PostgreSQL ${major} grammar could not be loaded: ${failure}`);
  if (!module) {
    asked.add(major);
    throw new Error(`the PostgreSQL ${major} grammar is not loaded: await initParser(${major}) first`);
  }
  return module;
}

const UTF8 = new TextEncoder();

/**
 * Parses with libpg_query's raw entry point and reads only its error: the tree is never turned into
 * JS (a third of the time of a full parse). Layout of PgQueryParseResult/PgQueryError: wasm32 pointers.
 */
function parseError(module: GrammarModule, text: string): Verdict {
  const input = wellFormed(text);
  const size = Buffer.byteLength(input, 'utf8') + 1;
  const ptr = module._malloc(size);
  let result = 0;
  try {
    // The C string natively (the glue's stringToUTF8 copies a character at a time in JavaScript);
    // `input` is well-formed, so its UTF-8 is the same. HEAPU8 read after _malloc, which may grow the memory.
    const heap = module.HEAPU8;
    heap[ptr + UTF8.encodeInto(input, heap.subarray(ptr, ptr + size - 1)).written] = 0;
    result = module._wasm_parse_query_raw(ptr);
    const error = module.getValue(result + 8, 'i32');
    if (!error) return {};
    const messagePtr = module.getValue(error, 'i32');
    const cursor = module.getValue(error + 16, 'i32');
    const message = messagePtr ? module.UTF8ToString(messagePtr) : 'syntax error';
    // PostgreSQL's cursor is 1-based, in characters (code points).
    return { error: { message, offset: new OffsetMapper(text).fromCodePoints(Math.max(0, cursor - 1)) } };
  } catch (error) {
    // A very deep tree exhausts the WASM stack (as in parser.ts): no verdict, nothing reported.
    if (error instanceof RangeError) return { tooDeep: true };
    throw error;
  } finally {
    module._free(ptr);
    if (result) module._wasm_free_parse_result(result);
  }
}
