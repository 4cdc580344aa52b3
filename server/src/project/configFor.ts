/** Resolves the configuration for a file: defaults < editor settings < nearest .lockwise.json < CLI flags. */
import * as path from 'path';
import { ConfigError, findConfigFile, LockwiseConfig, mergeConfig, readConfigFile, RULES_BY_ID } from '../core';

const knownRules = () => new Set(RULES_BY_ID.keys());

export interface ConfigLayers {
  settings?: Partial<LockwiseConfig>;
  /** An explicit config file (CLI --config) replaces the nearest-file lookup. */
  configFile?: string;
  flags?: Partial<LockwiseConfig>;
  /** Files do not change while the resolver lives (one CLI run): look each folder up once. */
  stableFiles?: boolean;
}

export class ConfigResolver {
  private readonly cache = new Map<string, Partial<LockwiseConfig>>();
  /** With `stableFiles`: folder → nearest config file, and config file → merged config. */
  private readonly nearest = new Map<string, string | undefined>();
  private readonly merged = new Map<string | undefined, LockwiseConfig>();

  constructor(private readonly layers: ConfigLayers = {}) {}

  /** Throws ConfigError for an invalid file. */
  forFile(file: string): { config: LockwiseConfig; source?: string } {
    if (this.layers.stableFiles) {
      const dir = path.dirname(path.resolve(file));
      let source = this.layers.configFile;
      if (source === undefined) {
        if (!this.nearest.has(dir)) this.nearest.set(dir, findConfigFile(dir));
        source = this.nearest.get(dir);
      }
      let config = this.merged.get(source);
      if (!config) {
        config = mergeConfig(this.layers.settings ?? {}, source ? this.load(source) : {}, this.layers.flags ?? {});
        this.merged.set(source, config);
      }
      return { config, source };
    }
    const source = this.layers.configFile ?? findConfigFile(path.dirname(path.resolve(file)));
    const fromFile = source ? this.load(source) : {};
    return { config: mergeConfig(this.layers.settings ?? {}, fromFile, this.layers.flags ?? {}), source };
  }

  private load(file: string): Partial<LockwiseConfig> {
    let cached = this.cache.get(file);
    if (!cached) {
      cached = readConfigFile(file, knownRules());
      this.cache.set(file, cached);
    }
    return cached;
  }

  clear(): void {
    this.cache.clear();
    this.nearest.clear();
    this.merged.clear();
  }
}

export { ConfigError };
