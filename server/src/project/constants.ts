/** Facts about migration files that the CLI, the language server and the schema history share. */

/** The package version, reported by `lockwise --version`, SARIF and the server's `serverInfo`. */
export const VERSION = '0.1.0';

/** The project's home page (SARIF's informationUri). */
export const HOMEPAGE = 'https://github.com/lockwise/lockwise';

/** A rule's documentation page on the web (SARIF's helpUri, the editor's link when the bundled page is missing). */
export function ruleDocsUrl(ruleId: string): string {
  return `${HOMEPAGE}/blob/main/docs/rules/${encodeURIComponent(ruleId)}.md`;
}

/** The extensions of the SQL files Lockwise checks. */
export const SQL_FILE = /\.(sql|psql|pgsql)$/i;

/** The same, as a glob (file watchers). */
export const SQL_GLOB = '**/*.{sql,psql,pgsql}';

/** Editor language ids of SQL documents. */
export const SQL_LANGUAGES: ReadonlySet<string> = new Set(['sql', 'pgsql', 'postgres']);

/** Migration order: natural sort by name (`V2__` before `V10__`, timestamps in order). */
export const NATURAL_ORDER: Pick<Intl.Collator, 'compare'> = {
  // Built on first use: an ICU collator took 13 ms of every start-up, `--version` and a replayed run included.
  compare: (a: string, b: string) => (natural ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' })).compare(a, b),
};
let natural: Intl.Collator | undefined;

/**
 * Node's options for the language server's process (dist/server.js), given by whatever starts it: the
 * extension, and the bench the same way. V8 lets each isolate's nursery grow to two 16 MB semi-spaces
 * and keeps them; the main thread reaches that by holding each edited version of a big document
 * (about 1 MB that survives per keystroke at 10,000 statements). Two 8 MB semi-spaces: 16 MB less
 * memory for the rest of the session, and no slower in-process edits (bench/FINDINGS.md). The flag
 * would also cap the analysis worker's, which lsp/nursery.ts starts with twice that.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Environment variables added for the language server's process, by the same starters. glibc's malloc
 * gives each thread that allocates its own arena (the server has eight: V8's compiler and GC helpers,
 * the analysis worker) and keeps what a thread frees in that thread's arena: at the end of the bench's
 * 10,000-statement session ~70% of the 38 MB malloc held was free. One arena lets every thread reuse
 * it (bench/FINDINGS.md). Other C libraries ignore the variable.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1' };

/** Files that change when git refs move (commit, fetch, checkout): a git deploy baseline is read again. */
export const GIT_REFS_GLOB = '**/.git/{HEAD,packed-refs,refs/**}';
