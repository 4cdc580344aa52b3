/**
 * Schema history: the migration files that run before a given file, in the order migration tools
 * run them (natural sort by name: `V2__` before `V10__`, timestamps in order), replayed into a
 * Catalog. Handles flat folders (`001_init.sql`, `20240101_x.up.sql`) and one-folder-per-migration
 * layouts (`2024-01-01-000000_x/up.sql`, Prisma's `<name>/migration.sql`).
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { NATURAL_ORDER, SQL_FILE } from './constants';
import { Catalog } from '../core';
import { buildStatements } from '../core';
import { deployedText, FileRunnerOptions } from '../core';

/** The runner of an earlier migration file, so that only its deployed part is replayed. */
export type RunnerOf = (file: string, text: string) => FileRunnerOptions | undefined;

const collator = NATURAL_ORDER;
const DOWN_FILE = /(^|[._-])down\.(sql|psql|pgsql)$/i;
const PER_FOLDER_FILE = /^(up|down|migration)\.(sql|psql|pgsql)$/i;

export interface TextSource {
  /** Text of a file: open editors first, then disk. Undefined when unreadable. */
  read(file: string): string | undefined;
  list(dir: string): { name: string; isDirectory: boolean }[];
}

export const diskSource: TextSource = {
  read(file) {
    try {
      // A FIFO among the migrations would block the read forever: only regular files are history.
      // A missing file is the usual case (a runner's companion file): no exception built for it.
      return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ? fs.readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  },
  list(dir) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).map((d) => ({ name: d.name, isDirectory: d.isDirectory() }));
    } catch {
      return [];
    }
  },
};

interface Step {
  file: string;
  /** Sort key within the folder. */
  key: string;
}

/** The `up` migrations of the folder that holds `file`, in run order, and where `file` sits among them. */
export function migrationSequence(file: string, source: TextSource, memo?: Map<string, Step[]>): { steps: Step[]; key: string } {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  if (PER_FOLDER_FILE.test(base)) {
    const folder = path.dirname(abs);
    const root = path.dirname(folder);
    let steps = memo?.get(FOLDERS + root);
    if (!steps) {
      steps = folderSteps(root, source);
      memo?.set(FOLDERS + root, steps);
    }
    // A down migration runs after its own folder's up.
    const key = /^down\./i.test(base) ? path.basename(folder) + '\uffff' : path.basename(folder);
    return { steps, key };
  }
  const dir = path.dirname(abs);
  const plan = sqitchPlan(dir, source);
  if (plan) return planSequence(dir, base, plan);
  let steps = memo?.get(FLAT + dir);
  if (!steps) {
    steps = flatSteps(dir, source);
    memo?.set(FLAT + dir, steps);
  }
  const key = DOWN_FILE.test(base) ? upKey(base.replace(/down(\.\w+)$/i, 'up$1')) + '\uffff' : upKey(base);
  return { steps, key };
}

/** Memo keys of `migrationSequence`: a folder-per-migration root, a flat folder. */
const FOLDERS = 'folders:';
const FLAT = 'flat:';

/** The `up` files of the migration folders under `root` (one folder per migration), in run order. */
function folderSteps(root: string, source: TextSource): Step[] {
  const steps: Step[] = [];
  for (const entry of source.list(root)) {
    if (!entry.isDirectory) continue;
    const dir = path.join(root, entry.name);
    const up = source.list(dir).find((f) => !f.isDirectory && /^(up|migration)\.(sql|psql|pgsql)$/i.test(f.name));
    if (up) steps.push({ file: path.join(dir, up.name), key: entry.name });
  }
  return steps.sort((a, b) => collator.compare(a.key, b.key));
}

/**
 * `flatSteps` by listing: a source that keeps a folder's listing until it changes (the editor's,
 * with watched files) returns the same array, and sorting hundreds of migrations on every keystroke
 * was half of what reading the history cost then.
 */
