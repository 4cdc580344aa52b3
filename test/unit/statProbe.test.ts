import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ABSENT, chooseProbe, FsBinding, KINDS, Probe, probed, probeWithStats } from '../../server/src/cli/statProbe';

/** What a probe says of a path: its kind and, when it exists, its four numbers. */
function seen(probe: Probe, file: string): string {
  const kind = probe(file);
  return kind === ABSENT ? 'absent' : `${KINDS[kind]} ${[...probed].join(' ')}`;
}

/** Node's fs binding where statProbe may use it (Node 20, not Windows), else null. */
function nodeBinding(): FsBinding | null {
  if (process.platform === 'win32' || process.versions.node.split('.')[0] !== '20') return null;
  return (process as unknown as { binding(name: string): FsBinding }).binding('fs');
}

describe('statProbe: a replay stats recorded paths as numbers', () => {
  let dir: string;
  let paths: string[];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockwise-probe-'));
    fs.writeFileSync(path.join(dir, 'file.sql'), 'SELECT 1;\n');
    fs.mkdirSync(path.join(dir, 'folder'));
    fs.symlinkSync(path.join(dir, 'file.sql'), path.join(dir, 'link-to-file'));
    fs.symlinkSync(path.join(dir, 'folder'), path.join(dir, 'link-to-folder'));
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling'));
    const names = ['file.sql', 'folder', 'link-to-file', 'link-to-folder', 'dangling', 'absent.sql', 'file.sql/inside', 'absent/deeper'];
    const sources = fs.readdirSync(path.join(__dirname, '..', '..', '..', 'server', 'src', 'cli'));
    paths = [...names.map((n) => path.join(dir, n)), os.devNull, dir, ...sources.map((n) => path.join(__dirname, '..', '..', '..', 'server', 'src', 'cli', n))];
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the same kind and numbers as a Stats object, for files, folders, links, devices and absent paths', function () {
    const binding = nodeBinding();
    if (!binding) this.skip();
    const fast = chooseProbe(path.join(dir, 'file.sql'), binding);
    assert.notStrictEqual(fast, probeWithStats, 'the binding agreed on an existing file, so it is used');
    for (const file of paths) assert.strictEqual(seen(fast, file), seen(probeWithStats, file), file);
  });

  it('falls back to Stats when the binding disagrees, fails, or is not there', () => {
    const known = path.join(dir, 'file.sql');
    const shifted = { stat: (p: string) => Float64Array.from({ length: 18 }, (_, i) => (fs.statSync(p).ino + i) % 7) };
    const throwing = {
      stat: (): Float64Array => {
        throw new Error('EINVAL');
      },
    };
    assert.strictEqual(chooseProbe(known, shifted), probeWithStats, 'a different layout');
    assert.strictEqual(chooseProbe(known, throwing), probeWithStats, 'a binding that throws');
    assert.strictEqual(chooseProbe(known, null), probeWithStats, 'no binding');
  });
});
