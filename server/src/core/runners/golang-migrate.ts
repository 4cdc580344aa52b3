import { RunnerProfile } from './types';
import { baseName, besideFile, file, nextVersion, terminated, versionTaken, wholeFile } from './support';

const NAME = /^(\d+)_(.*)\.(up|down)\.sql$/i;

export const golangMigrate: RunnerProfile = {
  id: 'golang-migrate',
  docs: {
    name: 'golang-migrate',
    summary: 'golang-migrate/migrate with the postgres driver.',
    runs: 'the file as one multi-statement query (an implicit transaction)',
    files: '`<version>_<title>.up.sql` and `<version>_<title>.down.sql`; the version is an unsigned integer (sequence or timestamp), applied in numeric order.',
    parts: '`.up.sql` is deployed, `.down.sql` is the rollback.',
    splitting:
      'None by default: the postgres driver runs the whole file with one `ExecContext` (a multi-statement query string). With `x-multi-statement=true` in the database URL it splits at `;` and runs each piece on its own.',
    transaction:
      'No transaction of its own, but a file of more than one statement is one multi-statement query, which PostgreSQL runs as an implicit transaction.',
    optOut: 'None in the file: put a CONCURRENTLY statement in a migration of its own (or run with `x-multi-statement=true`).',
    sources: [
      {
        title: 'golang-migrate: database/postgres/postgres.go (Run, x-multi-statement)',
        url: 'https://github.com/golang-migrate/migrate/blob/master/database/postgres/postgres.go',
      },
      { title: 'golang-migrate: source/parse.go (file name pattern)', url: 'https://github.com/golang-migrate/migrate/blob/master/source/parse.go' },
    ],
  },
  detect: { weakLayout: /^\d+_.+\.(up|down)\.sql$/i },
  read(input) {
    const down = /\.down\.sql$/i.test(input.fileName);
    return wholeFile(input, down ? 'down' : 'up', 'multi-statement');
  },
  optOutText: 'a migration of its own (golang-migrate has no per-file switch)',
  nextMigration(input, sql) {
    const m = NAME.exec(baseName(input.fileName));
    if (!m || m[3].toLowerCase() !== 'up') return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /_/));
    if (!version) return undefined;
    return [file(besideFile(input.fileName, `${version}_${m[2]}_no_transaction.up.sql`), terminated(sql))];
  },
};
