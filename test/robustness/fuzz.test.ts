/**
 * Fuzzing the real server over stdio with edit sequences made from the corpus: truncations, random
 * insertions and deletions, unbalanced quotes, dollar quotes, comments and parentheses, random
 * characters. After every step the server must answer hover and code-action requests, publish
 * diagnostics (for that version) whose ranges lie inside the document, and log no error.
 *
 * Seeded and reproducible: LOCKWISE_FUZZ_SEED (default below) fixes every edit and every request;
 * LOCKWISE_FUZZ_MS bounds the run's time (default 75 s) and LOCKWISE_FUZZ_STEPS its steps (default 8,000: 40-70 s on a 2-core machine). A
 * failure prints the seed, the episode and a minimised edit sequence (ddmin) to replay.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DidChangeTextDocumentNotification } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TestClient, tempWorkspace, uriOf } from '../lsp/client';
import { applyEdit, checkStep, ddmin, drawCheck, Edit, loadCorpus, randomEdit, Rng, StepCheck } from './fuzzer';
import { describeWithCorpus } from '../support/corpus';

const SEED = Number(process.env.LOCKWISE_FUZZ_SEED ?? 20261125);
const BUDGET_MS = Number(process.env.LOCKWISE_FUZZ_MS ?? 75000);
const MAX_STEPS = Number(process.env.LOCKWISE_FUZZ_STEPS ?? 8000);
const STEPS_PER_EPISODE = 40;

interface Step {
  /** Edits sent together (the server sees a burst of changes, then the checks). */
  edits: Edit[];
  check: StepCheck;
}

interface Episode {
  index: number;
  file: string;
  initial: string;
  steps: Step[];
}

/** Sends one edit as an incremental change (like an editor) and updates the client's copy. */
async function sendEdit(client: TestClient, uri: string, e: Edit): Promise<void> {
  const doc = client.docs.get(uri)!;
  const text = doc.getText();
  const start = Math.min(e.offset, text.length);
  const end = Math.min(start + e.deleteCount, text.length);
  const range = { start: doc.positionAt(start), end: doc.positionAt(end) };
  const next = TextDocument.update(TextDocument.create(uri, doc.languageId, doc.version, text), [{ range, text: e.insert }], doc.version + 1);
  client.docs.set(uri, next);
  await client.conn.sendNotification(DidChangeTextDocumentNotification.type, {
    textDocument: { uri, version: next.version },
    contentChanges: [{ range, text: e.insert }],
  });
}

describeWithCorpus('fuzzing the server with corpus edit sequences', function (mainCorpus) {
  const CORPUS = process.env.LOCKWISE_FUZZ_CORPUS ?? mainCorpus;
  this.timeout(BUDGET_MS + 240000);
  let client: TestClient;
  let dir: string;
  let corpus: string[];
  let stderr = '';
  let logsSeen = 0;

  const serverErrors = () => {
    const out: string[] = [];
    const fresh = client.logs.slice(logsSeen);
    logsSeen = client.logs.length;
    for (const l of fresh) if (/ failed: |uncaught|unhandled/i.test(l)) out.push(`server log: ${l.slice(0, 600)}`);
    if (stderr) out.push(`stderr: ${stderr.slice(0, 600)}`);
    stderr = '';
    if (!client.alive()) out.push('the server exited');
    return out;
  };

  async function startServer(): Promise<void> {
    client = await TestClient.start(dir, { initializationOptions: { debounceMs: 0 } });
    client.proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    logsSeen = 0;
  }

  before(async function () {
    corpus = loadCorpus(CORPUS);
    dir = tempWorkspace();
    await startServer();
  });
  after(() => client?.stop());

  /** Replays an episode's steps on a fresh document; returns the problems of the first failing step. */
  async function replay(initial: string, steps: Step[], tag: string): Promise<string[]> {
    if (!client.alive()) await startServer();
    const uri = uriOf(path.join(dir, `replay-${tag}.sql`));
    await client.openUri(uri, initial);
    try {
      for (const step of steps) {
        for (const e of step.edits) await sendEdit(client, uri, e);
        const problems = await checkStep(client, uri, step.check, serverErrors);
        if (problems.length) return problems;
      }
      return [];
    } finally {
      if (client.alive()) await client.close(uri);
    }
  }

  it(`keeps every invariant over a seeded edit sequence (seed ${SEED}, ${BUDGET_MS} ms, at most ${MAX_STEPS} steps)`, async () => {
    console.log(`      fuzz seed ${SEED} (replay with LOCKWISE_FUZZ_SEED=${SEED}); corpus: ${corpus.length} files`);
    const rng = new Rng(SEED);
    const corpusText = () => fs.readFileSync(rng.pick(corpus), 'utf8');
    const deadline = Date.now() + BUDGET_MS;
    let steps = 0;
    let edits = 0;
    const kinds: Record<string, number> = {};
    let failure: { episode: Episode; problems: string[] } | undefined;
    for (let index = 0; Date.now() < deadline && steps < MAX_STEPS && !failure; index++) {
      const file = rng.pick(corpus);
      const initial = fs.readFileSync(file, 'utf8');
      const episode: Episode = { index, file, initial, steps: [] };
      const uri = uriOf(path.join(dir, `fuzz-${index}.sql`));
      await client.openUri(uri, initial);
      for (let k = 0; k < STEPS_PER_EPISODE && Date.now() < deadline && steps < MAX_STEPS; k++) {
        const burst = 1 + (rng.chance(0.3) ? rng.int(3) : 0);
        const step: Step = {
          edits: [],
          check: { hover: { line: 0, character: 0 }, actions: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, extras: false },
        };
        for (let b = 0; b < burst; b++) {
          const e = randomEdit(rng, client.text(uri), corpusText);
          step.edits.push(e);
          kinds[e.kind] = (kinds[e.kind] ?? 0) + 1;
          await sendEdit(client, uri, e);
          edits++;
        }
        step.check = drawCheck(rng, client.docs.get(uri)!);
        episode.steps.push(step);
        steps++;
        const problems = await checkStep(client, uri, step.check, serverErrors);
        if (problems.length) {
          failure = { episode, problems };
          break;
        }
      }
      if (client.alive()) await client.close(uri);
    }
    console.log(
      `      fuzz: ${steps} steps (${edits} edits: ${Object.entries(kinds)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
    );
    if (!failure) return;

    // Minimise: the smallest subsequence of the episode's steps that still breaks an invariant.
    const { episode, problems } = failure;
    let replays = 0;
    const minimal = await ddmin(episode.steps, async (subset) => (await replay(episode.initial, subset, `${episode.index}-${replays++}`)).length > 0, 150);
    const text = minimal.reduce((t, s) => s.edits.reduce(applyEdit, t), episode.initial);
    const report = [
      `fuzz failure with LOCKWISE_FUZZ_SEED=${SEED}, episode ${episode.index} (${path.relative(CORPUS, episode.file)}), step ${episode.steps.length}:`,
      ...problems.map((p) => `  ${p}`),
      `minimised to ${minimal.length} of ${episode.steps.length} steps (${replays} replays); replay from the corpus file with:`,
      JSON.stringify(minimal, null, 1),
      `text after the minimised steps (${text.length} chars): ${JSON.stringify(text.slice(0, 2000))}`,
    ].join('\n');
    console.log(report);
    assert.fail(report);
  });

  it('ddmin finds a 1-minimal failing subsequence', async () => {
    const items = Array.from({ length: 40 }, (_, i) => i);
    const minimal = await ddmin(items, async (s) => s.includes(7) && s.includes(31));
    assert.deepStrictEqual(minimal, [7, 31]);
  });
});
