/**
 * GitHub Actions workflow commands: escaping for the `github` format, which writes them, and the
 * guard that keeps every other output from writing one. The rules are the runner's own parser
 * (actions/runner, src/Runner.Common/ActionCommand.cs, and ActionCommandManager.cs which calls it on
 * every line a step prints):
 * - `TryParseV2`: a line is a command when it starts with `::` after `TrimStart()` (leading
 *   whitespace does not protect it); the data after the second `::` is unescaped with `%0D` → `\r`,
 *   `%0A` → `\n`, `%25` → `%`; property values (split on `,`, then on the first `=`) also with
 *   `%3A` → `:` and `%2C` → `,`.
 * - `TryParse` (the older form): `##[command key=value;...]data` anywhere in a line.
 * The runner reads lines with .NET's ReadLine, so `\r`, `\n` and `\r\n` all end a line.
 */
import { showControls } from './escapeTerminal';

/** A command's data (the message after `::`): controls shown, then GitHub's data escapes. */
export function commandData(text: string): string {
  return escapeData(showControls(text));
}

/** A command's property value (`file=`, `title=`): data escapes plus `:` and `,`. */
export function commandProperty(text: string): string {
  return escapeData(showControls(text)).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

// `%` first, so the escapes it writes are not escaped again.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** `::name k=v,k=v::data`, the only way a workflow command is written. */
export function workflowCommand(name: string, properties: [string, string | number][], data: string): string {
  const props = properties.map(([k, v]) => `${k}=${typeof v === 'number' ? v : commandProperty(v)}`).join(',');
  return `::${name}${props ? ` ${props}` : ''}::${commandData(data)}`;
}

/**
 * A line start (text start, or after `\r` or `\n`, where .NET's ReadLine ends a line), leading
 * whitespace as `TrimStart()` sees it (`char.IsWhiteSpace`: JavaScript's `\s` and NEL), then the
 * first colon of `::`. One pass over the whole text: splitting it into lines first cost 0.1 s on a
 * corpus lint's 3.4 MB of JSON. The whitespace may run over empty lines; it then ends at the colon
 * that starts the line a check of each line on its own would find (test/unit/escaping.test.ts
 * compares the two on random text).
 */
const COMMAND_LINE = /(^|[\r\n])([\s\x85]*):(?=:)/g;

/**
 * Output that is not the `github` format, made unable to issue a workflow command: a line that
 * would start with `::` gets its first colon as `\x3a`, and `##[` becomes `#\x23[`. Content can
 * still reach a line start where a line begins with a value (a path, a table name in a column, a
 * diff's context line); this runs on everything the CLI prints, after the formats escaped it.
 */
export function inertLines(text: string): string {
  return text.replace(COMMAND_LINE, '$1$2\\x3a').replace(/##\[/g, '#\\x23[');
}

/** Whether a line is a workflow command to the runner (the tests' check, the same rules as above). */
export function isWorkflowCommand(line: string): boolean {
  return /^[\s\x85]*::/.test(line) || line.includes('##[');
}
