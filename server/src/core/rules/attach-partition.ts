import { as, asAlterTableCmd } from '../parse/ast';
import { Rule } from './types';
import { assumptionNotes } from './support/context';
import { keywordSpan, headSpan, join } from './support/spans';
import { findNameToken } from './support/names';

import { shown } from './support/messages';
export const attachPartition: Rule = {
  id: 'attach-partition',
  kinds: ['AlterTableStmt'],
  defaultSeverity: 'warning',
  fixable: false,
  docs: {
    summary: 'ATTACH PARTITION of an existing table that has no validated CHECK constraint matching the partition bound.',
    why:
      'ATTACH PARTITION takes SHARE UPDATE EXCLUSIVE on the parent but **ACCESS EXCLUSIVE** on the table being attached, ' +
      'and then scans all of it to prove every row fits the partition bound: no query can read or write it during the ' +
      'scan. When the parent has a DEFAULT partition, that one is locked ACCESS EXCLUSIVE and scanned too, for rows that ' +
      'belong in the new partition.',
    safe:
      'Before attaching, add a CHECK constraint that matches the bound exactly (`ADD CONSTRAINT ... CHECK (...) NOT VALID`, ' +
      'then `VALIDATE CONSTRAINT`, which scans without blocking); ATTACH then skips the scan, and the CHECK can be dropped ' +
      'afterwards. Lockwise does not prove that the CHECK implies the bound: any validated CHECK on the partition known ' +
      'from the migration history (other than a lone `col IS NOT NULL`) counts. Tables created earlier in the same file are not flagged.',
    bad: "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
    good:
      "ALTER TABLE events_2024 ADD CONSTRAINT events_2024_bound CHECK (created_at >= '2024-01-01' AND created_at < '2025-01-01') NOT VALID;\n" +
      'ALTER TABLE events_2024 VALIDATE CONSTRAINT events_2024_bound;\n' +
      "ALTER TABLE events ATTACH PARTITION events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
  },
  checkStatement(ctx, report) {
    const stmt = as(ctx.statement.node, 'AlterTableStmt');
    if (!stmt || stmt.objtype !== 'OBJECT_TABLE') return;
    const parent = ctx.catalog.key(stmt.relation) ?? '';
    if (ctx.catalog.indexes.has(parent)) return;
    for (const c of stmt.cmds ?? []) {
      const cmd = asAlterTableCmd(c);
      if (cmd?.subtype !== 'AT_AttachPartition') continue;
      const def = as(cmd.def, 'PartitionCmd');
      const part = ctx.catalog.key(def?.name);
      if (!part || !ctx.catalog.existedBeforeFile(part)) continue;
      const rel = ctx.catalog.relation(part);
      const check = ctx.catalog.constraintsOf(part).find((con) => con.type === 'check' && con.validated && !(con.notNullColumn && con.columns.length === 1));
      if (check) continue;
      const defaultPart = def?.bound?.is_default
        ? undefined
        : [...(ctx.catalog.relation(parent)?.partitions ?? [])].find((p) => ctx.catalog.relation(p)?.isDefaultPartition && p !== part);
      const keywords = keywordSpan(ctx.file, ctx.statement, 'ATTACH', 'PARTITION');
      const name = findNameToken(ctx.file, ctx.statement, part, keywords?.end ?? 0);
      report({
        statement: ctx.statement.index,
        span: keywords ? (name ? join(keywords, name) : keywords) : headSpan(ctx.file, ctx.statement),
        message: `Attaching ${shown(part)} blocks reads and writes on it while it scans every row to check the bound`,
        help: 'Add a CHECK matching the bound NOT VALID, VALIDATE it, then attach',
        notes: [
          `no validated CHECK constraint on ${part} is known that proves the bound`,
          ...(rel ? [] : (assumptionNotes(ctx.file) ?? [])),
          ...(defaultPart ? [`the default partition ${defaultPart} is locked ACCESS EXCLUSIVE and scanned too`] : []),
        ],
      });
    }
  },
};
