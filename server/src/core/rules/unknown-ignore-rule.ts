import { Rule } from './types';

/** Reported by the engine while it reads ignore comments (see ignores.ts); this entry holds its docs and severity. */
export const unknownIgnoreRule: Rule = {
  id: 'unknown-ignore-rule',
  defaultSeverity: 'warning',
  fixable: false,
  ignorable: false,
  docs: {
    summary: 'A `lockwise-ignore` comment naming a rule that does not exist.',
    why: 'A misspelt rule id silences nothing, so the finding it was meant to acknowledge is still reported, or a later rename left a stale comment behind.',
    safe: 'Use an id from `lockwise rules`. Several ids are separated by commas; text after ` -- ` is the reason.',
    bad: '-- lockwise-ignore require-concurrent-index\nCREATE INDEX users_email_idx ON users (email);',
    good: '-- lockwise-ignore require-concurrent-index-creation -- table has 10 rows\nCREATE INDEX users_email_idx ON users (email);',
  },
};