const FLAT_STEPS = new WeakMap<object, { dir: string; steps: Step[] }>();

/** The `up` files of a flat migration folder, in run order. */
function flatSteps(dir: string, source: TextSource): Step[] {
  const entries = source.list(dir);
  const known = FLAT_STEPS.get(entries);
  if (known?.dir === dir) return known.steps;
  const steps = entries
    .filter((e) => !e.isDirectory && SQL_FILE.test(e.name) && !DOWN_FILE.test(e.name))
    .map((e) => ({ file: path.join(dir, e.name), key: upKey(e.name) }))
    .sort((a, b) => collator.compare(a.key, b.key));
  FLAT_STEPS.set(entries, { dir, steps });
  return steps;
}

/**
 * The folder whose migrations form `file`'s schema history (the one `migrationSequence` lists):
 * files of different scopes never read each other's history, so they can be analysed apart.
 */
export function historyScope(file: string): string {
  const abs = path.resolve(file);
  return PER_FOLDER_FILE.test(path.basename(abs)) ? path.dirname(path.dirname(abs)) : path.dirname(abs);
}

/** Change names of a sqitch plan in deploy order, when `dir` is a sqitch `deploy/` folder. */
function sqitchPlan(dir: string, source: TextSource): string[] | undefined {
  if (path.basename(dir) !== 'deploy') return undefined;
  const text = source.read(path.join(path.dirname(dir), 'sqitch.plan'));
  if (text === undefined) return undefined;
  const changes: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    // `%pragma`, `# comment`, `@tag` and blank lines are not changes; a change line starts with its name.
    const m = /^\s*([^\s%#@:\[]+)\s/.exec(line);
    if (m && !changes.includes(m[1])) changes.push(m[1]);
  }
  return changes;
}

/** Sqitch deploys in plan order, not name order: keys are plan positions. */
function planSequence(dir: string, base: string, plan: string[]): { steps: Step[]; key: string } {
  const key = (name: string) => String(plan.indexOf(name)).padStart(6, '0');
  const steps = plan.map((name) => ({ file: path.join(dir, name + '.sql'), key: key(name) }));
  const own = upKey(base);
  return { steps, key: plan.includes(own) ? key(own) : '\uffff' };
}

function upKey(name: string): string {
  return name.replace(SQL_FILE, '');
}

/** What `SnapshotSource.refresh` found changed: files whose text differs, folders whose entries differ. */
export interface SourceChanges {
  files: string[];
  folders: string[];
}

/** The folders a refresh touched: those whose entries changed and those of the files whose text did. */
export function touchedFolders(changes: SourceChanges): string[] {
  return [...changes.folders, ...changes.files.map((f) => path.dirname(f))];
}

/**
 * A TextSource over files that do not change while it lives (one CLI run): directory listings
 * and file texts are read once. Without it every file re-lists its folder and re-reads every
 * earlier migration, which is quadratic in the folder size. `lint --fix`, which changes files,
 * says which ones it wrote (`refresh`).
 */
export class SnapshotSource implements TextSource {
  private readonly texts = new Map<string, string | undefined>();
  private readonly listings = new Map<string, { name: string; isDirectory: boolean }[]>();

  constructor(private readonly source: TextSource = diskSource) {}

  /** Records a file's text read elsewhere (`file` resolved). */
  remember(file: string, text: string): void {
    this.texts.set(file, text);
  }

  /** The text of `file` when it was read already (resolved), else undefined: nothing is read. */
  known(file: string): string | undefined {
    return this.texts.get(file);
  }

  read(file: string): string | undefined {
    if (this.texts.has(file)) return this.texts.get(file);
    const text = this.source.read(file);
    this.texts.set(file, text);
    return text;
  }

  list(dir: string): { name: string; isDirectory: boolean }[] {
    let entries = this.listings.get(dir);
    if (!entries) this.listings.set(dir, (entries = this.source.list(dir)));
    return entries;
  }

  /**
   * After files were written (`paths`, resolved): reads again what was kept of them, their texts and
   * their folders' listings (up through the folders a write created), and says what changed. Nothing
   * else can have changed by those writes; what was never read is read when asked.
   */
  refresh(paths: string[]): SourceChanges {
    const files = new Set<string>();
    const folders = new Set<string>();
    for (const file of paths) {
      if (this.texts.has(file)) {
        const text = this.source.read(file);
        if (text !== this.texts.get(file)) files.add(file);
        this.texts.set(file, text);
      }
      for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
        const kept = this.listings.get(dir);
        if (kept) {
          const now = this.source.list(dir);
          // An unchanged folder existed before the write: the folders above it did not change either.
          if (sameEntries(kept, now)) break;
          this.listings.set(dir, now);
          folders.add(dir);
        }
        if (path.dirname(dir) === dir) break;
      }
    }
    return { files: [...files], folders: [...folders] };
  }
}

