/**
 * project/atomicWrite.ts, the only writer of a user's file (issue 12): temp file in the same folder,
 * fsync, rename; mode kept; symlinks written through; a failure at any step (ENOSPC injected at the
 * write, the fsync or the rename; a read-only folder) leaves the original intact, no temp file, and
 * an error naming the file; a changed file is not overwritten; a new file never replaces one.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FileChangedError, stampOf, WriteError, writeFileAtomic, WriteOps } from '../../server/src/project/atomicWrite';

function tempDir(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-atomic-')));
}

function stampNow(file: string) {
  return stampOf(fs.readFileSync(file), fs.statSync(file));
}

/** Real fs, except that `step` fails with `code`. */
function failing(step: keyof WriteOps, code: string): WriteOps {
  const ops = { ...fs } as WriteOps;
  (ops as unknown as Record<string, unknown>)[step] = () => {
    throw Object.assign(new Error(`${code}: injected`), { code });
  };
  return ops;
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

describe('atomic file writes', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the content, keeps the mode (not the umask default), leaves no temp file', () => {
    const file = path.join(dir, 'm.sql');
    fs.writeFileSync(file, 'old');
    fs.chmodSync(file, 0o640);
    writeFileAtomic(file, Buffer.from('new'), { expect: stampNow(file) });
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'new');
    assert.strictEqual(fs.statSync(file).mode & 0o7777, 0o640);
    fs.chmodSync(file, 0o755);
    writeFileAtomic(file, Buffer.from('newer'));
    assert.strictEqual(fs.statSync(file).mode & 0o7777, 0o755);
    assert.deepStrictEqual(fs.readdirSync(dir), ['m.sql']);
  });

  it('writes through a symlink (and a chain of them) to its target; the links stay links', () => {
    fs.mkdirSync(path.join(dir, 'real'));
    const target = path.join(dir, 'real/001.sql');
    fs.writeFileSync(target, 'old');
    fs.symlinkSync(target, path.join(dir, 'link1.sql'));
    fs.symlinkSync('link1.sql', path.join(dir, 'link2.sql'));
    writeFileAtomic(path.join(dir, 'link2.sql'), Buffer.from('new'), { expect: stampNow(target) });
    assert.strictEqual(fs.readFileSync(target, 'utf8'), 'new');
    assert.ok(fs.lstatSync(path.join(dir, 'link1.sql')).isSymbolicLink());
    assert.strictEqual(fs.readlinkSync(path.join(dir, 'link2.sql')), 'link1.sql');
    assert.deepStrictEqual(fs.readdirSync(path.join(dir, 'real')), ['001.sql'], 'the temp file was in the target folder and is gone');
  });

  for (const step of ['writeSync', 'fsyncSync', 'renameSync'] as const) {
    it(`ENOSPC at ${step}: the original is intact, no temp file, the error names the file`, () => {
      const file = path.join(dir, 'm.sql');
      fs.writeFileSync(file, 'original bytes');
      assert.throws(
        () => writeFileAtomic(file, Buffer.from('x'.repeat(100000)), { ops: failing(step, 'ENOSPC') }),
        (e: Error) => e instanceof WriteError && e.message === `cannot write ${file}: ENOSPC (no space left on device); the file is unchanged`,
      );
      assert.strictEqual(fs.readFileSync(file, 'utf8'), 'original bytes');
      assert.deepStrictEqual(fs.readdirSync(dir), ['m.sql']);
    });
  }

  it('a short write is continued, not truncated', () => {
    const file = path.join(dir, 'm.sql');
    fs.writeFileSync(file, 'old');
    const short = (fd: number, b: NodeJS.ArrayBufferView, off?: number | null, len?: number | null) => fs.writeSync(fd, b, off, Math.min(len ?? 0, 7));
    const ops = { ...fs, writeSync: short } as unknown as WriteOps;
    writeFileAtomic(file, Buffer.from('0123456789'.repeat(10)), { ops });
    assert.strictEqual(fs.readFileSync(file, 'utf8'), '0123456789'.repeat(10));
  });

  it('a read-only folder: EACCES naming the file, the original intact (skipped as root, who writes anywhere)', function () {
    if (isRoot) this.skip();
    const file = path.join(dir, 'm.sql');
    fs.writeFileSync(file, 'original');
    fs.chmodSync(dir, 0o555);
    assert.throws(() => writeFileAtomic(file, Buffer.from('new')), /^WriteError: cannot write .*m\.sql: EACCES/);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'original');
  });

  it('a file changed since it was read is not overwritten (content, or size); a touch alone is no change', () => {
    const file = path.join(dir, 'm.sql');
    fs.writeFileSync(file, 'as read');
    const stamp = stampNow(file);
    fs.writeFileSync(file, 'as EDIT');
    assert.throws(() => writeFileAtomic(file, Buffer.from('fixed'), { expect: stamp }), FileChangedError);
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'as EDIT');
    fs.writeFileSync(file, 'as read, then more');
    assert.throws(() => writeFileAtomic(file, Buffer.from('fixed'), { expect: stamp }), /changed on disk since it was read/);
    fs.writeFileSync(file, 'as read');
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
    writeFileAtomic(file, Buffer.from('fixed'), { expect: stamp });
    assert.strictEqual(fs.readFileSync(file, 'utf8'), 'fixed');
    assert.deepStrictEqual(fs.readdirSync(dir), ['m.sql']);
  });

  it('create: a new file (and its folder); an existing file, a symlink or a dangling symlink is never replaced', () => {
    writeFileAtomic(path.join(dir, 'sub/003_new.sql'), Buffer.from('new'), { create: true });
    assert.strictEqual(fs.readFileSync(path.join(dir, 'sub/003_new.sql'), 'utf8'), 'new');
    fs.writeFileSync(path.join(dir, 'taken.sql'), 'mine');
    assert.throws(
      () => writeFileAtomic(path.join(dir, 'taken.sql'), Buffer.from('x'), { create: true }),
      /taken\.sql: a file with that name exists; it was not overwritten/,
    );
    assert.strictEqual(fs.readFileSync(path.join(dir, 'taken.sql'), 'utf8'), 'mine');
    fs.symlinkSync(path.join(dir, 'elsewhere.sql'), path.join(dir, 'dangling.sql'));
    assert.throws(() => writeFileAtomic(path.join(dir, 'dangling.sql'), Buffer.from('x'), { create: true }), /exists/);
    assert.ok(!fs.existsSync(path.join(dir, 'elsewhere.sql')), 'nothing written through the dangling link');
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ['dangling.sql', 'sub', 'taken.sql']);
  });

  it('create: a failure removes the folder it made and the temp file', () => {
    assert.throws(() => writeFileAtomic(path.join(dir, 'a/b/new.sql'), Buffer.from('x'), { create: true, ops: failing('fsyncSync', 'EIO') }), /new\.sql: EIO/);
    assert.deepStrictEqual(fs.readdirSync(dir), []);
  });
});
