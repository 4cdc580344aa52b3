import { RunnerProfile, Section } from './types';
import { baseName, besideFile, eol, file, lines, lineSplitSafe, nextVersion, startOffset, versionTaken } from './support';

/** `-- +goose <annotation>`: goose only reads annotations that start at column 0. */
const ANNOTATION = /^--\s*\+goose\s+(.*?)\s*$/i;

export const goose: RunnerProfile = {
  id: 'goose',
  docs: {
    name: 'goose',
    summary: 'pressly/goose SQL migrations (`-- +goose Up` / `-- +goose Down`).',
    runs: 'one transaction per file and direction',
    files:
      '`<version>_<name>.sql` in one folder; the version is the number before the first `_` (sequential `00001` or a timestamp), applied in numeric order.',
    parts: 'Lines after `-- +goose Up` are deployed, lines after `-- +goose Down` are the rollback. A file must start with `-- +goose Up`.',
    splitting:
      'A statement ends at a line whose last word ends with `;`; between `-- +goose StatementBegin` and `-- +goose StatementEnd` semicolons are ignored (needed for function bodies). Each statement is executed on its own.',
    transaction: 'Each direction of a file runs in one transaction (BEGIN, every statement, COMMIT).',
    optOut: '`-- +goose NO TRANSACTION` anywhere in the file: its statements then run one by one without a transaction, in both directions.',
    sources: [
      {
        title: 'goose: internal/sqlparser/parser.go (annotations, useTx, statement ends)',
        url: 'https://github.com/pressly/goose/blob/main/internal/sqlparser/parser.go',
      },
      { title: 'goose README: SQL migrations', url: 'https://github.com/pressly/goose#sql-migrations' },
    ],
  },
  detect: { marker: /^--\s*\+goose\s+up\b/im },
  read(input) {
    let useTx = true;
    const marks: { part: 'up' | 'down'; line: ReturnType<typeof lines>[number] }[] = [];
    for (const line of lines(input.text)) {
      const m = ANNOTATION.exec(line.text);
      if (!m) continue;
      const cmd = m[1].toLowerCase();
      if (cmd === 'up' || cmd === 'down') marks.push({ part: cmd, line });
      else if (cmd === 'no transaction') useTx = false;
    }
    const mode = useTx ? 'transaction' : 'statements';
    const sections: Section[] = marks.map((m, k) => ({
      part: m.part,
      start: m.line.next,
      end: k + 1 < marks.length ? marks[k + 1].line.start : input.text.length,
      mode,
      unit: m.part === 'up' ? 'this file' : "this file's Down section",
      optedOut: !useTx,
      marker: { start: m.line.start, end: m.line.end },
    }));
    return { sections };
  },
  lineSplit: { begin: '-- +goose StatementBegin', end: '-- +goose StatementEnd' },
  optOutMode: 'statements',
  optOutText: '`-- +goose NO TRANSACTION`',
  optOut(input) {
    const at = startOffset(input.text);
    return { edits: [{ start: at, end: at, newText: '-- +goose NO TRANSACTION' + eol(input.text) }], files: [] };
  },
  nextMigration(input, sql) {
    const m = /^(\d+)_(.*)\.sql$/i.exec(baseName(input.fileName));
    if (!m) return undefined;
    const version = nextVersion(m[1], (v) => versionTaken(input.siblings, v, /_/));
    if (!version) return undefined;
    // goose would split a statement whose inner lines end with ';': keep each one statement.
    const body = lineSplitSafe(sql, '-- +goose StatementBegin', '-- +goose StatementEnd');
    return [file(besideFile(input.fileName, `${version}_${m[2]}_no_transaction.sql`), `-- +goose NO TRANSACTION\n-- +goose Up\n${body}`)];
  },
};
