/**
 * Every rule, in documentation order. Adding a rule: one file in this folder exporting a `Rule`,
 * one line here, a fixture folder in test/fixtures/rules/<id>/, then `npm run docs`.
 */
import { Rule } from './types';
import { requireConcurrentIndexCreation } from './require-concurrent-index-creation';
import { requireLockTimeout } from './require-lock-timeout';
import { addingForeignKeyConstraint } from './adding-foreign-key-constraint';
import { requireConcurrentIndexDeletion } from './require-concurrent-index-deletion';
import { requireConcurrentReindex } from './require-concurrent-reindex';
import { requireConcurrentPartitionDetach } from './require-concurrent-partition-detach';
import { requireConcurrentRefresh } from './require-concurrent-refresh';
import { banConcurrentIndexCreationInTransaction } from './ban-concurrent-index-creation-in-transaction';
import { cannotRunInTransaction } from './cannot-run-in-transaction';
import { runnerStatementSplit } from './runner-statement-split';
import { constraintMissingNotValid } from './constraint-missing-not-valid';
import { addingNotNullableField } from './adding-not-nullable-field';
import { addingRequiredField } from './adding-required-field';
import { addingFieldWithDefault } from './adding-field-with-default';
import { changingColumnType } from './changing-column-type';
import { disallowedUniqueConstraint } from './disallowed-unique-constraint';
import { addingPrimaryKeyConstraint } from './adding-primary-key-constraint';
import { addingExclusionConstraint } from './adding-exclusion-constraint';
import { lockTimeoutTooLong } from './lock-timeout-too-long';
import { requireStatementTimeout } from './require-statement-timeout';
import { statementAfterAccessExclusive } from './statement-after-access-exclusive';
import { lockBudget } from './lock-budget';
import { banUncommittedTransaction } from './ban-uncommitted-transaction';
import { transactionNesting } from './transaction-nesting';
import { renamingColumn } from './renaming-column';
import { renamingTable } from './renaming-table';
import { banDropColumn } from './ban-drop-column';
import { banDropTable } from './ban-drop-table';
import { banDropDatabase } from './ban-drop-database';
import { banDropNotNull } from './ban-drop-not-null';
import { banTruncate } from './ban-truncate';
import { banVacuumFull } from './ban-vacuum-full';
import { banCluster } from './ban-cluster';
import { setLoggedUnlogged } from './set-logged-unlogged';
import { attachPartition } from './attach-partition';
import { enumValueInTransaction } from './enum-value-in-transaction';
import { unbatchedBackfill } from './unbatched-backfill';
import { preferRobustStmts } from './prefer-robust-stmts';
import { preferBigintOverInt } from './prefer-bigint-over-int';
import { preferBigintOverSmallint } from './prefer-bigint-over-smallint';
import { preferIdentity } from './prefer-identity';
import { preferTextField } from './prefer-text-field';
import { preferTimestamptz } from './prefer-timestamptz';
import { banCharField } from './ban-char-field';
import { identifierTooLong } from './identifier-too-long';
import { syntaxError } from './syntax-error';
import { unsupportedSyntax } from './unsupported-syntax';
import { unknownIgnoreRule } from './unknown-ignore-rule';

export const RULES: Rule[] = [
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  requireConcurrentReindex,
  requireConcurrentPartitionDetach,
  requireConcurrentRefresh,
  banConcurrentIndexCreationInTransaction,
  cannotRunInTransaction,
  runnerStatementSplit,
  addingForeignKeyConstraint,
  constraintMissingNotValid,
  addingNotNullableField,
  addingRequiredField,
  addingFieldWithDefault,
  changingColumnType,
  disallowedUniqueConstraint,
  addingPrimaryKeyConstraint,
  addingExclusionConstraint,
  requireLockTimeout,
  lockTimeoutTooLong,
  requireStatementTimeout,
  statementAfterAccessExclusive,
  lockBudget,
  banUncommittedTransaction,
  transactionNesting,
  renamingColumn,
  renamingTable,
  banDropColumn,
  banDropTable,
  banDropDatabase,
  banDropNotNull,
  banTruncate,
  banVacuumFull,
  banCluster,
  setLoggedUnlogged,
  attachPartition,
  enumValueInTransaction,
  unbatchedBackfill,
  preferRobustStmts,
  preferBigintOverInt,
  preferBigintOverSmallint,
  preferIdentity,
  preferTextField,
  preferTimestamptz,
  banCharField,
  identifierTooLong,
  syntaxError,
  unsupportedSyntax,
  unknownIgnoreRule,
];

export const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));
