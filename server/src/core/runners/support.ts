/** Helpers the runner profiles share: lines with offsets, marker sections, file names and versions. */
import * as path from 'path';
import type { Part, RunnerFile, RunnerInput, Section, TxMode, NewFile } from './types';

export interface Line {
  text: string;
  start: number;
  /** Offset after the line's text (before its line break). */
  end: number;
  /** Offset after the line break. */
  next: number;
}

/** Lines split on \r\n, \n and lone \r, like the rest of the core. */
export function lines(text: string): Line[] {
  const out: Line[] = [];
  const re = /\r\n|\n|\r/g;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ text: text.slice(start, m.index), start, end: m.index, next: m.index + m[0].length });
    start = m.index + m[0].length;
  }
  out.push({ text: text.slice(start), start, end: text.length, next: text.length });
  return out;
}

/** The whole file as one unit. */
export function wholeFile(input: RunnerInput, part: Part, mode: TxMode, optedOut = false): RunnerFile {
  return { sections: [{ part, start: 0, end: input.text.length, mode, unit: 'this file', optedOut }] };
}

export interface Marker {
  line: Line;
  part: Part;
  /** Options written after the marker (dbmate `transaction:false`, sql-migrate `notransaction`). */
  options: string;
}

/** Sections between markers: each runs from after its marker line to the next marker. */
export function sectionsFromMarkers(input: RunnerInput, markers: Marker[], modeOf: (m: Marker) => { mode: TxMode; optedOut: boolean }): Section[] {
  return markers.map((m, k) => {
    const { mode, optedOut } = modeOf(m);
    const end = k + 1 < markers.length ? markers[k + 1].line.start : input.text.length;
    const unit = m.part === 'up' ? 'the up section' : 'the down section';
    return { part: m.part, start: m.line.next, end, mode, unit, optedOut, marker: { start: m.line.start, end: m.line.end } };
  });
}

export function baseName(fileName: string): string {
  return path.basename(fileName.replace(/\\/g, '/'));
}

/** The name of the folder holding the file (folder-per-migration layouts). */
export function folderName(fileName: string): string {
  return path.basename(path.dirname(fileName.replace(/\\/g, '/')));
}

/**
 * The version right after `version` that no sibling uses: the last digit group incremented, its
 * width kept (`00005` → `00006`, `20240101120000` → `20240101120001`, `2024-01-01-000000` →
 * `2024-01-01-000001`). Undefined when that version is taken (a later migration already uses it).
 */
export function nextVersion(version: string, taken: (candidate: string) => boolean): string | undefined {
  const m = /(\d+)(\D*)$/.exec(version);
  if (!m) return undefined;
  const digits = m[1];
  const bumped = (BigInt(digits) + 1n).toString().padStart(digits.length, '0');
  const candidate = version.slice(0, m.index) + bumped + m[2];
  return taken(candidate) ? undefined : candidate;
}

/** True when a sibling's name starts with `version` followed by a separator (so `1` does not match `10_x`). */
export function versionTaken(siblings: string[] | undefined, version: string, separators = /[_.\-]/): boolean {
  return (siblings ?? []).some((name) => name.startsWith(version) && (name.length === version.length || separators.test(name[version.length])));
}

/** A path beside the migration file. */
export function besideFile(fileName: string, name: string): string {
  return path.join(path.dirname(fileName), name);
}

/** A path beside the migration's folder (folder-per-migration layouts). */
export function besideFolder(fileName: string, ...names: string[]): string {
  return path.join(path.dirname(path.dirname(fileName)), ...names);
}

/** The statement text with exactly one terminating semicolon and a final line break. */
/** Statements (with or without their `;`), one after the other, each ending with `;` and a line break. */
export function terminated(sql: string | string[]): string {
  return (typeof sql === 'string' ? [sql] : sql).map((s) => s.trim().replace(/;*$/, ';') + '\n').join('');
}

/**
 * For runners that end a statement at every line ending with `;` (goose, sql-migrate): a statement
 * with such lines inside is wrapped in the runner's begin/end annotations, one statement per block.
 */
export function lineSplitSafe(sql: string[], begin: string, end: string): string {
  return sql.map((s) => (/;[ \t]*\r?\n[\s\S]*\S/.test(s.trim()) ? `${begin}\n${terminated(s)}${end}\n` : terminated(s))).join('');
}

export function file(pathName: string, text: string): NewFile {
  return { path: pathName, text };
}

/** Offset after a byte-order mark, where a first-line directive must go. */
export function startOffset(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** The line break the file uses (for inserted lines). */
export function eol(text: string): string {
  return /\r\n/.test(text) ? '\r\n' : '\n';
}
