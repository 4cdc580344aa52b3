import { RunnerProfile } from './types';
import { wholeFile } from './support';

export const none: RunnerProfile = {
  id: 'none',
  docs: {
    name: 'plain psql',
    summary: 'No migration runner: the file runs like `psql -f` (or as configured by `assumeInTransaction`).',
    runs: "like `psql -f`: only the file's own BEGIN/COMMIT",
    files: 'Any `.sql` file; earlier migrations of the folder are the files sorted before it by name (numbers compared as numbers).',
    parts: 'The whole file is deployed; `down.sql` / `*.down.sql` files are left out of the schema history.',
    splitting: 'psql splits at `;` outside strings, dollar quotes and comments, and sends statement by statement.',
    transaction: "Autocommit: only the file's own BEGIN/COMMIT make transactions (`assumeInTransaction: true` wraps the whole file in one).",
    optOut: 'Not needed.',
    sources: [{ title: 'PostgreSQL docs: psql', url: 'https://www.postgresql.org/docs/current/app-psql.html' }],
  },
  detect: {},
  read: (input) => wholeFile(input, 'up', 'statements'),
  optOutText: 'no runner transaction',
};
