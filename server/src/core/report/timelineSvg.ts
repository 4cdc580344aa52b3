/**
 * Draws a file's lock timeline (timeline.ts) as a standalone SVG: one row per table, one column per
 * statement, a bar per lock from the statement that takes it to the COMMIT that releases it,
 * coloured by what it blocks, hatched where the statement rewrites or scans the table, transaction
 * blocks as shaded bands. No scripts, fonts or external references: it is shown as an `<img>` in
 * the editor's markdown preview and inlined in the HTML report.
 */
import type { AuditFileJson } from './audit';
import { BLOCK_LEVEL_WORDS, BlockLevel } from './describe';
import { num, xml } from './escapeXml';
import { Timeline, TimelineBar, timelineOf } from './timeline';

export const LEVEL_COLOURS: Record<BlockLevel, string> = { reads: '#c62828', writes: '#e07b00', ddl: '#7d8fa3' };
const DRAW_ORDER: BlockLevel[] = ['ddl', 'writes', 'reads'];

const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif"';
/** Average advance of the 11 px sans-serif font, for layout without measuring text. */
const CHAR_W = 6.2;
const PAD = 12;
const TITLE_H = 22;
const BAND_LABEL_H = 16;
const ROW_H = 24;
const BAR_H = 14;
/** Below the rows: the COMMIT labels, the line numbers, the legend. */
const COMMIT_LABEL_H = 16;
const AXIS_H = 18;
const LEGEND_H = 24;
const MAX_NAME = 28;

interface Layout {
  labelW: number;
  colW: number;
  top: number;
  width: number;
  height: number;
  x: (column: number) => number;
}

export interface TimelineSvgOptions {
  /** Prefix of the pattern ids, unique per picture when several are inlined in one HTML page. */
  idPrefix?: string;
}

/** The SVG, or undefined when the file locks no table that existed before it. */
export function timelineSvg(file: AuditFileJson, options: TimelineSvgOptions = {}): string | undefined {
  const t = timelineOf(file);
  if (t.rows.length === 0) return undefined;
  const id = options.idPrefix ?? 'lw-';
  const l = layout(t);
  const title = `Lock timeline of ${file.path}`;
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${num(l.width)}" height="${num(l.height)}" viewBox="0 0 ${num(l.width)} ${num(l.height)}" role="img" aria-label="${xml(title)}" ${FONT} font-size="11">`,
      `<title>${xml(title)}</title>`,
      defs(id),
      `<rect width="100%" height="100%" fill="#ffffff"/>`,
      `<text x="${PAD}" y="${PAD + 10}" font-size="12" font-weight="600" fill="#1f2328">${xml(shorten(title, 90))}</text>`,
      ...t.transactions.map((tx) => transactionBand(t, tx, l)),
      ...t.rows.map((row, i) => rowOf(t, row, i, l, id)),
      ...t.transactions.map((tx) => commitLine(t, tx, l)),
      axis(t, l),
      legend(l, id),
      '</svg>',
    ].join('\n') + '\n'
  );
}

function layout(t: Timeline): Layout {
  const longest = Math.min(MAX_NAME, Math.max(...t.rows.map((r) => r.relation.length)));
  const labelW = Math.ceil(longest * CHAR_W) + 16;
  const columns = t.lines.length;
  // Columns share about 640 px, but never get narrower than a line number or wider than a word.
  const colW = Math.max(6, Math.min(56, Math.floor(640 / columns)));
  const top = PAD + TITLE_H + BAND_LABEL_H;
  const width = Math.max(PAD * 2 + labelW + columns * colW + 40, LEGEND_W + 2 * PAD);
  const height = top + t.rows.length * ROW_H + 4 + COMMIT_LABEL_H + AXIS_H + LEGEND_H + PAD;
  return { labelW, colW, top, width, height, x: (c) => PAD + labelW + c * colW };
}

