/**
 * The audit's line links, made relative to the folder the report is written to (the markdown
 * preview shows absolute `file:` links as plain text): `](file:///w/db/005.sql#L10)` becomes
 * `](../../w/db/005.sql#L10)`. Only links of the server's shape are touched (a `file:` URI with the
 * report's authority and a `#L<line>` fragment), and nothing decoded reaches the markdown: the path
 * is decoded to compute the relative path, then every segment is percent-encoded again, and the
 * fragment is rebuilt from its digits. (The first version put the decoded fragment back: a
 * statement holding `](file:///x#%60%3Cimg src=https://…%3E)` closed its code span and became a
 * live image that the preview fetched.) No vscode import, so the unit tests can run it.
 */
import * as path from 'path';

const LINE_LINK = /\]\(file:\/\/([^/()\s]*)(\/[^()#\s]*)#L(\d+)\)/g;

export function relativeFileLinks(markdown: string, dir: { authority: string; path: string }): string {
  return markdown.replace(LINE_LINK, (whole, authority: string, encodedPath: string, line: string) => {
    if (authority !== dir.authority) return whole;
    let decoded: string;
    try {
      decoded = decodeURIComponent(encodedPath);
    } catch {
      return whole;
    }
    const relative = path.posix.relative(dir.path, decoded).split('/').map(segment).join('/');
    return `](${relative}#L${line})`;
  });
}

/** A path segment with everything but unreserved characters percent-encoded (parentheses would end the link). */
function segment(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
