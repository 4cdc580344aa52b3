/**
 * The only way the CLI and `lockwise trace` write to stdout and stderr
 * (test/unit/outputLayering.test.ts). Reports arrive escaped by their format (the escape*.ts
 * modules of core/report); one-line messages are escaped here; and everything but the `github`
 * format, which writes workflow commands on purpose, gets the guard that no line becomes one.
 *
 * The two escapers are imported from their own modules, not through core/index.ts: they import
 * nothing else, and a replayed run (cli/replay.ts) prints through this module without loading the core.
 */
import { inertLines } from '../core/report/escapeGithub';
import { terminalText } from '../core/report/escapeTerminal';

type Stream = 'stdout' | 'stderr';
/** A copy of everything written, for the CLI's run record (cli/replay.ts). */
let tap: ((stream: Stream, text: string) => void) | undefined;

export function tapOutput(fn: ((stream: Stream, text: string) => void) | undefined): void {
  tap = fn;
}

function write(stream: Stream, text: string): void {
  tap?.(stream, text);
  (stream === 'stdout' ? process.stdout : process.stderr).write(text);
}

/** Output recorded by an earlier run through these functions: already escaped and guarded. */
export function writeRecorded(bytes: Buffer, stream: Stream): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(bytes);
}

/** A report its format already escaped (text, markdown, HTML, JSON, SARIF, a diff). */
export function writeReport(text: string, stream: Stream = 'stdout'): void {
  write(stream, inertLines(text));
}

/** The `github` format: workflow commands, each built by workflowCommand(). */
export function writeCommands(text: string): void {
  write('stdout', text);
}

/** One line built from values (paths, names, error messages): escaped as a whole, then written. */
export function writeLine(line: string, stream: Stream = 'stdout'): void {
  write(stream, inertLines(terminalText(line)) + '\n');
}
