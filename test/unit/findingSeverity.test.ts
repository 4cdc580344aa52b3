/** A finding may carry its own default severity (statement-after-access-exclusive: slow statements are errors). */
import * as assert from 'assert';
import { analyze, initParser, mergeConfig } from '../../server/src/core';

const SQL = "BEGIN;\nALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';\nALTER TABLE orders ADD COLUMN note text;\nCOMMIT;\n";

describe('finding severity override', () => {
  before(async () => {
    await initParser();
  });

  it("uses the finding's severity when the rule is not configured", () => {
    const findings = analyze(SQL, { config: mergeConfig({}) }).findings.filter((f) => f.rule === 'statement-after-access-exclusive');
    assert.deepStrictEqual(
      findings.map((f) => f.severity),
      ['error', 'warning'],
    );
  });

  it('never overrides a severity the user configured', () => {
    const config = mergeConfig({ rules: { 'statement-after-access-exclusive': 'info' } });
    const findings = analyze(SQL, { config }).findings.filter((f) => f.rule === 'statement-after-access-exclusive');
    assert.deepStrictEqual(
      findings.map((f) => f.severity),
      ['info', 'info'],
    );
  });
});
