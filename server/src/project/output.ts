/**
 * The only way the CLI and `lockwise trace` write to stdout and stderr
 * (test/unit/outputLayering.test.ts). Reports arrive escaped by their format (the escape*.ts
 * modules of core/report); one-line messages are escaped here; and everything but the `github`
 * format, which writes workflow commands on purpose, gets the guard that no line becomes one.
 *
 * The two escapers are imported from their own modules, not through core/index.ts: they import
 * nothing else, and a replayed run (cli/replay.ts) prints through this module without loading the core.
 */
import { fs } from './builtins';
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
  if (!gone.has(stream)) nodeStream(stream).write(text);
}

/** Streams a recorded write went to through Node's stream (it would block), or whose reader is gone. */
const viaStream = new Set<Stream>();
const gone = new Set<Stream>();
const guarded = new Set<Stream>();

/**
 * process.stdout/stderr, with a reader that went away (`lockwise lint | head`) ending that output
 * quietly: Node reports it as an unhandled 'error' event, a stack trace on stderr. The run goes on
 * and keeps its exit code.
 */
function nodeStream(stream: Stream): NodeJS.WriteStream {
  const target = stream === 'stdout' ? process.stdout : process.stderr;
  if (!guarded.has(stream)) {
    guarded.add(stream);
    target.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      gone.add(stream);
    });
  }
  return target;
}

/**
 * Output recorded by an earlier run through these functions: already escaped and guarded. Written
 * to the descriptor, not through process.stdout/stderr: creating those loads Node's stream modules,
 * a sixth of a replayed run (cli/replay.ts). Through the stream once the descriptor would block, and
 * always on Windows (its console takes text through the stream). A reader gone ends the output.
 */
export function writeRecorded(bytes: Buffer, stream: Stream): void {
  if (gone.has(stream)) return;
  let at = 0;
  if (process.platform !== 'win32' && !viaStream.has(stream)) {
    try {
      while (at < bytes.length) at += fs.writeSync(stream === 'stdout' ? 1 : 2, bytes, at);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') return void gone.add(stream);
      if (code !== 'EAGAIN') throw error;
      viaStream.add(stream);
    }
  }
  // A copy: the stream writes later, and the caller reuses its buffer (cli/replay.ts).
  nodeStream(stream).write(Buffer.from(at ? bytes.subarray(at) : bytes));
}

/**
 * Whether no output waits to be written, so the process may end at once: every write went straight
 * to its descriptor, or each Node stream used holds nothing unwritten (on Linux their writes to files
 * and pipes are synchronous), or its reader is gone.
 */
export function nothingPending(): boolean {
  return [...guarded].every((stream) => gone.has(stream) || nodeStream(stream).writableLength === 0);
}

/** A report its format already escaped (text, markdown, HTML, JSON, SARIF, a diff). */
export function writeReport(text: string, stream: Stream = 'stdout'): void {
  write(stream, inertLines(text));
}

/**
 * A report its format escaped piece by piece, each piece ending a line (core/report/escapeJson.ts
 * `jsonPieces`, formats/text.ts `textReportPieces`): written about BATCH characters at a time, so that the whole report is never one
 * string. The guard runs on each batch; every batch starts a line, so it finds what it would in the whole.
 */
export function writeReportPieces(pieces: Iterable<string>, stream: Stream = 'stdout'): void {
  let batch: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    batch.push(piece);
    length += piece.length;
    if (length < BATCH) continue;
    writeReport(batch.join(''), stream);
    batch = [];
    length = 0;
  }
  if (batch.length) writeReport(batch.join(''), stream);
}

/** Characters per write of `writeReportPieces`: a string this long stays out of V8's large-object space (fresh pages each time). */
const BATCH = 32 * 1024;

/** The `github` format: workflow commands, each built by workflowCommand(). */
export function writeCommands(text: string): void {
  write('stdout', text);
}

/** One line built from values (paths, names, error messages): escaped as a whole, then written. */
export function writeLine(line: string, stream: Stream = 'stdout'): void {
  write(stream, inertLines(terminalText(line)) + '\n');
}
