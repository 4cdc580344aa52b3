/**
 * Fix safety classes: a rule declares each of its fixes in `Rule.fixes`; the engine stamps the class
 * on every fix it reports, and the front ends apply only `safe` ones in bulk (`lint --fix`, fix-all,
 * fix-on-save) unless the user opts in to suggestions (`--fix-suggestions`).
 */
import { ClassifiedFix, Finding, Fix, FixSafety, Rule } from '../rules/types';

/**
 * The fix with its declared class. A kind the rule does not declare is a rule bug: the fix is then
 * a suggestion (never applied in bulk), and test/unit/fixSafety.test.ts fails.
 */
export function classifyFix(rule: Rule, fix: Fix): ClassifiedFix {
  const doc = Object.hasOwn(rule.fixes ?? {}, fix.kind) ? rule.fixes![fix.kind] : undefined;
  const safety: FixSafety = doc?.safety ?? 'suggestion';
  if (safety === 'safe') return { ...fix, safety };
  const effect = doc?.effect ?? 'not classified: check what it changes';
  // A suggestion is never the editor's preferred (auto-applied) fix, and says what it changes.
  return { ...fix, safety, preferred: false, title: `${fix.title} (changes behaviour: ${effect})` };
}

/** Which fixes a bulk fixer may apply: safe ones, and suggestions only when asked for explicitly. */
export interface FixSelection {
  suggestions?: boolean;
}

export function selected(finding: Finding, selection: FixSelection = {}): boolean {
  return !!finding.fix && (finding.fix.safety === 'safe' || !!selection.suggestions);
}
