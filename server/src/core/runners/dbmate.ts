import { RunnerProfile } from './types';
import { baseName, besideFile, file, lines, Marker, nextVersion, sectionsFromMarkers, terminated, versionTaken } from './support';

/** dbmate's own pattern: `-- migrate:up` / `-- migrate:down` at the start of a line, options after it. */
const BLOCK = /^--\s*migrate:(up|down)(?=\s|$)(.*)$/;

export const dbmate: RunnerProfile = {
  id: 'dbmate',
  docs: {
    name: 'dbmate',
    summary: 'amacneil/dbmate migrations (`-- migrate:up` / `-- migrate:down`).',
    runs: 'one transaction per block; the block is one query string',
    files: '`db/migrations/<version>_<name>.sql`; the version is the digits before the first `_` (usually a timestamp), applied in version order.',
    parts: 'The block after `-- migrate:up` is deployed, the block after `-- migrate:down` is the rollback; nothing may precede `-- migrate:up`.',
    splitting: 'None: each block is sent to PostgreSQL as one query string (`Exec` of the whole block).',
    transaction:
      'Each block runs in a transaction by default. With `transaction:false` the block is still one multi-statement query string, which PostgreSQL runs as an implicit transaction when it holds more than one statement.',
    optOut:
      '`-- migrate:up transaction:false` (and `-- migrate:down transaction:false`). A block with a CONCURRENTLY statement must then hold that statement alone.',
    sources: [
      {
        title: 'dbmate: pkg/dbmate/migration.go (block regexps, transaction option)',
        url: 'https://github.com/amacneil/dbmate/blob/main/pkg/dbmate/migration.go',
      },
      {
        title: 'dbmate: pkg/dbmate/db.go (tx.Exec of the whole block, or sqlDB.Exec without transaction)',
        url: 'https://github.com/amacneil/dbmate/blob/main/pkg/dbmate/db.go',
      },
    ],
  },
  detect: { marker: /^--\s*migrate:up\b/im },
  read(input) {
    const markers: Marker[] = [];
    for (const line of lines(input.text)) {
      const m = BLOCK.exec(line.text);
      if (m) markers.push({ line, part: m[1] as 'up' | 'down', options: m[2] });
    }
    const sections = sectionsFromMarkers(input, markers, (m) => {
      const off = /(^|\s)transaction:false(\s|$)/.test(m.options);
      return { mode: off ? 'multi-statement' : 'transaction', optedOut: off };
    });
    for (const s of sections) s.unit = s.part === 'up' ? 'the migrate:up block' : 'the migrate:down block';
    return { sections };
  },
  optOutMode: 'multi-statement',
  optOutText: '`transaction:false` on the `-- migrate:up` line',
  optOut(_input, section) {
    if (!section.marker) return undefined;
    return { edits: [{ start: section.marker.end, end: section.marker.end, newText: ' transaction:false' }], files: [] };
  },
  nextMigration(input, sql) {
    const m = /^(\d+)_(.*)\.sql$/i.exec(baseName(input.fileName));
    if (!m) return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /_/));
    if (!version) return undefined;
    return [
      file(besideFile(input.fileName, `${version}_${m[2]}_no_transaction.sql`), `-- migrate:up transaction:false\n${terminated(sql)}\n-- migrate:down\n`),
    ];
  },
};
