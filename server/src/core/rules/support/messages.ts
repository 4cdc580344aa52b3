import type { RunnerUnit } from '../../model/timeline';

/**
 * Names in finding messages. A message is one short sentence (a Problems row shows about 75
 * characters, and none may pass 160), so a long name is cut and a long list is counted; the full
 * names are in the statement the finding points at.
 */

/** At most `max` characters of a name on one line, cut with an ellipsis. */
export function shown(name: string, max = 40): string {
  const flat = name.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : flat.slice(0, max - 1) + '…';
}

/** "a", "a and b", "a, b and 3 more". */
export function shownList(names: readonly string[], max = 2): string {
  const parts = names.slice(0, max).map((n) => shown(n, 30));
  const rest = names.length - parts.length;
  if (rest > 0) return `${parts.join(', ')} and ${rest} more`;
  return parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : (parts[0] ?? '');
}

/** "ACCESS EXCLUSIVE on users", or "may take ACCESS EXCLUSIVE on users" when a DO block only may take it. */
export function lockOn(lock: { mode: string; relation: string; condition?: string }): string {
  return `${lock.condition ? 'may take ' : ''}${lock.mode} on ${shown(lock.relation)}`;
}

/** The first letter upper-cased, for a message that starts with a lock. */
export function capital(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A sentence used as a help or note line, which end without a full stop (like rustc's). */
export function clause(sentence: string): string {
  return sentence.replace(/\.\s*$/, '');
}

/** "goose runs this file in a transaction", "Prisma Migrate sends this file as one query (an implicit transaction)". */
export function inRunnerTransaction(unit: RunnerUnit): string {
  return unit.mode === 'multi-statement'
    ? `${unit.runner} sends ${unit.unit} as one query (an implicit transaction)`
    : `${unit.runner} runs ${unit.unit} in a transaction`;
}
