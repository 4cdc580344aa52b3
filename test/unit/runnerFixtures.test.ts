/**
 * Fixture projects per runner: test/fixtures/runners/<id>/ is laid out exactly as that runner
 * expects, with expected.json beside it: { "runner": id, "files": { "<path>": { "units", "findings" } } }.
 * Every SQL file of the project is checked: the detected runner, how each unit runs
 * (`part:mode`), the findings (`line:rule`) with the schema history of the earlier files, and
 * what `--fix` does (`fix`: rules fixed, the fixed text, the files it creates). Every fixed file
 * and every created migration must run under the runner: no finding that says it cannot.
 * `UPDATE_FIXTURES=1` rewrites expected.json from the current output (review the diff).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, AnalyzeOptions, DEFAULT_CONFIG, fixAll, initParser } from '../../server/src/core';
import { RUNNERS } from '../../server/src/core/runners/registry';
import { HistoryProvider } from '../../server/src/project/history';
import { RunnerDetector } from '../../server/src/project/runners';
import { RUNNER_FIXTURES, sqlFiles } from '../support/runnerProjects';

const UPDATE = process.env.UPDATE_FIXTURES === '1';

interface ExpectedFile {
  units: string[];
  findings: string[];
  fix?: { rules: string[]; text: string; files: Record<string, string> };
}

/** Findings that mean the runner cannot apply the file. */
const CANNOT_RUN = new Set(['ban-concurrent-index-creation-in-transaction', 'cannot-run-in-transaction', 'syntax-error']);

interface Expected {
  runner: string;
  files: Record<string, ExpectedFile>;
}

/** What Lockwise says about every SQL file of a fixture project, as the CLI computes it. */
export function observe(project: string): Expected {
  const detector = new RunnerDetector();
  const history = new HistoryProvider(undefined, (f, t) => detector.forFile(f, t, DEFAULT_CONFIG));
  const files: Record<string, ExpectedFile> = {};
  const ids = new Set<string>();
  for (const file of sqlFiles(project)) {
    const text = fs.readFileSync(file, 'utf8');
    const runner = detector.forFile(file, text, DEFAULT_CONFIG);
    ids.add(runner.id);
    const analysis = analyze(text, { config: DEFAULT_CONFIG, history: history.catalogBefore(file), runner });
    assert.deepStrictEqual(analysis.internalErrors, []);
    const entry: ExpectedFile = {
      units: (analysis.timeline.units ?? []).map((u) => `${u.part}:${u.mode}`),
      findings: analysis.findings.map((f) => `${analysis.lines.positionAt(f.span.start).line + 1}:${f.rule}`),
    };
    const options: AnalyzeOptions = { config: DEFAULT_CONFIG, history: history.catalogBefore(file), runner };
    const fixed = fixAll(text, options);
    if (fixed.text !== text || fixed.files.length) {
      const created: Record<string, string> = {};
      for (const f of fixed.files) created[rel(project, path.resolve(path.dirname(file), f.path))] = f.text;
      entry.fix = { rules: fixed.fixed, text: fixed.text, files: created };
      assertRunnable(project, file, fixed.text, fixed.files, options);
    }
    files[rel(project, file)] = entry;
  }
  return { runner: [...ids].join(','), files };
}

function rel(project: string, file: string): string {
  return path.relative(project, file).split(path.sep).join('/');
}

/** The fixed file and the files its fixes create run under the runner: nothing left that it cannot apply. */
function assertRunnable(project: string, file: string, text: string, created: { path: string; text: string }[], options: AnalyzeOptions): void {
  const runner = options.runner!;
  const companionPath = created.find((f) => path.resolve(path.dirname(file), f.path) === path.resolve(runnerProfileCompanion(runner.id, file) ?? ''));
  const after = analyze(text, { ...options, runner: { ...runner, companion: companionPath?.text ?? runner.companion } });
  const left = after.findings.filter((f) => f.severity === 'error' && CANNOT_RUN.has(f.rule) && after.statements[f.statement].part === 'up');
  assert.deepStrictEqual(
    left.map((f) => f.message),
    [],
    `${rel(project, file)} still cannot run after --fix`,
  );
  for (const f of created) {
    const abs = path.resolve(path.dirname(file), f.path);
    if (!/\.sql$/.test(abs)) continue;
    const companion = created.find((g) => path.resolve(path.dirname(file), g.path) === runnerProfileCompanion(runner.id, abs))?.text;
    const own = analyze(f.text, { config: DEFAULT_CONFIG, runner: { ...runner, fileName: abs, companion } });
    const bad = own.findings.filter((x) => x.severity === 'error' && CANNOT_RUN.has(x.rule));
    assert.deepStrictEqual(
      bad.map((x) => x.message),
      [],
      `${rel(project, abs)} (created by --fix) cannot run`,
    );
  }
}

function runnerProfileCompanion(id: string, file: string): string | undefined {
  return RUNNERS.find((r) => r.id === id)?.companion?.(file);
}

describe('runner fixture projects', () => {
  before(async () => {
    await initParser();
  });

  it('has one fixture project per runner', () => {
    const dirs = fs
      .readdirSync(RUNNER_FIXTURES)
      .filter((d) => fs.statSync(path.join(RUNNER_FIXTURES, d)).isDirectory())
      .sort();
    assert.deepStrictEqual(dirs, RUNNERS.map((r) => r.id).sort());
  });

  for (const runner of RUNNERS) {
    it(`${runner.id}: detection, units and findings`, () => {
      const project = path.join(RUNNER_FIXTURES, runner.id);
      const expectedFile = path.join(project, 'expected.json');
      const actual = observe(project);
      assert.ok(Object.values(actual.files).some((f) => f.fix) || ['none', 'sqitch'].includes(runner.id), 'the project has a case --fix changes');
      if (UPDATE) fs.writeFileSync(expectedFile, JSON.stringify(actual, null, 2) + '\n');
      const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as Expected;
      assert.strictEqual(actual.runner, runner.id, 'every file of the project is detected as ' + runner.id);
      assert.deepStrictEqual(actual, expected);
    });
  }
});
