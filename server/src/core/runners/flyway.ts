import { RunnerProfile } from './types';
import { baseName, besideFile, file, terminated, wholeFile } from './support';

const VERSIONED = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/i;

/**
 * The statements Flyway's PostgreSQL parser marks as non-transactional
 * (PostgreSQLParser.detectCanExecuteInTransaction). REINDEX TABLE/INDEX CONCURRENTLY and
 * DETACH PARTITION CONCURRENTLY are not among them.
 */
function nonTransactional(sql: string, pgVersion: number): boolean {
  const s = sql
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
  return (
    /^(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)/.test(s) ||
    /^ALTER SYSTEM/.test(s) ||
    /^(CREATE|DROP)( UNIQUE)? INDEX CONCURRENTLY/.test(s) ||
    /^REINDEX( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)/.test(s) ||
    /^VACUUM/.test(s) ||
    /^DISCARD ALL/.test(s) ||
    (pgVersion < 12 && /^ALTER TYPE( .*)? ADD VALUE/.test(s))
  );
}

function executeInTransaction(conf: string | undefined): boolean | undefined {
  const m = conf ? /^\s*executeInTransaction\s*=\s*(true|false)\s*$/im.exec(conf) : null;
  return m ? m[1].toLowerCase() === 'true' : undefined;
}

export const flyway: RunnerProfile = {
  id: 'flyway',
  docs: {
    name: 'Flyway',
    summary: 'Flyway SQL migrations (`V<version>__<description>.sql`).',
    runs: 'one transaction per script, none when all its statements are ones Flyway knows cannot run in one',
    files:
      '`V<version>__<description>.sql` (versioned), `U<version>__...` (undo), `R__...` (repeatable). Versions are compared part by part as numbers: `V1.10` runs after `V1.9`.',
    parts: '`V` and `R` files are deployed; `U` files undo a version (a rollback).',
    splitting: "Flyway's PostgreSQL parser splits the script at `;` outside strings, dollar quotes and blocks, and executes the statements one by one.",
    transaction:
      'Each script runs in its own transaction, unless every statement in it is one Flyway knows cannot run in a transaction (CREATE/DROP INDEX CONCURRENTLY, VACUUM, CREATE/DROP DATABASE, ALTER SYSTEM, REINDEX SCHEMA/DATABASE/SYSTEM, DISCARD ALL, ALTER TYPE ... ADD VALUE before 12): then it runs without one. A script mixing both is refused ("Detected both transactional and non-transactional statements") unless `mixed` is on. REINDEX ... CONCURRENTLY on a table or index and DETACH PARTITION CONCURRENTLY are not detected and fail inside the transaction.',
    optOut: '`executeInTransaction=false` in the script configuration file `<script>.sql.conf` beside it.',
    versions: 'The ALTER TYPE ... ADD VALUE detection applies when the database is older than PostgreSQL 12.',
    sources: [
      {
        title: 'Flyway: PostgreSQLParser.detectCanExecuteInTransaction',
        url: 'https://github.com/flyway/flyway/blob/main/flyway-database/flyway-database-postgresql/src/main/java/org/flywaydb/database/postgresql/PostgreSQLParser.java',
      },
      {
        title: 'Flyway: ParserSqlScript (mixed statements, executeInTransaction override)',
        url: 'https://github.com/flyway/flyway/blob/main/flyway-core/src/main/java/org/flywaydb/core/internal/sqlscript/ParserSqlScript.java',
      },
      {
        title: 'Flyway: SqlScriptMetadata (script configuration `executeInTransaction`)',
        url: 'https://github.com/flyway/flyway/blob/main/flyway-core/src/main/java/org/flywaydb/core/internal/sqlscript/SqlScriptMetadata.java',
      },
    ],
  },
  detect: { projectFiles: [{ name: 'flyway.conf' }, { name: 'flyway.toml' }], layout: /^[VR]\d*(?:[._]\d+)*__.+\.sql$/ },
  read(input) {
    const undo = /^U/i.test(baseName(input.fileName));
    const inTx = executeInTransaction(input.companion);
    return wholeFile(input, undo ? 'down' : 'up', inTx === false ? 'statements' : 'transaction', inTx === false);
  },
  refine(section, statements, pgVersion) {
    if (section.optedOut || statements.length === 0) return section;
    // Only non-transactional statements: Flyway runs the script without a transaction.
    if (statements.every((s) => nonTransactional(s, pgVersion))) return { ...section, mode: 'statements' };
    return section;
  },
  optOutMode: 'statements',
  optOutText: '`executeInTransaction=false` in `<script>.sql.conf`',
  companion: (fileName) => fileName + '.conf',
  optOut(input) {
    const existing = input.companion ?? '';
    const text = existing.replace(/^\s*executeInTransaction\s*=.*$/im, '').replace(/\s*$/, '');
    return { edits: [], files: [file(input.fileName + '.conf', (text ? text + '\n' : '') + 'executeInTransaction=false\n')] };
  },
  nextMigration(input, sql) {
    const m = VERSIONED.exec(baseName(input.fileName));
    if (!m || m[1].toUpperCase() !== 'V') return undefined;
    // V3 < V3.1 < V4 and V3.1 < V3.2: a `.1` suffix sorts right after this version.
    const version = `${m[2]}.1`;
    const taken = (input.siblings ?? []).some((n) => VERSIONED.exec(n)?.[2].replace(/_/g, '.') === version.replace(/_/g, '.'));
    if (taken) return undefined;
    const name = besideFile(input.fileName, `V${version}__${m[3]}_no_transaction.sql`);
    return [file(name, terminated(sql)), file(name + '.conf', 'executeInTransaction=false\n')];
  },
};
