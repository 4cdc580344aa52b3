import { RunnerProfile } from './types';
import { baseName, besideFolder, file, folderName, nextVersion, terminated, versionTaken, wholeFile } from './support';

export const diesel: RunnerProfile = {
  id: 'diesel',
  docs: {
    name: 'diesel',
    summary: 'diesel-rs migrations (`diesel migration run`, `embed_migrations!`).',
    runs: 'one transaction per migration; the file is one query string',
    files:
      'One folder per migration, `migrations/<version>_<name>/` with `up.sql`, `down.sql` and an optional `metadata.toml`; the version (before the first `_`, usually a timestamp) orders them.',
    parts: '`up.sql` is deployed, `down.sql` is the rollback.',
    splitting: 'None: the file is sent with `batch_execute`, one multi-statement query string.',
    transaction:
      "Each migration runs in its own transaction. With `run_in_transaction = false` the file is still one multi-statement string, which PostgreSQL runs as an implicit transaction when it holds more than one statement (diesel's docs say to split such migrations).",
    optOut: "`run_in_transaction = false` in the migration folder's `metadata.toml`; `up.sql` must then hold the CONCURRENTLY statement alone.",
    sources: [
      {
        title: 'diesel: diesel_migrations/src/file_based_migrations.rs (metadata.toml, run_in_transaction, batch_execute)',
        url: 'https://github.com/diesel-rs/diesel/blob/master/diesel_migrations/src/file_based_migrations.rs',
      },
    ],
  },
  detect: { projectFiles: [{ name: 'diesel.toml' }], weakLayout: /^up\.sql$/ },
  read(input) {
    const down = /^down\.sql$/i.test(baseName(input.fileName));
    const off = !!input.companion && /^\s*run_in_transaction\s*=\s*false\s*$/m.test(input.companion);
    return wholeFile(input, down ? 'down' : 'up', off ? 'multi-statement' : 'transaction', off);
  },
  optOutMode: 'multi-statement',
  optOutText: '`run_in_transaction = false` in `metadata.toml`',
  companion: (fileName) => fileName.replace(/[^\\/]+$/, 'metadata.toml'),
  optOut(input) {
    const rest = (input.companion ?? '').replace(/^\s*run_in_transaction\s*=.*$/m, '').replace(/\s*$/, '');
    return { edits: [], files: [file(input.fileName.replace(/[^\\/]+$/, 'metadata.toml'), (rest ? rest + '\n' : '') + 'run_in_transaction = false\n')] };
  },
  nextMigration(input, sql) {
    const m = /^(\d[\d-]*)_(.*)$/.exec(folderName(input.fileName));
    if (!m || !/^up\.sql$/i.test(baseName(input.fileName))) return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /_/));
    if (!version) return undefined;
    const dir = `${version}_${m[2]}_no_transaction`;
    return [
      file(besideFolder(input.fileName, dir, 'up.sql'), terminated(sql)),
      file(besideFolder(input.fileName, dir, 'down.sql'), '-- Revert the statement of up.sql here.\n'),
      file(besideFolder(input.fileName, dir, 'metadata.toml'), 'run_in_transaction = false\n'),
    ];
  },
};
