#!/usr/bin/env node
/**
 * `lockwise`: the command line. A thin shell over the core: it parses argv (cli/args.ts) and
 * dispatches to one module per subcommand (cli/), which read files, resolve config and schema
 * history, and print. Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it,
 * 2 usage, configuration or I/O error.
 */
import { setFlagsFromString } from 'v8';
import { isMainThread } from 'worker_threads';
import { ConfigError, terminalLines } from './core';
import { UsageError } from './project/files';
import { HELP, parseArgs, VERSION } from './cli/args';
import { audit } from './cli/audit';
import { lint } from './cli/lint';
import { DEFAULT_CACHE_LOCATION } from './cli/cache';
import { withReplay } from './cli/replay';
import { explain, listRules } from './cli/rules';
import { writeLine, writeReport } from './project/output';

async function main(argv: string[]): Promise<number> {
  // The language server takes its own flags (--stdio, --node-ipc, --socket=N).
  // The commands lint does not need are loaded when run: the language server, `stats` (which
  // brings the PostgreSQL client), `init` and `trace` (PGlite) cost every lint their start-up.
  if (argv[0] === 'lsp') return (await import('./cli/lsp.js')).lsp(argv.slice(1));
  // `stats` has its own subcommands and flags (--db-url, --out, --rows).
  if (argv[0] === 'stats') return (await import('./cli/stats.js')).stats(argv.slice(1));
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
      // A batch run is short: V8 optimising the parser's WebAssembly costs more than it saves
      // (the corpus lint 16% less CPU with its baseline code alone, 4x the corpus the same; bench/FINDINGS.md).
      // Process-wide, so not for the language server or trace's PGlite, which run long.
      setFlagsFromString('--liftoff-only');
      const run = () => (opts.command === 'lint' ? lint(opts) : audit(opts));
      // --fix and --explain-runner analyse every file anew: never replayed.
      const replayable = (opts.cache ?? opts.cacheLocation !== undefined) && !opts.fix && !opts.dryRun && !opts.explainRunner;
      return replayable ? withReplay(opts.cacheLocation ?? DEFAULT_CACHE_LOCATION, argv, run) : run();
    }
    case 'init':
      return (await import('./cli/init.js')).init(opts);
    case 'trace':
      return (await import('./trace/bounded.js')).runTrace(opts.paths, {
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

// In a worker thread this bundle only analyses (cli/parallel.ts).
if (isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
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
