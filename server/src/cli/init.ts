/** `lockwise init [dir]`: writes a .lockwise.json for the project from what its files show, then says what to run next. */
import * as fs from 'fs';
import * as path from 'path';
import type { RunnerId } from '../core';
import { terminalLines } from '../core';
import { UsageError } from '../project/files';
import { SQL_GLOB } from '../project/constants';
import { detectPgVersion, findMigrationFolders, MigrationFolder } from '../project/setup';
import { Options } from './args';
import { writeReport } from '../project/output';

interface InitConfig {
  pgVersion?: number;
  runner?: RunnerId;
  include?: string[];
}

/** One runner for every folder, when each was detected from real evidence without a rival. */
function sharedRunner(folders: MigrationFolder[]): RunnerId | undefined {
  const ids = new Set(folders.map((f) => f.runner.id));
  const sure = folders.every((f) => f.runner.source !== 'default' && !f.runner.alternatives?.length);
  return ids.size === 1 && sure ? [...ids][0] : undefined;
}

export function init(opts: Options): number {
  if (opts.paths.length > 1) throw new UsageError('init takes one folder (default: the current one)');
  const root = path.resolve(opts.paths[0] ?? '.');
  const file = path.join(root, '.lockwise.json');
  if (fs.existsSync(file)) throw new UsageError(`${file} already exists: edit it, or delete it and run lockwise init again`);
  const version = detectPgVersion(root);
  const folders = findMigrationFolders(root);
  const config: InitConfig = { pgVersion: version?.pgVersion, runner: sharedRunner(folders) };
  if (folders.length) config.include = folders.map((f) => (f.dir === '.' ? SQL_GLOB : `${f.dir}/${SQL_GLOB}`));
  fs.writeFileSync(file, JSON.stringify(config, null, 2) + '\n');

  const out = [`Wrote ${path.relative(process.cwd(), file) || file}:`];
  out.push(
    version
      ? `  pgVersion ${version.pgVersion} (from ${version.evidence})`
      : '  pgVersion: not found in a compose file or .tool-versions; the default, 15, applies: set it to your oldest server',
  );
  if (!folders.length) out.push('  no migration folder found: every .sql file under it is checked');
  for (const f of folders) out.push(`  migrations in ${f.dir}: runner ${f.runner.id} (${f.runner.reason})`);
  if (folders.length && !config.runner) out.push('  runner: left to detection per file (the folders differ, or the evidence is not conclusive)');
  const targets = folders.length ? folders.map((f) => f.dir).join(' ') : '.';
  out.push('Next:', `  npx lockwise lint ${targets}`, `  npx lockwise audit ${targets}`);
  // Folder names come from the disk.
  writeReport(terminalLines(out.join('\n') + '\n'));
  return 0;
}
