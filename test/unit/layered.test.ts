/**
 * The catalog's layered maps and sets (core/model/layered.ts) against plain ones: after every
 * operation of random sequences over a population of copies of copies, each holds what a plain
 * Map or Set given the same calls holds, in the same order. A copy that shared anything it may
 * change with its source (its own entries, its deletions, a base changed in place when flattened)
 * would see the source's later writes, or the source its writes. Then a catalog cloned after every
 * statement of a long migration: each clone still holds the schema before the statements after it.
 */
import * as assert from 'assert';
import { initParser, Catalog } from '../../server/src/core';
import { LayeredMap, LayeredSet } from '../../server/src/core/model/layered';
import { buildStatements } from '../../server/src/core/model/statements';

/** Deterministic: a failure names its seed. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a % n;
  };
}

type Pair = { layered: LayeredMap<string, number>; plain: Map<string, number> };

function sameMap(p: Pair, keys: string[], where: string): void {
  assert.deepStrictEqual([...p.layered], [...p.plain], where);
  assert.deepStrictEqual([...p.layered.keys()], [...p.plain.keys()], where);
  assert.deepStrictEqual([...p.layered.values()], [...p.plain.values()], where);
  assert.strictEqual(p.layered.size, p.plain.size, where);
  for (const k of keys) {
    assert.strictEqual(p.layered.has(k), p.plain.has(k), `${where}: has ${k}`);
    assert.strictEqual(p.layered.get(k), p.plain.get(k), `${where}: get ${k}`);
  }
}

/** One random operation on a random member; a copy joins the population. */
function mapStep(next: (n: number) => number, pop: Pair[], keys: string[], step: number): void {
  const p = pop[next(pop.length)];
  const key = keys[next(keys.length)];
  const op = next(100);
  if (op < 45) {
    p.layered.set(key, step);
    p.plain.set(key, step);
  } else if (op < 75) assert.strictEqual(p.layered.delete(key), p.plain.delete(key));
  else if (op < 97) {
    // Copies of the members written to most: their own part outgrows the base and they flatten.
    pop.push({ layered: new LayeredMap<string, number>().copyOf(p.layered), plain: new Map(p.plain) });
    if (pop.length > 24) pop.splice(next(pop.length - 1), 1);
  } else if (op < 98) {
    // A burst of writes: the own part outgrows the base, and the next copy flattens it.
    for (let k = 0; k < 120; k++) {
      const burst = keys[next(keys.length)];
      p.layered.set(burst, step);
      p.plain.set(burst, step);
    }
  } else if (op < 99) {
    let visited = 0;
    p.layered.forEach((v, k) => {
      assert.strictEqual(v, p.plain.get(k));
      visited++;
    });
    assert.strictEqual(visited, p.plain.size);
  } else {
    p.layered.clear();
    p.plain.clear();
  }
}

describe('layered maps and sets (catalog copies)', () => {
  before(() => initParser());

  for (const seed of [1, 2, 3, 4]) {
    it(`a layered map and its copies hold what plain maps hold, in order, after every operation (seed ${seed})`, () => {
      const next = rng(seed);
      const keys = Array.from({ length: 400 }, (_, k) => `k${k}`);
      const pop: Pair[] = [{ layered: new LayeredMap(), plain: new Map() }];
      for (let step = 0; step < 6000; step++) {
        mapStep(next, pop, keys, step);
        if (step % 25 === 0) pop.forEach((p, k) => sameMap(p, keys, `seed ${seed}, step ${step}, member ${k}`));
      }
      pop.forEach((p, k) => sameMap(p, keys, `seed ${seed}, end, member ${k}`));
    });
  }

  it('a layered set and its copies hold what plain sets hold, in order, after every operation', () => {
    const next = rng(7);
    const values = Array.from({ length: 300 }, (_, k) => `v${k}`);
    const pop: { layered: LayeredSet<string>; plain: Set<string> }[] = [{ layered: new LayeredSet(), plain: new Set() }];
    for (let step = 0; step < 8000; step++) {
      const p = pop[next(pop.length)];
      const v = values[next(values.length)];
      const op = next(100);
      if (op < 50) {
        p.layered.add(v);
        p.plain.add(v);
      } else if (op < 80) assert.strictEqual(p.layered.delete(v), p.plain.delete(v));
      else if (op < 82) {
        for (let k = 0; k < 120; k++) {
          const burst = values[next(values.length)];
          if (next(2)) {
            p.layered.add(burst);
            p.plain.add(burst);
          } else assert.strictEqual(p.layered.delete(burst), p.plain.delete(burst));
        }
      } else if (op < 99) {
        pop.push({ layered: new LayeredSet<string>().copyOf(p.layered), plain: new Set(p.plain) });
        if (pop.length > 24) pop.splice(next(pop.length - 1), 1);
      } else {
        p.layered.clear();
        p.plain.clear();
      }
      if (step % 25 !== 0) continue;
      for (const q of pop) {
        assert.deepStrictEqual([...q.layered], [...q.plain], `step ${step}`);
        assert.deepStrictEqual([...q.layered.entries()], [...q.plain.entries()], `step ${step}`);
        assert.strictEqual(q.layered.size, q.plain.size);
        for (const w of values) assert.strictEqual(q.layered.has(w), q.plain.has(w), `step ${step}: has ${w}`);
      }
    }
  });

  it('a catalog cloned after every statement keeps the schema before the statements after it', () => {
    // Long enough that the clones' own parts outgrow their base many times (flattening).
    const parts: string[] = [];
    for (let t = 0; t < 120; t++) {
      parts.push(`CREATE TABLE t${t} (id bigint PRIMARY KEY, a int);`, `CREATE INDEX t${t}_a ON t${t} (a);`);
      if (t > 0) parts.push(`ALTER TABLE t${t} ADD COLUMN p bigint REFERENCES t${t - 1} (id);`);
      if (t % 3 === 0) parts.push(`DROP INDEX t${t}_a;`, `CREATE TYPE e${t} AS ENUM ('x');`);
      if (t % 5 === 4) parts.push(`DROP TABLE t${t - 2};`, `ALTER TABLE t${t - 1} RENAME TO r${t};`, `CREATE TABLE t${t - 2} (id int);`);
    }
    const statements = buildStatements(parts.join('\n')).statements;
    const walking = new Catalog();
    walking.inFile = true;
    const clones: Catalog[] = [];
    for (const s of statements) {
      clones.push(walking.clone());
      walking.apply(s.node!);
    }
    const fresh = new Catalog();
    fresh.inFile = true;
    // `order` counts insertions into every catalog (module-wide): the fresh replay's differ.
    const view = (c: Catalog) =>
      JSON.stringify([[...c.relations], [...c.indexes], [...c.enums]], (k, v: unknown) =>
        k === 'order' ? undefined : v instanceof Map || v instanceof Set ? [...v] : v,
      );
    statements.forEach((s, k) => {
      assert.strictEqual(view(clones[k]), view(fresh), `the clone before statement ${k}`);
      fresh.apply(s.node!);
    });
    assert.strictEqual(view(walking), view(fresh));
  });
});
