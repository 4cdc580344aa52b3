import { RunnerProfile } from './types';
import { folderName, wholeFile } from './support';

export const sqitch: RunnerProfile = {
  id: 'sqitch',
  docs: {
    name: 'Sqitch',
    summary: 'Sqitch with the PostgreSQL engine (`sqitch deploy`).',
    runs: "like `psql -f`: only the script's own BEGIN/COMMIT",
    files: '`deploy/<change>.sql`, `revert/<change>.sql` and `verify/<change>.sql`, run in the order of `sqitch.plan`.',
    parts: '`deploy/` scripts are deployed; `revert/` scripts are the rollback and `verify/` scripts check a deploy.',
    splitting: 'None: each script is run by `psql --file` with `ON_ERROR_STOP=1`, which sends statement by statement.',
    transaction: "Sqitch adds no transaction: the script's own `BEGIN`/`COMMIT` (which `sqitch add` templates write) decide, exactly like `psql -f`.",
    optOut: "Not needed: leave the CONCURRENTLY statement outside the script's BEGIN/COMMIT.",
    sources: [
      {
        title: 'sqitch: lib/App/Sqitch/Engine/pg.pm (run_file: psql --file, ON_ERROR_STOP=1)',
        url: 'https://github.com/sqitchers/sqitch/blob/develop/lib/App/Sqitch/Engine/pg.pm',
      },
      {
        title: 'sqitch: etc/templates/deploy/pg.tmpl (BEGIN; ... COMMIT;)',
        url: 'https://github.com/sqitchers/sqitch/blob/develop/etc/templates/deploy/pg.tmpl',
      },
    ],
  },
  detect: { projectFiles: [{ name: 'sqitch.plan' }, { name: 'sqitch.conf' }] },
  read(input) {
    const folder = folderName(input.fileName).toLowerCase();
    const part = folder === 'revert' ? 'down' : folder === 'verify' ? 'verify' : 'up';
    return wholeFile(input, part, 'statements');
  },
  optOutText: 'no switch needed (sqitch runs scripts like `psql -f`): move the statement outside BEGIN/COMMIT',
};
