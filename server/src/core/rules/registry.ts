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
import { constraintMissingNotValid } from './constraint-missing-not-valid';
import { addingNotNullableField } from './adding-not-nullable-field';
import { addingRequiredField } from './adding-required-field';
import { addingFieldWithDefault } from './adding-field-with-default';
import { changingColumnType } from './changing-column-type';
import { disallowedUniqueConstraint } from './disallowed-unique-constraint';
import { addingPrimaryKeyConstraint } from './adding-primary-key-constraint';
import { addingExclusionConstraint } from './adding-exclusion-constraint';
import { syntaxError } from './syntax-error';
import { unknownIgnoreRule } from './unknown-ignore-rule';

export const RULES: Rule[] = [
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  requireConcurrentReindex,
  requireConcurrentPartitionDetach,
  requireConcurrentRefresh,
  banConcurrentIndexCreationInTransaction,
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
  syntaxError,
  unknownIgnoreRule,
];

export const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));
