/**
 * Lockwise as a user runs it on a migration project: the bundled CLI (dist/cli.js, built by
 * `npm run build`) on a throw-away copy of the project, so that `--fix` never touches the repo.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** LOCKWISE_CLI: another build of the CLI (to measure an older Lockwise on the same projects). */
const CLI = process.env.LOCKWISE_CLI ?? resolve(__dirname, '../../../dist/cli.js');

export interface Finding {
  rule: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  line: number;
  fixWithheld?: string;
}

/** A copy of `dir` in a new temp folder (named after `label`). */
export function copyProject(dir: string, label: string): string {
  const to = join(mkdtempSync(join(tmpdir(), `lockwise-${label.replace(/[^\w-]/g, '_')}-`)), 'project');
  cpSync(dir, to, { recursive: true });
  return to;
}

function cli(args: string[], cwd: string): string {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    maxBuffer: 64 << 20,
    timeout: 600_000,
  });
  // Exit 1 means "findings at error level": expected for these projects; 2 is a usage or I/O error.
  if (r.status !== 0 && r.status !== 1) throw new Error(`lockwise ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** Findings per file (paths relative to `dir`, forward slashes). */
export function lint(dir: string): Map<string, Finding[]> {
  const data = JSON.parse(cli(['lint', '--format', 'json', '.'], dir)) as { files: { path: string; findings: Finding[] }[] };
  return new Map(data.files.map((f) => [f.path.replace(/\\/g, '/').replace(/^\.\//, ''), f.findings]));
}

/** `lockwise lint --fix` on every SQL file of `dir`, in place. */
export function fix(dir: string): void {
  cli(['lint', '--fix', '.'], dir);
}

/** Relative paths of the files that differ between two trees, or exist in one only. */
export function changedFiles(before: string, after: string): string[] {
  const list = (root: string): Map<string, string> => {
    const out = new Map<string, string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full);
        else out.set(relative(root, full).replace(/\\/g, '/'), readFileSync(full, 'utf8'));
      }
    };
    walk(root);
    return out;
  };
  const a = list(before);
  const b = list(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}
