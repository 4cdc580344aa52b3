/**
 * "Insert lock_timeout" on any statement of an analysis: the require-lock-timeout rule's fix, for
 * front ends that offer it where the rule did not report (a strong lock with no timeout set).
 */
import { Analysis } from '../analyze';
import { statementTokens } from '../model/statements';
import { lockTimeoutFix } from '../rules/require-lock-timeout';
import { FileState } from '../rules/support/state';
import { Fix } from '../rules/types';

export function insertLockTimeout(analysis: Analysis, statement: number): Fix {
  const s = analysis.statements[statement];
  const file = {
    text: analysis.text,
    lines: analysis.lines,
    statements: analysis.statements.map((st) => st.statement),
    effects: analysis.statements.map((st) => st.effect),
    timeline: analysis.timeline,
    config: analysis.config,
    hasHistory: analysis.hasHistory,
    state: new FileState(),
    tokens: statementTokens,
  };
  return lockTimeoutFix({ file, statement: s.statement, effect: s.effect, timeline: s.timeline, catalog: analysis.finalCatalog });
}
