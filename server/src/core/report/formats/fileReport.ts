/** What every output format reads: one analysed file under the path the user should see. */
import { Analysis } from '../../analyze';

export interface FileReport {
  /** Path as printed (POSIX separators, relative as given). */
  path: string;
  analysis: Analysis;
}
