/** A deterministic pseudo-random sequence in [0, 1) (tests must not depend on Math.random): a 32-bit LCG. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
