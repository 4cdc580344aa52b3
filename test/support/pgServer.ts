/**
 * A throw-away PostgreSQL server for tests: Debian's `postgresql` binaries, a fresh cluster in a temp
 * folder, listening on loopback only, stopped and deleted by `stop()`. Suites that need a real server
 * call `requirePgServer(this)` in `before`: it skips them with one clear line when no server binaries
 * are installed, unless `LOCKWISE_REQUIRE_PG=1` (set by .ci/run), where a missing server fails.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export interface PgServer {
  readonly host: string;
  readonly port: number;
  readonly version: number;
  /** `postgres://postgres@127.0.0.1:<port>/<db>` (trust auth on loopback). */
  url(database?: string): string;
  /** A connected client; the caller ends it. */
  connect(database?: string): Promise<Client>;
  /** Creates an empty database and returns its name. */
  createDatabase(prefix?: string): Promise<string>;
  stop(): Promise<void>;
}

/** The newest installed server's bin folder: `$PG_BIN`, Debian's /usr/lib/postgresql/N/bin, or PATH. */
export function findPgBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => existsSync(join(debian, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(debian, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  }
  return undefined;
}

const REQUIRED = process.env.LOCKWISE_REQUIRE_PG === '1';
let shared: Promise<PgServer> | undefined;

/**
 * For mocha `before` hooks: the shared server of this test run, started on first use and stopped at
 * exit; skips the suite (or fails under LOCKWISE_REQUIRE_PG=1) when PostgreSQL is not installed.
 */
export async function requirePgServer(ctx: Mocha.Context): Promise<PgServer> {
  if (!findPgBin()) {
    const why = 'PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)';
    if (REQUIRED) throw new Error(`${why}; LOCKWISE_REQUIRE_PG=1 requires them`);
    console.log(`      skipped: ${why}`);
    ctx.skip();
  }
  ctx.timeout(120_000);
  shared ??= startPgServer();
  return shared;
}

/** Stops the shared server (registered for process exit; tests may call it earlier). */
export async function stopSharedPgServer(): Promise<void> {
  const server = shared;
  shared = undefined;
  if (server) await (await server).stop();
}

/** Starts a new cluster. Runs the server as `postgres` when we are root (PostgreSQL refuses root). */
export async function startPgServer(): Promise<PgServer> {
  const bin = findPgBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found');
  const dir = mkdtempSync(join(tmpdir(), 'lockwise-pg-'));
  const data = join(dir, 'data');
  const user = serverUser();
  if (user) {
    chmodSync(dir, 0o755);
    chownSync(dir, user.uid, user.gid);
  }
  const run = (cmd: string, args: string[]): string => execFileSync(join(bin, cmd), args, { encoding: 'utf8', stdio: 'pipe', ...user });
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${dir}`,
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=50',
  ];
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, { stdio: ['ignore', 'ignore', 'pipe'], ...user });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const cleanup = (): void => {
    // SIGINT is PostgreSQL's "fast" shutdown: roll back open transactions, exit at once.
    if (child.exitCode === null) child.kill('SIGINT');
  };
  process.once('exit', () => {
    cleanup();
    rmSync(dir, { recursive: true, force: true });
  });
  const host = '127.0.0.1';
  const url = (database = 'postgres'): string => `postgres://postgres@${host}:${port}/${database}`;
  await waitReady(url(), child, () => log);
  const probe = new Client({ connectionString: url() });
  await probe.connect();
  const version = Number((await probe.query('SHOW server_version_num')).rows[0].server_version_num) / 10000;
  await probe.end();
  let dbCount = 0;
  return {
    host,
    port,
    version: Math.floor(version),
    url,
    async connect(database) {
      const client = new Client({ connectionString: url(database) });
      await client.connect();
      return client;
    },
    async createDatabase(prefix = 'db') {
      const name = `${prefix}_${process.pid}_${++dbCount}`.replace(/[^a-z0-9_]/gi, '_').toLowerCase();
      const admin = new Client({ connectionString: url() });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      return name;
    },
    async stop() {
      cleanup();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` user (Debian's package makes it). */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited at start:\n${log()}`);
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`PostgreSQL did not start in 60 s: ${String(err)}\n${log()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
