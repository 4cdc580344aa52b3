/** A rule's documentation page, generated from its metadata (docs/rules/<id>.md, `lockwise explain`). */
import { Rule } from '../rules/types';

export function renderRuleDoc(rule: Rule): string {
  const severity = rule.defaultSeverity === 'off' ? 'off (enable it in `.lockwise.json`)' : rule.defaultSeverity;
  const lines = [
    `# ${rule.id}`,
    '',
    rule.docs.summary,
    '',
    `- Default severity: ${severity}`,
    `- Quick fix: ${rule.fixable ? 'yes' : 'no'}`,
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
    '## Example',
    '',
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
