/**
 * Configuration: `.lockwise.json` (nearest in the file's folder or a parent) merged over editor
 * settings and CLI flags. Validation errors name the file and the key; they never crash.
 */
import * as fs from 'fs';
import * as path from 'path';
import { quoted } from '../report/escapeTerminal';
import { RUNNER_IDS, RunnerId } from '../runners/types';
import { BaselineSpec, parseBaseline } from '../model/baseline';
import { gucDuration } from '../model/timeline';

export type Severity = 'error' | 'warning' | 'info';
export type RuleSetting = Severity | 'off';

export interface LockwiseConfig {
  pgVersion: number;
  assumeInTransaction: boolean;
  rules: Record<string, RuleSetting>;
  /** lock_timeout inserted by the quick fix, e.g. '5s'. */
  lockTimeout: string;
  /** Longest acceptable lock_timeout, e.g. '10s'. */
  maxLockTimeout: string;
  /** statement_timeout inserted by require-statement-timeout's quick fix, e.g. '15min'. */
  statementTimeout: string;
  include: string[];
  exclude: string[];
  /** Which migration runner executes the files: detected (`auto`), a runner id, or `none` (plain psql). */
  runner: 'auto' | RunnerId;
  /** How rollback parts (down sections and files) are analysed. */
  downMigrations: DownMigrations;
  /** Settings the runner or platform sets before every deployed file, e.g. `{ "lock_timeout": "5s" }`. */
  runnerSettings: Record<string, string>;
  /** With a size snapshot: tables at or below both limits are small, their work findings drop to info. */
  smallTable: SmallTable;
  /** Estimated read- or write-blocking time allowed per table per file, e.g. '5s' (lock-budget rule). */
  lockBudget: string;
  /** A size snapshot older than this is stale, e.g. '30d': its sizes are shown, never used to lower a severity. */
  statsMaxAge: string;
  /** What production already runs (a git ref or the last deployed migration): tables created by later migrations are empty there. */
  baseline?: BaselineSpec;
  /**
   * The session TimeZone the migrations run with (server, database or role default), e.g. 'UTC':
   * timestamp ↔ timestamptz skips the table rewrite only under UTC. Undefined: not known ("may rewrite").
   */
  timeZone?: string;
}

export interface SmallTable {
  rows: number;
  bytes: number;
}

/** `off`: not analysed; `syntax`: only syntax errors and statements that cannot run under the runner; `full`: every rule. */
export type DownMigrations = 'off' | 'syntax' | 'full';
const DOWN_MODES: DownMigrations[] = ['off', 'syntax', 'full'];

export const DEFAULT_CONFIG: LockwiseConfig = {
  pgVersion: 15,
  assumeInTransaction: false,
  rules: {},
  lockTimeout: '5s',
  maxLockTimeout: '10s',
  statementTimeout: '15min',
  include: ['**/*.sql', '**/*.psql', '**/*.pgsql'],
  exclude: ['**/node_modules/**'],
  runner: 'auto',
  downMigrations: 'syntax',
  runnerSettings: {},
  smallTable: { rows: 10_000, bytes: 10 * 1024 * 1024 },
  lockBudget: '5s',
  statsMaxAge: '30d',
  baseline: undefined,
  timeZone: undefined,
};

export const CONFIG_FILE_NAME = '.lockwise.json';

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | undefined,
    message: string,
  ) {
    // The key comes from the file: clipped and escaped (a 20 MB key was quoted whole, a newline in one started a new log line).
    super(`${file}${key ? `: ${quoted(key)}` : ''}: ${message}`);
    this.name = 'ConfigError';
  }
}

const DURATION = /^\s*\d+(\.\d+)?\s*(us|ms|s|min|h|d)?\s*$/;
const SEVERITIES: RuleSetting[] = ['off', 'info', 'warning', 'error'];
const KNOWN_KEYS = [
  '$schema',
  'pgVersion',
  'assumeInTransaction',
  'rules',
  'lockTimeout',
  'maxLockTimeout',
  'statementTimeout',
  'include',
  'exclude',
  'runner',
  'downMigrations',
  'runnerSettings',
  'smallTable',
  'lockBudget',
  'statsMaxAge',
  'baseline',
  'timeZone',
];

