/** A rule's documentation page, generated from its metadata (docs/rules/<id>.md, `lockwise explain`). */
import { formatBytes, rowsText, totalBytes } from '../size/snapshot';
import { Rule } from '../rules/types';

/** The safety classes of a rule's fixes (`safe`, `suggestion`, `safe, suggestion`), empty when it has none. */
export function fixClasses(rule: Rule): string {
  const classes = new Set(Object.values(rule.fixes ?? {}).map((f) => f.safety));
  return (['safe', 'suggestion'] as const).filter((c) => classes.has(c)).join(', ');
}

/** Each fix with its safety class: what `lint --fix`, fix-all and fix-on-save apply, and what they leave to a person. */
function fixSection(rule: Rule): string[] {
  const fixes = Object.values(rule.fixes ?? {});
  if (!fixes.length) return [];
  return [
    '## Quick fixes',
    '',
    '| fix | class | effect |',
    '|---|---|---|',
    ...fixes.map((f) => `| ${f.does.replace(/\|/g, '\\|')} | ${f.safety} | ${f.effect.replace(/\|/g, '\\|')} |`),
    '',
    fixes.some((f) => f.safety === 'suggestion')
      ? 'A *suggestion* changes what the migration does: it is offered in the editor one at a time, with its consequence in its title, and never applied by `lockwise lint --fix`, fix-all or fix-on-save (`lockwise lint --fix-suggestions` applies it on request). ' +
        'A *safe* fix leaves the same schema and the same rows wherever the original migration runs to completion.'
      : 'A *safe* fix leaves the same schema and the same rows wherever the original migration runs to completion: `lockwise lint --fix`, fix-all and fix-on-save apply it.',
    '',
  ];
}

export function renderRuleDoc(rule: Rule): string {
  const severity = rule.defaultSeverity === 'off' ? 'off (enable it in `.lockwise.json`)' : rule.defaultSeverity;
  const lines = [
    `# ${rule.id}`,
    '',
    rule.docs.summary,
    '',
    `- Default severity: ${severity}`,
    `- Quick fix: ${fixClasses(rule) || 'no'}`,
    ...(rule.minPgVersion ? [`- Applies from PostgreSQL ${rule.minPgVersion}`] : []),
    '',
    '## Why it is dangerous',
    '',
    rule.docs.why,
    '',
    '## Safe alternative',
    '',
    rule.docs.safe,
    '',
    ...fixSection(rule),
    '## Example',
    '',
    ...statsNote(rule),
    'Flagged:',
    '',
    '```sql',
    rule.docs.bad,
    '```',
    '',
    'Safe:',
    '',
    '```sql',
    rule.docs.good,
    '```',
    '',
    '## Ignoring',
    '',
    '```sql',
    `-- lockwise-ignore ${rule.id} -- reason`,
    '```',
    '',
    `on the line before the statement, or \`-- lockwise-ignore-file ${rule.id}\` anywhere in the file.`,
    '',
  ];
  return lines.join('\n');
}

/** The size snapshot the examples assume, in words: `events` (300,000,000 rows, 49 GB). */
function statsNote(rule: Rule): string[] {
  const tables = rule.docs.exampleStats?.tables;
  if (!tables?.length) return [];
  return [
    `With a size snapshot (\`.lockwise/stats.json\`) in which ${tables.map((t) => `\`${t.name}\` has ${rowsText(t)}, ${formatBytes(totalBytes(t))}`).join(', ')}:`,
    '',
  ];
}
