import { RunnerProfile } from './types';
import { baseName, besideFile, file, lines, nextVersion, terminated, versionTaken, wholeFile } from './support';

/** Atlas file directives: comments at the top of the file, separated from the statements by an empty line. */
function headerComments(text: string): string[] {
  const out: string[] = [];
  const all = lines(text);
  let k = 0;
  while (k < all.length && /^\s*--/.test(all[k].text)) out.push(all[k++].text);
  return k < all.length && all[k].text.trim() === '' ? out : [];
}

export const atlas: RunnerProfile = {
  id: 'atlas',
  docs: {
    name: 'Atlas',
    summary: 'ariga/atlas versioned migrations (`atlas migrate apply`).',
    runs: 'one transaction per file (`--tx-mode file`), statements one by one',
    files:
      '`<version>_<name>.sql` in a migration directory holding `atlas.sum`; applied in version order. Every file is in `atlas.sum`: after editing one, run `atlas migrate hash`.',
    parts: 'The whole file is deployed (no down sections).',
    splitting: 'Atlas splits the file into statements with its own lexer (`-- atlas:delimiter` changes the delimiter) and executes them one by one.',
    transaction: 'With the default `--tx-mode file`, each file runs in its own transaction (`--tx-mode all`: one for the whole run; `none`: none).',
    optOut: '`-- atlas:txmode none` as a file directive (a comment at the top of the file, followed by an empty line).',
    sources: [
      {
        title: 'atlas: cmd/atlas/internal/cmdapi/migrate.go (txModeNone/All/File, txmodeFor)',
        url: 'https://github.com/ariga/atlas/blob/master/cmd/atlas/internal/cmdapi/migrate.go',
      },
      { title: 'atlas: sql/migrate/dir.go (file directives, AddDirective)', url: 'https://github.com/ariga/atlas/blob/master/sql/migrate/dir.go' },
    ],
  },
  detect: { projectFiles: [{ name: 'atlas.sum' }, { name: 'atlas.hcl' }] },
  read(input) {
    const none = headerComments(input.text).some((c) => /atlas:txmode\s+none\b/.test(c));
    return wholeFile(input, 'up', none ? 'statements' : 'transaction', none);
  },
  optOutMode: 'statements',
  optOutText: '`-- atlas:txmode none` at the top of the file (then `atlas migrate hash`)',
  optOut(input) {
    const blank = headerComments(input.text).length ? '' : '\n';
    return { edits: [{ start: 0, end: 0, newText: `-- atlas:txmode none\n${blank}` }], files: [] };
  },
  nextMigration(input, sql) {
    const m = /^(\d+)_(.*)\.sql$/i.exec(baseName(input.fileName));
    if (!m) return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /_/));
    if (!version) return undefined;
    return [file(besideFile(input.fileName, `${version}_${m[2]}_no_transaction.sql`), `-- atlas:txmode none\n\n${terminated(sql)}`)];
  },
};
