/** What every output format reads: one analysed file under the path the user should see. */
import { Analysis, StatementAnalysis } from '../../analyze';

/**
 * The part of an analysis the lint formats read: the text, its lines, the findings and the text of
 * the statements they are about (SARIF fingerprints). The CLI rebuilds it from a cached or
 * worker-computed result without the rest of the analysis.
 */
export interface ReportedAnalysis extends Pick<Analysis, 'text' | 'lines' | 'findings'> {
  /** By statement index; only the statements findings point at need to be there (whole ones in a full analysis). */
  statements: readonly (ReportedStatement | StatementAnalysis | undefined)[];
}

/** A statement as a cached or worker-computed result carries it: its text, and its lock in words (`lockNote`) for the text format. */
export interface ReportedStatement {
  statement: { text: string };
  lockNote?: string;
}

export interface FileReport {
  /** Path as printed: relative to the current folder when inside it, else absolute; POSIX separators (project/files.ts reportPath). */
  path: string;
  analysis: ReportedAnalysis;
}
