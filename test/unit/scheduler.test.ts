/** The language server's per-document debounce (lsp/scheduler.ts): which runs happen, and which are stale. */
import * as assert from 'assert';
import { Scheduler } from '../../server/src/lsp/scheduler';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function recording(delayMs: number) {
  const runs: { uri: string; isStale: () => boolean }[] = [];
  const scheduler = new Scheduler(async (uri, isStale) => {
    runs.push({ uri, isStale });
  }, delayMs);
  return { runs, scheduler };
}

describe('lsp scheduler', () => {
  it('without a delay, runs on the next turn once for edits scheduled in the same turn', async () => {
    const { runs, scheduler } = recording(0);
    scheduler.schedule('a');
    scheduler.schedule('a');
    scheduler.schedule('b');
    assert.strictEqual(runs.length, 0);
    await turn();
    await turn();
    assert.deepStrictEqual(
      runs.map((r) => r.uri),
      ['a', 'b'],
    );
    assert.ok(runs.every((r) => !r.isStale()));
    scheduler.schedule('a');
    assert.ok(runs[0].isStale(), 'a newer schedule makes the earlier run stale');
    scheduler.cancel('a');
    await turn();
    await turn();
    assert.strictEqual(runs.length, 2, 'a cancelled run does not happen');
  });

  it('with a delay, the last schedule wins and an explicit 0 does not wait for it', async () => {
    const { runs, scheduler } = recording(30);
    scheduler.schedule('a');
    scheduler.schedule('a');
    await after(80);
    assert.strictEqual(runs.length, 1);
    scheduler.schedule('b');
    scheduler.schedule('b', 0);
    await turn();
    await turn();
    assert.deepStrictEqual(
      runs.map((r) => r.uri),
      ['a', 'b'],
    );
    await after(80);
    assert.strictEqual(runs.length, 2, 'the replaced delayed run was cancelled');
  });
});
