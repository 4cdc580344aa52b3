// `npm run package:full`: lockwise-full-<version>.vsix, the default package plus PGlite
// (dist/pglite/, the embedded PostgreSQL of "Lockwise: Trace Locks in Embedded PostgreSQL").
// vsce takes the file list from package.json "files" (shared with the npm package, which leaves
// PGlite out too) and cannot combine it with an ignore file, so the full package is made from a
// staging copy whose "files" lets dist/pglite/ back in. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (!existsSync('dist/pglite/index.cjs')) throw new Error('dist/pglite is missing: run npm run build first');
const PGLITE_FILES = ['index.cjs', 'pglite.wasm', 'pglite.data', 'initdb.wasm'].map((f) => `dist/pglite/${f}`);
const stage = mkdtempSync(join(tmpdir(), 'lockwise-package-'));
const out = resolve(`lockwise-full-${pkg.version}.vsix`);
try {
  // Whole top-level entries named by "files" ("dist/*.js" -> dist); vsce then applies the patterns.
  for (const entry of new Set(pkg.files.map((f) => f.split('/')[0]))) cpSync(entry, join(stage, entry), { recursive: true });
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ ...pkg, files: [...pkg.files, ...PGLITE_FILES] }, null, 2));
  execFileSync(resolve('node_modules', '.bin', process.platform === 'win32' ? 'vsce.cmd' : 'vsce'), ['package', '--no-dependencies', '--out', out], {
    stdio: 'inherit',
    cwd: stage,
  });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
