/**
 * Config error messages quote keys from the file safely (issue 12): clipped, with control
 * characters, C1 codes and bidi overrides escaped. They reach terminals, CI logs and the editor.
 */
import * as assert from 'assert';
import { ConfigError, parseConfigText } from '../../server/src/core/config/config';

function messageFor(text: string): string {
  try {
    parseConfigText(text, '.lockwise.json', new Set(['require-lock-timeout']));
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('no ConfigError');
}

describe('config error messages', function () {
  it('clip a 20 MB key', () => {
    const message = messageFor(JSON.stringify({ ['k'.repeat(20 * 1024 * 1024)]: 1 }));
    // The key is clipped to 60 characters; the rest is the list of known keys (it grows with the config).
    assert.ok(message.length < 400, `${message.length} characters`);
    assert.match(message, /"k{60}…": unknown key/);
  });

  it('a lockTimeout or statementTimeout the fix would write must not round to 0 (no timeout) nor exceed the GUC range', () => {
    assert.match(
      messageFor(JSON.stringify({ lockTimeout: '500us' })),
      /"lockTimeout": must be between 1ms and 24 days: PostgreSQL rounds a smaller value to 0/,
    );
    assert.match(messageFor(JSON.stringify({ statementTimeout: '0.4ms' })), /"statementTimeout": must be between 1ms/);
    assert.match(messageFor(JSON.stringify({ lockTimeout: '30d' })), /"lockTimeout": must be between 1ms and 24 days/);
    assert.deepStrictEqual(parseConfigText(JSON.stringify({ lockTimeout: '600us', timeZone: 'Europe/Berlin' }), '.lockwise.json', new Set()), {
      lockTimeout: '600us',
      timeZone: 'Europe/Berlin',
    });
    assert.match(messageFor(JSON.stringify({ timeZone: "UTC'; DROP" })), /"timeZone": must be a time zone/);
  });

  it('escape newlines, escape sequences and bidi overrides in keys', () => {
    for (const key of ['a\n::error file=x::owned', 'b\x1b]0;title\x07', 'c\u202egnp.exe', 'd\x9b31m', 'e\r\u2028']) {
      const message = messageFor(JSON.stringify({ rules: { [key]: 'off' } }));
      assert.doesNotMatch(message, /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/, JSON.stringify(message));
      assert.match(message, /\\(n|x1b|u202e|x9b|r)/, message);
    }
  });
});
