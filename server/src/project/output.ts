/**
 * The only way the CLI and `lockwise trace` write to stdout and stderr
 * (test/unit/outputLayering.test.ts). Reports arrive escaped by their format (the escape*.ts
 * modules of core/report); one-line messages are escaped here; and everything but the `github`
 * format, which writes workflow commands on purpose, gets the guard that no line becomes one.
 */
import { inertLines, terminalText } from '../core';

/** A report its format already escaped (text, markdown, HTML, JSON, SARIF, a diff). */
export function writeReport(text: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(inertLines(text));
}

/** The `github` format: workflow commands, each built by workflowCommand(). */
export function writeCommands(text: string): void {
  process.stdout.write(text);
}

/** One line built from values (paths, names, error messages): escaped as a whole, then written. */
export function writeLine(line: string, stream: 'stdout' | 'stderr' = 'stdout'): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(inertLines(terminalText(line)) + '\n');
}
