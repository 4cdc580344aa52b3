import { RunnerProfile } from './types';
import { baseName, besideFile, file, lines, lineSplitSafe, Marker, nextVersion, sectionsFromMarkers, versionTaken } from './support';

/** sql-migrate's command prefix is exactly `-- +migrate `. */
const COMMAND = /^-- \+migrate (Up|Down)\b(.*)$/;

export const sqlMigrate: RunnerProfile = {
  id: 'sql-migrate',
  docs: {
    name: 'sql-migrate',
    summary: 'rubenv/sql-migrate (`-- +migrate Up` / `-- +migrate Down`).',
    runs: 'one transaction per migration and direction',
    files: '`<id>.sql` files in one folder; ids with a numeric prefix are ordered by that number, others by name.',
    parts: 'Lines after `-- +migrate Up` are deployed, lines after `-- +migrate Down` are the rollback.',
    splitting:
      'A statement ends at a line ending with `;`; between `-- +migrate StatementBegin` and `-- +migrate StatementEnd` semicolons are ignored. Statements are executed one by one.',
    transaction: 'Each direction of a migration runs in one transaction.',
    optOut: '`-- +migrate Up notransaction` (and `-- +migrate Down notransaction`).',
    sources: [
      {
        title: 'sql-migrate: sqlparse/sqlparse.go (commands, notransaction, StatementBegin/End)',
        url: 'https://github.com/rubenv/sql-migrate/blob/master/sqlparse/sqlparse.go',
      },
      { title: 'sql-migrate: migrate.go (Migration.Less: numeric prefix order)', url: 'https://github.com/rubenv/sql-migrate/blob/master/migrate.go' },
    ],
  },
  detect: { marker: /^-- \+migrate Up\b/m },
  read(input) {
    const markers: Marker[] = [];
    for (const line of lines(input.text)) {
      const m = COMMAND.exec(line.text);
      if (m) markers.push({ line, part: m[1] === 'Up' ? 'up' : 'down', options: m[2] });
    }
    const sections = sectionsFromMarkers(input, markers, (m) => {
      const off = /(^|\s)notransaction(\s|$)/.test(m.options);
      return { mode: off ? 'statements' : 'transaction', optedOut: off };
    });
    for (const s of sections) s.unit = s.part === 'up' ? 'the Up section' : 'the Down section';
    return { sections };
  },
  lineSplit: { begin: '-- +migrate StatementBegin', end: '-- +migrate StatementEnd' },
  optOutMode: 'statements',
  optOutText: '`notransaction` on the `-- +migrate Up` line',
  optOut(_input, section) {
    if (!section.marker) return undefined;
    return { edits: [{ start: section.marker.end, end: section.marker.end, newText: ' notransaction' }], files: [] };
  },
  nextMigration(input, sql) {
    const m = /^(\d+)([_-].*)\.sql$/i.exec(baseName(input.fileName));
    if (!m) return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /[_-]/));
    if (!version) return undefined;
    const body = lineSplitSafe(sql, '-- +migrate StatementBegin', '-- +migrate StatementEnd');
    return [file(besideFile(input.fileName, `${version}${m[2]}_no_transaction.sql`), `-- +migrate Up notransaction\n${body}\n-- +migrate Down\n`)];
  },
};