/** Validates a parsed config object; `knownRules` lets it reject misspelt rule ids. */
export function validateConfig(raw: unknown, file: string, knownRules: Set<string>): Partial<LockwiseConfig> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(file, undefined, 'must be a JSON object');
  const obj = raw as Record<string, unknown>;
  const out: Partial<LockwiseConfig> = {};
  for (const key of Object.keys(obj)) {
    if (!KNOWN_KEYS.includes(key)) throw new ConfigError(file, key, `unknown key (expected one of ${KNOWN_KEYS.slice(1).join(', ')})`);
  }
  if ('pgVersion' in obj) {
    const v = obj.pgVersion;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 9 || v > 19)
      throw new ConfigError(file, 'pgVersion', 'must be a PostgreSQL major version between 9 and 19');
    out.pgVersion = v;
  }
  if ('assumeInTransaction' in obj) {
    if (typeof obj.assumeInTransaction !== 'boolean') throw new ConfigError(file, 'assumeInTransaction', 'must be true or false');
    out.assumeInTransaction = obj.assumeInTransaction;
  }
  for (const key of ['lockTimeout', 'maxLockTimeout', 'statementTimeout', 'lockBudget', 'statsMaxAge'] as const) {
    if (key in obj) {
      const v = obj[key];
      if (typeof v !== 'string' || !DURATION.test(v)) throw new ConfigError(file, key, `must be a duration such as "5s" or "500ms"`);
      // The value the fixes write: PostgreSQL rounds '500us' to 0, which is no timeout at all.
      if ((key === 'lockTimeout' || key === 'statementTimeout') && !gucDuration(v))
        throw new ConfigError(file, key, 'must be between 1ms and 24 days: PostgreSQL rounds a smaller value to 0 (no timeout)');
      out[key] = v;
    }
  }
  for (const key of ['include', 'exclude'] as const) {
    if (key in obj) {
      const v = obj[key];
      if (!Array.isArray(v) || v.some((g) => typeof g !== 'string')) throw new ConfigError(file, key, 'must be an array of glob strings');
      out[key] = v as string[];
    }
  }
  if ('runner' in obj) {
    const v = obj.runner;
    if (typeof v !== 'string' || (v !== 'auto' && !(RUNNER_IDS as readonly string[]).includes(v))) {
      throw new ConfigError(file, 'runner', `must be "auto" or one of ${RUNNER_IDS.join(', ')}`);
    }
    out.runner = v as LockwiseConfig['runner'];
  }
  if ('downMigrations' in obj) {
    const v = obj.downMigrations;
    if (typeof v !== 'string' || !DOWN_MODES.includes(v as DownMigrations)) throw new ConfigError(file, 'downMigrations', 'must be "off", "syntax" or "full"');
    out.downMigrations = v as DownMigrations;
  }
  if ('runnerSettings' in obj) out.runnerSettings = validateRunnerSettings(obj.runnerSettings, file);
  if ('smallTable' in obj) out.smallTable = validateSmallTable(obj.smallTable, file);
  if ('baseline' in obj) out.baseline = validateBaseline(obj.baseline, file);
  if ('timeZone' in obj) {
    const v = obj.timeZone;
    // A zone name (Europe/Berlin), an abbreviation or a POSIX offset: printable, no quotes.
    if (typeof v !== 'string' || !/^[A-Za-z0-9_/+:.-]{1,64}$/.test(v))
      throw new ConfigError(file, 'timeZone', 'must be a time zone such as "UTC" or "Europe/Berlin"');
    out.timeZone = v;
  }
  if ('rules' in obj) out.rules = validateRules(obj.rules, file, knownRules);
  return out;
}

