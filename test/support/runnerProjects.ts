/** The fixture projects of test/fixtures/runners/<id>/, each laid out as its runner expects. */
import * as fs from 'fs';
import * as path from 'path';

export const RUNNER_FIXTURES = path.resolve(__dirname, '../../../test/fixtures/runners');

/** Every SQL file under `dir`, in the order a person reads the folder (numbers by value). */
export function sqlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sqlFiles(full));
    else if (e.name.endsWith('.sql')) out.push(full);
  }
  return out.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}
