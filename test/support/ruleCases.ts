/**
 * The rule fixture cases under test/fixtures/rules/<rule-id>/, for the fixture runner
 * (test/unit/ruleFixtures.test.ts) and the fix equivalence suite. A case is either
 *  - `<case>.sql`, with `<case>.snap` (the expected findings), `<case>.fixed.sql` (the text after
 *    every fix of the rule, only when it has fixes), `<case>.config.json` and `<case>.stats.json` (a size
 *    snapshot, analysed with the default rates and as fresh) (both optional), or
 *  - a folder `<case>/` of migration files run in name order (the last is checked, the earlier
 *    ones are its schema history), with `expected.snap`, `expected.fixed.sql`, `config.json` and `stats.json`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { DEFAULT_RATES, validateSnapshot } from '../../server/src/core';
import type { LockwiseConfig, SizeInput, StatsSnapshot } from '../../server/src/core';

export const RULE_FIXTURES = path.resolve(__dirname, '../../../test/fixtures/rules');

export interface RuleCase {
  name: string;
  text: string;
  /** Earlier migrations of a folder case, in order. */
  history: string[];
  config: Partial<LockwiseConfig>;
  /** A size snapshot the case is analysed with. */
  sizes?: SizeInput;
  snapFile: string;
  fixedFile: string;
}

const isFixed = (name: string) => name.endsWith('.fixed.sql');

export function loadRuleCases(ruleId: string): RuleCase[] {
  const dir = path.join(RULE_FIXTURES, ruleId);
  if (!fs.existsSync(dir)) return [];
  const cases: RuleCase[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const files = fs
        .readdirSync(full)
        .filter((f) => f.endsWith('.sql') && !isFixed(f))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        .map((f) => fs.readFileSync(path.join(full, f), 'utf8'));
      if (!files.length) continue;
      cases.push({
        name: entry.name,
        text: files[files.length - 1],
        history: files.slice(0, -1),
        config: readConfig(path.join(full, 'config.json')),
        sizes: readStats(path.join(full, 'stats.json')),
        snapFile: path.join(full, 'expected.snap'),
        fixedFile: path.join(full, 'expected.fixed.sql'),
      });
    } else if (entry.name.endsWith('.sql') && !isFixed(entry.name)) {
      const base = full.slice(0, -'.sql'.length);
      cases.push({
        name: entry.name,
        text: fs.readFileSync(full, 'utf8'),
        history: [],
        config: readConfig(`${base}.config.json`),
        sizes: readStats(`${base}.stats.json`),
        snapFile: `${base}.snap`,
        fixedFile: `${base}.fixed.sql`,
      });
    }
  }
  return cases;
}

function readConfig(file: string): Partial<LockwiseConfig> {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockwiseConfig>) : {};
}

function readStats(file: string): SizeInput | undefined {
  return fs.existsSync(file) ? sizesOf(validateSnapshot(JSON.parse(fs.readFileSync(file, 'utf8')))) : undefined;
}

/** A snapshot as a fresh one with the default rates (rule docs examples and fixture cases). */
export function sizesOf(snapshot: StatsSnapshot | undefined): SizeInput | undefined {
  return snapshot && { snapshot, source: '.lockwise/stats.json', rates: DEFAULT_RATES, now: Date.parse(snapshot.capturedAt) };
}

/** The expected text after fixes, or undefined when the case has no fix. */
export function expectedFixed(c: RuleCase): string | undefined {
  return fs.existsSync(c.fixedFile) ? fs.readFileSync(c.fixedFile, 'utf8') : undefined;
}
