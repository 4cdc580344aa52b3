/**
 * Layering, in the style of rust-analyzer's tidy check: every import of server/src and client/src
 * is parsed and checked against the "may import" column of ARCHITECTURE.md's folder table, and the
 * other layers reach the core only through its API (core/index.ts), or a core file the table names.
 * Node built-ins are allowed everywhere and not listed.
 */
import * as assert from 'assert';
import { builtinModules } from 'module';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../../..');

/** Layer of a repository path (POSIX), by the folder table's first column. */
const LAYERS: [string, RegExp][] = [
  ['core', /^server\/src\/core\//],
  ['project', /^server\/src\/project\//],
  ['cli', /^server\/src\/cli(\.ts|\/)/],
  ['lsp', /^server\/src\/lsp\//],
  ['trace', /^server\/src\/trace\//],
  ['client', /^client\//],
];

function layerOf(file: string): string | undefined {
  return LAYERS.find(([, re]) => re.test(file))?.[0];
}

/** ARCHITECTURE.md's table: layer → what it may import (layers, `layer/file.ts` entries and packages). */
function mayImport(): Map<string, Set<string>> {
  const text = fs.readFileSync(path.join(ROOT, 'ARCHITECTURE.md'), 'utf8');
  const table = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 5 || !cells[1].startsWith('`')) continue;
    const layer = layerOf(cells[1].replace(/`/g, '').split(',')[0].trim().replace(/\/?$/, '/'));
    if (!layer) continue;
    table.set(
      layer,
      new Set(
        cells[3]
          .split(',')
          .map((e) => e.replace(/`|\(.*\)/g, '').trim())
          .filter(Boolean),
      ),
    );
  }
  return table;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...sources(rel));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^import[^;]*?from\s+|^export[^;]*?from\s+|\bimport\(\s*|\brequire\(\s*)'([^']+)'/gm)].map((m) => m[1]);
  return specs;
}

function packageOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const BUILTINS = new Set(builtinModules);

describe('layering (ARCHITECTURE.md "may import")', () => {
  const table = mayImport();
  const files = [...sources('server/src'), ...sources('client/src')];

  it('the folder table names every layer', () => {
    assert.deepStrictEqual([...table.keys()].sort(), LAYERS.map(([l]) => l).sort());
  });

  it('every import is allowed by the table, and the core is reached through core/index.ts', () => {
    const violations: string[] = [];
    for (const file of files) {
      const layer = layerOf(file)!;
      const allowed = table.get(layer)!;
      for (const spec of imports(file)) {
        if (BUILTINS.has(spec.replace(/^node:/, '').split('/')[0])) continue;
        if (!spec.startsWith('.')) {
          if (!allowed.has(packageOf(spec)) && !allowed.has(spec)) violations.push(`${file}: package ${spec}`);
          continue;
        }
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        const targetLayer = layerOf(target) ?? layerOf(target + '/') ?? layerOf(target + '.ts');
        if (!targetLayer || targetLayer === layer) continue;
        const entry = target.replace(/^server\/src\//, '') + '.ts';
        if (!allowed.has(targetLayer) && !allowed.has(entry)) violations.push(`${file}: ${targetLayer} (${spec})`);
        if (targetLayer === 'core' && target !== 'server/src/core' && target !== 'server/src/core/index' && !allowed.has(entry))
          violations.push(`${file}: bypasses core/index.ts (${spec})`);
      }
    }
    assert.deepStrictEqual(violations, []);
  });
});
