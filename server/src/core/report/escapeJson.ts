/**
 * JSON output (`lint --format json|sarif`, `audit --format json`, `trace --format json`): the one
 * place a report becomes JSON text. JSON.stringify escapes C0 controls but writes DEL, C1 codes and
 * bidi overrides raw, which a terminal or a log viewer showing the JSON then acts on; here they are
 * `\u` escapes too (the same JSON value, only spelled differently). So is the `#` of `##[`, which
 * GitHub's runner takes as a workflow command anywhere in a line (escapeGithub.ts): the generic
 * guard there would write `\x23`, which is not JSON.
 */
const NOT_ESCAPED_BY_STRINGIFY = /[\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g;

/** `value` as JSON text (indented by 2), ending with a newline. */
export function jsonText(value: unknown): string {
  return (
    JSON.stringify(value, null, 2)
      .replace(NOT_ESCAPED_BY_STRINGIFY, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      .replace(/##\[/g, '#\\u0023[') + '\n'
  );
}
