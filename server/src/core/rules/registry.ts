/**
 * Every rule, in documentation order. Adding a rule: one file in this folder exporting a `Rule`,
 * one line here, a fixture folder in test/fixtures/rules/<id>/, then `npm run docs`.
 */
import { Rule } from './types';
import { requireConcurrentIndexCreation } from './require-concurrent-index-creation';
import { requireLockTimeout } from './require-lock-timeout';
import { addingForeignKeyConstraint } from './adding-foreign-key-constraint';
import { syntaxError } from './syntax-error';
import { unknownIgnoreRule } from './unknown-ignore-rule';

export const RULES: Rule[] = [
  requireConcurrentIndexCreation,
  addingForeignKeyConstraint,
  requireLockTimeout,
  syntaxError,
  unknownIgnoreRule,
];

export const RULES_BY_ID = new Map(RULES.map((r) => [r.id, r]));
