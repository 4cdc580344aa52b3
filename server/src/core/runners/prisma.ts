import { RunnerProfile } from './types';
import { baseName, besideFolder, file, folderName, nextVersion, terminated, versionTaken, wholeFile } from './support';

export const prisma: RunnerProfile = {
  id: 'prisma',
  docs: {
    name: 'Prisma Migrate',
    summary: 'Prisma Migrate (`prisma migrate deploy`).',
    runs: 'the file as one multi-statement query (an implicit transaction)',
    files: '`prisma/migrations/<timestamp>_<name>/migration.sql`, beside `migration_lock.toml`; applied in folder name order.',
    parts: 'The whole `migration.sql` is deployed (Prisma Migrate has no down migrations).',
    splitting: 'None: the schema engine sends the whole script as one query string (`apply_migration_script` → `raw_cmd`).',
    transaction:
      'No transaction of its own, but a script of more than one statement is one multi-statement query, which PostgreSQL runs as an implicit transaction: CONCURRENTLY fails there ("cannot run inside a transaction block", prisma/prisma#14456).',
    optOut: 'None in the file: a CONCURRENTLY statement must be the only statement of its migration.',
    versions: 'Checked against the prisma-engines PostgreSQL connector; the same failure is reported by users in prisma/prisma#14456.',
    sources: [
      {
        title: 'prisma-engines: sql-schema-connector flavour/postgres.rs (apply_migration_script)',
        url: 'https://github.com/prisma/prisma-engines/blob/main/schema-engine/connectors/sql-schema-connector/src/flavour/postgres.rs',
      },
      { title: 'prisma/prisma#14456: Support CREATE INDEX CONCURRENTLY (error 25001 from a migration)', url: 'https://github.com/prisma/prisma/issues/14456' },
    ],
  },
  detect: { projectFiles: [{ name: 'migration_lock.toml' }, { name: 'schema.prisma' }], weakLayout: /^migration\.sql$/ },
  read: (input) => wholeFile(input, 'up', 'multi-statement'),
  optOutText: 'a migration of its own (Prisma has no per-migration switch)',
  nextMigration(input, sql) {
    const m = /^(\d+)_(.*)$/.exec(folderName(input.fileName));
    if (!m || !/^migration\.sql$/i.test(baseName(input.fileName))) return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /_/));
    if (!version) return undefined;
    return [file(besideFolder(input.fileName, `${version}_${m[2]}_no_transaction`, 'migration.sql'), terminated(sql))];
  },
};
