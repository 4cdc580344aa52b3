import { RunnerProfile, Section } from './types';
import { lines, terminated } from './support';

/** Liquibase's ROLLBACK_REGEX: `--rollback <sql>` lines hold the changeset's rollback. */
const ROLLBACK = /^(\s*--\s*rollback\b\s?)/i;

/** Liquibase's CHANGE_SET_REGEX: `--changeset author:id attributes`. */
const CHANGESET = /^\s*--\s*changeset\s+("[^"]+"|[^:]+):\s*("[^"]+"|\S+)(.*)$/i;

function attribute(attrs: string, name: string): string | undefined {
  return new RegExp(`\\b${name}:(\\S+)`, 'i').exec(attrs)?.[1];
}

export const liquibase: RunnerProfile = {
  id: 'liquibase',
  docs: {
    name: 'Liquibase formatted SQL',
    summary: 'Liquibase changelogs written as formatted SQL (`--liquibase formatted sql`).',
    runs: 'one transaction per changeset',
    files:
      'Changelog files starting with `--liquibase formatted sql`, run in the order the root changelog includes them (`include` order, or `includeAll` in file name order).',
    parts:
      'Each `--changeset author:id` block is deployed; its `--rollback` lines are the rollback (analysed as such; `/* liquibase rollback */` blocks are not). Fixes are not offered in rollback lines, whose every line keeps its prefix.',
    splitting:
      'Each changeset is split at `;` (`endDelimiter:` changes the delimiter, `splitStatements:false` sends the changeset as one statement) and the statements are executed one by one.',
    transaction: 'Each changeset runs in its own transaction.',
    optOut:
      '`runInTransaction:false` on the `--changeset` line. With `splitStatements:false` or a custom `endDelimiter`, several statements may still reach PostgreSQL as one multi-statement string.',
    sources: [
      {
        title: 'Liquibase: AbstractFormattedChangeLogParser (CHANGE_SET_REGEX, RUN_IN_TRANSACTION_REGEX, END_DELIMITER_REGEX, SPLIT_STATEMENTS_REGEX)',
        url: 'https://github.com/liquibase/liquibase/blob/master/liquibase-standard/src/main/java/liquibase/parser/AbstractFormattedChangeLogParser.java',
      },
      { title: 'Liquibase docs: SQL-formatted changelogs', url: 'https://docs.liquibase.com/concepts/changelogs/sql-format.html' },
    ],
  },
  detect: { marker: /^\s*--\s*liquibase\s+formatted\s+sql/im },
  visibleText(text) {
    // Pieces joined once: rebuilding the whole text per rollback line is quadratic on a long changelog.
    const pieces: string[] = [];
    let at = 0;
    for (const line of lines(text)) {
      const prefix = ROLLBACK.exec(line.text)?.[1];
      if (!prefix) continue;
      pieces.push(text.slice(at, line.start), ' '.repeat(prefix.length));
      at = line.start + prefix.length;
    }
    return at === 0 ? text : pieces.join('') + text.slice(at);
  },
  commentedRollback: "Liquibase keeps this rollback in --rollback comments, and a fix would have to keep every line's prefix: edit it by hand",
  read(input) {
    const sections: Section[] = [];
    const all = lines(input.text);
    for (const line of all) {
      const m = CHANGESET.exec(line.text);
      if (!m) {
        if (ROLLBACK.test(line.text)) rollbackLine(sections, line);
        continue;
      }
      const last = sections[sections.length - 1];
      if (last) closeChangeset(sections, line.start);
      const attrs = m[3];
      const off = attribute(attrs, 'runInTransaction')?.toLowerCase() === 'false';
      const oneString = attribute(attrs, 'splitStatements')?.toLowerCase() === 'false' || attribute(attrs, 'endDelimiter') !== undefined;
      sections.push({
        part: 'up',
        start: line.next,
        end: input.text.length,
        mode: off ? (oneString ? 'multi-statement' : 'statements') : 'transaction',
        unit: `changeset ${m[1].replace(/"/g, '')}:${m[2].replace(/"/g, '')}`,
        optedOut: off,
        marker: { start: line.start, end: line.end },
      });
    }
    if (sections.length) closeChangeset(sections, input.text.length);
    return { sections };
  },
  optOutMode: 'statements',
  optOutText: '`runInTransaction:false` on the `--changeset` line',
  optOut(_input, section) {
    if (!section.marker) return undefined;
    return { edits: [{ start: section.marker.end, end: section.marker.end, newText: ' runInTransaction:false' }], files: [] };
  },
  /** Liquibase's unit is the changeset: the statement moves to a new changeset right after this one (and its rollback lines). */
  moveAfter(input, section, sql) {
    const m = section.marker ? CHANGESET.exec(input.text.slice(section.marker.start, section.marker.end)) : null;
    if (!m) return undefined;
    const id = `${m[2].replace(/"/g, '')}-no-transaction`;
    const text = `\n--changeset ${m[1]}:${id} runInTransaction:false\n${terminated(sql)}`;
    const at = section.unitEnd ?? section.end;
    const before = input.text.slice(0, at);
    const lead = before.endsWith('\n') || before.endsWith('\r') ? '' : '\n';
    return { edits: [{ start: at, end: at, newText: lead + text.slice(1) + (at < input.text.length ? '\n' : '') }], files: [] };
  },
};

/**
 * A `--rollback` line of the current changeset: the deployed part ends before the first one, the
 * rollback part runs to the last one (in the changeset's transaction mode, as Liquibase runs it).
 */
function rollbackLine(sections: Section[], line: { start: number; end: number }): void {
  const last = sections[sections.length - 1];
  if (!last) return;
  if (last.part === 'down') {
    last.end = line.end;
    return;
  }
  last.end = line.start;
  sections.push({ ...last, part: 'down', start: line.start, end: line.end, unit: `the rollback of ${last.unit}`, marker: undefined });
}

/** The changeset ends where the next one begins: its deployed part, unless rollback lines ended it earlier. */
function closeChangeset(sections: Section[], at: number): void {
  const last = sections[sections.length - 1];
  const up = last.part === 'down' ? sections[sections.length - 2] : last;
  if (last.part === 'up') last.end = at;
  up.unitEnd = at;
}
