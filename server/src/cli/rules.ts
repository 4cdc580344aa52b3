/** `lockwise rules` (the list) and `lockwise explain <rule-id>` (one rule's documentation). */
import { renderRuleDoc, RULES, RULES_BY_ID } from '../core';
import { UsageError } from '../project/files';
import { writeReport } from '../project/output';

export function listRules(): number {
  const width = Math.max(...RULES.map((r) => r.id.length));
  for (const r of RULES) {
    const fix = r.fixable ? 'fix' : '   ';
    writeReport(`${r.id.padEnd(width)}  ${String(r.defaultSeverity).padEnd(7)}  ${fix}  ${r.docs.summary}\n`);
  }
  return 0;
}

export function explain(id: string | undefined): number {
  if (!id) throw new UsageError('explain needs a rule id (see lockwise rules)');
  const rule = RULES_BY_ID.get(id);
  if (!rule) throw new UsageError(`unknown rule "${id}" (see lockwise rules)`);
  writeReport(renderRuleDoc(rule) + '\n');
  return 0;
}