function sameEntries(a: { name: string; isDirectory: boolean }[], b: { name: string; isDirectory: boolean }[]): boolean {
  return a.length === b.length && a.every((e, i) => e.name === b[i].name && e.isDirectory === b[i].isDirectory);
}

/** `dir` is one of `folders` or inside one of them. */
export function within(dir: string, folders: string[]): boolean {
  return folders.some((f) => dir === f || dir.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
}

/** Steps between the clones `HistoryProvider.carried` keeps of its catalog. */
const CHECKPOINT = 32;

/** A catalog after the first `at` steps of a sequence; `checkpoints[k]`: a clone of it after `k * CHECKPOINT` steps. */
interface Cursor {
  at: number;
  catalog: Catalog | undefined;
  checkpoints: (Catalog | undefined)[];
  /** The catalog one step before `at`, when the last move was one step. */
  previous?: Catalog;
}

/** Replays migration files into catalogs, memoised per file text. */
export class HistoryProvider {
  private readonly after = new Map<string, { text: string; catalog: Catalog }>();
  /** Sorted migration steps per folder, only when the source is a SnapshotSource. */
  private readonly sequences = new Map<string, Step[]>();
  /**
   * Deployed text per file, only when the source is a SnapshotSource (texts fixed for the run): every
   * file re-checks the steps before it, and detecting each step's runner again made a CLI run quadratic.
   */
  private readonly deployedTexts = new Map<string, string | undefined>();
  /**
   * Per file, its deployed text and the text it came from. The runner it depends on is detected from
   * that text and its folder's facts, which hold until `invalidate` or `refresh`: the editor
   * detected the runner of every earlier migration again on every analysis (~1.6 ms per keystroke
   * with kratos' 546 files).
   */
  private readonly deployedOf = new Map<string, { raw: string; deployed: string }>();
  /** Per file, a hash of what its replay depends on (its text and its runner); only with a SnapshotSource. */
  private readonly stepPrints = new Map<string, string>();
  private chains = new WeakMap<Step[], string[]>();
  /** Per sequence, the catalog `carried` moves along it; only with a SnapshotSource. */
  private cursors = new WeakMap<Step[], Cursor>();
  /** Each step's position in its sequence (`positionIn`); only with a SnapshotSource. */
  private readonly positions = new WeakMap<Step[], Map<string, number>>();

  constructor(
    private readonly source: TextSource = diskSource,
    private readonly runnerOf?: RunnerOf,
  ) {}

  /** The text of a step as the runner deploys it. */
  private deployed(file: string): string | undefined {
    if (!(this.source instanceof SnapshotSource)) return this.deployedNow(file);
    if (this.deployedTexts.has(file)) return this.deployedTexts.get(file);
    const text = this.deployedNow(file);
    this.deployedTexts.set(file, text);
    return text;
  }

  private deployedNow(file: string): string | undefined {
    const text = this.source.read(file);
    if (text === undefined || !this.runnerOf) return text;
    const known = this.deployedOf.get(file);
    if (known && known.raw === text) return known.deployed;
    const runner = this.runnerOf(file, text);
    const deployed = runner ? deployedText(text, runner) : text;
    this.deployedOf.set(file, { raw: text, deployed });
    return deployed;
  }

  /** The schema before `file` runs (undefined when it is the first migration of its folder). */
  catalogBefore(file: string): Catalog | undefined {
    const { steps, n, own } = this.prefix(file);
    if (this.source instanceof SnapshotSource && own === -1) return this.carried(steps, n);
    let catalog: Catalog | undefined;
    let changed = false;
    for (let i = this.firstToCheck(steps, n, own); i < n; i++) {
      if (i === own) continue;
      const step = steps[i];
      const text = this.deployed(step.file);
      if (text === undefined) continue;
      const memo = this.after.get(step.file);
      if (memo && memo.text === text && !changed) {
        catalog = memo.catalog;
        continue;
      }
      changed = true;
      const next = catalog ? catalog.cloneForApply() : new Catalog();
      replay(text, next, step.file);
      this.after.set(step.file, { text, catalog: next });
      catalog = next;
    }
    return catalog;
  }

  /**
   * With a SnapshotSource (the CLI, which analyses a file before it asks for the next): the catalog
   * after the first `n` steps, valid until the next call. One catalog per folder is carried from
   * step to step in place, instead of a clone per step kept for the whole run; a clone every
   * CHECKPOINT steps serves a file asked for out of order.
   */
  private carried(steps: Step[], n: number): Catalog | undefined {
    let cursor = this.cursors.get(steps);
    if (!cursor) this.cursors.set(steps, (cursor = { at: 0, catalog: undefined, checkpoints: [undefined] }));
    if (cursor.previous && cursor.at === n + 1) return cursor.previous;
    if (cursor.at > n) {
      const k = Math.floor(n / CHECKPOINT);
      cursor.at = k * CHECKPOINT;
      cursor.catalog = cursor.checkpoints[k]?.cloneForApply();
      cursor.previous = undefined;
    }
    if (cursor.at < n) cursor.previous = undefined;
    for (; cursor.at < n; cursor.at++) {
      const step = steps[cursor.at];
      const text = this.deployed(step.file);
      if (text !== undefined) {
        // Before the last step: a rollback file (`down.sql`, listed first) needs the catalog after its
        // own migration, the migration itself the one before it.
        if (cursor.at === n - 1) cursor.previous = cursor.catalog?.cloneForApply();
        if (cursor.catalog) cursor.catalog.nextFile();
        else cursor.catalog = new Catalog();
        replay(text, cursor.catalog, step.file);
      }
      if ((cursor.at + 1) % CHECKPOINT === 0) cursor.checkpoints[(cursor.at + 1) / CHECKPOINT] = cursor.catalog?.cloneForApply();
    }
    return cursor.catalog;
  }

  /**
   * Where `catalogBefore` starts checking the memo. With a SnapshotSource the texts do not change,
   * and a step's memo was made after every step before it: the last memoised step stands for all
   * of them (checking each one made every file of a long history walk its whole prefix).
   */
  private firstToCheck(steps: Step[], n: number, own: number): number {
    if (!(this.source instanceof SnapshotSource)) return 0;
    for (let i = n - 1; i >= 0; i--) if (i !== own && this.after.has(steps[i].file)) return i;
    return 0;
  }

  /**
   * A hash of everything `catalogBefore(file)` depends on: each earlier step's path, text and
   * runner (which decides its deployed part). Equal fingerprints give equal catalogs (same Lockwise
   * build). Only for a SnapshotSource: the CLI's cache keys. `printRunner` turns a runner into text.
   */
  fingerprintBefore(file: string, printRunner: (runner: FileRunnerOptions) => string): string {
    const steps = this.stepsBefore(file);
    const { steps: all } = this.sequence(file);
    // The steps before a file are a prefix of its folder's sequence: hashes chained along it, once.
    if (steps.length && steps[steps.length - 1] === all[steps.length - 1]) return this.chain(all, steps.length, printRunner);
    const hash = createHash('sha256');
    for (const step of steps) hash.update(this.stepPrint(step.file, printRunner));
    return hash.digest('hex');
  }

  /** The chained hash of the first `n` steps of a sequence. */
  private chain(steps: Step[], n: number, printRunner: (runner: FileRunnerOptions) => string): string {
    let chained = this.chains.get(steps);
    if (!chained) this.chains.set(steps, (chained = []));
    for (let i = chained.length; i < n; i++) {
      chained.push(
        createHash('sha256')
          .update((chained[i - 1] ?? '') + this.stepPrint(steps[i].file, printRunner))
          .digest('hex'),
      );
    }
    return chained[n - 1];
  }

  private stepPrint(file: string, printRunner: (runner: FileRunnerOptions) => string): string {
    let print = this.stepPrints.get(file);
    if (print === undefined) {
      const text = this.source.read(file);
      const runner = text === undefined ? undefined : this.runnerOf?.(file, text);
      // Lengths first, so that no two different triples hash the same text.
      const parts = [file, text ?? '', runner ? printRunner(runner) : ''];
      const hash = createHash('sha256').update(`${text === undefined ? '-' : '+'}${parts.map((p) => p.length).join(',')};`);
      for (const p of parts) hash.update(p);
      print = hash.digest('hex');
      this.stepPrints.set(file, print);
    }
    return print;
  }

  /**
   * The files and texts `catalogBefore` replays, in order (the analysis worker replays them itself,
   * since a Catalog cannot cross a thread boundary). Empty when `file` is the first migration of its folder.
   */
  textsBefore(file: string): HistoryText[] {
    const texts: HistoryText[] = [];
    for (const step of this.stepsBefore(file)) {
      const text = this.deployed(step.file);
      if (text !== undefined) texts.push({ file: step.file, text });
    }
    return texts;
  }

  /** The migrations that run before `file`, in order (without `file` itself). */
  private stepsBefore(file: string): Step[] {
    const { steps, n, own } = this.prefix(file);
    return steps.slice(0, n).filter((_, i) => i !== own);
  }

  /**
   * The steps before `file` without copying them: the first `n` of its folder's sequence, except
   * position `own` when `file` itself is among them (-1: it is not). A copy of the prefix per file
   * was quadratic in the folder's size.
   */
  private prefix(file: string): { steps: Step[]; n: number; own: number } {
    const { steps, key } = this.sequence(file);
    const abs = path.resolve(file);
    // Steps are sorted by the same collator: the earlier ones are a prefix.
    let lo = 0;
    let hi = steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (collator.compare(steps[mid].key, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    // Step paths are built from the resolved folder, so they are already resolved.
    const at = this.positionIn(steps, abs);
    return { steps, n: lo, own: at < lo ? at : -1 };
  }

  /** Where `file` is in `steps` (-1: absent); indexed once per sequence when the sequences are memoised. */
  private positionIn(steps: Step[], file: string): number {
    if (!(this.source instanceof SnapshotSource)) return steps.findIndex((step) => step.file === file);
    let positions = this.positions.get(steps);
    if (!positions) {
      positions = new Map();
      // The first occurrence, as `findIndex` gives it (a sqitch plan may name a change twice).
      for (let i = steps.length - 1; i >= 0; i--) positions.set(steps[i].file, i);
      this.positions.set(steps, positions);
    }
    return positions.get(file) ?? -1;
  }

  private sequence(file: string): { steps: Step[]; key: string } {
    if (!(this.source instanceof SnapshotSource)) return migrationSequence(file, this.source);
    return migrationSequence(file, this.source, this.sequences);
  }

  /**
   * After `lint --fix` wrote files (what `SnapshotSource.refresh` found changed; the runners' facts
   * refreshed first): each sequence and each step's deployed text that could depend on them is
   * computed again, and a carried catalog that replayed a step which changed moves back before it.
   * The next file then sees the history as a fresh run would, and replays only from the change on.
   */
  refresh(changes: SourceChanges): void {
    const touched = touchedFolders(changes);
    if (!touched.length) return;
    this.deployedOf.clear();
    this.after.clear();
    this.stepPrints.clear();
    this.chains = new WeakMap();
    for (const [key, steps] of this.sequences) this.refreshSequence(key, steps, changes.folders);
    for (const [file, text] of this.deployedTexts) {
      // A step's deployed text reads its file and its runner: the facts of its folder and the folders above.
      if (!within(path.dirname(file), touched)) continue;
      const now = this.deployedNow(file);
      if (now === text) continue;
      this.deployedTexts.set(file, now);
      const { steps } = this.sequence(file);
      const cursor = this.cursors.get(steps);
      const at = this.positionIn(steps, file);
      if (cursor && at >= 0) rewind(cursor, at);
    }
  }

  /** A memoised sequence whose folders' entries changed: listed again; its carried catalog keeps the steps both share. */
  private refreshSequence(key: string, steps: Step[], folders: string[]): void {
    const perFolder = key.startsWith(FOLDERS);
    const root = key.slice(perFolder ? FOLDERS.length : FLAT.length);
    // A flat sequence lists its folder; a folder-per-migration one its root and each migration folder in it.
    if (!folders.some((f) => f === root || (perFolder && path.dirname(f) === root))) return;
    const fresh = perFolder ? folderSteps(root, this.source) : flatSteps(root, this.source);
    let same = 0;
    while (same < steps.length && same < fresh.length && steps[same].file === fresh[same].file && steps[same].key === fresh[same].key) same++;
    if (same === steps.length && same === fresh.length) return;
    this.sequences.set(key, fresh);
    const cursor = this.cursors.get(steps);
    if (!cursor) return;
    rewind(cursor, same);
    this.cursors.set(fresh, cursor);
  }

  /** Forget a file (its text changed on disk or in an editor). */
  invalidate(): void {
    this.after.clear();
    this.cursors = new WeakMap();
    this.sequences.clear();
    this.deployedTexts.clear();
    this.deployedOf.clear();
    this.stepPrints.clear();
  }
}

/**
 * Moves a carried catalog back so that it has replayed no step from `step` on (that step changed):
 * to the catalog before the last step when that is the one, else to the checkpoint at or before it.
 * Checkpoints after it are dropped.
 */
function rewind(cursor: Cursor, step: number): void {
  const k = Math.floor(step / CHECKPOINT);
  cursor.checkpoints.length = Math.min(cursor.checkpoints.length, k + 1);
  if (cursor.at <= step) return;
  if (cursor.previous && cursor.at === step + 1) {
    cursor.catalog = cursor.previous;
    cursor.at = step;
  } else {
    cursor.catalog = cursor.checkpoints[k]?.cloneForApply();
    cursor.at = k * CHECKPOINT;
  }
  cursor.previous = undefined;
}

/** An earlier migration as the history replays it. */
export interface HistoryText {
  file: string;
  text: string;
}

/**
 * Applies a whole file's schema changes to a catalog (objects count as pre-existing). With `file`,
 * the relations it creates record it, so that a deploy baseline can tell which ones production has.
 */
export function replay(text: string, catalog: Catalog, file?: string): void {
  catalog.inFile = false;
  catalog.migration = file;
  for (const stmt of buildStatements(text).statements) {
    try {
      catalog.apply(stmt.node, -1);
    } catch {
      // A statement the model cannot follow must not stop the replay of the rest.
    }
  }
}
