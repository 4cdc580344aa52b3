/**
 * The head and tail two lists have in common, as a text diff finds them: the transport reuses the
 * encoding of a diagnostics list's common ends (transport.ts), and the analysis worker posts only
 * the middle between them (diagnosticsChange.ts). Its own module: the worker's code loads no core.
 */
export function commonEnds<A, B>(old: readonly A[], next: readonly B[], same: (a: A, b: B) => boolean): { head: number; tail: number } {
  const max = Math.min(old.length, next.length);
  let head = 0;
  while (head < max && same(old[head], next[head])) head++;
  // The tail never overlaps the head in either list.
  let tail = 0;
  while (tail < max - head && same(old[old.length - 1 - tail], next[next.length - 1 - tail])) tail++;
  return { head, tail };
}
