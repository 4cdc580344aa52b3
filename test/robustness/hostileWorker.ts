/**
 * Runs one hostile file through the analysis core in its own process, so that time and peak memory
 * are measured per file and a stack overflow or a hang cannot take the test runner with it.
 *
 *   node out/test/robustness/hostileWorker.js "<hostile file name>"
 *
 * Prints one JSON line (HostileResult).
 */
import * as fs from 'fs';
import { analyze, initParser } from '../../server/src/core';
import { hostileByName } from './hostile';

export interface HostileResult {
  name: string;
  chars: number;
  /** Analysis time (the parser is loaded before the clock starts). */
  ms: number;
  /** Peak resident memory of the whole process (Node + WASM + analysis), and before the analysis. */
  peakRssMB: number;
  baselineRssMB: number;
  statements: number;
  findings: number;
  rules: Record<string, number>;
  /** Findings whose range is outside the text or inverted. */
  outOfBounds: number;
  internalErrors: string[];
  expected?: { found: boolean; actual: { line: number; character: number; endLine: number; endCharacter: number }[] };
  /** Messages longer than 1,000 characters (a message quoting megabytes of SQL). */
  longMessages: number;
}

/**
 * Peak resident memory of this process. VmHWM belongs to this process image; getrusage's maxRSS
 * does not (Linux carries it over from the parent across fork and exec, so a big test runner
 * would be measured instead of the worker).
 */
function peakRssMB(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Math.round(Number(hwm[1]) / 1024);
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function main(): Promise<void> {
  const file = hostileByName(process.argv[2]);
  const text = file.text();
  await initParser();
  const baselineRssMB = process.memoryUsage().rss / 1024 / 1024;
  const t0 = process.hrtime.bigint();
  const analysis = analyze(text);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rules: Record<string, number> = {};
  let outOfBounds = 0;
  let longMessages = 0;
  for (const f of analysis.findings) {
    rules[f.rule] = (rules[f.rule] ?? 0) + 1;
    if (!(f.span.start >= 0 && f.span.start <= f.span.end && f.span.end <= text.length)) outOfBounds++;
    if (f.message.length > 1000) longMessages++;
  }
  const result: HostileResult = {
    name: file.name,
    chars: text.length,
    ms: Math.round(ms),
    peakRssMB: peakRssMB(),
    baselineRssMB: Math.round(baselineRssMB),
    statements: analysis.statements.length,
    findings: analysis.findings.length,
    rules,
    outOfBounds,
    internalErrors: analysis.internalErrors,
    longMessages,
  };
  const expect = file.expect;
  if (expect) {
    const candidates = analysis.findings.filter((f) => f.rule === expect.rule).map((f) => analysis.lines.rangeOf(f.span));
    const actual = candidates.map((r) => ({ line: r.start.line, character: r.start.character, endLine: r.end.line, endCharacter: r.end.character }));
    result.expected = {
      found: actual.some(
        (r) => r.line === expect.line && r.endLine === expect.line && r.character === expect.character && r.endCharacter === expect.endCharacter,
      ),
      actual: actual.slice(-3),
    };
  }
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`hostile worker failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 3;
});
