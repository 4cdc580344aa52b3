/**
 * Whole-run replay for `lint`/`audit --cache`: a run that took every file from the cache leaves a
 * record of its output and of every file-system read it made (each file read: its stat and content
 * hash; each folder listed: its entries; each stat and existence check). The same command later,
 * when every read would still see the same thing, prints the recorded output and exit code without
 * reading the files, resolving configs, detecting runners or formatting (a warm run was 0.5 s CPU,
 * most of it that). Sound by construction: the reads are recorded by wrapping `fs` for the run, so
 * a new input added to the code is recorded too; what `fs` cannot show (child processes, e.g. git
 * for a deploy baseline, other threads, descriptor reads, asynchronous reads) makes the run
 * unrecordable. The key holds the build, argv, the current folder, the environment the CLI reads
 * and whether stdout/stderr are terminals; size snapshots are never recorded (a file with one is
 * never cached, so its run is never all hits). A stat is trusted only when the file's mtime and
 * ctime are older than the run by RACY_MS (git's "racily clean" rule); otherwise the content is
 * hashed again.
 *
 * A replay starts from the entry bundle (server/src/cli.ts), which loads this module and not the
 * command line behind it: so this module imports nothing that loads the core, and of Node's modules
 * only what a replay uses (crypto is required to hash, which a replay whose stats all hold does not;
 * child_process when a run is recorded).
 */
import { fs, path } from '../project/builtins';
import type { Options } from './args';
import { buildHash, cacheLocation, writeAtomic } from './cacheBase';
import { writeLine, tapOutput, writeRecorded } from '../project/output';
import { ABSENT, chooseProbe, FILE, Kind, KINDS, kindOf, P_CTIME, P_INO, P_MTIME, P_SIZE, Probe, probed, statOf } from './statProbe';

// The originals, for the recorder's own reads (fs is wrapped while a run is recorded).
const { readFileSync, readdirSync, openSync, readSync, fstatSync, closeSync } = fs;

const FORMAT = 'lockwise-run-5';
/** A file changed this recently may change again within its timestamp's granularity: hash it. */
const RACY_MS = 5000;
/** The environment variables the CLI reads (test/unit/cliReplay.test.ts checks the sources against this list). */
export const ENV_READ = ['LOCKWISE_DEBUG', 'NO_COLOR'];

/** What one path showed the recorded run (its first stat, and what was read of it). */
interface Observation {
  kind: Kind;
  size?: number;
  mtimeMs?: number;
  ctimeMs?: number;
  ino?: number;
  /** A stat older than the run by RACY_MS: equal stat, equal content. */
  trusted?: boolean;
  /** statSync: the kind, and a file's size. */
  stat?: true;
  /** readFileSync: hash of what it returned, with that encoding. */
  read?: string;
  encoding?: string;
  /** readdirSync: hash of the entries in the order returned (with their kinds when asked). */
  list?: string;
  withTypes?: boolean;
}

/** The kind of a folder of the record that was not read itself. */
const NOT_READ = -1;
const TRUSTED = 1;
const STAT = 2;
const READ = 4;
const LIST = 8;
const WITH_TYPES = 16;

/**
 * A record's reads as two tables of numbers, one row per path: the folders the reads were in first,
 * sorted (a folder after its parent), then every other read. Typed arrays over the record's bytes: a
 * JSON array per read made the replay parse ~5,000 small arrays into the heap, which the young
 * generation copied and promoted (a fifth of a replayed corpus run, with its page faults).
 * Int32 columns: the row of the parent folder (-1: none), the name (its start and end in the names:
 * a path without a parent is whole), the kind (index in KINDS; NOT_READ), the flags, the index of its
 * hash in the hash list (-1: none), the index of a read's encoding in the record's list (-1: none).
 * Float64 columns: size, mtimeMs, ctimeMs, ino.
 */
