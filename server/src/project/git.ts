/**
 * The git command line, read for the deploy baseline: the commit a ref names and the files it
 * holds under a folder. Every call is bounded (timeout, output size) and never throws: a missing
 * git, a folder outside a repository, an unknown ref or a timeout come back as a problem to show.
 */
import { execFile, ExecFileException } from 'child_process';

export const GIT_TIMEOUT_MS = 5000;
const MAX_OUTPUT = 64 * 1024 * 1024;

export type GitAnswer<T> = { ok: true; value: T } | { ok: false; problem: string; exitCode?: number };

/** Runs `git -C dir ...args`; the problem says what went wrong in words. */
function git(dir: string, args: string[], timeoutMs: number): Promise<GitAnswer<string>> {
  // core.fsmonitor names a program git would start: a repository's config must not choose one for us.
  const argv = ['-C', dir, '-c', 'core.fsmonitor=false', ...args];
  const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
  return new Promise((resolve) => {
    execFile('git', argv, { timeout: timeoutMs, maxBuffer: MAX_OUTPUT, env, windowsHide: true }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, value: stdout });
      const exitCode = typeof error.code === 'number' ? error.code : undefined;
      resolve({ ok: false, problem: problemOf(error, String(stderr), timeoutMs), exitCode });
    });
  });
}

function problemOf(error: ExecFileException, stderr: string, timeoutMs: number): string {
  if (error.code === 'ENOENT') return 'git is not installed (or not on PATH)';
  if (error.killed) return `git did not answer within ${timeoutMs / 1000} s`;
  if (error.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') return 'git printed more than 64 MB';
  if (/not a git repository/i.test(stderr)) return 'the folder is not in a git repository';
  const line = stderr.split('\n').find((l) => l.trim()) ?? `git exited with code ${String(error.code)}`;
  return line.replace(/^(fatal|error): /, '').slice(0, 200);
}

/** The commit `ref` names, seen from `dir`. */
export async function commitOf(dir: string, ref: string, timeoutMs = GIT_TIMEOUT_MS): Promise<GitAnswer<string>> {
  // `--verify --quiet`: an unknown ref exits 1 with nothing on stderr. Refs starting with '-' are refused by the config.
  const answer = await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], timeoutMs);
  if (!answer.ok) return answer.exitCode === 1 ? { ok: false, problem: `git does not know the ref "${ref}"` } : answer;
  const sha = answer.value.trim();
  return /^[0-9a-f]{40,64}$/.test(sha) ? { ok: true, value: sha } : { ok: false, problem: `git does not know the ref "${ref}"` };
}

/** The files of `commit` under `dir`, as paths relative to `dir` with `/` separators. */
export async function filesAt(dir: string, commit: string, timeoutMs = GIT_TIMEOUT_MS): Promise<GitAnswer<Set<string>>> {
  // Run in `dir`, ls-tree lists only that folder, relative to it; -z: names unquoted.
  const answer = await git(dir, ['ls-tree', '-r', '--name-only', '-z', commit], timeoutMs);
  if (!answer.ok) return answer;
  return { ok: true, value: new Set(answer.value.split('\0').filter(Boolean)) };
}
