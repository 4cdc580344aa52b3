/** Findings as the JSON contract other tools read (1-based lines and columns). */
import { Analysis } from '../analyze';
import { Finding } from '../rules/types';

export interface FindingJson {
  rule: string;
  severity: Finding['severity'];
  message: string;
  /** The safe way when there is no fix. */
  help?: string;
  /** Assumptions and side facts the message leaves out. */
  notes?: string[];
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** `safety`: `safe` fixes are applied by `--fix`; a `suggestion` changes what the migration does (its title says how). */
  fix?: { title: string; safety: 'safe' | 'suggestion'; edits: { line: number; column: number; endLine: number; endColumn: number; newText: string }[] };
  /** Why no fix is offered although the rule has one (the runner forbids editing the file). */
  fixWithheld?: string;
}

export function findingJson(analysis: Pick<Analysis, 'lines'>, f: Finding): FindingJson {
  const start = analysis.lines.positionAt(f.span.start);
  const end = analysis.lines.positionAt(f.span.end);
  const out: FindingJson = {
    rule: f.rule,
    severity: f.severity,
    message: f.message,
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
  };
  if (f.help) out.help = f.help;
  if (f.notes?.length) out.notes = [...f.notes];
  if (f.fix) {
    out.fix = {
      title: f.fix.title,
      safety: f.fix.safety,
      edits: f.fix.edits.map((e) => {
        const s = analysis.lines.positionAt(e.start);
        const en = analysis.lines.positionAt(e.end);
        return { line: s.line + 1, column: s.character + 1, endLine: en.line + 1, endColumn: en.character + 1, newText: e.newText };
      }),
    };
  }
  if (f.fixWithheld) out.fixWithheld = f.fixWithheld;
  return out;
}
