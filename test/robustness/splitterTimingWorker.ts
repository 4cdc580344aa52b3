/**
 * Times the statement splitter on adversarial text, in a process of its own so that the test
 * runner's heap plays no part:
 *
 *   node --max-semi-space-size=64 out/test/robustness/splitterTimingWorker.js
 *
 * Prints one JSON line: each pattern's least CPU time (ms) of three splits at SMALL and at LARGE
 * repetitions. The large young generation keeps the splits' results out of the old generation: in
 * the test runner, with its heap of earlier tests, the 200,000-line cases spent most of their time in
 * GC, and a linear split measured 17-31x for 4x the text.
 */
import { splitStatements } from '../../server/src/core/parse/splitter';

export const SMALL = 50000;
export const LARGE = 200000;

export const PATTERNS: Record<string, (n: number) => string> = {
  'unclosed quotes': (n) => "'a".repeat(n),
  'doubled quotes': (n) => "''".repeat(n) + "'",
  "E'' escapes": (n) => "E'\\'".repeat(n),
  'quoted identifiers': (n) => '"a""'.repeat(n),
  'dollar tags that never close': (n) => Array.from({ length: n }, (_, i) => `$t${i}$ x`).join(' '),
  'dollar signs in identifiers': (n) => 'a$b$c$'.repeat(n),
  'nested comment openers': (n) => '/*'.repeat(n),
  'comment closers': (n) => '*/'.repeat(n),
  'line comments': (n) => '--x\n'.repeat(n),
  semicolons: (n) => ';'.repeat(n),
  'psql meta-commands': (n) => '\\set x 1\n'.repeat(n),
  'COPY without end marker': (n) => 'COPY t FROM stdin;\n' + 'a\tb\n'.repeat(n),
  'BEGIN ATOMIC with CASE': (n) => 'CREATE FUNCTION f() RETURNS int BEGIN ATOMIC ' + 'SELECT CASE WHEN true THEN 1 END; '.repeat(n / 4),
  'one long identifier': (n) => 'a'.repeat(n * 4),
  words: (n) => 'w '.repeat(n),
};

/** The least CPU time (ms) of three splits: CPU, not wall, so that a loaded machine's waits do not count. */
function best(text: string): number {
  let ms = Infinity;
  for (let k = 0; k < 3; k++) {
    const before = process.cpuUsage();
    splitStatements(text);
    const used = process.cpuUsage(before);
    ms = Math.min(ms, (used.user + used.system) / 1000);
  }
  return ms;
}

if (require.main === module) {
  const times: Record<string, [number, number]> = {};
  for (const [name, make] of Object.entries(PATTERNS)) {
    const small = make(SMALL);
    best(small); // warm up the JIT
    times[name] = [best(small), best(make(LARGE))];
  }
  process.stdout.write(JSON.stringify(times) + '\n');
}
