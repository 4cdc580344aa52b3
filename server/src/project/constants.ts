/** Facts about migration files that the CLI, the language server and the schema history share. */

/** The package version, reported by `lockwise --version`, SARIF and the server's `serverInfo`. */
export const VERSION = '0.1.0';

/** The extensions of the SQL files Lockwise checks. */
export const SQL_FILE = /\.(sql|psql|pgsql)$/i;

/** The same, as a glob (file watchers). */
export const SQL_GLOB = '**/*.{sql,psql,pgsql}';

/** Editor language ids of SQL documents. */
export const SQL_LANGUAGES: ReadonlySet<string> = new Set(['sql', 'pgsql', 'postgres']);

/** Migration order: natural sort by name (`V2__` before `V10__`, timestamps in order). */
export const NATURAL_ORDER = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Files that change when git refs move (commit, fetch, checkout): a git deploy baseline is read again. */
export const GIT_REFS_GLOB = '**/.git/{HEAD,packed-refs,refs/**}';
