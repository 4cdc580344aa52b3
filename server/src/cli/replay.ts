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
import fs from 'fs';
import * as path from 'path';
import type { Options } from './args';
import { buildHash, cacheLocation, writeAtomic } from './cacheBase';
import { writeLine, tapOutput, writeRecorded } from '../project/output';

// The originals, for the recorder's own reads (fs is wrapped while a run is recorded).
const { statSync, readFileSync, readdirSync, openSync, readSync, fstatSync, closeSync } = fs;

const FORMAT = 'lockwise-run-4';
/** A file changed this recently may change again within its timestamp's granularity: hash it. */
const RACY_MS = 5000;
/** The environment variables the CLI reads (test/unit/cliReplay.test.ts checks the sources against this list). */
export const ENV_READ = ['LOCKWISE_DEBUG', 'NO_COLOR'];

type Kind = 'file' | 'dir' | 'other' | 'absent';

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

/**
 * An Observation as the record keeps it (short to parse): kind (index in KINDS), flags, then, unless
 * absent, size, mtimeMs, ctimeMs, ino, the index of its hash in the record's hash list (-1: none)
 * and the encoding of a read.
 */
type Stored = [kind: number, flags: number, size?: number, mtimeMs?: number, ctimeMs?: number, ino?: number, hash?: number, encoding?: string];

const KINDS: Kind[] = ['absent', 'file', 'dir', 'other'];
const [ABSENT, FILE] = [0, 1];
const TRUSTED = 1;
const STAT = 2;
const READ = 4;
const LIST = 8;
const WITH_TYPES = 16;

/**
 * A record: the byte length of its head (the next three lines) on the first line, the key on the
 * second (the record of another command whose name hash collides is a miss), this header on the
 * third, the hashes of the reads on the fourth (parsed only when a stat changed), then the output.
 */
