/** The `lockwise.*` settings as VS Code sends them (test/lsp covers them over the protocol). */
import * as assert from 'assert';
import { parseSettings } from '../../server/src/lsp/settings';

describe('editor settings', () => {
  it('an unset lockwise.baseline arrives as "" and is no baseline, with no warning', () => {
    const settings = parseSettings({ baseline: '', runner: 'auto' });
    assert.deepStrictEqual(settings.errors, []);
    assert.strictEqual(settings.core.baseline, undefined);
  });

  it('a baseline that is not a git ref or a migration id is reported', () => {
    assert.match(parseSettings({ baseline: '--upload-pack=x' }).errors.join('\n'), /lockwise\.baseline/);
    assert.deepStrictEqual(parseSettings({ baseline: 'origin/main' }).errors, []);
  });
});
