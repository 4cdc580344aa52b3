/** A runner's documentation page, rendered from its profile (the only source). */
import type { RunnerProfile } from '../runners/types';

export function renderRunnerDoc(runner: RunnerProfile): string {
  const d = runner.docs;
  const detect = detectionText(runner);
  return [
    `# ${d.name} (\`${runner.id}\`)`,
    '',
    d.summary,
    '',
    `Set it with \`"runner": "${runner.id}"\` in \`.lockwise.json\`; by default Lockwise detects it from ${detect}.`,
    '',
    '## Files and order',
    '',
    d.files,
    '',
    '## Deployed and rollback parts',
    '',
    d.parts,
    '',
    '## Statement splitting',
    '',
    d.splitting,
    '',
    '## Transactions',
    '',
    d.transaction,
    '',
    '## Opting out of the transaction',
    '',
    d.optOut,
    '',
    ...(d.versions ? ['## Versions', '', d.versions, ''] : []),
    '## Sources',
    '',
    ...d.sources.map((s) => `- [${s.title}](${s.url})`),
    '',
  ].join('\n');
}

/** "the `-- +goose Up` marker", "`diesel.toml`", ... in words. */
export function detectionText(runner: RunnerProfile): string {
  const parts: string[] = [];
  const d = runner.detect;
  if (d.marker) parts.push(`its in-file marker (\`${d.marker.source}\`)`);
  for (const p of d.projectFiles ?? []) parts.push(`\`${p.name}\`${p.contentHint ? ' naming it' : ''} in the folder or a parent`);
  if (d.layout) parts.push(`file names matching \`${d.layout.source}\``);
  if (d.weakLayout) parts.push(`the layout \`${d.weakLayout.source}\` when nothing else decides`);
  if (runner.id === 'diesel') parts.push('`<version>_<name>/up.sql` folders');
  if (runner.id === 'prisma') parts.push('`<timestamp>_<name>/migration.sql` folders');
  if (runner.id === 'sqitch') parts.push('`deploy/`, `revert/` and `verify/` folders');
  return parts.length ? parts.join(', ') : 'nothing (it is the default when no runner is found)';
}
