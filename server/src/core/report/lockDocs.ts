/**
 * docs/locks.md: the lock each ALTER TABLE sub-command takes (locks/alterTable.ts), and for every
 * example statement the locks the model predicts on every relation, which
 * test/engine/alterTable.engine.test.ts checks against a real PostgreSQL server.
 */
import type { AlterTableType } from '@pgsql/types';
import { ALTER_TABLE_EXAMPLES, ALTER_TABLE_LOCKS, ALTER_TABLE_SETUP, INTERNAL_SUBTYPES } from '../locks/alterTable';
import { blockedOperations, LockMode } from '../locks/modes';
import { ADD_COLUMN_FORMS, ADD_COLUMN_SETUP } from '../locks/addColumn';
import { MODEL_GAPS, PGLITE_EXAMPLES, STATEMENT_LOCKS, StatementKind, UTILITY_SETUP } from '../locks/utilityStatements';

/** What the model predicts for one example: relation → mode. */
export type PredictedLocks = (sql: string) => { relation: string; mode: LockMode }[];

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function blocks(mode: LockMode): string {
  const ops = blockedOperations(mode);
  if (ops.includes('SELECT')) return 'reads and writes';
  if (ops.includes('INSERT')) return 'writes';
  return 'schema changes, VACUUM, CREATE INDEX';
}

function subtypeName(subtype: AlterTableType): string {
  return subtype.replace(/^AT_/, '');
}

/** `predictOther`: the model on the schema of the other statements' examples (UTILITY_SETUP); `predict18`: on ALTER TABLE's, for PostgreSQL 18. */
export function renderLockDoc(predict: PredictedLocks, predictOther: PredictedLocks, predict18: PredictedLocks): string {
  const subtypes = (Object.keys(ALTER_TABLE_LOCKS) as AlterTableType[]).filter((s) => !INTERNAL_SUBTYPES.has(s));
  return [
    '# Locks taken by ALTER TABLE',
    '',
    'Generated from `server/src/core/locks/alterTable.ts` and the lock model by `npm run docs`; do not edit by hand.',
    '',
    "A statement takes the strongest lock of its sub-commands on the relation it alters. Source: PostgreSQL's",
    '`AlterTableGetLockLevel` (src/backend/commands/tablecmds.c) and the ALTER TABLE reference page.',
    '',
    '| sub-command | lock on the altered relation | blocks | why |',
    '|---|---|---|---|',
    ...subtypes.map((s) => {
      const { mode, why } = ALTER_TABLE_LOCKS[s];
      return `| ${subtypeName(s)} | ${mode} | ${blocks(mode)} | ${cell(why)} |`;
    }),
    '',
    '## Measured on PostgreSQL',
    '',
    'Each statement below runs on a real PostgreSQL server inside BEGIN … ROLLBACK (test/engine/alterTable.engine.test.ts),',
    'and the locks the model predicts must be the ones `pg_locks` shows, on every relation. The schema they run on:',
    '',
    '```sql',
    ALTER_TABLE_SETUP.trim(),
    '```',
    '',
    '| statement | locks |',
    '|---|---|',
    ...ALTER_TABLE_EXAMPLES.map((e) => {
      const locks = predict(e.sql)
        .map((l) => `${l.relation}: ${l.mode}`)
        .join('<br>');
      return `| \`${cell(e.sql)}\` | ${locks} |`;
    }),
    '',
    ...addColumnSection(),
    ...statementSection(predictOther, predict18),
  ].join('\n');
}

