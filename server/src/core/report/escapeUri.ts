/**
 * Paths as URIs (SARIF's artifact locations and %SRCROOT%): the one place a path becomes a URI.
 * `encodeURI` left `#` and `?` as they were, so `a#b?c.sql` became the file `a` with a query and a
 * fragment; every path segment is percent-encoded here (RFC 3986 section 3.3), `:` included, so a
 * first segment like `c:x.sql` is not read as a scheme.
 */

/** A relative path (POSIX separators) as a relative URI reference. */
export function relativeUri(path: string): string {
  return path.split('/').map(segment).join('/');
}

/** An absolute path (POSIX separators; `C:/x` on Windows) as a `file:` URI. */
export function fileUri(path: string): string {
  const drive = /^[A-Za-z]:\//.test(path) ? `/${path.slice(0, 2)}` : '';
  const rest = drive ? path.slice(2) : path;
  return `file://${drive}${rest.split('/').map(segment).join('/')}`;
}

/** One segment, with lone surrogates (which `encodeURIComponent` throws on) as U+FFFD. */
function segment(text: string): string {
  const wellFormed = text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return encodeURIComponent(wellFormed).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
