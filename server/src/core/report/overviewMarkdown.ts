/** The audit overview as markdown: the head of `lockwise audit` and of the editor's workspace audit. */
import { oneLine } from './audit';
import { codeSafe, escapeMarkdown } from './escapeMarkdown';
import { BLOCK_LEVEL_WORDS } from './describe';
import { countsText, Overview, OverviewFile, plural, SCORE_EXPLAINED, workText } from './overview';

export interface OverviewMarkdownOptions {
  /** Files without findings are listed in the report too (`--all`). */
  all?: boolean;
  /** How to show the hidden files, e.g. "`--all` shows every file". */
  allHint?: string;
}

export function overviewMarkdown(o: Overview, options: OverviewMarkdownOptions = {}): string {
  const out: string[] = [];
  const withFindings = o.files.filter((f) => f.findings.error + f.findings.warning + f.findings.info > 0).length;
  out.push(
    `**${plural(o.files.length, 'file')}** audited · ${o.filesWithErrors} with errors · ${o.filesWithWarnings} with warnings · ` +
      `${plural(o.statements, 'statement')} · ${countsText(o.findings)}`,
    '',
  );
  if (o.worst.length) {
    out.push('### Worst statements', '', `_${SCORE_EXPLAINED}_`, '');
    out.push('| score | where | lock | blocks | work under the lock | held until |', '|--:|---|---|---|---|---|');
    for (const w of o.worst) {
      const file = o.files.find((f) => f.path === w.path);
      out.push(
        `| ${w.score} | ${where(file, w.path, w.line)}<br>\`${codeSafe(oneLine(w.sql, 60))}\` | ${w.conditional ? 'may take ' : ''}${w.mode} \`${codeSafe(oneLine(w.relation, 40))}\` | ${BLOCK_LEVEL_WORDS[w.level]} | ${workText(w)} | ${escapeMarkdown(w.held)} |`,
      );
    }
    out.push('');
  }
  if (o.tables.length) {
    out.push('### Tables touched most', '', '| table | statements | files |', '|---|--:|--:|');
    for (const t of o.tables) out.push(`| \`${codeSafe(oneLine(t.relation, 60))}\` | ${t.statements} | ${t.files} |`);
    out.push('');
  }
  const hidden = o.files.length - withFindings;
  if (!options.all && hidden > 0) out.push(`${plural(hidden, 'file')} without findings not shown${options.allHint ? ` (${options.allHint})` : ''}.`, '');
  return out.join('\n');
}

function where(file: OverviewFile | undefined, path: string, line: number): string {
  const text = `\`${codeSafe(path)}:${line}\``;
  return file?.link ? `[${text}](${file.link}#L${line})` : text;
}