/** What each constraint written in ADD COLUMN does to a table with rows (test/engine/addColumnConstraints.engine.test.ts). */
function addColumnSection(): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  return [
    '## Constraints written in ADD COLUMN',
    '',
    '`ALTER TABLE t ADD COLUMN …` takes ACCESS EXCLUSIVE on `t`; what else it does depends on the column. Each form runs',
    'on PostgreSQL 15 against tables that hold rows (test/engine/addColumnConstraints.engine.test.ts: the scan counters,',
    'relfilenode, `pg_locks`, and for the forms that check rows a variant the rows violate); the model and the rules agree.',
    '',
    '```sql',
    ADD_COLUMN_SETUP.trim(),
    '```',
    '',
    '| column | reads every row | rewrite | lock on ref | index built | on a table with rows |',
    '|---|---|---|---|---|---|',
    ...ADD_COLUMN_FORMS.map((f) => {
      const outcome = f.fails ? `fails: ${f.fails}` : f.why;
      return `| \`${cell(f.column)}\` | ${yes(f.scan)} | ${yes(f.rewrite)} | ${f.referenced ?? ''} | ${f.index ? `${f.index} (ACCESS EXCLUSIVE)` : ''} | ${cell(outcome)} |`;
    }),
    '',
  ];
}

function lockList(locks: { relation: string; mode: LockMode }[]): string {
  return locks.map((l) => `${l.relation}: ${l.mode}`).join('<br>') || 'none';
}

/** Every other statement node type: what PostgreSQL locks, and the examples measured on a server. */
function statementSection(predict: PredictedLocks, predict18: PredictedLocks): string[] {
  const kinds = (Object.keys(STATEMENT_LOCKS) as StatementKind[]).sort();
  const examples = kinds.flatMap((k) => STATEMENT_LOCKS[k].examples.map((e) => ({ kind: k, ...e })));
  return [
    '## Locks taken by other statements',
    '',
    "Every statement node type the parser knows (`server/src/core/locks/utilityStatements.ts`), from PostgreSQL's source",
    '(the file named, under src/backend/) and the "Explicit Locking" page. "Not measured" says why no example runs',
    'inside a transaction on the test server (for a form or for the whole statement).',
    '',
    '| statement | what PostgreSQL locks | source | not measured |',
    '|---|---|---|---|',
    ...kinds.map((k) => {
      const e = STATEMENT_LOCKS[k];
      return `| ${k} | ${cell(e.locks)} | ${cell(e.source)} | ${cell(e.exception ?? '')} |`;
    }),
    '',
    '### Measured on PostgreSQL 15',
    '',
    'Each example runs inside BEGIN … ROLLBACK (test/engine/utilityStatements.engine.test.ts) on the ALTER TABLE schema above plus:',
    '',
    '```sql',
    UTILITY_SETUP.slice(UTILITY_SETUP.indexOf("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lockwise_spare'")).trim(),
    '```',
    '',
    "The model's locks must be the ones `pg_locks` shows, on every relation; where they are not yet, the last column says how they differ.",
    '',
    "| statement | the model's locks | model vs server |",
    '|---|---|---|',
    ...examples.map((e) => `| \`${cell(e.sql)}\` | ${lockList(predict(e.sql))} | ${cell(gapText(e.sql))} |`),
    '',
    '### Measured on PGlite (PostgreSQL 18)',
    '',
    'Forms PostgreSQL 15 lacks, or whose lock changed after it, run on PGlite on the ALTER TABLE schema; the model (for 18) agrees on every relation.',
    '',
    "| statement | since | the model's locks on 18 |",
    '|---|---|---|',
    ...PGLITE_EXAMPLES.map((e) => `| \`${cell(e.sql)}\` | ${e.since} | ${lockList(predict18(e.sql))} |`),
    '',
    '### Measured outside a transaction',
    '',
    'These cannot run inside a transaction block, so no snapshot of `pg_locks` inside one shows their locks. Each runs',
    'instead while a second connection holds SHARE UPDATE EXCLUSIVE on the relation named, which reads in `pg_locks`',
    "the lock the statement waits for there; it must be the model's lock on that relation.",
    '',
    '| statement | relation | lock it waits for |',
    '|---|---|---|',
    ...kinds.flatMap((k) =>
      (STATEMENT_LOCKS[k].waiting ?? []).map((w) => {
        const mode = predict(w.sql).find((l) => l.relation === w.relation)?.mode ?? 'none';
        return `| \`${cell(w.sql)}\` | ${w.relation} | ${mode} |`;
      }),
    ),
    '',
  ];
}

function gapText(sql: string): string {
  const gap = MODEL_GAPS[sql];
  return gap ? `${gap.diffs.join('<br>')} (${gap.why})` : 'agrees';
}