function defs(id: string): string {
  const hatch = (name: string, gap: number, stroke: number) =>
    `<pattern id="${id}${name}" width="${gap}" height="${gap}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
    `<rect width="${gap}" height="${gap}" fill="none"/><line x1="0" y1="0" x2="0" y2="${gap}" stroke="#ffffff" stroke-width="${stroke}"/></pattern>`;
  return `<defs>${hatch('rewrite', 4, 2)}${hatch('scan', 7, 1.5)}</defs>`;
}

function transactionBand(t: Timeline, tx: Timeline['transactions'][number], l: Layout): string {
  const from = tx.begin;
  const to = tx.end !== null ? tx.end + 1 : tx.implicit ? tx.last + 1 : t.lines.length;
  const x0 = l.x(from);
  const y0 = l.top - 4;
  const h = t.rows.length * ROW_H + 8;
  const begin = tx.implicit ? `transaction of ${tx.unit ?? 'the whole file'}` : `BEGIN L${t.lines[from]}`;
  return (
    `<rect x="${num(x0)}" y="${num(y0)}" width="${num(l.x(to) - x0)}" height="${num(h)}" fill="#e8eefb" stroke="#9db2e0" stroke-dasharray="3 2"/>` +
    `<text x="${num(x0 + 2)}" y="${num(l.top - 8)}" fill="#3b5ba5" font-size="10">${xml(begin)}</text>`
  );
}

/** The line where the transaction's locks end, and its label: what closes the bars. */
function commitLine(t: Timeline, tx: Timeline['transactions'][number], l: Layout): string {
  const column = tx.end ?? (tx.implicit ? tx.last + 1 : t.lines.length);
  const x = tx.end !== null ? l.x(column) + l.colW / 2 : l.x(column);
  const y0 = l.top - 4;
  const y1 = l.top + t.rows.length * ROW_H + 4;
  const label = tx.end !== null ? `${tx.endKind === 'rollback' ? 'ROLLBACK' : 'COMMIT'} L${t.lines[column]}` : tx.implicit ? 'COMMIT' : 'never committed';
  const labelW = label.length * CHAR_W * 0.92;
  const anchorEnd = x + labelW / 2 > l.width - PAD;
  return (
    `<line x1="${num(x)}" y1="${num(y0)}" x2="${num(x)}" y2="${num(y1)}" stroke="${tx.end !== null || tx.implicit ? '#1f2328' : '#c62828'}" stroke-width="2"${tx.end === null && !tx.implicit ? ' stroke-dasharray="4 3"' : ''}/>` +
    `<text x="${num(anchorEnd ? x - 2 : x)}" y="${num(y1 + 12)}" text-anchor="${anchorEnd ? 'end' : 'middle'}" font-size="10" font-weight="600" fill="#1f2328">${xml(label)}</text>`
  );
}

function rowOf(t: Timeline, row: Timeline['rows'][number], index: number, l: Layout, id: string): string {
  const y = l.top + index * ROW_H;
  const out = [
    `<text x="${PAD}" y="${num(y + ROW_H / 2 + 4)}" fill="#1f2328">${xml(shorten(row.relation, MAX_NAME))}${row.relation.length > MAX_NAME ? `<title>${xml(row.relation)}</title>` : ''}</text>`,
    `<line x1="${num(l.x(0))}" y1="${num(y + ROW_H / 2)}" x2="${num(l.x(t.lines.length))}" y2="${num(y + ROW_H / 2)}" stroke="#d0d7de"/>`,
  ];
  const bars = [...row.bars].sort((a, b) => DRAW_ORDER.indexOf(a.level) - DRAW_ORDER.indexOf(b.level));
  const barY = y + (ROW_H - BAR_H) / 2;
  for (const bar of bars) out.push(barOf(row.relation, bar, barY, l));
  // Hatching last: a statement's rewrite or scan shows even under a stronger lock taken before it.
  for (const bar of bars) if (bar.work) out.push(hatchOf(bar, barY, l, id));
  return out.join('');
}

function hatchOf(bar: TimelineBar, y: number, l: Layout, id: string): string {
  const x0 = l.x(bar.from) + 1;
  const w = Math.max(2, l.x(bar.from + 1) - 1 - x0);
  return `<rect x="${num(x0)}" y="${num(y)}" width="${num(w)}" height="${BAR_H}" fill="url(#${id}${bar.work})" pointer-events="none"/>`;
}

function barOf(relation: string, bar: TimelineBar, y: number, l: Layout): string {
  const x0 = l.x(bar.from) + 1;
  // A bar closed by a COMMIT ends in the middle of the COMMIT's column, on its line.
  const x1 = bar.end === 'commit' || bar.end === 'rollback' ? l.x(bar.to) + l.colW / 2 : bar.end === 'statement' ? l.x(bar.to + 1) - 1 : l.x(bar.to);
  const colour = LEVEL_COLOURS[bar.level];
  const rect = `<rect x="${num(x0)}" y="${num(y)}" width="${num(Math.max(2, x1 - x0))}" height="${BAR_H}" fill="${colour}" rx="2"/>`;
  return `<g><title>${xml(barTitle(relation, bar))}</title>${rect}</g>`;
}

function barTitle(relation: string, bar: TimelineBar): string {
  const until =
    bar.end === 'statement'
      ? 'for the statement'
      : bar.end === 'implicit-commit'
        ? `until the transaction commits after line ${bar.endLine}`
        : bar.end === 'never'
          ? 'never released'
          : `until ${bar.end.toUpperCase()} on line ${bar.endLine}`;
  const work = bar.work === 'rewrite' ? ', rewrites it' : bar.work === 'scan' ? ', reads it in full' : '';
  const estimate = bar.estimate ? ` (${bar.estimate} with work under it)` : '';
  return `${bar.conditional ? 'may take ' : ''}${bar.mode} on ${relation} from line ${bar.line} ${until}${estimate}: blocks ${BLOCK_LEVEL_WORDS[bar.level]}${work}`;
}

/** Line numbers under the columns, as many as fit without overlapping. */
function axis(t: Timeline, l: Layout): string {
  const y = l.top + t.rows.length * ROW_H + 4 + COMMIT_LABEL_H + 12;
  const widest = String(Math.max(...t.lines)).length * CHAR_W + 6;
  const every = Math.max(1, Math.ceil(widest / l.colW));
  const labels = t.lines.map((line, c) =>
    c % every === 0 ? `<text x="${num(l.x(c) + l.colW / 2)}" y="${num(y)}" text-anchor="middle" fill="#57606a" font-size="10">${line}</text>` : '',
  );
  return `<text x="${PAD}" y="${num(y)}" fill="#57606a" font-size="10">line</text>${labels.join('')}`;
}

const LEGEND_ITEMS = [
  ...(['reads', 'writes', 'ddl'] as const).map((level) => ({ fill: LEVEL_COLOURS[level], hatch: undefined, label: `blocks ${BLOCK_LEVEL_WORDS[level]}` })),
  { fill: '#57606a', hatch: 'rewrite', label: 'rewrite' },
  { fill: '#57606a', hatch: 'scan', label: 'full scan or index build' },
];
const legendItemW = (label: string) => 26 + label.length * CHAR_W;
const LEGEND_W = LEGEND_ITEMS.reduce((w, i) => w + legendItemW(i.label), 0);

function legend(l: Layout, id: string): string {
  const y = l.height - PAD - 6;
  let x = PAD;
  const items: string[] = [];
  for (const item of LEGEND_ITEMS) {
    const box = `x="${num(x)}" y="${num(y - 9)}" width="14" height="10" rx="2"`;
    items.push(`<rect ${box} fill="${item.fill}"/>`);
    if (item.hatch) items.push(`<rect ${box} fill="url(#${id}${item.hatch})"/>`);
    items.push(`<text x="${num(x + 18)}" y="${num(y)}" fill="#1f2328" font-size="10">${xml(item.label)}</text>`);
    x += legendItemW(item.label);
  }
  return items.join('');
}

function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}
