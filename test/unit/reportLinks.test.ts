/**
 * The audit preview's link rewrite (client/src/reportLinks.ts, issue 12): percent-encoded text
 * never comes back as live HTML. The end-to-end check on the server's own audit of a hostile
 * migration is in test/robustness/security.test.ts.
 */
import * as assert from 'assert';
import { relativeFileLinks } from '../../client/src/reportLinks';
import { liveMarkdown } from '../robustness/markdownSafety';

const DIR = { authority: '', path: '/home/u/.storage/reports' };
const relativeLine = (href: string) => /^(\.\.\/)+[A-Za-z0-9\-._~%/]+#L\d+$/.test(href);

describe('audit preview links', () => {
  it('line links become relative to the report folder, every segment percent-encoded', () => {
    assert.strictEqual(relativeFileLinks('[3](file:///w/db/005.sql#L3)', DIR), '[3](../../../../w/db/005.sql#L3)');
    assert.strictEqual(
      relativeFileLinks('[3](file:///w/db/a%20%28b%29%5Bc%5D.sql#L3)', DIR),
      '[3](../../../../w/db/a%20%28b%29%5Bc%5D.sql#L3)',
      'decoded, then encoded again: parentheses would end the link',
    );
    assert.strictEqual(relativeFileLinks('[3](file://host/w/x.sql#L3)', DIR), '[3](file://host/w/x.sql#L3)', 'another authority stays');
    assert.strictEqual(relativeFileLinks('[3](file:///w/%E0%A4%A.sql#L3)', DIR), '[3](file:///w/%E0%A4%A.sql#L3)', 'bad encoding stays');
  });

  it('percent-encoded HTML in document text or a file name stays text (no image fetched on open)', () => {
    const attacks = [
      // A statement in a code span: the old rewrite decoded the fragment, whose backtick closed the span.
      "| 4 | `SELECT '](file:///tmp/x.sql#%60%3Cimg%20src=https://evil.example/p.png%3E)'` |",
      // In the path, with a line fragment of the server's shape.
      "| 4 | `SELECT '](file:///tmp/%60%3Cimg%20src%3Dhttps:%2F%2Fevil.example%2Fq.png%3E#L1)'` |",
      '[7](file:///w/%60%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E.sql#L7)',
    ];
    for (const markdown of attacks) {
      assert.deepStrictEqual(liveMarkdown(markdown, relativeLine), [], markdown);
      const out = relativeFileLinks(markdown, DIR);
      assert.deepStrictEqual(liveMarkdown(out, relativeLine), [], out);
      assert.ok(!/<img|`<|onerror=/.test(out), out);
    }
  });
});
