/** Resolves the configuration for a file: defaults < editor settings < nearest .lockwise.json < CLI flags. */
import * as path from 'path';
import { ConfigError, findConfigFile, LockwiseConfig, mergeConfig, readConfigFile, RULES_BY_ID } from '../core';

const knownRules = () => new Set(RULES_BY_ID.keys());

export interface ConfigLayers {
  settings?: Partial<LockwiseConfig>;
  /** An explicit config file (CLI --config) replaces the nearest-file lookup. */
  configFile?: string;
  flags?: Partial<LockwiseConfig>;
}

export class ConfigResolver {
  private readonly cache = new Map<string, Partial<LockwiseConfig>>();

  constructor(private readonly layers: ConfigLayers = {}) {}

  /** Throws ConfigError for an invalid file. */
  forFile(file: string): { config: LockwiseConfig; source?: string } {
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
  }
}

export { ConfigError };
