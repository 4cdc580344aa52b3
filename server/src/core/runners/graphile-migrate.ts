import { RunnerProfile } from './types';
import { lines, wholeFile } from './support';

/** The body of a committed migration starts after its `--! Header: value` lines and one empty line. */
function bodyStart(text: string): number {
  const all = lines(text);
  let k = 0;
  while (k < all.length && /^--! [A-Z][a-zA-Z0-9_]*(?::.*)?$/.test(all[k].text)) k++;
  if (k > 0 && k < all.length && all[k].text === '') k++;
  return k < all.length ? all[k].start : text.length;
}

export const graphileMigrate: RunnerProfile = {
  id: 'graphile-migrate',
  docs: {
    name: 'Graphile Migrate',
    summary: 'graphile/migrate (`.gmrc`, `migrations/current.sql`, `migrations/committed/`).',
    runs: 'one transaction per migration; the file is one query string',
    files:
      '`migrations/committed/000001[-name].sql`, chained by `--! Previous:` / `--! Hash:` headers, in number order; work in progress is `migrations/current.sql`.',
    parts: 'The whole file is deployed (no down migrations).',
    splitting: 'None: the file body is sent as one query string.',
    transaction:
      'Each migration runs inside BEGIN/COMMIT. With `--! no-transaction` it runs without BEGIN, but as one multi-statement query, which PostgreSQL runs as an implicit transaction: such migrations must hold exactly one statement (its README says so).',
    optOut: '`--! no-transaction` as the first line of the migration body, in a migration holding only that statement (not in `current/` folders).',
    sources: [
      { title: 'graphile-migrate: src/header.ts (isNoTransactionDefined)', url: 'https://github.com/graphile/migrate/blob/main/src/header.ts' },
      {
        title: 'graphile-migrate: src/migration.ts (runStringMigration: begin, one query, commit)',
        url: 'https://github.com/graphile/migrate/blob/main/src/migration.ts',
      },
      { title: 'graphile-migrate README: Disable Transaction', url: 'https://github.com/graphile/migrate#disable-transaction' },
    ],
  },
  detect: { projectFiles: [{ name: '.gmrc' }, { name: '.gmrc.js' }], layout: /^committed$/ },
  read(input) {
    const start = bodyStart(input.text);
    const off = /^--!\s*no-transaction\b/.test(input.text.slice(start, start + 64));
    return wholeFile(input, 'up', off ? 'multi-statement' : 'transaction', off);
  },
  frozen(input) {
    // migration.ts: runCommittedMigration refuses a body whose hash no longer matches `--! Hash:`.
    if (!/^--! Hash:/m.test(input.text.slice(0, bodyStart(input.text)))) return undefined;
    return 'graphile-migrate checks the --! Hash of committed migrations, so a fix here breaks the deploy: make the change in migrations/current.sql (`graphile-migrate uncommit` takes back the latest)';
  },
  optOutMode: 'multi-statement',
  optOutText: '`--! no-transaction` as the first line',
  optOut(input) {
    // (A committed migration is `frozen`: no fix edits it.)
    const at = bodyStart(input.text);
    return { edits: [{ start: at, end: at, newText: '--! no-transaction\n' }], files: [] };
  },
};
