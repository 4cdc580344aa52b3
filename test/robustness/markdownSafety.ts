/**
 * Hostile identifiers and literals, and a markdown-it based check that rendered markdown holds no
 * live link, image or HTML derived from them. Parsed with HTML and linkify on (the most permissive
 * renderer a client could use), so escaping that only works for a strict renderer still fails.
 */
import MarkdownIt from 'markdown-it';

/** Names that turn into links, HTML, images, table cells or autolinks when not escaped. */
export const HOSTILE_NAMES = [
  '[x](command:workbench.action.terminal.new)',
  '<img src=x onerror=alert(1)>',
  '<command:workbench.action.terminal.new>',
  '![i](https://evil.example/i.png)',
  'a`b` [y](command:workbench.action.terminal.new) `c',
  'p|i|p|e',
  'line1\n| inj | ected |\n[z](command:workbench.action.terminal.new)',
  'cr\r<script>alert(1)</script>',
  '\\[esc\\](command:workbench.action.terminal.new)',
  '&lt;b&gt;entity&#x3c;',
  'https://evil.example/pwn',
  'www.evil.example',
  'mail@evil.example',
  '[ref]: command:workbench.action.terminal.new',
  '**bold** _em_ ~~s~~ # h',
  // VS Code labels (CodeLens titles, the status bar) render `$(name)` as an icon.
  '$(zap) $(sync~spin) $(error)',
  // Percent-encoded HTML in a link of the preview's shape: a link rewrite that decodes it makes it live.
  '](file:///tmp/x.sql#%60%3Cimg%20src=https://evil.example/p.png%3E)',
  '](file:///tmp/%60%3Cimg%20src%3Dhttps:%2F%2Fevil.example%2Fq.png%3E#L1)',
];

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** A migration whose findings, locks and notes all name hostile objects (and that has a finding on every statement). */
export function hostileMigration(): string {
  const out: string[] = [];
  HOSTILE_NAMES.forEach((name, i) => {
    const q = quoteIdent(name);
    const q2 = quoteIdent(`${name}${i}`);
    out.push(
      `CREATE INDEX ${q2} ON ${q} (${q});`,
      `ALTER TABLE ${q} ADD COLUMN ${q2} int NOT NULL DEFAULT 0, ADD CONSTRAINT ${q2} FOREIGN KEY (${q}) REFERENCES ${q2} (${q});`,
      `ALTER TABLE ${q} ALTER COLUMN ${q} TYPE ${q}, ALTER COLUMN ${q2} SET DEFAULT ${quoteLiteral(name)};`,
      `ALTER TABLE ${q} RENAME COLUMN ${q} TO ${q2};`,
      `ALTER TABLE ${q} ADD CONSTRAINT ${quoteIdent(`c${i}`)} CHECK (${q} <> ${quoteLiteral(name)});`,
      `UPDATE ${q} SET ${q} = ${quoteLiteral(name)};`,
      `DROP INDEX ${q2};`,
      `ALTER TYPE ${q} ADD VALUE ${quoteLiteral(name)};`,
    );
  });
  out.push(`SET lock_timeout = ${quoteLiteral(HOSTILE_NAMES[0])};`, `LOCK TABLE ${quoteIdent(HOSTILE_NAMES[1])} IN ACCESS EXCLUSIVE MODE;`, 'BEGIN;');
  return out.join('\n') + '\n';
}

const md = new MarkdownIt({ html: true, linkify: true });

export interface MarkdownProblem {
  type: string;
  detail: string;
}

/**
 * Live constructs in rendered markdown: HTML, images, and links other than the allowed ones
 * (`allowLink(href)`, e.g. the audit's own line links).
 */
export function liveMarkdown(
  markdown: string,
  allowLink: (href: string) => boolean = () => false,
  allowImage: (src: string) => boolean = () => false,
): MarkdownProblem[] {
  const problems: MarkdownProblem[] = [];
  const walk = (tokens: ReturnType<typeof md.parse>) => {
    for (const t of tokens) {
      // `<br>` is the report's own line break inside table cells; any other HTML came from the document.
      if ((t.type === 'html_inline' && t.content !== '<br>') || t.type === 'html_block') problems.push({ type: t.type, detail: t.content });
      if (t.type === 'image' && !allowImage(String(t.attrGet('src') ?? ''))) problems.push({ type: 'image', detail: String(t.attrGet('src') ?? '') });
      if (t.type === 'link_open') {
        const href = String(t.attrGet('href') ?? '');
        if (!allowLink(href)) problems.push({ type: 'link', detail: href });
      }
      if (t.children) walk(t.children);
    }
  };
  walk(md.parse(markdown, {}));
  return problems;
}

/**
 * The audit's own lock timeline picture: an SVG data: URI whose markup loads and runs nothing
 * (names in it are escaped by escapeXml.ts; a raw `<script>` or handler would show here).
 */
export function isTimelineImage(src: string): boolean {
  const m = /^data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)$/.exec(src);
  if (!m) return false;
  const svg = Buffer.from(m[1], 'base64').toString('utf8');
  return svg.startsWith('<svg ') && !/<script|<foreignObject|href|\son\w+=|javascript:/i.test(svg);
}
