/**
 * `lockwise audit --format html`: one self-contained page (inline CSS and SVG; no script, no
 * external request, which its Content-Security-Policy also forbids) that CI can keep as an
 * artifact: the overview, then per file its lock timeline, a compact table and the findings.
 * All text goes through xml() (escapeXml.ts).
 */
import { AuditFileJson, AuditStatementJson, groupCondition, groupMode, heldShort, lockGroups, mayTakeJson, oneLine, sizesLine } from './audit';
import { BLOCK_LEVEL_WORDS, blocksShort } from './describe';
import { xml } from './escapeXml';
import { countsText, hasFindings, Overview, plural, SCORE_EXPLAINED, workText } from './overview';
import { LEVEL_COLOURS, timelineSvg } from './timelineSvg';

export interface AuditHtmlOptions {
  all?: boolean;
}

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; margin: 24px auto; max-width: 1100px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 28px 0 6px; }
table { border-collapse: collapse; margin: 6px 0 10px; width: 100%; }
th, td { border-bottom: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; } td.n, th.n { text-align: right; white-space: nowrap; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
.note, .meta { color: #57606a; font-size: 12.5px; } figure { margin: 8px 0; overflow-x: auto; }
.error { color: #c62828; font-weight: 600; } .warning { color: #9a6700; font-weight: 600; } .info { color: #0969da; }
.reads { color: ${LEVEL_COLOURS.reads}; } .writes { color: ${LEVEL_COLOURS.writes}; }
tr.tx td { color: #57606a; } h3 code { font-size: 15px; font-weight: 600; } td.held { white-space: nowrap; }
table.narrow { width: auto; min-width: 320px; }
`;

export function auditHtml(files: AuditFileJson[], o: Overview, options: AuditHtmlOptions = {}): string {
  const shown = options.all ? files : files.filter(hasFindings);
  const anchor = new Map(files.map((f, i) => [f.path, `f${i + 1}`]));
  const body = [
    '<h1>Lockwise audit</h1>',
    `<p class="meta">${plural(o.files.length, 'file')} audited · ${o.filesWithErrors} with errors · ${o.filesWithWarnings} with warnings · ${plural(o.statements, 'statement')} · ${countsText(o.findings)}</p>`,
    worstTable(o, anchor),
    tablesTable(o),
    ...shown.map((f) => fileSection(f, anchor.get(f.path)!)),
    shown.length < files.length
      ? `<p class="note">${plural(files.length - shown.length, 'file')} without findings not shown (<code>--all</code> shows every file).</p>`
      : '',
  ];
  return [
    '<!doctype html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${CSP}"><meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>Lockwise audit</title><style>${STYLE}</style></head>`,
    '<body>',
    ...body.filter(Boolean),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function worstTable(o: Overview, anchor: Map<string, string>): string {
  if (!o.worst.length) return '';
  const rows = o.worst.map(
    (w) =>
      `<tr><td class="n">${w.score}</td><td><a href="#${anchor.get(w.path)}-L${w.line}"><code>${xml(w.path)}:${w.line}</code></a><br><code>${xml(oneLine(w.sql, 90))}</code></td>` +
      `<td>${mayTakeJson(w)}${w.mode} <code>${xml(w.relation)}</code></td><td class="${w.level}">${BLOCK_LEVEL_WORDS[w.level]}</td><td>${xml(workText(w))}</td><td class="held">${xml(w.held)}</td></tr>`,
  );
  return [
    '<h2>Worst statements</h2>',
    `<p class="note">${xml(SCORE_EXPLAINED)}</p>`,
    '<table><tr><th class="n">score</th><th>where</th><th>lock</th><th>blocks</th><th>work under the lock</th><th>held until</th></tr>',
    ...rows,
    '</table>',
  ].join('\n');
}

function tablesTable(o: Overview): string {
  if (!o.tables.length) return '';
  const rows = o.tables.map((t) => `<tr><td><code>${xml(t.relation)}</code></td><td class="n">${t.statements}</td><td class="n">${t.files}</td></tr>`);
  return [
    '<h2>Tables touched most</h2>',
    '<table class="narrow"><tr><th>table</th><th class="n">statements</th><th class="n">files</th></tr>',
    ...rows,
    '</table>',
  ].join('\n');
}

function fileSection(f: AuditFileJson, id: string): string {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const x of f.findings) counts[x.severity]++;
  const worst = f.summary.worstLock
    ? `worst lock: ${mayTakeJson(f.summary.worstLock)}${f.summary.worstLock.mode} on <code>${xml(f.summary.worstLock.relation)}</code>`
    : 'no lock on an existing table';
  const svg = timelineSvg(f, { idPrefix: `${id}-` });
  return [
    `<section id="${id}">`,
    `<h3><code>${xml(f.path)}</code></h3>`,
    `<p class="meta">PostgreSQL ${f.pgVersion} · ${plural(f.statements.length, 'statement')} · ${countsText(counts)} · ${worst}</p>`,
    f.runner ? `<p class="meta">Runner: ${xml(f.runner.text)}</p>` : '',
    f.sizes ? `<p class="meta">${xml(sizesLine(f.sizes))}</p>` : '',
    svg ? `<figure>${svg}</figure>` : '',
    '<table><tr><th class="n">line</th><th>statement</th><th>locks</th><th>blocks</th><th>held until</th><th>timeout</th><th>findings</th></tr>',
    ...f.statements.map((st) => statementRow(f, st, id)),
    '</table>',
    f.findings.length
      ? `<ul>${f.findings.map((x) => `<li><span class="${x.severity}">${x.severity}</span> line ${x.line} <code>${xml(x.rule)}</code>: ${xml(x.message)}</li>`).join('')}</ul>`
      : '',
    '</section>',
  ]
    .filter(Boolean)
    .join('\n');
}

function statementRow(f: AuditFileJson, st: AuditStatementJson, id: string): string {
  const findings = st.findings.map((x) => `<span class="${x.severity}">${x.severity}</span> <code>${xml(x.rule)}</code>`).join('<br>');
  const head = `<tr id="${id}-L${st.line}"${st.locks.length ? '' : ' class="tx"'}><td class="n">${st.line}</td><td><code>${xml(oneLine(st.sql, 100))}</code></td>`;
  if (!st.locks.length) return `${head}<td></td><td></td><td></td><td></td><td>${findings}</td></tr>`;
  const locks = lockGroups(st)
    .map((g) => `${groupMode(g)} ${g.relations.map((r) => `<code>${xml(r.name)}</code>${r.isNew ? ' (new)' : ''}`).join(', ')}${groupCondition(g, xml)}`)
    .join('<br>');
  const work =
    (st.rewrite ? ' · <b>rewrite</b>' : st.indexBuild ? ' · index build' : st.scan ? ' · scan' : '') + (st.estimate ? ` · ${xml(st.estimate.text)}` : '');
  const timeout = st.lockTimeout ? `<code>${xml(st.lockTimeout)}</code>` : '<b>none</b>';
  return `${head}<td>${locks || '—'}</td><td>${blocksShort(st.blocks)}${work}</td><td class="held">${heldShort(f, st)}</td><td>${timeout}</td><td>${findings}</td></tr>`;
}
