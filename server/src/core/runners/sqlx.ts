import { RunnerProfile } from './types';
import { baseName, besideFile, file, nextVersion, terminated, versionTaken, wholeFile } from './support';

const NAME = /^(\d+)_(.*?)(\.up|\.down)?\.sql$/i;

export const sqlx: RunnerProfile = {
  id: 'sqlx',
  docs: {
    name: 'sqlx',
    summary: 'launchbadge/sqlx migrations (`sqlx migrate run`, `sqlx::migrate!`).',
    runs: 'one transaction per file; the file is one query string',
    files:
      '`migrations/<version>_<description>.sql`, or `.up.sql` / `.down.sql` pairs for reversible migrations; the version is an integer, applied in numeric order.',
    parts: '`<version>_<name>.sql` and `.up.sql` are deployed; `.down.sql` is the rollback.',
    splitting: 'None: the whole file is executed as one query string (simple query protocol).',
    transaction:
      'Each file runs in a transaction. With `-- no-transaction` it is still one multi-statement query string, which PostgreSQL runs as an implicit transaction when it holds more than one statement.',
    optOut: '`-- no-transaction` as the very first characters of the file; the file must then hold the CONCURRENTLY statement alone.',
    sources: [
      {
        title: 'sqlx: sqlx-core/src/migrate/source.rs (file names, `sql.starts_with("-- no-transaction")`)',
        url: 'https://github.com/launchbadge/sqlx/blob/main/sqlx-core/src/migrate/source.rs',
      },
      {
        title: 'sqlx: sqlx-postgres/src/migrate.rs (begin/commit around `execute(migration.sql)`)',
        url: 'https://github.com/launchbadge/sqlx/blob/main/sqlx-postgres/src/migrate.rs',
      },
    ],
  },
  detect: { projectFiles: [{ name: 'Cargo.toml', contentHint: /^\s*sqlx\b|["']sqlx["']|\bsqlx\s*=|\[dependencies\.sqlx\]/m }] },
  read(input) {
    const down = /\.down\.sql$/i.test(input.fileName);
    const off = input.text.startsWith('-- no-transaction');
    return wholeFile(input, down ? 'down' : 'up', off ? 'multi-statement' : 'transaction', off);
  },
  optOutMode: 'multi-statement',
  optOutText: '`-- no-transaction` as the first line',
  optOut(input) {
    // sqlx tests the raw text: a byte-order mark in front would hide the directive.
    if (input.text.charCodeAt(0) === 0xfeff) return undefined;
    return { edits: [{ start: 0, end: 0, newText: '-- no-transaction\n' }], files: [] };
  },
  nextMigration(input, sql) {
    const m = NAME.exec(baseName(input.fileName));
    if (!m) return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /_/));
    if (!version) return undefined;
    const text = `-- no-transaction\n${terminated(sql)}`;
    if (!m[3]) return [file(besideFile(input.fileName, `${version}_${m[2]}_no_transaction.sql`), text)];
    // Reversible migrations come in pairs (`sqlx migrate add -r` writes both files).
    return [
      file(besideFile(input.fileName, `${version}_${m[2]}_no_transaction.up.sql`), text),
      file(besideFile(input.fileName, `${version}_${m[2]}_no_transaction.down.sql`), '-- Revert the statement of the .up.sql file here.\n'),
    ];
  },
};
