/** The bench's view of the corpus: where it is and which files are "real-world" (shared by run.mjs and same-output.mjs). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function findCorpus() {
  const candidates = [process.env.LOCKWISE_CORPUS, path.resolve(ROOT, '..', 'shared', 'corpus'), '/work/shared/corpus'].filter(Boolean);
  return candidates.find((c) => fs.existsSync(c));
}

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else if (e.isFile()) out.push(full);
  }
  return out;
}

/** Every `.sql` file of the corpus, relative to it, sorted; split into real-world and postgres_regress. */
export function corpusFiles(corpus) {
  const all = walk(corpus)
    .map((f) => path.relative(corpus, f))
    .filter((f) => /\.sql(\.postgres)?$/i.test(f))
    .sort();
  return {
    realWorld: all.filter((f) => !f.startsWith('postgres_regress/') && !f.startsWith('squawk-fixtures/')),
    regress: all.filter((f) => f.startsWith('postgres_regress/')),
  };
}
