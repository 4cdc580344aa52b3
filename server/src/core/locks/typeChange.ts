/**
 * Does `ALTER COLUMN ... TYPE` rewrite the table? PostgreSQL skips the rewrite when the old type is
 * binary-coercible to the new one and the new typmod accepts every old value (ATColumnChangeRequiresRewrite).
 */
import { T, asColumnDef, nodeKind, typeToString } from '../parse/ast';
import { columnRefs } from '../model/catalog';
import type { ZoneSetting } from '../model/timeline';

export interface TypeChangeVerdict {
  rewrite: boolean;
  /** Why, in a few words. */
  reason: string;
  /** The old type was not known from history: the verdict is a conservative guess. */
  assumed: boolean;
}

interface ParsedType {
  base: string;
  mods: number[];
  array: boolean;
}

function parseType(t: string): ParsedType {
  const array = t.endsWith('[]');
  const core = t.replace(/(\[\])+$/, '');
  const m = /^([^()]+)(?:\(([^)]*)\))?$/.exec(core);
  const base = (m?.[1] ?? core).trim();
  const mods = m?.[2] ? m[2].split(',').map((x) => Number(x.trim())) : [];
  return { base, mods, array };
}

const TEXTLIKE = new Set(['text', 'varchar']);

export function typeChangeVerdict(
  oldType: string | undefined,
  newType: string,
  usingIsNoop: boolean,
  pgVersion: number,
  zone?: ZoneSetting,
): TypeChangeVerdict {
  if (!usingIsNoop) return { rewrite: true, reason: 'a USING expression other than the column itself', assumed: false };
  if (!oldType) return { rewrite: true, reason: "the column's current type is not known from the migration history", assumed: true };
  const from = parseType(oldType);
  const to = parseType(newType);
  if (from.array !== to.array) return { rewrite: true, reason: `${oldType} to ${newType}`, assumed: false };
  if (oldType === newType) return { rewrite: false, reason: 'same type', assumed: false };
  // varchar(n) -> varchar(m >= n) / varchar / text; text -> varchar (no limit)
  if (TEXTLIKE.has(from.base) && TEXTLIKE.has(to.base)) {
    if (to.mods.length === 0) return { rewrite: false, reason: `${oldType} to ${newType} is binary-compatible`, assumed: false };
    if (from.base === 'varchar' && from.mods.length && to.mods[0] >= from.mods[0]) {
      return { rewrite: false, reason: `widening ${oldType} to ${newType}`, assumed: false };
    }
    return { rewrite: true, reason: `${oldType} to ${newType} must check every value`, assumed: false };
  }
  if (from.base === 'numeric' && to.base === 'numeric') {
    if (to.mods.length === 0) return { rewrite: false, reason: 'numeric without precision accepts every value', assumed: false };
    if (from.mods.length && to.mods[0] >= from.mods[0] && (to.mods[1] ?? 0) === (from.mods[1] ?? 0)) {
      return { rewrite: false, reason: `widening ${oldType} to ${newType}`, assumed: false };
    }
  }
  if ((from.base === 'varbit' || from.base === 'bit varying') && to.base === from.base) {
    if (to.mods.length === 0 || (from.mods.length && to.mods[0] >= from.mods[0])) {
      return { rewrite: false, reason: `widening ${oldType} to ${newType}`, assumed: false };
    }
  }
  if (from.base === 'cidr' && to.base === 'inet') return { rewrite: false, reason: 'cidr to inet is binary-compatible', assumed: false };
  const zones = new Set([from.base, to.base]);
  if (zones.has('timestamp') && zones.has('timestamptz') && pgVersion >= 12 && from.mods.join() === to.mods.join())
    return timestampZoneVerdict(oldType, newType, zone);
  return { rewrite: true, reason: `${oldType} to ${newType} is not binary-compatible`, assumed: false };
}

/**
 * timestamp ↔ timestamptz keeps every stored value only when the session TimeZone is UTC
 * (PostgreSQL 12+, TimestampTimestampTzRequiresRewrite): then no rewrite, else a rewrite.
 */
function timestampZoneVerdict(oldType: string, newType: string, zone: ZoneSetting | undefined): TypeChangeVerdict {
  const change = `${oldType} to ${newType}`;
  if (!zone) return { rewrite: true, reason: `${change} rewrites unless the session TimeZone is UTC, which is not known (set timeZone)`, assumed: true };
  const where = zone.setAt < 0 ? 'the configured timeZone' : 'the TimeZone set in the file';
  if (zone.utc) return { rewrite: false, reason: `${change} keeps the values under TimeZone ${zone.text} (${where})`, assumed: false };
  return { rewrite: true, reason: `${change} converts every value under TimeZone ${zone.text} (${where})`, assumed: false };
}

/** The verdict for one `ALTER COLUMN ... TYPE` subcommand; `oldType` is the column's type before it (undefined when unknown). */
export function alterColumnTypeVerdict(
  cmd: T.AlterTableCmd,
  oldType: string | undefined,
  pgVersion: number,
  zone?: ZoneSetting,
): TypeChangeVerdict & { newType: string } {
  const def = asColumnDef(cmd.def);
  const newType = typeToString(def?.typeName);
  const using = def?.raw_default;
  // `USING col` is the same as no USING clause.
  const usingIsNoop = !using || (nodeKind(using) === 'ColumnRef' && columnRefs(using)[0] === cmd.name);
  return { ...typeChangeVerdict(oldType, newType, usingIsNoop, pgVersion, zone), newType };
}
