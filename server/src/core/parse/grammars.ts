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
import { TextCache, Token, wellFormed } from './parser';

/** The oldest grammar there is: an older pgVersion is checked with it. 18 and newer: parser.ts's. */
export const OLDEST_GRAMMAR = 13;
export const NEWEST_GRAMMAR = 17;

/** The parts of an Emscripten module of libpg_query that the verdict needs. */
interface GrammarModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  lengthBytesUTF8(text: string): number;
  stringToUTF8(text: string, ptr: number, max: number): void;
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
/** By grammar and text; made on first use (parser.ts imports this module, and this one its cache). */
let verdicts: TextCache<Verdict> | undefined;

/** The grammar that checks `pgVersion`, or undefined when PostgreSQL 18's parser is the right one. */
export function grammarFor(pgVersion: number): number | undefined {
  return pgVersion > NEWEST_GRAMMAR ? undefined : Math.max(OLDEST_GRAMMAR, pgVersion);
}

/**
 * Loads the grammar of `pgVersion` and every newer one up to 17 (about 10 ms and 3 MB each): the
 * newer ones say which version first accepts a rejected statement.
 */
export function loadGrammars(pgVersion: number): Promise<void> {
  const first = grammarFor(pgVersion);
  if (first === undefined) return Promise.resolve();
  const jobs: Promise<void>[] = [];
  for (let v = first; v <= NEWEST_GRAMMAR; v++) jobs.push(loadGrammar(v));
  return Promise.all(jobs).then(() => undefined);
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
 * when it accepts it too, or when `pgVersion` is 18 or newer. With the statement's scanner `tokens`, a
 * statement shaped like one this grammar already accepted is not parsed again (see `shapeOf`).
 */
export function grammarRejection(text: string, pgVersion: number, tokens?: readonly Token[]): GrammarRejection | undefined {
  const major = grammarFor(pgVersion);
  if (major === undefined) return undefined;
  const shape = tokens?.length ? shapeOf(tokens) : undefined;
  const accepted = shapes.get(major);
  if (shape !== undefined && accepted?.has(shape)) return undefined;
  const { error, tooDeep } = verdict(major, text);
  if (tooDeep) return undefined;
  if (!error) {
    if (shape !== undefined) rememberShape(major, shape);
    return undefined;
  }
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

/**
 * Shapes (see `shapeOf`) each grammar accepted. Migrations repeat shapes (77% of the corpus' statements,
 * 63% of its bytes), and a second parse per statement costs as much again as PostgreSQL 18's.
 */
const shapes = new Map<number, Set<string>>();
const MAX_SHAPES = 50000;

function rememberShape(major: number, shape: string): void {
  let set = shapes.get(major);
  if (!set) shapes.set(major, (set = new Set()));
  if (set.size >= MAX_SHAPES) set.clear();
  set.add(shape);
}

/**
 * What a grammar sees of a statement: its tokens, with keywords and operators by text, identifiers,
 * strings and decimal numbers by kind only. Two statements of one shape get the same verdict: a
 * grammar decides on token kinds, not on the names or values. Numbers keep their text unless plainly
 * decimal (older lexers split `0x1F` or `1_000` differently). Words are keywords by PostgreSQL 18's
 * list, so a name that an older version still has as a keyword keeps its text (`DROPPED_KEYWORDS`).
 */
function shapeOf(tokens: readonly Token[]): string {
  let shape = '';
  for (const t of tokens) shape += `${t.keyword ? t.text : (SHAPE_KINDS[t.kind] ?? wordOrNumber(t))} `;
  return shape;
}

function wordOrNumber(t: Token): string {
  if (t.kind === 'IDENT') return DROPPED_KEYWORDS.has(t.text.toLowerCase()) ? t.text.toLowerCase() : 'i';
  return NUMBER_KINDS.has(t.kind) && DECIMAL.test(t.text) ? '9' : t.text;
}

/** Keywords of PostgreSQL 15 that 18 no longer has (pg_get_keywords on both: grammarVersions.engine.test.ts). */
export const DROPPED_KEYWORDS: ReadonlySet<string> = new Set(['recheck']);

const SHAPE_KINDS: Record<string, string> = { SCONST: 's', USCONST: 's', BCONST: 'b', XCONST: 'x', PARAM: '$' };
const NUMBER_KINDS = new Set(['ICONST', 'FCONST']);
const DECIMAL = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function verdict(major: number, text: string): Verdict {
  verdicts ??= new TextCache<Verdict>(20000, 16 * 1024 * 1024, 4);
  const key = `${major}\n${text}`;
  const cached = verdicts.get(key);
  if (cached) return cached;
  const outcome = parseError(grammar(major), text);
  verdicts.set(key, outcome);
  return outcome;
}

function grammar(major: number): GrammarModule {
  const module = modules.get(major);
  const failure = failures.get(major);
  if (failure) throw new Error(`the PostgreSQL ${major} grammar could not be loaded: ${failure}`);
  if (!module) throw new Error(`the PostgreSQL ${major} grammar is not loaded: await initParser(${major}) first`);
  return module;
}

/**
 * Parses with libpg_query's raw entry point and reads only its error: the tree is never turned into
 * JS (a third of the time of a full parse). Layout of PgQueryParseResult/PgQueryError: wasm32 pointers.
 */
function parseError(module: GrammarModule, text: string): Verdict {
  const input = wellFormed(text);
  const size = module.lengthBytesUTF8(input) + 1;
  const ptr = module._malloc(size);
  let result = 0;
  try {
    module.stringToUTF8(input, ptr, size);
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
