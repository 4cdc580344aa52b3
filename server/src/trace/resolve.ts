/**
 * Where PGlite (the embedded PostgreSQL of `lockwise trace`) comes from. It is an optional
 * component, loaded on demand, looked up in this order:
 *  1. the build's own copy: `pglite/` next to the running bundle (dist/pglite, present in a full
 *     build: `npm run build` in the repo, the `lockwise-full-<version>.vsix`);
 *  2. `@electric-sql/pglite` in the project's node_modules (the editor only looks there in a
 *     trusted workspace and only inside the workspace folder: it is code from the workspace).
 * When neither is there, `pgliteMissingMessage` says how to enable it. docs/trace.md has the why.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PGLITE_PACKAGE = '@electric-sql/pglite';
export const INSTALL_COMMAND = `npm install --save-dev ${PGLITE_PACKAGE}`;
/** Before 0.4, pg_locks in PGlite has pid NULL: the locks cannot be read (docs/trace.md). */
const MIN_VERSION: [number, number] = [0, 4];
const RUNTIME_FILES = ['index.cjs', 'pglite.wasm', 'pglite.data'];

export interface PgliteLocation {
  /** Folder holding index.cjs, pglite.wasm and pglite.data (what `usePgliteFrom` takes). */
  dir: string;
  source: 'bundled' | 'project';
  /** Package version (project copies). */
  version?: string;
}

export interface ProjectLookup {
  found?: PgliteLocation;
  /** A copy was found but cannot be used (too old, incomplete): why. */
  unusable?: string;
}

function hasRuntime(dir: string): boolean {
  return RUNTIME_FILES.every((f) => {
    try {
      return fs.statSync(path.join(dir, f)).isFile();
    } catch {
      return false;
    }
  });
}

/** The build's own copy: `<bundleDir>/pglite/`. */
export function bundledPglite(bundleDir: string): PgliteLocation | undefined {
  const dir = path.join(bundleDir, 'pglite');
  return hasRuntime(dir) ? { dir, source: 'bundled' } : undefined;
}

/**
 * `@electric-sql/pglite` in `node_modules` of `start` or of a folder above it, as Node would find
 * it, but never above `stopAt` when given (the workspace folder).
 */
export function projectPglite(start: string, stopAt?: string): ProjectLookup {
  let dir = path.resolve(start);
  const stop = stopAt ? path.resolve(stopAt) : undefined;
  if (stop && !isInside(dir, stop)) return {};
  for (;;) {
    const pkgDir = path.join(dir, 'node_modules', ...PGLITE_PACKAGE.split('/'));
    const pkgFile = path.join(pkgDir, 'package.json');
    if (fs.existsSync(pkgFile)) return inspectPackage(pkgDir, pkgFile);
    const parent = path.dirname(dir);
    if (parent === dir || (stop && dir === stop)) return {};
    dir = parent;
  }
}

function inspectPackage(pkgDir: string, pkgFile: string): ProjectLookup {
  let pkg: { version?: unknown; main?: unknown; exports?: unknown };
  try {
    pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  } catch {
    return { unusable: `${pkgFile} cannot be read` };
  }
  const version = typeof pkg.version === 'string' ? pkg.version : '?';
  const [major, minor] = version.split('.').map((n) => parseInt(n, 10));
  if (!(major > MIN_VERSION[0] || (major === MIN_VERSION[0] && minor >= MIN_VERSION[1]))) {
    return { unusable: `${PGLITE_PACKAGE} ${version} in ${pkgDir} is too old: lockwise trace needs ${MIN_VERSION.join('.')} or later (it reads pg_locks)` };
  }
  const exp = (pkg.exports as Record<string, { require?: { default?: unknown } | string }> | undefined)?.['.'];
  const req = typeof exp?.require === 'string' ? exp.require : exp?.require?.default;
  const entry = typeof req === 'string' ? req : typeof pkg.main === 'string' ? pkg.main : 'dist/index.cjs';
  const dir = path.dirname(path.join(pkgDir, entry));
  if (path.basename(entry) !== 'index.cjs' || !hasRuntime(dir)) {
    return { unusable: `${PGLITE_PACKAGE} ${version} in ${pkgDir} does not have the expected files (${RUNTIME_FILES.join(', ')})` };
  }
  return { found: { dir, source: 'project', version } };
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The same in one short sentence, for the editor's notification (the output channel gets the whole message). */
export function pgliteMissingShort(unusable?: string): string {
  return `Tracing needs PGlite${unusable ? ' (the copy found is not usable)' : ''}: install it in the project with ${INSTALL_COMMAND}, or use the full Lockwise extension.`;
}

/** How to enable tracing when PGlite is not there. `where`: the folder searched; `unusable`: a copy that did not qualify. */
export function pgliteMissingMessage(options: { where: string; editor?: boolean; unusable?: string }): string {
  const lines = [
    `Tracing needs PGlite, the embedded PostgreSQL (${PGLITE_PACKAGE}), which this build of Lockwise does not include` +
      (options.unusable ? `; ${options.unusable}.` : ` and which was not found in node_modules of ${options.where}.`),
    `To enable it, either install it in the project: ${INSTALL_COMMAND}` + (options.editor ? ' (used in trusted workspaces only),' : ','),
    options.editor
      ? 'or install the full Lockwise extension (lockwise-full-<version>.vsix, which includes it).'
      : 'or run the CLI of a full build (npm run build in the Lockwise repository puts it in dist/pglite/).',
  ];
  return lines.join('\n');
}
