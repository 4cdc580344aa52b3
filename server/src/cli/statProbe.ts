/**
 * A replay's stat of each recorded path (cli/replay.ts): its kind, and the four numbers a trusted
 * stat is compared by (size, mtimeMs, ctimeMs, ino), left in `probed`.
 *
 * On Node 20 every `statSync` builds a Stats object with four Date objects, about 1.5 KB that fault
 * in fresh young-generation pages: the 2,114 files of a replayed corpus run took 28 ms that way and
 * 11 ms read as numbers from Node's fs binding (bench/FINDINGS.md, session 14). The binding is
 * internal, so it is used only where its layout was checked (Node 20, not Windows), under Node's
 * defaults (a pending-deprecation flag would make `process.binding` warn), and only after it agreed
 * with `statSync` on a path that exists. Everywhere else a probe reads a Stats object.
 */
import { fs } from '../project/builtins';

export type Kind = 'file' | 'dir' | 'other' | 'absent';
/** A kind's number in a record (and what a probe returns). */
export const KINDS: Kind[] = ['absent', 'file', 'dir', 'other'];
export const [ABSENT, FILE, DIR, OTHER] = [0, 1, 2, 3];
/** Indices into `probed`. */
export const [P_SIZE, P_MTIME, P_CTIME, P_INO] = [0, 1, 2, 3];

/** The numbers of the last probe of an existing path (see P_SIZE...). */
export const probed = new Float64Array(4);

/** Probes a path: its kind (index in KINDS), its numbers in `probed` unless it is absent. */
export type Probe = (file: string) => number;

// The original: fs is wrapped while a run is recorded, and the recorder's own stats are no input.
const { statSync } = fs;
/** One stat: no options object per call. */
const NO_THROW = { throwIfNoEntry: false } as const;

export function kindOf(st: fs.Stats | undefined): Kind {
  if (!st) return 'absent';
  return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
}

/** A path's Stats, or undefined when it cannot be stat'ed (absent, or a file on the way). */
export function statOf(file: string): fs.Stats | undefined {
  try {
    return statSync(file, NO_THROW);
  } catch {
    return undefined;
  }
}

/** The probe that reads a Stats object: everywhere. */
export function probeWithStats(file: string): number {
  const st = statOf(file);
  if (!st) return ABSENT;
  probed[P_SIZE] = st.size;
  probed[P_MTIME] = st.mtimeMs;
  probed[P_CTIME] = st.ctimeMs;
  probed[P_INO] = st.ino;
  return st.isFile() ? FILE : st.isDirectory() ? DIR : OTHER;
}

/** Node 20's fs binding as `statSync` calls it: the stat as numbers, undefined when absent. */
export interface FsBinding {
  stat(path: string, bigint: false, request: undefined, throwIfNoEntry: false): Float64Array | undefined;
}

// Where Node 20 puts a stat's fields in the binding's array (lib/internal/fs/utils.js, getStatsFromBinding).
const [B_MODE, B_INO, B_SIZE, B_MTIME_S, B_MTIME_NS, B_CTIME_S, B_CTIME_NS] = [1, 7, 8, 12, 13, 14, 15];
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

function bindingProbe(binding: FsBinding): Probe {
  return (file) => {
    let v: Float64Array | undefined;
    try {
      v = binding.stat(file, false, undefined, false);
    } catch {
      return ABSENT; // as statOf: a path that cannot be stat'ed is absent
    }
    if (!v) return ABSENT;
    probed[P_SIZE] = v[B_SIZE];
    // As Stats computes its milliseconds from seconds and nanoseconds (msFromTimeSpec): the same bits.
    probed[P_MTIME] = v[B_MTIME_S] * 1e3 + v[B_MTIME_NS] / 1e6;
    probed[P_CTIME] = v[B_CTIME_S] * 1e3 + v[B_CTIME_NS] / 1e6;
    probed[P_INO] = v[B_INO];
    const type = v[B_MODE] & S_IFMT;
    return type === S_IFREG ? FILE : type === S_IFDIR ? DIR : OTHER;
  };
}

/** Node 20's fs binding when it may be used here, else null. */
function fsBinding(): FsBinding | null {
  const defaults = process.execArgv.length === 0 && !process.env.NODE_OPTIONS && !process.env.NODE_PENDING_DEPRECATION;
  if (process.platform === 'win32' || process.versions.node.split('.')[0] !== '20' || !defaults) return null;
  try {
    const binding = (process as unknown as { binding(name: string): Partial<FsBinding> }).binding('fs');
    return typeof binding.stat === 'function' ? (binding as FsBinding) : null;
  } catch {
    return null;
  }
}

/**
 * The probe for a replay: the binding's when it agrees with a Stats object on `known` (a path that
 * exists, e.g. the record being replayed), else probeWithStats. `binding`: for tests.
 */
export function chooseProbe(known: string, binding: FsBinding | null = fsBinding()): Probe {
  if (!binding) return probeWithStats;
  const fast = bindingProbe(binding);
  const kind = fast(known);
  const numbers = probed.slice();
  if (kind === ABSENT || probeWithStats(known) !== kind) return probeWithStats;
  return numbers.every((n, i) => n === probed[i]) ? fast : probeWithStats;
}
