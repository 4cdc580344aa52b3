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
  return escapeStringified(JSON.stringify(value, null, 2)) + '\n';
}

/** `jsonText({ [key]: items.map(toJson) })` in pieces (`jsonPieces`). */
export function jsonListPieces<T>(key: string, items: readonly T[], toJson: (item: T) => unknown): Generator<string> {
  return jsonPieces({ [key]: items }, items, toJson);
}

/** Stands for the list while the rest of the value is stringified (NULs: no key, name or path of ours has one). */
const ITEMS = '\u0000lockwise:items\u0000';
const ITEMS_JSON = JSON.stringify(ITEMS);

/**
 * `JSON.stringify(value, null, space)` split around `list`, an array inside it: the text before the
 * list and the text after it, for a caller that writes the list's items one at a time (`jsonPieces`
 * here, the server's publishDiagnostics in lsp/transport.ts). Undefined unless the list occurs once.
 */
export function jsonAround(value: unknown, list: readonly unknown[], space: number): { head: string; tail: string } | undefined {
  const text = JSON.stringify(value, (_key, v: unknown) => (v === list ? ITEMS : v), space);
  const at = text.indexOf(ITEMS_JSON);
  if (at < 0 || text.includes(ITEMS_JSON, at + 1)) return undefined;
  return { head: text.slice(0, at), tail: text.slice(at + ITEMS_JSON.length) };
}

/** An item of a list as JSON.stringify writes it in an array: what it leaves out (undefined, a function, a symbol) is null. */
export function itemJson(item: unknown, space: number): string {
  return (JSON.stringify(item, null, space) as string | undefined) ?? 'null';
}

/**
 * `jsonText` of `value` with `list` (an array inside it) as `list.map(toJson)`, the same text in pieces:
 * everything before the list, one piece per item, the rest, each escaped on its own and each ending a
 * line (so `##[` and a line start never span two; project/output.ts `writeReportPieces` relies on
 * that). A report of every file as one string (3.4 MB of JSON for the corpus lint, held as UTF-16) was
 * built, escaped and guarded in full copies of the whole text, each on fresh pages: ~6,000 page faults
 * and ~165 ms of CPU, ~3,600 and ~120 ms in pieces (bench/FINDINGS.md). Each item's JSON is
 * JSON.stringify's own, indented one level deeper than the line that holds the list.
 */
export function* jsonPieces<T>(value: unknown, list: readonly T[], toJson: (item: T) => unknown): Generator<string> {
  const around = jsonAround(value, list, 2);
  if (!around) throw new Error('jsonPieces: the list must occur once in the value');
  const { head, tail } = around;
  if (list.length === 0) {
    yield escapeStringified(`${head}[]${tail}`) + '\n';
    return;
  }
  const indent = /^ */.exec(head.slice(head.lastIndexOf('\n') + 1))![0];
  const inner = `${indent}  `;
  yield escapeStringified(`${head}[\n`);
  for (let i = 0; i < list.length; i++) {
    const json = itemJson(toJson(list[i]), 2);
    yield escapeStringified(`${inner}${json.replace(/\n/g, `\n${inner}`)}${i < list.length - 1 ? ',\n' : '\n'}`);
  }
  yield escapeStringified(`${indent}]${tail}`) + '\n';
}

function escapeStringified(json: string): string {
  return json.replace(NOT_ESCAPED_BY_STRINGIFY, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).replace(/##\[/g, '#\\u0023[');
}
