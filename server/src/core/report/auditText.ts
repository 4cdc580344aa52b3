/**
 * The audit as aligned plain text for a terminal (`lockwise audit` on a TTY): the overview, one
 * compact table per file, a totals line. No markdown: names print as they are, through
 * terminalText() (escapeTerminal.ts) for control characters.
 */
import { AuditFileJson, groupCondition, groupMode, heldShort, lockGroups, mayTakeJson, oneLine, sizesLine } from './audit';
import { BLOCK_LEVEL_WORDS, blocksShort } from './describe';
import { terminalText } from './escapeTerminal';
import { countsText, hasFindings, Overview, plural, SCORE_EXPLAINED, workText } from './overview';

export interface AuditTextOptions {
  all?: boolean;
}

export function auditText(files: AuditFileJson[], o: Overview, options: AuditTextOptions = {}): string {
  const out: string[] = [];
  out.push(`Lockwise audit: ${plural(o.files.length, 'file')} · ${o.filesWithErrors} with errors · ${o.filesWithWarnings} with warnings`, '');
  if (o.worst.length) {
    out.push('Worst statements', `  ${SCORE_EXPLAINED}`);
    const rows = o.worst.map((w) => [
      String(w.score),
      `${w.path}:${w.line}`,
      `${mayTakeJson(w)}${w.mode} ${w.relation}`,
      BLOCK_LEVEL_WORDS[w.level],
      workText(w),
      w.held,
    ]);
    out.push(...table(['score', 'where', 'lock', 'blocks', 'work under the lock', 'held until'], rows, [0]), '');
  }
  if (o.tables.length) {
    out.push('Tables touched most');
    out.push(
      ...table(
        ['table', 'statements', 'files'],
        o.tables.map((t) => [t.relation, String(t.statements), String(t.files)]),
        [1, 2],
      ),
      '',
    );
  }
  const shown = options.all ? files : files.filter(hasFindings);
  for (const f of shown) out.push(...fileText(f), '');
  const hidden = files.length - shown.length;
  if (hidden) out.push(`${plural(hidden, 'file')} without findings not shown (--all shows every file).`);
  out.push(
    `Totals: ${plural(o.files.length, 'file')}, ${plural(o.statements, 'statement')}, ${plural(o.findings.error, 'error')}, ${plural(o.findings.warning, 'warning')}, ${o.findings.info} info`,
  );
  return out.join('\n') + '\n';
}

function fileText(f: AuditFileJson): string[] {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const x of f.findings) counts[x.severity]++;
  const w = f.summary.worstLock;
  const worst = w ? `worst lock: ${mayTakeJson(w)}${w.mode} on ${w.relation}` : 'no lock on an existing table';
  const out = [terminalText(`${f.path}  PostgreSQL ${f.pgVersion} · ${plural(f.statements.length, 'statement')} · ${countsText(counts)} · ${worst}`)];
  if (f.runner) out.push(terminalText(`  Runner: ${f.runner.text}`));
  if (f.sizes) out.push(terminalText(`  ${sizesLine(f.sizes)}`));
  const rows = f.statements.map((st) => {
    // The first finding names its rule; the list under the table has them all.
    const findings = st.findings.length
      ? `${st.findings[0].severity} ${st.findings[0].rule}${st.findings.length > 1 ? ` +${st.findings.length - 1}` : ''}`
      : '';
    if (!st.locks.length) return [String(st.line), oneLine(st.sql, 44), '', '', '', '', findings];
    // Plain text: table() passes every cell through terminalText().
    const locks = lockGroups(st).map(
      (g) => `${groupMode(g)} ${g.relations.map((r) => `${oneLine(r.name, 30)}${r.isNew ? ' (new)' : ''}`).join(', ')}${groupCondition(g, (t) => t)}`,
    );
    const work = st.rewrite ? ', rewrite' : st.indexBuild ? ', index build' : st.scan ? ', scan' : '';
    const estimate = st.estimate ? `, ${st.estimate.text}` : '';
    return [
      String(st.line),
      oneLine(st.sql, 44),
      locks.join(', '),
      blocksShort(st.blocks) + work + estimate,
      heldShort(f, st),
      st.lockTimeout ?? 'none',
      findings,
    ];
  });
  out.push(...table(['line', 'statement', 'locks', 'blocks', 'held until', 'timeout', 'findings'], rows, [0]));
  for (const x of f.findings) out.push(terminalText(`  ${x.severity} line ${x.line} ${x.rule}: ${x.message}`));
  return out;
}

/** Rows padded to their columns' widths (right-aligned where asked), two spaces apart, indented by two. */
function table(headers: string[], rows: string[][], right: number[]): string[] {
  const cells = [headers, ...rows].map((r) => r.map(terminalText));
  const widths = headers.map((_, c) => Math.max(...cells.map((r) => [...r[c]].length)));
  return cells.map(
    (r) =>
      '  ' +
      r
        .map((cell, c) => {
          const pad = ' '.repeat(widths[c] - [...cell].length);
          return right.includes(c) ? pad + cell : c === r.length - 1 ? cell : cell + pad;
        })
        .join('  ')
        .trimEnd(),
  );
}
