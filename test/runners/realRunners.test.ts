/**
 * What Lockwise predicts about a runner, checked with the runner itself: each project under
 * test/runners/projects/<runner>/<case>/ is laid out as the runner expects and applied by the real
 * runner (scripts/runners/install.sh) to a fresh database of a real PostgreSQL server, unfixed and
 * after `lockwise lint --fix`. expected.json beside each project says what the unfixed project does:
 * - `"original": "fails"`: the runner fails with `error`, and Lockwise reports an error on
 *   `predicted` (file, line) before anyone deploys; the fixed copy applies and creates `intended`;
 * - `"original": "applies"`: the fixed copy applies too, with the same schema; with `fixChanges`,
 *   --fix must change something (so the comparison proves a fix, not an unchanged copy).
 * `fixWithheld`: part of the reason Lockwise gives for offering no fix (the runner forbids editing
 * the file): --fix leaves the project as it is, and a project that fails keeps failing.
 * `knownIssue` names a Lockwise bug that makes the fixed copy fail under the runner: the test prints
 * it and is pending while the bug is there, and fails once the copy applies (remove the field then).
 */
import * as assert from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requirePgServer, type PgServer } from '../support/pgServer';
import { pgSchema, schemaDiff, type PgSchema } from '../support/pgSchema';
import { applyWithRunner, REAL_RUNNERS, requireRunner, type RealRunnerId } from '../support/realRunners';
import { changedFiles, copyProject, fix, lint } from './lockwise';

const PROJECTS = resolve(__dirname, '../../../test/runners/projects');

interface Expected {
  original: 'applies' | 'fails';
  error?: string;
  predicted?: { file: string; line: number };
  intended?: { indexes: string[] };
  fixChanges?: boolean;
  fixWithheld?: string;
  knownIssue?: string;
}

async function schemaOf(server: PgServer, database: string): Promise<PgSchema> {
  const client = await server.connect(database);
  try {
    return await pgSchema(client);
  } finally {
    await client.end();
  }
}

function projectsOf(runner: RealRunnerId): string[] {
  const dir = join(PROJECTS, runner);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((p) => existsSync(join(dir, p, 'expected.json')))
        .sort()
    : [];
}

function describeProject(runner: RealRunnerId, name: string, server: () => PgServer): void {
  const source = join(PROJECTS, runner, name);
  const expected = JSON.parse(readFileSync(join(source, 'expected.json'), 'utf8')) as Expected;

  describe(name, function () {
    let original: string;
    let fixed: string;
    let originalRun: { ok: boolean; output: string };
    let originalDb: string;

    before(async function () {
      original = copyProject(source, `${runner}-${name}-original`);
      fixed = copyProject(source, `${runner}-${name}-fixed`);
      fix(fixed);
      originalDb = await server().createDatabase(`orig_${runner}`);
      originalRun = await applyWithRunner(runner, original, server(), originalDb);
    });

    if (expected.original === 'fails') {
      it(`the unfixed project fails under ${runner} with PostgreSQL's error`, () => {
        assert.ok(!originalRun.ok, `expected ${runner} to fail; it applied:\n${originalRun.output}`);
        assert.ok(originalRun.output.includes(expected.error ?? ''), originalRun.output);
      });

      it('Lockwise reports an error on the statement that fails', () => {
        const { file, line } = expected.predicted ?? { file: '', line: 0 };
        const findings = lint(original).get(file) ?? [];
        const hit = findings.filter((f) => f.line === line && f.severity === 'error');
        assert.ok(hit.length > 0, `no error at ${file}:${line}; findings: ${JSON.stringify(findings, null, 1)}`);
      });
    } else {
      it(`the unfixed project applies under ${runner}`, () => {
        assert.ok(originalRun.ok, originalRun.output);
      });

      if (expected.fixChanges) {
        it('lockwise lint --fix changes the project', () => {
          assert.notDeepStrictEqual(changedFiles(original, fixed), []);
        });
      }
    }

    if (expected.fixWithheld) {
      it('--fix leaves the files the runner checks as they are, and says why', () => {
        assert.deepStrictEqual(changedFiles(original, fixed), []);
        const reasons = [...lint(original).values()].flat().map((f) => f.fixWithheld ?? '');
        assert.ok(
          reasons.some((r) => r.includes(expected.fixWithheld!)),
          `no finding says "${expected.fixWithheld}": ${JSON.stringify(reasons)}`,
        );
      });
      if (expected.original === 'fails') return;
    }

    it(`the --fix'ed project applies under ${runner}`, async function () {
      const db = await server().createDatabase(`fixed_${runner}`);
      const run = await applyWithRunner(runner, fixed, server(), db);
      const diff = changedFiles(original, fixed).join(', ') || 'none';
      if (expected.knownIssue) {
        assert.ok(!run.ok, `known issue fixed, remove knownIssue from ${runner}/${name}/expected.json`);
        console.log(`      KNOWN ISSUE (${runner}/${name}): ${expected.knownIssue}`);
        this.skip();
      }
      assert.ok(run.ok, `${runner} failed on the fixed project (files changed by --fix: ${diff}):\n${run.output}`);
      const schema = await schemaOf(server(), db);
      if (originalRun.ok) {
        const delta = schemaDiff(await schemaOf(server(), originalDb), schema);
        assert.deepStrictEqual(delta, [], 'the fixed project leaves another schema than the original');
      }
      for (const index of expected.intended?.indexes ?? []) {
        const row = schema.indexes.map((r) => JSON.parse(r) as { index: string; valid: boolean }).find((r) => r.index === index);
        assert.ok(row?.valid, `index ${index} missing or invalid after the fixed project: ${JSON.stringify(row)}`);
      }
    });
  });
}

describe('real runners: Lockwise predictions and --fix against the runner itself', function () {
  this.timeout(120_000);
  let server: PgServer;

  before(async function () {
    server = await requirePgServer(this);
  });

  for (const runner of REAL_RUNNERS) {
    describe(runner, function () {
      before(function () {
        requireRunner(this, runner);
      });
      for (const name of projectsOf(runner)) describeProject(runner, name, () => server);
    });
  }
});
