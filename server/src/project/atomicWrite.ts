/**
 * The one way Lockwise writes a user's file (`lint --fix`): never a half-written or lost file. The
 * new content goes to a temporary file in the same folder, is flushed to disk (fsync), then renamed
 * over the original in one step, so a crash, a full disk or any write error leaves the original
 * as it was. The file's mode is kept; a symlink is written through to its target (the link stays a
 * link); a file that changed since it was read is not overwritten; a new file never replaces one.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** What a file held when it was read: compared just before the rename. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  sha256: string;
}

export function stampOf(bytes: Buffer, stat: fs.Stats): FileStamp {
  return { size: bytes.length, mtimeMs: stat.mtimeMs, sha256: sha256(bytes) };
}

/** A write that did not happen; the message names the file and says it was left unchanged. */
export class WriteError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`cannot write ${file}: ${reason}`);
  }
}

/** The file changed on disk between the read and the write: nothing was written. */
export class FileChangedError extends WriteError {
  constructor(file: string) {
    super(file, 'it changed on disk since it was read; left as it is (run again to fix the new content)');
  }
}

/** The fs calls the writer makes, so that a test can make one fail (ENOSPC) at a chosen step. */
export type WriteOps = Pick<
  typeof fs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'fchmodSync' | 'fchownSync' | 'renameSync' | 'linkSync' | 'unlinkSync' | 'readFileSync' | 'statSync'
>;

export interface WriteOptions {
  /** What the file held when it was read; if it holds something else now, FileChangedError. */
  expect?: FileStamp;
  /** A new file: it must not exist (then WriteError, nothing written); its folder is created. */
  create?: boolean;
  ops?: WriteOps;
}

/** Writes `data` to `file` atomically (see the module comment). Throws WriteError naming `file`. */
export function writeFileAtomic(file: string, data: Buffer, options: WriteOptions = {}): void {
  const ops = options.ops ?? fs;
  if (options.create) return createFile(file, data, ops);
  let target: string;
  let stat: fs.Stats;
  try {
    // Through symlinks: the link keeps pointing at the (rewritten) target.
    target = fs.realpathSync(file);
    stat = ops.statSync(target);
  } catch (error) {
    throw new WriteError(file, reasonOf(error));
  }
  if (!stat.isFile()) throw new WriteError(file, 'not a regular file');
  const temp = tempName(target);
  try {
    writeTemp(temp, data, ops, stat);
    if (options.expect && !unchanged(target, options.expect, ops)) throw new FileChangedError(file);
    ops.renameSync(temp, target);
  } catch (error) {
    removeQuietly(temp, ops);
    if (error instanceof WriteError) throw error;
    throw new WriteError(file, `${reasonOf(error)}; the file is unchanged`);
  }
  syncFolder(path.dirname(target));
}

/** A new file next to a migration: written in full under a temporary name, then linked to its name, which fails if it exists. */
function createFile(file: string, data: Buffer, ops: WriteOps): void {
  const target = path.resolve(file);
  let madeFolder: string | undefined;
  try {
    madeFolder = fs.mkdirSync(path.dirname(target), { recursive: true });
  } catch (error) {
    throw new WriteError(file, reasonOf(error));
  }
  const temp = tempName(target);
  try {
    writeTemp(temp, data, ops);
    // link(2) never replaces an existing name: no window where an existing file could be overwritten.
    ops.linkSync(temp, target);
  } catch (error) {
    removeQuietly(temp, ops);
    if (madeFolder) fs.rmSync(madeFolder, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new WriteError(file, code === 'EEXIST' ? 'a file with that name exists; it was not overwritten' : reasonOf(error));
  }
  removeQuietly(temp, ops);
  syncFolder(path.dirname(target));
}

function writeTemp(temp: string, data: Buffer, ops: WriteOps, like?: fs.Stats): void {
  const fd = ops.openSync(temp, 'wx', 0o600);
  try {
    if (like) {
      ops.fchmodSync(fd, like.mode & 0o7777);
      // Only root may give the file back to its owner; anyone else already owns what they write.
      if (typeof process.getuid === 'function' && process.getuid() === 0 && (like.uid !== 0 || like.gid !== 0)) ops.fchownSync(fd, like.uid, like.gid);
    } else {
      ops.fchmodSync(fd, 0o666 & ~process.umask());
    }
    for (let done = 0; done < data.length;) done += ops.writeSync(fd, data, done, data.length - done);
    ops.fsyncSync(fd);
  } finally {
    ops.closeSync(fd);
  }
}

/** The size and content are what was read (an mtime alone changes on a `touch`, which loses nothing). */
function unchanged(target: string, expect: FileStamp, ops: WriteOps): boolean {
  const now = ops.statSync(target);
  if (now.size !== expect.size) return false;
  return sha256(ops.readFileSync(target)) === expect.sha256;
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.lockwise-${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`);
}

function removeQuietly(file: string, ops: WriteOps): void {
  try {
    ops.unlinkSync(file);
  } catch {
    // Already gone, or never created.
  }
}

/** The rename itself is durable once the folder is flushed (not every platform can open a folder). */
function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Windows cannot fsync a folder; the rename is still atomic.
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const REASONS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a folder',
  EIO: 'input/output error',
};

function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code) return REASONS[code] ? `${code} (${REASONS[code]})` : code;
  return error instanceof Error ? error.message : String(error);
}
