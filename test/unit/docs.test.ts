import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { DOCS_DIR, expectedDocs } from '../../scripts/generateDocs';

describe('generated rule docs', () => {
  it('docs/rules matches the rule metadata (run `npm run docs` when this fails)', () => {
    const expected = expectedDocs();
    const actual = fs.readdirSync(DOCS_DIR).filter((f) => f.endsWith('.md'));
    assert.deepStrictEqual(actual.sort(), [...expected.keys()].sort(), 'pages');
    for (const [name, text] of expected) {
      assert.strictEqual(fs.readFileSync(path.join(DOCS_DIR, name), 'utf8'), text, `${name} is stale`);
    }
  });
});
