#!/usr/bin/env node
/**
 * `lockwise`: the entry of the command line (dist/cli.js, a bundle of this module and what it
 * imports). A `lint` or `audit` with the cache on may be a replay of a recorded run (cli/replay.ts):
 * that is tried here, before loading the command line itself (cli/main.ts, dist/cli-main.js) with
 * the analysis core and the parser. Loading and compiling those was most of a replayed run (bench/FINDINGS.md).
 * test/unit/cliEntry.test.ts checks that a replay loads no other module of Lockwise.
 */
import { fs, path } from './project/builtins';
import { parseArgs } from './cli/args';
import { MAIN_BUNDLE } from './cli/cacheBase';
import { requireBundle } from './cli/codeCache';
import { nothingPending } from './project/output';
import { replayLocation, RunRecord, withoutOptimizer } from './cli/replay';

/** The cache folder of a command that may be replayed (the command line decides the same way), else undefined. */
function replayable(argv: string[]): string | undefined {
  // `lsp` and `stats` take flags of their own: never a replay (main.ts does not parse them either).
  if (argv[0] === 'lsp' || argv[0] === 'stats') return undefined;
  try {
    return replayLocation(parseArgs(argv, false));
  } catch {
    // A usage error: the command line reports it.
    return undefined;
  }
}

/** The command line: dist/cli-main.js beside this bundle (with its code cache), or cli/main.js when compiled by tsc (tests). */
function commandLine(): typeof import('./cli/main') {
  const bundled = path.join(__dirname, MAIN_BUNDLE);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (fs.existsSync(bundled) ? requireBundle(bundled) : require(path.join(__dirname, 'cli', 'main.js'))) as typeof import('./cli/main');
}

const argv = process.argv.slice(2);
const location = replayable(argv);
const code = location === undefined ? undefined : withoutOptimizer(() => new RunRecord(location, argv).replay());
if (code !== undefined) {
  // Exiting at once skips Node's teardown of the heap and the isolate (~10 ms of a replayed corpus
  // run, mostly unmapping memory); only when no output waits in a Node stream, which may write later.
  if (nothingPending()) process.exit(code);
  process.exitCode = code;
} else void commandLine().runCli(argv, location !== undefined);
