/**
 * adding-foreign-key-constraint withholds its NOT VALID fix on a partitioned table before PostgreSQL
 * 18, because the server rejects the fixed statement there; from 18 it offers it. Both halves run
 * on an engine: PostgreSQL 15 (the server) refuses, PostgreSQL 18 (PGlite) adds and validates it.
 */
import * as assert from 'assert';
import { analyze, applyEdits, Catalog, initParser, mergeConfig } from '../../server/src/core';
import { replay } from '../../server/src/project/history';
import { TraceEngine } from '../../server/src/trace/engine';
import { requirePgServer } from '../support/pgServer';

const SETUP = `CREATE TABLE orders (id bigint PRIMARY KEY);
CREATE TABLE shipments (id bigint, order_id bigint, created_at date) PARTITION BY RANGE (created_at);
CREATE TABLE shipments_2024 PARTITION OF shipments FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');`;

const ADD = 'ALTER TABLE shipments ADD CONSTRAINT shipments_order_fk FOREIGN KEY (order_id) REFERENCES orders (id);';

function fixOn(pgVersion: number): { fixed?: string; withheld?: string } {
  const history = new Catalog();
  replay(SETUP, history);
  const config = mergeConfig({ pgVersion, rules: { 'adding-foreign-key-constraint': 'error' } });
  const finding = analyze(ADD, { config, history }).findings.find((f) => f.rule === 'adding-foreign-key-constraint');
  assert.ok(finding, 'the foreign key is flagged');
  if (!finding.fix) return { withheld: finding.withheld?.reason };
  return { fixed: applyEdits(ADD, finding.fix.edits) };
}

describe('a NOT VALID foreign key on a partitioned table, PostgreSQL 15 and 18', function () {
  before(async () => {
    await initParser();
  });

  it('PostgreSQL 15 rejects it: the fix is withheld, with the reason', async function () {
    const server = await requirePgServer(this);
    const client = await server.connect(await server.createDatabase('fkpartitioned'));
    try {
      await client.query(SETUP);
      await assert.rejects(client.query(ADD.replace(';', ' NOT VALID')), /cannot add NOT VALID foreign key on partitioned table/);
    } finally {
      await client.end();
    }
    assert.match(fixOn(15).withheld ?? '', /shipments is partitioned/);
  });

  it('PostgreSQL 18 accepts it: the fix is offered and runs', async function () {
    this.timeout(60000);
    const { fixed } = fixOn(18);
    assert.ok(fixed?.includes('NOT VALID') && fixed.includes('VALIDATE CONSTRAINT shipments_order_fk'), fixed);
    const engine = await TraceEngine.create();
    try {
      assert.strictEqual(engine.major, 18);
      await engine.exec(SETUP);
      await engine.exec(fixed!);
      // The parent's key and its clone on the partition, both validated.
      const rows = await engine.query<{ relname: string; convalidated: boolean }>(
        `SELECT conrelid::regclass::text AS relname, convalidated FROM pg_constraint WHERE conname = 'shipments_order_fk' ORDER BY 1`,
      );
      assert.deepStrictEqual(rows, [
        { relname: 'shipments', convalidated: true },
        { relname: 'shipments_2024', convalidated: true },
      ]);
    } finally {
      await engine.close();
    }
  });
});
