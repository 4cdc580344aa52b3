/**
 * The `lockwise.*` editor settings. They are validated key by key with the same validator as
 * `.lockwise.json`, so a bad value drops only that key (and is reported) instead of the whole
 * configuration or the server.
 */
import type { CodeLensMode } from './codeLens';
import { ConfigError, LockwiseConfig, RULES_BY_ID, validateConfig } from '../core';

export const DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024;

export interface ServerSettings {
  /** The layer merged under `.lockwise.json`. */
  core: Partial<LockwiseConfig>;
  codeLens: CodeLensMode;
  /** Bytes (UTF-16 length is used as the estimate); larger files are skipped. */
  maxFileSize: number;
  /** Messages about invalid values, shown once. */
  errors: string[];
}

const LENS_MODES: CodeLensMode[] = ['findings', 'strong-locks', 'off'];

export const DEFAULT_SETTINGS: ServerSettings = { core: {}, codeLens: 'findings', maxFileSize: DEFAULT_MAX_FILE_SIZE, errors: [] };

const CORE_KEYS = [
  'pgVersion',
  'assumeInTransaction',
  'rules',
  'lockTimeout',
  'maxLockTimeout',
  'include',
  'exclude',
  'runner',
  'downMigrations',
  'runnerSettings',
  'baseline',
  'timeZone',
] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the `lockwise` settings section (VS Code nests dotted keys: `codeLens.enable` → `{ codeLens: { enable } }`). */
export function parseSettings(raw: unknown): ServerSettings {
  if (!isRecord(raw)) return { ...DEFAULT_SETTINGS, errors: [] };
  const known = new Set(RULES_BY_ID.keys());
  const core: Partial<LockwiseConfig> = {};
  const errors: string[] = [];
  for (const key of CORE_KEYS) {
    const value = raw[key];
    // Unset settings arrive as null or undefined, an unset string-typed one as '' (VS Code's default
    // for `lockwise.baseline`); an empty rules object means "no overrides".
    if (value === undefined || value === null || value === '') continue;
    try {
      Object.assign(core, validateConfig({ [key]: value }, 'Settings', known));
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      errors.push(`${error.message.replace(/^Settings: "([^"]+)"/, 'Setting "lockwise.$1"')}`);
      // One unknown rule id must not discard the valid ones next to it.
      if (key === 'rules' && isRecord(value)) {
        const rules: LockwiseConfig['rules'] = {};
        for (const [id, setting] of Object.entries(value)) {
          try {
            Object.assign(rules, validateConfig({ rules: { [id]: setting } }, 'Settings', known).rules);
          } catch {
            // Already reported above.
          }
        }
        core.rules = rules;
      }
    }
  }
  const lens = isRecord(raw.codeLens) ? raw.codeLens : {};
  const shown = LENS_MODES.find((m) => m === lens.show) ?? 'findings';
  if (lens.show !== undefined && lens.show !== null && shown !== lens.show)
    errors.push('Setting "lockwise.codeLens.show" must be "findings", "strong-locks" or "off"');
  // The older on/off switch still turns them off.
  const codeLens: CodeLensMode = lens.enable === false ? 'off' : shown;
  let maxFileSize = DEFAULT_MAX_FILE_SIZE;
  if (typeof raw.maxFileSize === 'number' && Number.isFinite(raw.maxFileSize) && raw.maxFileSize > 0) maxFileSize = raw.maxFileSize;
  else if (raw.maxFileSize !== undefined && raw.maxFileSize !== null) errors.push('Setting "lockwise.maxFileSize" must be a positive number of bytes');
  return { core, codeLens, maxFileSize, errors };
}
