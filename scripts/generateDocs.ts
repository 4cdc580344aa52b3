/**
 * Writes docs/rules/<id>.md and docs/rules/README.md from the rules' metadata (the only source).
 * `npm run docs` regenerates; test/unit/docs.test.ts fails when the committed pages are stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../server/src/core/rules/registry';
import { renderRuleDoc } from '../server/src/core/report/ruleDocs';

export const DOCS_DIR = path.resolve(__dirname, '../../docs/rules');

export function expectedDocs(): Map<string, string> {
  const pages = new Map<string, string>();
  for (const rule of RULES) pages.set(`${rule.id}.md`, renderRuleDoc(rule));
  const index = [
    '# Lockwise rules',
    '',
    'Generated from the rule files in `server/src/core/rules/` by `npm run docs`; do not edit by hand.',
    '',
    '| rule | default | fix | what it flags |',
    '|---|---|---|---|',
    ...RULES.map((r) => `| [${r.id}](${r.id}.md) | ${r.defaultSeverity} | ${r.fixable ? 'yes' : ''} | ${r.docs.summary.replace(/\|/g, '\\|')} |`),
    '',
  ].join('\n');
  pages.set('README.md', index);
  return pages;
}

if (require.main === module) {
  fs.mkdirSync(DOCS_DIR, { recursive: true });
  const pages = expectedDocs();
  for (const existing of fs.readdirSync(DOCS_DIR)) if (existing.endsWith('.md') && !pages.has(existing)) fs.unlinkSync(path.join(DOCS_DIR, existing));
  for (const [name, text] of pages) fs.writeFileSync(path.join(DOCS_DIR, name), text);
  process.stdout.write(`wrote ${pages.size} pages to ${DOCS_DIR}\n`);
}