const [I_PARENT, I_NAME, I_NAME_END, I_KIND, I_FLAGS, I_HASH, I_ENCODING, INTS] = [0, 1, 2, 3, 4, 5, 6, 7];
const [F_SIZE, F_MTIME, F_CTIME, F_INO, FLOATS] = [0, 1, 2, 3, 4];

/** The record's reads, read only (see the tables above). */
interface Reads {
  folders: number;
  rows: number;
  ints: Int32Array;
  floats: Float64Array;
  names: string;
  encodings: string[];
}

/**
 * A record: the byte length of its head on a first line; the head: the key (the record of another
 * command whose name hash collides is a miss) and this Meta as a line of JSON, padded to 8 bytes,
 * the two tables, the names, a line feed, the hashes of the reads as a line of JSON (parsed only when
 * a stat changed); then the output.
 */
interface Meta {
  code: number;
  /** The output in write order: stream and byte length of each write. */
  writes: [0 | 1, number][];
  folders: number;
  rows: number;
  encodings: string[];
  /** Byte length of the names (UTF-8). */
  names: number;
}

let crypto: typeof import('crypto') | undefined;

function sha(data: string | Buffer): string {
  // Loaded on first use: a replay whose stats all hold hashes nothing, and loading crypto was a tenth of it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  crypto ??= require('crypto') as typeof import('crypto');
  return crypto.createHash('sha256').update(data).digest('hex');
}

/**
 * A record's file name from its key: two 32-bit lanes of FNV-1a-style steps over the key's UTF-8
 * bytes, eight at a time, four to each lane (a collision costs a miss, not a wrong replay). The key
 * holds every path of the command line (170 KB for the corpus run): a step per character was ~13 ms
 * of a replay, most of it before the JIT got to the loop; this is ~4.
 */
