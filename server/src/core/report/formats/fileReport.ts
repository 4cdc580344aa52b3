/** What every output format reads: one analysed file under the path the user should see. */
import { Analysis } from '../../analyze';

export interface FileReport {
  /** Path as printed: relative to the current folder when inside it, else absolute; POSIX separators (project/files.ts reportPath). */
  path: string;
  analysis: Analysis;
}
