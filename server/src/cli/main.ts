/**
 * `lockwise`: the command line behind the entry (server/src/cli.ts, which replays a recorded run
 * without loading this). A thin shell over the core: it parses argv (args.ts) and dispatches to one
 * module per subcommand, which read files, resolve config and schema history, and print. Exit
 * codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage, configuration or I/O error.
 * Bundled as dist/cli-main.js, which is also the script of the analysis worker threads (parallel.ts).
 */
import { setFlagsFromString } from 'v8';
import { ConfigError, terminalLines } from '../core';
import { UsageError } from '../project/files';
import { HELP, parseArgs, VERSION } from './args';
import { audit } from './audit';
import { lint } from './lint';
import { replayLocation, withReplay } from './replay';
import { BATCH_FLAGS } from './codeCache';
import { explain, listRules } from './rules';
import { nothingPending, writeLine, writeReport } from '../project/output';

/** Set by a lint or audit: once its report is written, the process may end at once (runCli). */
let batchRun = false;

async function main(argv: string[], replayTried: boolean): Promise<number> {
  // The language server takes its own flags (--stdio, --node-ipc, --socket=N).
  // The commands lint does not need are loaded when run: the language server, `stats` (which
  // brings the PostgreSQL client), `init` and `trace` (PGlite) cost every lint their start-up.
  if (argv[0] === 'lsp') return (await import('./lsp.js')).lsp(argv.slice(1));
  // `stats` has its own subcommands and flags (--db-url, --out, --rows).
  if (argv[0] === 'stats') return (await import('./stats.js')).stats(argv.slice(1));
  const opts = parseArgs(argv);
  switch (opts.command) {
    case '':
    case 'help':
      writeReport(HELP + '\n');
      return opts.command === 'help' ? 0 : 2;
    case 'version':
      writeReport(VERSION + '\n');
      return 0;
    case 'rules':
      return listRules();
    case 'explain':
      return explain(opts.paths[0]);
    case 'lint':
    case 'audit': {
      // A batch run is short: V8 optimising the parser's WebAssembly, or every function that ran a
      // little, costs more than it saves (BATCH_FLAGS; bench/FINDINGS.md). Process-wide (the worker
      // threads too); the language server sets `--liftoff-only` itself (lsp/server.ts), trace's PGlite
      // runs in its own process.
      setFlagsFromString(BATCH_FLAGS);
      batchRun = true;
      const run = () => (opts.command === 'lint' ? lint(opts) : audit(opts));
      const location = replayLocation(opts);
      return location !== undefined ? withReplay(location, argv, run, replayTried) : run();
    }
    case 'init':
      return (await import('./init.js')).init(opts);
    case 'trace':
      return (await import('../trace/bounded.js')).runTrace(opts.paths, {
        format: opts.format,
        history: opts.history,
        pgVersion: opts.pgVersion,
        config: opts.config,
        timeout: opts.timeout,
      });
    default:
      throw new UsageError(`unknown command "${opts.command}" (expected lint, audit, trace, stats, rules, explain, init or lsp)`);
  }
}

/**
 * Runs the command line of `argv` and sets the exit code. `replayTried`: the entry bundle looked for
 * a record of this run and found none to replay. Nothing runs on load: in a worker thread this bundle
 * only analyses (parallel.ts).
 */
export function runCli(argv: string[], replayTried: boolean): Promise<void> {
  return main(argv, replayTried).then(
    (code) => {
      process.exitCode = code;
      // A lint or audit has written its whole report: ending now skips Node's teardown of the heaps, the
      // isolates and the analysis workers (~45 ms after a corpus run; bench/FINDINGS.md, session 21).
      if (batchRun && nothingPending()) process.exit(code);
    },
    (error: unknown) => {
      if (error instanceof UsageError || error instanceof ConfigError) {
        writeLine(`lockwise: ${error.message}`, 'stderr');
      } else {
        writeLine(`lockwise: internal error: ${error instanceof Error ? error.message : String(error)}`, 'stderr');
        if (process.env.LOCKWISE_DEBUG) writeReport(terminalLines(`${(error as Error).stack}\n`));
      }
      process.exitCode = 2;
    },
  );
}
