/**
 * Which runner executes a migration file, from what the file and its folders show: the file's own
 * markers, then markers in sibling files, then project files (nearest first), then the layout.
 * Pure: the project layer gathers the facts from disk.
 */
import { RUNNERS } from './registry';
import { RunnerId, RunnerProfile } from './types';

export interface FolderFacts {
  /** Name of the folder holding the file. */
  folderName: string;
  /** Entries of that folder. */
  entries: { name: string; isDirectory: boolean }[];
  /** Entries of its parent folder (folder-per-migration layouts, sqitch's deploy/revert/verify). */
  parentEntries: { name: string; isDirectory: boolean }[];
  /** Project files found in the folder (depth 0) and its parents, with their text when small. */
  projectFiles: { name: string; depth: number; text?: string }[];
  /** The first 4 KB of a few SQL files of the folder. */
  samples: string[];
}

export type DetectionSource = 'config' | 'marker' | 'folder-markers' | 'project' | 'layout' | 'default';

export interface RunnerChoice {
  id: RunnerId;
  source: DetectionSource;
  /** One sentence: why this runner. */
  reason: string;
  /** Other runners the same evidence fits: the folder is ambiguous (set `runner` to decide). */
  alternatives?: RunnerId[];
}

const HEAD = 4096;

/** The runner whose marker the text carries, if exactly one does. */
export function markerRunner(text: string): RunnerProfile | undefined {
  const head = text.slice(0, HEAD);
  const found = RUNNERS.filter((r) => r.detect.marker?.test(head));
  return found.length === 1 ? found[0] : undefined;
}

export function detectRunner(facts: FolderFacts, fileName: string, text?: string): RunnerChoice {
  if (text !== undefined) {
    const own = markerRunner(text);
    if (own) return { id: own.id, source: 'marker', reason: `the file carries ${own.docs.name}'s marker` };
  }
  return (
    fromMarkers(facts) ??
    fromProjectFiles(facts, fileName) ??
    fromLayout(facts, fileName) ?? {
      id: 'none',
      source: 'default',
      reason: 'no runner marker, project file or layout found: the file runs like `psql -f`',
    }
  );
}

/** Per folder (the facts object): what its samples' markers say, and which layouts its file names fit. A CLI run asks once per file. */
const markersMemo = new WeakMap<FolderFacts, RunnerChoice | undefined>();
const namesMemo = new WeakMap<FolderFacts, Set<RunnerProfile>>();

function fromMarkers(facts: FolderFacts): RunnerChoice | undefined {
  if (!markersMemo.has(facts)) markersMemo.set(facts, fromMarkersUncached(facts));
  return markersMemo.get(facts);
}

function fromMarkersUncached(facts: FolderFacts): RunnerChoice | undefined {
  const counts = new Map<RunnerProfile, number>();
  for (const sample of facts.samples) {
    const r = markerRunner(sample);
    if (r) counts.set(r, (counts.get(r) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  if (!ranked.length) return undefined;
  const [best, n] = ranked[0];
  const others = ranked.slice(1).map(([r]) => r.id);
  return {
    id: best.id,
    source: 'folder-markers',
    reason: `${n} of the folder's files carry ${best.docs.name}'s marker`,
    ...(others.length ? { alternatives: others } : {}),
  };
}

function fromProjectFiles(facts: FolderFacts, fileName: string): RunnerChoice | undefined {
  const hits: { runner: RunnerProfile; name: string; depth: number }[] = [];
  for (const pf of facts.projectFiles) {
    for (const runner of RUNNERS) {
      const spec = runner.detect.projectFiles?.find((p) => p.name === pf.name);
      if (spec && (!spec.contentHint || (pf.text !== undefined && spec.contentHint.test(pf.text)))) hits.push({ runner, name: pf.name, depth: pf.depth });
    }
  }
  if (!hits.length) return undefined;
  const nearest = Math.min(...hits.map((h) => h.depth));
  const closest = hits.filter((h) => h.depth === nearest);
  const runners = [...new Set(closest.map((h) => h.runner))];
  // Two runners' project files side by side: the layout decides when it can.
  const layout = runners.length > 1 ? fromLayout(facts, fileName) : undefined;
  const chosen = runners.find((r) => r.id === layout?.id) ?? runners[0];
  const file = closest.find((h) => h.runner === chosen)!.name;
  const where = nearest === 0 ? 'in the folder' : nearest === 1 ? 'in the parent folder' : `${nearest} folders up`;
  const others = runners.filter((r) => r !== chosen).map((r) => r.id);
  return {
    id: chosen.id,
    source: 'project',
    reason: `\`${file}\` ${where}` + (layout && others.length ? ' and the layout' : ''),
    ...(others.length && !layout ? { alternatives: others } : {}),
  };
}

function fromLayout(facts: FolderFacts, fileName: string): RunnerChoice | undefined {
  const base = fileName.replace(/\\/g, '/').split('/').pop() ?? '';
  const folder = facts.folderName;
  const versionedFolder = /^\d[\d-]*_/.test(folder);
  if (versionedFolder && /^(up|down)\.sql$/i.test(base)) return layout('diesel', '`<version>_<name>/up.sql` folders');
  if (versionedFolder && /^migration\.sql$/i.test(base)) return layout('prisma', '`<timestamp>_<name>/migration.sql` folders');
  const byNames = layoutsOfNames(facts);
  const strong = RUNNERS.filter((r) => r.detect.layout && (r.detect.layout.test(base) || r.detect.layout.test(folder) || byNames.has(r)));
  if (strong.length === 1) return layout(strong[0].id, 'the file names');
  // The folder's name first: the parent's entries are scanned only for a sqitch-like folder (the
  // editor asks on every edit, and a migration folder's parent may be a /tmp of thousands).
  if (['deploy', 'revert', 'verify'].includes(folder.toLowerCase()) && sqitchParent(facts))
    return layout('sqitch', '`deploy/`, `revert/` and `verify/` folders');
  if (/^current\.sql$/i.test(base) || folder === 'committed') return layout('graphile-migrate', '`committed/` and `current.sql`');
  if (/^\d+_.+\.(up|down)\.sql$/i.test(base)) {
    return { ...layout('golang-migrate', '`<version>_<name>.up.sql` / `.down.sql` pairs'), alternatives: ['sqlx'] };
  }
  return undefined;
}

function sqitchParent(facts: FolderFacts): boolean {
  const dirs = new Set(facts.parentEntries.filter((e) => e.isDirectory).map((e) => e.name.toLowerCase()));
  return ['deploy', 'revert'].every((d) => dirs.has(d));
}

function layoutsOfNames(facts: FolderFacts): Set<RunnerProfile> {
  let fits = namesMemo.get(facts);
  if (!fits) {
    const names = facts.entries.filter((e) => !e.isDirectory).map((e) => e.name);
    namesMemo.set(facts, (fits = new Set(RUNNERS.filter((r) => r.detect.layout && names.some((n) => r.detect.layout!.test(n))))));
  }
  return fits;
}

function layout(id: RunnerId, what: string): RunnerChoice {
  return { id, source: 'layout', reason: `the layout: ${what}` };
}

/** One line for `--explain-runner`, the audit header and the hover. */
export function describeChoice(choice: RunnerChoice, name: string): string {
  const alt = choice.alternatives?.length ? ` (ambiguous: it also fits ${choice.alternatives.join(', ')}; set "runner" in .lockwise.json to decide)` : '';
  return `${name}: ${choice.reason}${alt}`;
}
