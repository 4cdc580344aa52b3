/**
 * The one config resolver of the CLI and the language server: defaults < editor settings <
 * `.lockwise.json` (`--config`, else the nearest one) < CLI flags. Loaded files are cached with
 * their validation error until `clear()`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CONFIG_FILE_NAME, ConfigError, findConfigFile, LockwiseConfig, mergeConfig, readConfigFile, RULES_BY_ID } from '../core';

export interface ConfigLayers {
  /** An explicit config file (CLI --config) replaces the nearest-file lookup. */
  configFile?: string;
  flags?: Partial<LockwiseConfig>;
  /** Files do not change while the resolver lives (one CLI run): look each folder up once. */
  stableFiles?: boolean;
}

export interface LoadedConfig {
  file: string;
  config?: Partial<LockwiseConfig>;
  /** The file is invalid: the editor checks with the settings alone, the CLI stops. */
  error?: ConfigError;
}

export interface ResolvedConfig {
  config: LockwiseConfig;
  /** The config file that applies, if any. */
  source?: string;
  error?: ConfigError;
}

export class ConfigResolver {
  private readonly loaded = new Map<string, { config: Partial<LockwiseConfig> } | { error: ConfigError }>();
  /** With `stableFiles`: folder → nearest config file, and config file → merged config. */
  private readonly nearest = new Map<string, string | undefined>();
  private readonly merged = new Map<string | undefined, ResolvedConfig>();

  constructor(private readonly layers: ConfigLayers = {}) {}

  /** The config file that applies to `file`. */
  sourceFor(file: string): string | undefined {
    if (this.layers.configFile !== undefined) return this.layers.configFile;
    const dir = path.dirname(path.resolve(file));
    return this.layers.stableFiles ? this.nearestFrom(dir) : findConfigFile(dir);
  }

  /**
   * `findConfigFile(dir)` with each folder on the way looked up once for the run: the folders of a
   * project share their parents (a corpus run asked ~5,500 times whether a parent held one).
   */
  private nearestFrom(dir: string): string | undefined {
    if (this.nearest.has(dir)) return this.nearest.get(dir);
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    const parent = path.dirname(dir);
    const found = fs.existsSync(candidate) ? candidate : parent === dir ? undefined : this.nearestFrom(parent);
    this.nearest.set(dir, found);
    return found;
  }

  /** Loads and validates one config file (cached until `clear()`). */
  load(file: string): LoadedConfig {
    let loaded = this.loaded.get(file);
    if (!loaded) {
      try {
        loaded = { config: readConfigFile(file, new Set(RULES_BY_ID.keys())) };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        loaded = { error };
      }
      this.loaded.set(file, loaded);
    }
    return 'error' in loaded ? { file, error: loaded.error } : { file, config: loaded.config };
  }

  /** A file's config over `settings` (the editor's); an invalid config file is left out and its error returned. */
  resolve(file: string, settings: Partial<LockwiseConfig> = {}): ResolvedConfig {
    const source = this.sourceFor(file);
    const memo = this.layers.stableFiles ? this.merged.get(source) : undefined;
    if (memo) return memo;
    const found = source ? this.load(source) : undefined;
    const resolved = { config: mergeConfig(settings, found?.config ?? {}, this.layers.flags ?? {}), source, error: found?.error };
    if (this.layers.stableFiles) this.merged.set(source, resolved);
    return resolved;
  }

  /** The CLI's view: throws the ConfigError of an invalid file. */
  forFile(file: string): { config: LockwiseConfig; source?: string } {
    const { config, source, error } = this.resolve(file);
    if (error) throw error;
    return { config, source };
  }

  /** Every config file loaded so far with its error, for diagnostics on the config files themselves. */
  states(): { file: string; error?: ConfigError }[] {
    return [...this.loaded.entries()].map(([file, state]) => ({ file, error: 'error' in state ? state.error : undefined }));
  }

  clear(): void {
    this.loaded.clear();
    this.nearest.clear();
    this.merged.clear();
  }
}