function validateRules(rules: unknown, file: string, knownRules: Set<string>): Record<string, RuleSetting> {
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules))
    throw new ConfigError(file, 'rules', 'must be an object of rule id to "off", "info", "warning" or "error"');
  const out: Record<string, RuleSetting> = {};
  for (const [id, setting] of Object.entries(rules as Record<string, unknown>)) {
    if (!knownRules.has(id)) throw new ConfigError(file, `rules.${id}`, 'unknown rule id (see `lockwise rules`)');
    if (typeof setting !== 'string' || !SEVERITIES.includes(setting as RuleSetting)) {
      throw new ConfigError(file, `rules.${id}`, 'must be "off", "info", "warning" or "error"');
    }
    out[id] = setting as RuleSetting;
  }
  return out;
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, bytes: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** `{"rows": 10000, "bytes": "10MB"}`: either limit may be left out (its default applies). */
function validateSmallTable(raw: unknown, file: string): SmallTable {
  const bad = (key?: string, why = 'must be an object such as {"rows": 10000, "bytes": "10MB"}') =>
    new ConfigError(file, key ? `smallTable.${key}` : 'smallTable', why);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad();
  const out = { ...DEFAULT_CONFIG.smallTable };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (key === 'rows') {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw bad(key, 'must be a whole number of rows');
      out.rows = value;
    } else if (key === 'bytes') {
      const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value) : null;
      const bytes = typeof value === 'number' ? value : m && BYTE_UNITS[m[2].toLowerCase()] ? Number(m[1]) * BYTE_UNITS[m[2].toLowerCase()] : NaN;
      if (!(bytes >= 0)) throw bad(key, 'must be a number of bytes or a size such as "10MB" (kB, MB, GB, TB: powers of 1024)');
      out.bytes = Math.round(bytes);
    } else throw bad(key, 'unknown key (expected rows, bytes)');
  }
  return out;
}

function validateBaseline(raw: unknown, file: string): BaselineSpec {
  const spec = parseBaseline(raw);
  if (typeof spec === 'string') throw new ConfigError(file, 'baseline', spec);
  return spec;
}

/** Only the settings Lockwise tracks, with PostgreSQL duration values. */
function validateRunnerSettings(raw: unknown, file: string): Record<string, string> {
  const bad = () => new ConfigError(file, 'runnerSettings', 'must be an object such as {"lock_timeout": "5s", "statement_timeout": "30s"}');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad();
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name !== 'lock_timeout' && name !== 'statement_timeout')
      throw new ConfigError(file, `runnerSettings.${name}`, 'only lock_timeout and statement_timeout are tracked');
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !DURATION.test(text)) throw new ConfigError(file, `runnerSettings.${name}`, 'must be a duration such as "5s" or "500ms"');
    out[name] = text;
  }
  return out;
}

/** Finds the nearest `.lockwise.json` from `dir` upwards. */
export function findConfigFile(dir: string): string | undefined {
  let current = path.resolve(dir);
  for (;;) {
    const candidate = path.join(current, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

export function readConfigFile(file: string, knownRules: Set<string>): Partial<LockwiseConfig> {
  return parseConfigText(readConfigText(file), file, knownRules);
}

/** A config file's text; a ConfigError naming the file when it cannot be read. */
export function readConfigText(file: string): string {
  let text: string;
  try {
    // A FIFO named .lockwise.json would block the read (and the CLI or the server) forever.
    if (!fs.statSync(file).isFile()) throw new ConfigError(file, undefined, 'cannot be read (not a regular file)');
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return text;
}

export function parseConfigText(text: string, file: string, knownRules: Set<string>): Partial<LockwiseConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ConfigError(file, undefined, `is not valid JSON (${(error as Error).message})`);
  }
  return validateConfig(raw, file, knownRules);
}

/** Later layers win: defaults < settings < file < flags. */
export function mergeConfig(...layers: Partial<LockwiseConfig>[]): LockwiseConfig {
  const out: LockwiseConfig = { ...DEFAULT_CONFIG, rules: {}, runnerSettings: {}, smallTable: { ...DEFAULT_CONFIG.smallTable } };
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      if (key === 'rules') out.rules = { ...out.rules, ...(value as Record<string, RuleSetting>) };
      else if (key === 'runnerSettings') out.runnerSettings = { ...out.runnerSettings, ...(value as Record<string, string>) };
      else (out as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}
