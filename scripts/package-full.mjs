// `npm run package:full`: lockwise-full-<version>.vsix, the default package plus PGlite
// (dist/pglite/, the embedded PostgreSQL of "Lockwise: Trace Locks in Embedded PostgreSQL").
// Same file list as .vscodeignore, with dist/pglite/ let back in. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (!existsSync('dist/pglite/index.cjs')) throw new Error('dist/pglite is missing: run npm run build first');
const ignore = readFileSync('.vscodeignore', 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== 'dist/pglite/**')
  .concat(['!dist/pglite/index.cjs', '!dist/pglite/pglite.wasm', '!dist/pglite/pglite.data', '!dist/pglite/initdb.wasm', ''])
  .join('\n');
const dir = mkdtempSync(join(tmpdir(), 'lockwise-package-'));
const ignoreFile = join(dir, '.vscodeignore');
writeFileSync(ignoreFile, ignore);
const out = `lockwise-full-${pkg.version}.vsix`;
try {
  execFileSync(join('node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce'),
    ['package', '--no-dependencies', '--ignoreFile', ignoreFile, '--out', out], { stdio: 'inherit' });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
