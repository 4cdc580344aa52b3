/**
 * Conversions between the core's world (UTF-16 offsets into the text, core severities) and the
 * LSP's (line/character positions). The core's LineIndex counts lines exactly as the LSP does
 * (`\r\n`, `\n` and lone `\r`), so positions agree with the client's.
 */
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import { DiagnosticSeverity, Position, Range, TextEdit } from 'vscode-languageserver/node';
import type { LineIndex, Severity, TextEdit as CoreEdit } from '../core';
import type { Span } from '../core';

/** What a conversion needs of a text's lines: a LineIndex, or the open document's own line starts (lint.ts). */
export type Lines = Pick<LineIndex, 'rangeOf'>;

export function toRange(lines: Lines, span: Span): Range {
  return lines.rangeOf(span);
}

export function toTextEdit(lines: LineIndex, edit: CoreEdit): TextEdit {
  return { range: toRange(lines, edit), newText: edit.newText };
}

export function toSeverity(severity: Severity): DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return DiagnosticSeverity.Error;
    case 'warning':
      return DiagnosticSeverity.Warning;
    case 'info':
      return DiagnosticSeverity.Information;
  }
}

export function rangesIntersect(a: Range, b: Range): boolean {
  return !(before(a.end, b.start) || before(b.end, a.start));
}

function before(a: Position, b: Position): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** File system path of a `file:` URI; undefined for untitled and virtual documents. */
export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return path.resolve(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).toString();
}
