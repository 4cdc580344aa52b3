/**
 * Fixture projects per runner: test/fixtures/runners/<id>/ is laid out exactly as that runner
 * expects, with expected.json beside it: { "runner": id, "files": { "<path>": { "units", "findings" } } }.
 * Every SQL file of the project is checked: the detected runner, how each unit runs
 * (`part:mode`), and the findings (`line:rule`) with the schema history of the earlier files.
 * `UPDATE_FIXTURES=1` rewrites expected.json from the current output (review the diff).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { analyze, DEFAULT_CONFIG, initParser } from '../../server/src/core';
import { RUNNERS } from '../../server/src/core/runners/registry';
import { HistoryProvider } from '../../server/src/project/history';
import { RunnerDetector } from '../../server/src/project/runners';

export const RUNNER_FIXTURES = path.resolve(__dirname, '../../../test/fixtures/runners');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

interface ExpectedFile {
  units: string[];
  findings: string[];
}

interface Expected {
  runner: string;
  files: Record<string, ExpectedFile>;
}

export function sqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sqlFiles(full));
    else if (e.name.endsWith('.sql')) out.push(full);
  }
  return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
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
    files[path.relative(project, file).split(path.sep).join('/')] = {
      units: (analysis.timeline.units ?? []).map((u) => `${u.part}:${u.mode}`),
      findings: analysis.findings.map((f) => `${analysis.lines.positionAt(f.span.start).line + 1}:${f.rule}`),
    };
  }
  return { runner: [...ids].join(','), files };
}

describe('runner fixture projects', () => {
  before(async () => {
    await initParser();
  });

  it('has one fixture project per runner', () => {
    const dirs = fs.readdirSync(RUNNER_FIXTURES).filter((d) => fs.statSync(path.join(RUNNER_FIXTURES, d)).isDirectory()).sort();
    assert.deepStrictEqual(dirs, RUNNERS.map((r) => r.id).sort());
  });

  for (const runner of RUNNERS) {
    it(`${runner.id}: detection, units and findings`, () => {
      const project = path.join(RUNNER_FIXTURES, runner.id);
      const expectedFile = path.join(project, 'expected.json');
      const actual = observe(project);
      if (UPDATE) fs.writeFileSync(expectedFile, JSON.stringify(actual, null, 2) + '\n');
      const expected = JSON.parse(fs.readFileSync(expectedFile, 'utf8')) as Expected;
      assert.strictEqual(actual.runner, runner.id, 'every file of the project is detected as ' + runner.id);
      assert.deepStrictEqual(actual, expected);
    });
  }
});