function nameHash(key: Buffer): string {
  const words = new Int32Array(key.buffer, key.byteOffset, ((key.length + 7) >>> 3) << 1);
  let a = 0x811c9dc5 ^ key.length;
  let b = 0x050c5d1f;
  for (let i = 0; i < words.length; i += 2) {
    a = Math.imul(a ^ words[i], 0x01000193) ^ (a >>> 13);
    b = Math.imul(b ^ words[i + 1], 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** A key's UTF-8 bytes, zeros after them up to a multiple of 8 bytes (nameHash reads them by words). */
function keyBytes(key: string): Buffer {
  const size = Buffer.byteLength(key);
  // Buffer.alloc has an ArrayBuffer of its own: offset 0, so aligned for the Int32Array.
  const bytes = Buffer.alloc(((size + 7) >>> 3) << 3);
  bytes.write(key);
  return bytes.subarray(0, size);
}

/** The byte order of the tables (a record written on a machine of the other order is another command's). */
const ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 'le' : 'be';

function readHash(file: string, encoding: string | undefined): string {
  return sha(readFileSync(file, encoding as BufferEncoding | undefined) as string | Buffer);
}

function listHash(entries: (string | Buffer | fs.Dirent)[]): string {
  return sha(entries.map((e) => (typeof e === 'string' || Buffer.isBuffer(e) ? String(e) : `${e.name}\0${kindOf(direntStat(e))}`)).join('\n'));
}

/** A Dirent's kind in the terms of kindOf (what readdir withFileTypes reports, symlinks not followed). */
function direntStat(e: fs.Dirent): fs.Stats | undefined {
  return { isFile: () => e.isFile(), isDirectory: () => e.isDirectory() } as fs.Stats;
}

function listNow(dir: string, withTypes: boolean): string | undefined {
  try {
    return listHash(withTypes ? readdirSync(dir, { withFileTypes: true }) : readdirSync(dir));
  } catch {
    return undefined;
  }
}

/** A recording's reads as the record keeps them (see Reads), and the hashes the rows name. */
function tablesOf(reads: Map<string, Observation>): { tables: Reads; hashes: string[] } {
  const folders = [...new Set([...reads.keys()].map((file) => path.dirname(file)))].sort();
  const index = new Map(folders.map((folder, i) => [folder, i]));
  const others = [...reads.keys()].filter((file) => !index.has(file));
  const rows = folders.length + others.length;
  const tables: Reads = { folders: folders.length, rows, ints: new Int32Array(rows * INTS), floats: new Float64Array(rows * FLOATS), names: '', encodings: [] };
  const hashes: string[] = [];
  const names: string[] = [];
  let at = 0;
  const put = (row: number, parent: number, name: string, o: Observation | undefined) => {
    tables.ints.set([parent, at, (at += name.length)], row * INTS + I_PARENT);
    names.push(name);
    storeRow(tables, row, o, hashes);
  };
  folders.forEach((folder, row) => {
    const parent = path.dirname(folder) === folder ? -1 : (index.get(path.dirname(folder)) ?? -1);
    put(row, parent, parent < 0 ? folder : path.basename(folder), reads.get(folder));
  });
  others.forEach((file, i) => put(folders.length + i, index.get(path.dirname(file))!, path.basename(file), reads.get(file)));
  tables.names = names.join('');
  return { tables, hashes };
}

/** One observation into its row (undefined: a folder not read itself). */
function storeRow(tables: Reads, row: number, o: Observation | undefined, hashes: string[]): void {
  const ints = row * INTS;
  tables.ints.fill(-1, ints + I_KIND, ints + INTS);
  if (!o) return void (tables.ints[ints + I_KIND] = NOT_READ);
  const flags =
    (o.trusted ? TRUSTED : 0) | (o.stat ? STAT : 0) | (o.read !== undefined ? READ : 0) | (o.list !== undefined ? LIST : 0) | (o.withTypes ? WITH_TYPES : 0);
  tables.ints[ints + I_KIND] = KINDS.indexOf(o.kind);
  tables.ints[ints + I_FLAGS] = flags;
  if (o.kind === 'absent') return;
  const hash = o.read ?? o.list;
  if (hash !== undefined) tables.ints[ints + I_HASH] = hashes.push(hash) - 1;
  if (o.encoding !== undefined) {
    const known = tables.encodings.indexOf(o.encoding);
    tables.ints[ints + I_ENCODING] = known >= 0 ? known : tables.encodings.push(o.encoding) - 1;
  }
  tables.floats.set([o.size!, o.mtimeMs!, o.ctimeMs!, o.ino!], row * FLOATS);
}

/** How a replay looks at the file system now, and the record's hashes to compare what it reads with. */
interface Look {
  probe: Probe;
  hashes: () => string[];
}

/** Whether a recorded read (row `row`) would see the same thing now: 'unchanged' when its trusted stat is equal. */
function stillSeen(file: string, t: Reads, row: number, look: Look): 'unchanged' | boolean {
  const kind = look.probe(file);
  // No destructuring in the loops of a replay: the interpreter runs them, and it iterates.
  const was = t.ints[row * INTS + I_KIND];
  const flags = t.ints[row * INTS + I_FLAGS];
  const hash = t.ints[row * INTS + I_HASH];
  if (kind === ABSENT || was === ABSENT) return kind === was;
  if (onlyExists(flags)) return true;
  if (kind !== was) return false;
  const f = row * FLOATS;
  const { floats } = t;
  if (
    flags & TRUSTED &&
    probed[P_SIZE] === floats[f + F_SIZE] &&
    probed[P_MTIME] === floats[f + F_MTIME] &&
    probed[P_CTIME] === floats[f + F_CTIME] &&
    probed[P_INO] === floats[f + F_INO]
  )
    return 'unchanged';
  if (flags & STAT && kind === FILE && probed[P_SIZE] !== floats[f + F_SIZE]) return false;
  if (flags & READ) {
    try {
      if (readHash(file, t.encodings[t.ints[row * INTS + I_ENCODING]]) !== look.hashes()[hash]) return false;
    } catch {
      return false;
    }
  }
  return !(flags & LIST) || listNow(file, !!(flags & WITH_TYPES)) === look.hashes()[hash];
}

/** A read that only asked whether the path exists. */
function onlyExists(flags: number): boolean {
  return !(flags & (STAT | READ | LIST));
}

/** What is known now of a folder of the record: its entries are as recorded, it is still absent, or neither. */
type FolderNow = 'unchanged' | 'absent' | undefined;

/**
 * Whether every recorded read still holds. Folders first, each after its parent: a folder whose
 * trusted stat is unchanged has the same entries (adding, removing or renaming one changes its
 * mtime), so whether a path in it exists is known without asking (most checks are for config files
 * that are not there); and nothing is in a folder that is still absent. A folder's path is built
 * only when something in it is asked.
 */
function allStillSeen(t: Reads, look: Look): boolean {
  const known: FolderNow[] = [];
  const prefixes: (string | undefined)[] = [];
  const pathOf = (row: number): string => {
    const parent = t.ints[row * INTS + I_PARENT];
    const name = t.names.slice(t.ints[row * INTS + I_NAME], t.ints[row * INTS + I_NAME_END]);
    return parent < 0 ? name : prefixOf(parent) + name;
  };
  const prefixOf = (folder: number): string => {
    let prefix = prefixes[folder];
    if (prefix === undefined) {
      prefix = pathOf(folder);
      prefixes[folder] = prefix = prefix.endsWith(path.sep) ? prefix : prefix + path.sep;
    }
    return prefix;
  };
  for (let row = 0; row < t.folders; row++) {
    const parent = t.ints[row * INTS + I_PARENT];
    const now = folderNow(t, row, parent < 0 ? undefined : known[parent], pathOf, look);
    if (now === false) return false;
    known.push(now);
  }
  for (let row = t.folders; row < t.rows; row++) {
    const folder = known[t.ints[row * INTS + I_PARENT]];
    const kind = t.ints[row * INTS + I_KIND];
    const flags = t.ints[row * INTS + I_FLAGS];
    if (folder === 'absent' ? kind === ABSENT : folder === 'unchanged' && (kind === ABSENT || onlyExists(flags))) continue;
    if (!stillSeen(pathOf(row), t, row, look)) return false;
  }
  return true;
}

/** A folder of the record (row `row`) now, from its own row and its parent's state; false: it changed. */
function folderNow(t: Reads, row: number, parent: FolderNow, pathOf: (row: number) => string, look: Look): FolderNow | false {
  const kind = t.ints[row * INTS + I_KIND];
  const flags = t.ints[row * INTS + I_FLAGS];
  if (kind === NOT_READ) return parent === 'absent' ? 'absent' : undefined;
  if (parent === 'absent' || (parent === 'unchanged' && kind === ABSENT)) return kind === ABSENT ? 'absent' : false;
  if (parent === 'unchanged' && onlyExists(flags)) return undefined;
  const seen = stillSeen(pathOf(row), t, row, look);
  if (!seen) return false;
  return seen === 'unchanged' ? 'unchanged' : kind === ABSENT ? 'absent' : undefined;
}

/**
 * What a standard stream is, for the key: a run's output depends on whether it is a terminal, and
 * the device of a character device (a terminal, /dev/null) tells that without creating
 * process.stdout/stderr (Node's stream modules, a sixth of a replay). Windows, whose console and
 * NUL look alike to fstat, asks the stream.
 */
function outputKind(fd: 1 | 2): string | boolean {
  if (process.platform === 'win32') return !!(fd === 1 ? process.stdout : process.stderr).isTTY;
  try {
    const st = fs.fstatSync(fd);
    return st.isCharacterDevice() ? `chr:${st.rdev}` : st.isFIFO() ? 'fifo' : st.isSocket() ? 'socket' : 'file';
  } catch {
    return 'closed';
  }
}

/** The record of this command, or undefined. */
export class RunRecord {
  readonly file: string;
  /** The key's UTF-8 bytes: compared as bytes with a record's, never decoded. */
  private readonly key: Buffer;

  constructor(
    private readonly location: string,
    argv: string[],
  ) {
    const env = ENV_READ.map((k) => [k, process.env[k] ?? null]);
    // Node's version too: the migration order comes from its ICU collator.
    this.key = keyBytes(JSON.stringify([FORMAT, buildHash(), process.version, ENDIAN, argv, process.cwd(), env, outputKind(1), outputKind(2)]));
    this.file = path.join(path.resolve(location), `run-${nameHash(this.key)}.run`);
  }

  /** Prints the recorded output and returns its exit code when every recorded read still holds. */
  replay(): number | undefined {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return undefined;
    }
    try {
      let record: RecordHead | undefined;
      try {
        record = readRecord(fd, this.key);
        if (!record || !allStillSeen(record.reads, { probe: chooseProbe(this.file), hashes: record.hashes })) return undefined;
      } catch {
        return undefined; // a damaged record
      }
      printOutput(fd, record);
      if (process.env.LOCKWISE_DEBUG?.includes('cache')) writeLine(`lockwise: cache: replayed ${path.basename(this.file)}`, 'stderr');
      return record.meta.code;
    } finally {
      closeSync(fd);
    }
  }

  /** Starts recording this process's reads and output (until `stop`); `now`: the run's start (tests). */
  record(now = Date.now()): Recording {
    current = new Recording(path.resolve(this.location), now);
    return current;
  }

  /** Writes the record of a finished run; a failure costs only the record. */
  save(recording: Recording, code: number): void {
    const { tables, hashes } = tablesOf(recording.reads);
    const { folders, rows, encodings } = tables;
    const meta: Meta = { code, writes: recording.writes.map(([s, b]) => [s, b.length]), folders, rows, encodings, names: Buffer.byteLength(tables.names) };
    const line = Buffer.from(`\n${JSON.stringify(meta)}\n`);
    const head = Buffer.concat([
      this.key,
      line,
      Buffer.alloc(-(this.key.length + line.length) & 7, ' '),
      Buffer.from(tables.floats.buffer),
      Buffer.from(tables.ints.buffer),
      Buffer.from(`${tables.names}\n${JSON.stringify(hashes)}\n`),
    ]);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeAtomic(this.file, Buffer.concat([Buffer.from(`${head.length}\n`), head, ...recording.writes.map(([, b]) => b)]));
    } catch {
      // The per-file cache already reported an unwritable folder.
    }
  }
}

/** A record's meta line and tables, its hash list (parsed when first asked) and where its output starts in the file. */
interface RecordHead {
  meta: Meta;
  reads: Reads;
  hashes: () => string[];
  output: number;
}

/**
 * The head of the record open as `fd`; undefined unless it is this command's and whole. Only the
 * head is read here (the output is streamed by printOutput): reading the whole record into one
 * fresh buffer cost its page faults, ~15 ms of CPU for the corpus run's 4 MB on the bench machine.
 */
function readRecord(fd: number, key: Buffer): RecordHead | undefined {
  const size = fstatSync(fd).size;
  const first = readAt(fd, Math.min(size, 24), 0);
  const lengthEnd = first.indexOf(10);
  const headLength = lengthEnd > 0 ? Number(first.toString('latin1', 0, lengthEnd)) : NaN;
  if (!Number.isSafeInteger(headLength) || lengthEnd + 1 + headLength > size) return undefined;
  const bytes = readAt(fd, headLength, lengthEnd + 1);
  // The key is JSON, so holds no line feed; compared as bytes (decoding it made a 170 KB string).
  if (bytes[key.length] !== 10 || !key.equals(bytes.subarray(0, key.length))) return undefined;
  const metaEnd = bytes.indexOf(10, key.length + 1);
  if (metaEnd < 0) return undefined;
  const meta = JSON.parse(bytes.toString('utf8', key.length + 1, metaEnd)) as Meta;
  const tables = tablesAt(bytes, metaEnd + 1, meta);
  const output = lengthEnd + 1 + headLength;
  if (!tables || !Array.isArray(meta.writes) || meta.writes.reduce((n, write) => n + write[1], 0) !== size - output) return undefined;
  let hashes: string[] | undefined;
  return { meta, reads: tables.reads, hashes: () => (hashes ??= JSON.parse(bytes.toString('utf8', tables.end, headLength - 1)) as string[]), output };
}

/**
 * The tables of a record's head, from the first multiple of 8 at or after `from`, and where the hash
 * list starts; undefined when they do not fit the head or name rows they cannot name.
 */
function tablesAt(bytes: Buffer, from: number, meta: Meta): { reads: Reads; end: number } | undefined {
  const { folders, rows, names, encodings } = meta;
  if (![folders, rows, names].every(Number.isSafeInteger) || folders < 0 || rows < folders || names < 0 || !Array.isArray(encodings)) return undefined;
  const start = from + (-from & 7);
  const intsStart = start + rows * FLOATS * 8;
  const namesStart = intsStart + rows * INTS * 4;
  const namesEnd = namesStart + names;
  if (namesEnd >= bytes.length || bytes[namesEnd] !== 10 || bytes[bytes.length - 1] !== 10) return undefined;
  const reads: Reads = {
    folders,
    rows,
    floats: view((buffer, offset) => new Float64Array(buffer, offset, rows * FLOATS), bytes, start, intsStart),
    ints: view((buffer, offset) => new Int32Array(buffer, offset, rows * INTS), bytes, intsStart, namesStart),
    names: bytes.toString('utf8', namesStart, namesEnd),
    encodings,
  };
  return wellFormed(reads) ? { reads, end: namesEnd + 1 } : undefined;
}

/** A typed array over bytes `start` to `end` of `bytes`: a view when they start at a multiple of 8, else over a copy. */
function view<T>(make: (buffer: ArrayBufferLike, offset: number) => T, bytes: Buffer, start: number, end: number): T {
  const offset = bytes.byteOffset + start;
  return offset % 8 === 0 ? make(bytes.buffer, offset) : make(new Uint8Array(bytes.subarray(start, end)).buffer, 0);
}

/** Every row names an earlier folder (a folder) or a folder (a read), and a part of the names. */
function wellFormed(t: Reads): boolean {
  for (let row = 0; row < t.rows; row++) {
    const at = row * INTS;
    const parent = t.ints[at + I_PARENT];
    if (parent < -1 || parent >= (row < t.folders ? row : t.folders) || (row >= t.folders && parent < 0)) return false;
    if (t.ints[at + I_NAME] < 0 || t.ints[at + I_NAME] > t.ints[at + I_NAME_END] || t.ints[at + I_NAME_END] > t.names.length) return false;
  }
  return true;
}

/** `length` bytes of `fd` from `position` (fewer at its end). */
function readAt(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  for (let n = -1; done < length && n !== 0; done += n) n = readSync(fd, buffer, done, length - done, position + done);
  return buffer.subarray(0, done);
}

/** Output is copied from the record in pieces of this size, through one buffer. */
const CHUNK = 64 * 1024;

/** Writes the record's output, each write to its stream, through one small buffer whose pages are reused. */
function printOutput(fd: number, record: RecordHead): void {
  const chunk = Buffer.allocUnsafe(CHUNK);
  let at = record.output;
  for (const [stream, length] of record.meta.writes) {
    for (let left = length; left > 0;) {
      const n = readSync(fd, chunk, 0, Math.min(CHUNK, left), at);
      if (n === 0) throw new Error('a run record ended early');
      writeRecorded(chunk.subarray(0, n), stream ? 'stderr' : 'stdout');
      at += n;
      left -= n;
    }
  }
}

/**
 * Runs `replay` with V8's optimizing compiler off. A replay's hot loops (a stat of every recorded
 * path, Node's Stats objects) had a dozen functions compiled on background threads: ~40 ms of CPU
 * for a ~100 ms run that ended before it used most of them, and on busy cores time taken from the
 * replay itself. Turned on again before anything else runs: a miss loads the command line, whose
 * code cache V8 checks against its flags (their hash is the start's again). Only under Node's
 * defaults (no node flags, no NODE_OPTIONS, nothing to undo) and where the flag has this name (V8 10
 * to 12): V8 reports a flag it does not know on stderr.
 */
export function withoutOptimizer<T>(replay: () => T): T {
  const major = Number(process.versions.v8.split('.')[0]);
  if (major < 10 || major > 12 || process.execArgv.length > 0 || process.env.NODE_OPTIONS) return replay();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v8 = require('v8') as typeof import('v8');
  v8.setFlagsFromString('--no-opt');
  try {
    return replay();
  } finally {
    v8.setFlagsFromString('--opt');
  }
}

/** The run being recorded (one per process): reportFiles says whether it was all cache hits. */
let current: Recording | undefined;

/**
 * Called by reportFiles: only a run that took every file from the cache is recorded (its output is
 * then what a run analysing them prints, and so is the LOCKWISE_DEBUG=cache line it replays).
 */
export function noteCacheUse(allHits: boolean): void {
  if (allHits) current?.confirm();
  else current?.taint('files were analysed');
}

/**
 * The cache folder of a command that may be replayed from its record, else undefined: a `lint` or
 * `audit` with the cache on, except --fix and --explain-runner, which analyse every file anew.
 * The entry bundle and the command line both ask this, so they agree on what is replayed.
 */
export function replayLocation(opts: Options): string | undefined {
  if ((opts.command !== 'lint' && opts.command !== 'audit') || opts.fix || opts.dryRun || opts.explainRunner) return undefined;
  return cacheLocation(opts);
}

/**
 * Runs a `lint` or `audit` with the cache on: replays its record when every read still holds, else
 * runs and records it. `tried`: the entry bundle already found no record to replay.
 */
export async function withReplay(location: string, argv: string[], command: () => Promise<number>, tried = false): Promise<number> {
  const record = new RunRecord(location, argv);
  const replayed = tried ? undefined : record.replay();
  if (replayed !== undefined) return replayed;
  const recording = record.record();
  let code: number;
  try {
    code = await command();
  } finally {
    recording.stop();
  }
  if (recording.replayable && (code === 0 || code === 1)) record.save(recording, code);
  return code;
}

type Wrapped = [object, string, unknown];

/** The reads and output of one run, recorded by wrapping `fs` and the output module until `stop`. */
export class Recording {
  readonly reads = new Map<string, Observation>();
  readonly writes: [0 | 1, Buffer][] = [];
  /** Why the run cannot be replayed (first reason), if it cannot. */
  tainted?: string;
  private confirmed = false;
  private readonly restore: Wrapped[] = [];
  /** Inside a wrapped readFileSync (its own openSync is not a descriptor read of the caller). */
  private depth = 0;

  constructor(
    private readonly cacheDir: string,
    private readonly started: number,
  ) {
    this.wrapReads();
    this.wrapUnrecordable();
    tapOutput((stream, text) => this.writes.push([stream === 'stdout' ? 0 : 1, Buffer.from(text)]));
  }

  taint(reason: string): void {
    this.tainted ??= reason;
  }

  confirm(): void {
    this.confirmed = true;
  }

  get replayable(): boolean {
    return this.confirmed && this.tainted === undefined;
  }

  stop(): void {
    for (const [target, name, original] of this.restore.reverse()) (target as Record<string, unknown>)[name] = original;
    tapOutput(undefined);
    if (current === this) current = undefined;
  }

  private wrap(target: object, name: string, make: (original: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown): void {
    const record = target as Record<string, unknown>;
    const original = record[name] as (...args: unknown[]) => unknown;
    this.restore.push([target, name, original]);
    record[name] = make(original);
  }

  private wrapReads(): void {
    this.wrap(fs, 'readFileSync', (original) => (file, options) => {
      const encoding = typeof options === 'string' ? options : (options as { encoding?: string } | undefined)?.encoding;
      const target = this.pathOf(file);
      const before = target ? statOf(target) : undefined;
      this.depth++;
      let result: unknown;
      try {
        result = original.call(fs, file, options);
      } finally {
        this.depth--;
      }
      if (target) this.observe(target, before, { read: sha(result as string | Buffer), ...(encoding ? { encoding } : {}) });
      return result;
    });
    this.wrap(fs, 'statSync', (original) => (file, options) => {
      const target = this.pathOf(file);
      if (target) this.observe(target, statOf(target), { stat: true });
      return original.call(fs, file, options);
    });
    this.wrap(fs, 'existsSync', (original) => (file) => {
      const target = this.pathOf(file);
      if (target) this.observe(target, statOf(target), {});
      return original.call(fs, file);
    });
    this.wrap(fs, 'readdirSync', (original) => (dir, options) => {
      const target = this.pathOf(dir);
      const before = target ? statOf(target) : undefined;
      // A recursive listing depends on subfolders, which the folder's own stat does not show.
      if (typeof options === 'object' && (options as { recursive?: boolean } | null)?.recursive) this.taint('a recursive listing');
      const result = original.call(fs, dir, options) as (string | fs.Dirent)[];
      const withTypes = typeof options === 'object' && !!(options as { withFileTypes?: boolean } | null)?.withFileTypes;
      if (target) this.observe(target, before, { list: listHash(result), ...(withTypes ? { withTypes } : {}) });
      return result;
    });
  }

  /** Reads `fs` cannot attribute to a path and content: the run still works, it is just not recorded. */
  private wrapUnrecordable(): void {
    const taintOn = (target: object, names: string[], what: string) => {
      for (const name of names) {
        if (typeof (target as Record<string, unknown>)[name] !== 'function') continue;
        this.wrap(target, name, (original) => (...args) => {
          // readFileSync opens and reads through these: that read is recorded by its wrapper.
          if (this.depth === 0) this.taint(`${what}.${name}`);
          return original.apply(target, args);
        });
      }
    };
    taintOn(fs, ['openSync', 'readSync', 'lstatSync', 'realpathSync', 'accessSync', 'opendirSync', 'readlinkSync', 'createReadStream'], 'fs');
    taintOn(fs, ['readFile', 'stat', 'lstat', 'readdir', 'open', 'access', 'exists', 'realpath', 'opendir'], 'fs');
    taintOn(fs.promises, ['readFile', 'stat', 'lstat', 'readdir', 'open', 'access', 'realpath', 'opendir'], 'fs.promises');
    // Required here, not at the top: a replay never records, and loading child_process is ~3 ms.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const childProcess = require('child_process') as typeof import('child_process');
    taintOn(childProcess, ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'], 'child_process');
  }

  /** The absolute path of a read, or undefined when it is the cache's own folder (its shards are no input of the output). */
  private pathOf(file: unknown): string | undefined {
    if (typeof file === 'number') {
      if (this.depth === 0) this.taint('a read by descriptor');
      return undefined;
    }
    const target = path.resolve(String(file instanceof URL ? file.pathname : file));
    return target === this.cacheDir || target.startsWith(this.cacheDir + path.sep) ? undefined : target;
  }

  private observe(file: string, st: fs.Stats | undefined, what: Partial<Observation>): void {
    let o = this.reads.get(file);
    if (!o) {
      const kind = kindOf(st);
      o = st ? { kind, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino } : { kind };
      if (st && Math.max(st.mtimeMs, st.ctimeMs) < this.started - RACY_MS) o.trusted = true;
      this.reads.set(file, o);
      if (!st) this.observeAbsentFolder(path.dirname(file));
    }
    Object.assign(o, what);
  }

  /**
   * The folder of a path found absent, when that folder is absent too (and so on up): a replay then
   * knows from its parent's unchanged stat that nothing in it exists, without asking for each path
   * (a lint looks for `.lockwise/stats.json` in every migration folder: 703 stats of the corpus run).
   * A replay checks one more thing than the run read, so it can only miss more often.
   */
  private observeAbsentFolder(folder: string): void {
    if (this.reads.has(folder) || statOf(folder)) return;
    this.observe(folder, undefined, {});
  }
}
