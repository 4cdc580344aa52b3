/**
 * Where the real-world migration corpus is, for the suites that need it. The corpus holds
 * third-party files under their own licenses, so it is never copied into the repository: it is
 * `$LOCKWISE_CORPUS`, else `../shared/corpus` beside the checkout. Without it, each suite that needs
 * it prints one "skipped: corpus not found" line instead of running. Their titles end with
 * CORPUS_TAG, so `npm run test:corpus` runs exactly them. A LOCKWISE_CORPUS that names a missing
 * folder fails the run: CI sets it, so CI cannot skip them by accident.
 */
import * as fs from 'fs';
import * as path from 'path';

export const CORPUS_TAG = '[corpus]';

/** The repository root (this file runs from out/test/support/). */
const ROOT = path.resolve(__dirname, '../../..');

function locate(): string | undefined {
  const named = process.env.LOCKWISE_CORPUS;
  if (named) {
    if (!fs.existsSync(named)) throw new Error(`LOCKWISE_CORPUS=${named}: no such folder`);
    return path.resolve(named);
  }
  const beside = path.resolve(ROOT, '../shared/corpus');
  return fs.existsSync(beside) ? beside : undefined;
}

/** The corpus folder, or undefined when there is none. */
export const CORPUS: string | undefined = locate();

function skipped(title: string): void {
  console.log(`  skipped: corpus not found (set LOCKWISE_CORPUS, or put it at ../shared/corpus): ${title}`);
}

/** A suite that runs only with the corpus, which `body` receives. */
export function describeWithCorpus(title: string, body: (this: Mocha.Suite, corpus: string) => void): void {
  const corpus = CORPUS;
  if (!corpus) return skipped(title);
  describe(`${title} ${CORPUS_TAG}`, function () {
    body.call(this, corpus);
  });
}

/** A test that runs only with the corpus, inside a suite that does not otherwise need it. */
export function itWithCorpus(title: string, fn: (this: Mocha.Context, corpus: string) => void | Promise<void>): void {
  const corpus = CORPUS;
  if (!corpus) return skipped(title);
  it(`${title} ${CORPUS_TAG}`, function () {
    return fn.call(this, corpus);
  });
}

/** Every `.sql` (and `.sql.postgres`) file below `dir`, sorted. */
export function sqlFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sqlFilesUnder(full));
    else if (/\.sql(\.postgres)?$/.test(e.name)) out.push(full);
  }
  return out.sort();
}

/**
 * The real-world `.sql` files below `dir` (not postgres_regress/ or squawk-fixtures/) of at most
 * `maxBytes`, each folder's entries in locale order: the sample the corpus differential tests draw from.
 */
export function realWorldFiles(dir: string, maxBytes: number): string[] {
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const e of fs.readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(folder, e.name);
      if (e.isDirectory() && !['postgres_regress', 'squawk-fixtures'].includes(e.name)) walk(full);
      else if (e.isFile() && /\.sql$/i.test(e.name) && fs.statSync(full).size <= maxBytes) files.push(full);
    }
  };
  walk(dir);
  return files;
}
