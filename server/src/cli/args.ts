/** The `lockwise` command line: its help text and the parsing of argv into Options. */
import type { Severity } from '../core';
import { VERSION } from '../project/constants';
import { UsageError } from '../project/files';

export { VERSION };

export const HELP = `lockwise ${VERSION}: zero-downtime checks for PostgreSQL migrations

Usage:
  lockwise lint [paths...]    report dangerous statements (files, folders, globs)
  lockwise audit [paths...]   report every statement's locks, what they block and for how long
  lockwise rules              list the rules
  lockwise explain <rule-id>  print a rule's documentation
  lockwise init [dir]         write a .lockwise.json: PostgreSQL version, migration folders, runner
  lockwise stats pull|query|calibrate
                              table sizes for size-scaled verdicts and lock duration estimates
                              (lockwise stats --help)
  lockwise lsp [--stdio]      the language server for other editors (= lockwise-language-server)
  lockwise trace <file>       run the migration on an embedded PostgreSQL 18 (PGlite) after its history:
                              the locks each statement took, rewrites, scans, errors, prediction diff

Options:
  --format F        lint: text (default), json, sarif, github; trace: markdown (default), json;
                    audit: text (default on a terminal), markdown (default otherwise), html, json
  --all             audit: list every file, not only those with findings
  --history DIR     trace: replay DIR's .sql files first (default: the earlier files of the file's folder)
  --timeout S       trace: stop after S seconds in all (default 60), naming the statement still running
  --pg-version N    PostgreSQL major version to assume (default 15, or pgVersion in .lockwise.json)
  --config F        use this config file instead of the nearest .lockwise.json
  --fail-on L       error (default), warning or info: the lowest severity that makes the exit code 1
  --fix             lint: apply every safe fix in place (suggestions, which change what the
                    migration does, are listed but not applied)
  --fix-suggestions lint: --fix, and apply the suggestions too
  --dry-run         with --fix: print the diff instead of writing
  --explain-runner  lint: print which migration runner runs each file, why, and how (then exit 0)
  --cache           lint, audit: reuse the results of unchanged files from an on-disk cache (off by default)
  --cache-location DIR
                    the cache folder (default .lockwise-cache in the current folder; implies --cache)
  --no-cache        do not read or write the cache
  --jobs N          lint, audit: analyse on N threads (default: one per idle core; folders are independent)
  --no-color        plain text output
  -h, --help        this help;  -v, --version  the version

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it (with --fix, also --dry-run:
those left after the fixes); 2 usage, config or I/O error, or a file --fix could not write (the others
are fixed and the failures listed). trace: 0 every statement ran; 1 a statement failed; 2 as above, or
the trace did not finish within --timeout.`;

export interface Options {
  command: string;
  paths: string[];
  format?: string;
  pgVersion?: number;
  config?: string;
  failOn: Severity;
  fix: boolean;
  /** With --fix: apply suggestions (fixes that change what the migration does) too. */
  fixSuggestions: boolean;
  dryRun: boolean;
  explainRunner?: boolean;
  color: boolean;
  history?: string;
  /** trace: wall-clock limit in seconds. */
  timeout?: number;
  /** audit: every file, not only those with findings. */
  all: boolean;
  /** --cache / --no-cache (the last one given); undefined: on only with --cache-location. */
  cache?: boolean;
  cacheLocation?: string;
  /** Threads for lint and audit (default: one per idle core). */
  jobs?: number;
}

export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** Flags that set a field from their value (after validation). */
const VALUE_FLAGS = new Map<string, (opts: Options, value: string) => void>(
  Object.entries({
    '--format': (opts, v) => (opts.format = v),
    '--config': (opts, v) => (opts.config = v),
    '--history': (opts, v) => (opts.history = v),
    '--timeout': (opts, v) => {
      const n = Number(v);
      if (!/^\d+(\.\d+)?$/.test(v) || !(n > 0) || n > 86400) throw new UsageError(`--timeout must be a number of seconds (up to 86400), not "${v}"`);
      opts.timeout = n;
    },
    '--cache-location': (opts, v) => (opts.cacheLocation = v),
    '--jobs': (opts, v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--jobs must be a number of threads (1 to 256), not "${v}"`);
      opts.jobs = n;
    },
    '--pg-version': (opts, v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 9 || n > 19) throw new UsageError(`--pg-version must be a PostgreSQL major version (9 to 19), not "${v}"`);
      opts.pgVersion = n;
    },
    '--fail-on': (opts, v) => {
      if (!Object.hasOwn(SEVERITY_RANK, v)) throw new UsageError(`--fail-on must be error, warning or info, not "${v}"`);
      opts.failOn = v as Severity;
    },
  }),
);

/** Flags without a value. */
const SWITCHES = new Map<string, (opts: Options) => void>(
  Object.entries({
    '-h': (opts) => (opts.command = 'help'),
    '--help': (opts) => (opts.command = 'help'),
    '-v': (opts) => (opts.command = 'version'),
    '--version': (opts) => (opts.command = 'version'),
    '--fix': (opts) => (opts.fix = true),
    '--fix-suggestions': (opts) => {
      opts.fix = true;
      opts.fixSuggestions = true;
    },
    '--dry-run': (opts) => (opts.dryRun = true),
    '--explain-runner': (opts) => (opts.explainRunner = true),
    '--all': (opts) => (opts.all = true),
    '--cache': (opts) => (opts.cache = true),
    '--no-cache': (opts) => (opts.cache = false),
    '--no-color': (opts) => (opts.color = false),
    '--color': (opts) => (opts.color = true),
  }),
);

/**
 * `color`: the default of --color/--no-color. The entry (server/src/cli.ts) passes false: whether a
 * run is replayed does not depend on it, and asking whether stdout is a terminal creates process.stdout.
 */
export function parseArgs(argv: string[], color = !!process.stdout.isTTY && !process.env.NO_COLOR): Options {
  const opts: Options = {
    command: '',
    paths: [],
    failOn: 'error',
    fix: false,
    fixSuggestions: false,
    dryRun: false,
    all: false,
    color,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    // No destructuring: a replay parses every path of the command line before V8 compiles this
    // loop, and the interpreter iterates an array literal (2,114 paths: ~3 ms and 1 MB of garbage).
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq >= 0 ? a.slice(0, eq) : a;
    const setValue = VALUE_FLAGS.get(flag);
    const setSwitch = setValue ? undefined : SWITCHES.get(flag);
    if (setValue) {
      let value = eq >= 0 ? a.slice(eq + 1) : undefined;
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined || value.startsWith('--')) throw new UsageError(`${flag} needs a value`);
      }
      setValue(opts, value);
    } else if (setSwitch) {
      setSwitch(opts);
    } else if (a.startsWith('-') && a !== '-') {
      throw new UsageError(`unknown option ${a} (see lockwise --help)`);
    } else if (!opts.command) {
      opts.command = a;
    } else {
      opts.paths.push(a);
    }
  }
  return opts;
}