interface Header {
  code: number;
  /** The output in write order: stream and byte length of each write. */
  writes: [0 | 1, number][];
  /**
   * The folders the reads were in, sorted (a folder before the folders in it): the index of its
   * parent in this list (-1: none), its name there (its path without a parent), and the folder's
   * own observation when it was read (0: not read). A path read that was no folder (absent, say)
   * is here too when reads were made in it.
   */
  folders: [number, string, Stored | 0][];
  /** Every other read: the index of its folder, its name there, and what it saw. */
  reads: [number, string, Stored][];
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
function nameHash(text: string): string {
  const size = Buffer.byteLength(text);
  const words = new Int32Array(((size + 7) >>> 3) << 1);
  Buffer.from(words.buffer).write(text);
  let a = 0x811c9dc5 ^ size;
  let b = 0x050c5d1f;
  for (let i = 0; i < words.length; i += 2) {
    a = Math.imul(a ^ words[i], 0x01000193) ^ (a >>> 13);
    b = Math.imul(b ^ words[i + 1], 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

function kindOf(st: fs.Stats | undefined): Kind {
  if (!st) return 'absent';
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

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

function store(o: Observation, hashes: string[]): Stored {
  const flags =
    (o.trusted ? TRUSTED : 0) | (o.stat ? STAT : 0) | (o.read !== undefined ? READ : 0) | (o.list !== undefined ? LIST : 0) | (o.withTypes ? WITH_TYPES : 0);
  if (o.kind === 'absent') return [ABSENT, flags];
  const hash = o.read ?? o.list;
  const stored: Stored = [KINDS.indexOf(o.kind), flags, o.size, o.mtimeMs, o.ctimeMs, o.ino, hash === undefined ? -1 : hashes.push(hash) - 1];
  if (o.encoding !== undefined) stored.push(o.encoding);
  return stored;
}

/** Whether a recorded read would see the same thing now: 'unchanged' when its trusted stat is equal. `hashes`: the record's. */
function stillSeen(file: string, o: Stored, hashes: () => string[]): 'unchanged' | boolean {
  const st = statOf(file);
  const kind = KINDS.indexOf(kindOf(st));
  if (kind === ABSENT || o[0] === ABSENT) return kind === o[0];
  if (onlyExists(o)) return true;
  if (kind !== o[0]) return false;
  if (o[1] & TRUSTED && st!.size === o[2] && st!.mtimeMs === o[3] && st!.ctimeMs === o[4] && st!.ino === o[5]) return 'unchanged';
  if (o[1] & STAT && kind === FILE && st!.size !== o[2]) return false;
  if (o[1] & READ) {
    try {
      if (readHash(file, o[7]) !== hashes()[o[6]!]) return false;
    } catch {
      return false;
    }
  }
  return !(o[1] & LIST) || listNow(file, !!(o[1] & WITH_TYPES)) === hashes()[o[6]!];
}

/** A read that only asked whether the path exists. */
function onlyExists(o: Stored): boolean {
  return !(o[1] & (STAT | READ | LIST));
}

/** What is known now of a folder of the record: its entries are as recorded, it is still absent, or neither. */
type FolderNow = 'unchanged' | 'absent' | undefined;

/**
 * Whether every recorded read still holds. Folders first, each after its parent: a folder whose
 * trusted stat is unchanged has the same entries (adding, removing or renaming one changes its
 * mtime), so whether a path in it exists is known without asking (most checks are for config files
 * that are not there); and nothing is in a folder that is still absent.
 */
function allStillSeen(header: Header, hashes: () => string[]): boolean {
  const known: FolderNow[] = [];
  const prefixes: string[] = [];
  for (const [parent, name, o] of header.folders) {
    const folder = parent < 0 ? name : prefixes[parent] + name;
    const now = folderNow(folder, o, parent < 0 ? undefined : known[parent], hashes);
    if (now === false) return false;
    known.push(now);
    prefixes.push(folder.endsWith(path.sep) ? folder : folder + path.sep);
  }
  for (const [at, name, o] of header.reads) {
    const folder = known[at];
    if (folder === 'absent' ? o[0] === ABSENT : folder === 'unchanged' && (o[0] === ABSENT || onlyExists(o))) continue;
    if (!stillSeen(prefixes[at] + name, o, hashes)) return false;
  }
  return true;
}

/** A folder of the record now, from its observation (0: not read itself) and its parent's; false: it changed. */
function folderNow(folder: string, o: Stored | 0, parent: FolderNow, hashes: () => string[]): FolderNow | false {
  if (o === 0) return parent === 'absent' ? 'absent' : undefined;
  if (parent === 'absent' || (parent === 'unchanged' && o[0] === ABSENT)) return o[0] === ABSENT ? 'absent' : false;
  if (parent === 'unchanged' && onlyExists(o)) return undefined;
  const seen = stillSeen(folder, o, hashes);
  if (!seen) return false;
  return seen === 'unchanged' ? 'unchanged' : o[0] === ABSENT ? 'absent' : undefined;
}

/** A recording's reads as the record keeps them: each folder they were made in, sorted, then the other reads by folder. */
function byFolder(reads: Map<string, Observation>, hashes: string[]): Pick<Header, 'folders' | 'reads'> {
  const sorted = [...new Set([...reads.keys()].map((file) => path.dirname(file)))].sort();
  const index = new Map(sorted.map((folder, i) => [folder, i]));
  const parentOf = (folder: string) => (path.dirname(folder) === folder ? -1 : (index.get(path.dirname(folder)) ?? -1));
  return {
    folders: sorted.map((folder) => {
      const parent = parentOf(folder);
      const o = reads.get(folder);
      return [parent, parent < 0 ? folder : path.basename(folder), o ? store(o, hashes) : 0];
    }),
    reads: [...reads].filter(([file]) => !index.has(file)).map(([file, o]) => [index.get(path.dirname(file))!, path.basename(file), store(o, hashes)]),
  };
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
  private readonly key: string;

  constructor(
    private readonly location: string,
    argv: string[],
  ) {
    const env = ENV_READ.map((k) => [k, process.env[k] ?? null]);
    // Node's version too: the migration order comes from its ICU collator.
    this.key = JSON.stringify([FORMAT, buildHash(), process.version, argv, process.cwd(), env, outputKind(1), outputKind(2)]);
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
        if (!record || !allStillSeen(record.header, record.hashes)) return undefined;
      } catch {
        return undefined; // a damaged record
      }
      printOutput(fd, record);
      if (process.env.LOCKWISE_DEBUG?.includes('cache')) writeLine(`lockwise: cache: replayed ${path.basename(this.file)}`, 'stderr');
      return record.header.code;
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
    const hashes: string[] = [];
    const header: Header = { code, writes: recording.writes.map(([s, b]) => [s, b.length]), ...byFolder(recording.reads, hashes) };
    const head = Buffer.from([this.key, JSON.stringify(header), JSON.stringify(hashes)].join('\n') + '\n');
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeAtomic(this.file, Buffer.concat([Buffer.from(`${head.length}\n`), head, ...recording.writes.map(([, b]) => b)]));
    } catch {
      // The per-file cache already reported an unwritable folder.
    }
  }
}

/** A record's header, its hash list (parsed when first asked) and where its output starts in the file. */
interface RecordHead {
  header: Header;
  hashes: () => string[];
  output: number;
}

/**
 * The head of the record open as `fd`; undefined unless it is this command's and whole. Only the
 * head is read here (the output is streamed by printOutput): reading the whole record into one
 * fresh buffer cost its page faults, ~15 ms of CPU for the corpus run's 4 MB on the bench machine.
 */
function readRecord(fd: number, key: string): RecordHead | undefined {
  const size = fstatSync(fd).size;
  const first = readAt(fd, Math.min(size, 24), 0);
  const lengthEnd = first.indexOf(10);
  const headLength = lengthEnd > 0 ? Number(first.toString('latin1', 0, lengthEnd)) : NaN;
  if (!Number.isSafeInteger(headLength) || lengthEnd + 1 + headLength > size) return undefined;
  const bytes = readAt(fd, headLength, lengthEnd + 1);
  const keyEnd = bytes.indexOf(10);
  if (keyEnd < 0 || bytes.toString('utf8', 0, keyEnd) !== key) return undefined;
  const headerEnd = bytes.indexOf(10, keyEnd + 1);
  const hashesEnd = headerEnd < 0 ? -1 : bytes.indexOf(10, headerEnd + 1);
  if (hashesEnd !== headLength - 1) return undefined;
  const header = JSON.parse(bytes.toString('utf8', keyEnd + 1, headerEnd)) as Header;
  if (![header.writes, header.folders, header.reads].every(Array.isArray)) return undefined;
  const output = lengthEnd + 1 + headLength;
  if (header.writes.reduce((n, [, length]) => n + length, 0) !== size - output) return undefined;
  let hashes: string[] | undefined;
  return { header, hashes: () => (hashes ??= JSON.parse(bytes.toString('utf8', headerEnd + 1, hashesEnd)) as string[]), output };
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
  for (const [stream, length] of record.header.writes) {
    for (let left = length; left > 0;) {
      const n = readSync(fd, chunk, 0, Math.min(CHUNK, left), at);
      if (n === 0) throw new Error('a run record ended early');
      writeRecorded(chunk.subarray(0, n), stream ? 'stderr' : 'stdout');
      at += n;
      left -= n;
    }
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
    }
    Object.assign(o, what);
  }
}
