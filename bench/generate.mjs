/**
 * Deterministic generator of a long, realistic PostgreSQL migration (mixed DDL, DML, transactions,
 * settings, functions, DO blocks, comments) for the editor benchmark. Same seed → same text.
 *
 *   node bench/generate.mjs 1000 > big.sql
 */

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['account', 'invoice', 'payment', 'order', 'customer', 'shipment', 'product', 'review', 'session', 'audit', 'tenant', 'project', 'ticket', 'comment', 'upload'];
const TYPES = ['text', 'integer', 'bigint', 'boolean', 'timestamptz', 'jsonb', 'numeric(12,2)', 'varchar(255)', 'uuid', 'date'];

/**
 * @param {number} count number of top-level statements
 * @param {number} [seed]
 * @returns {{ text: string, history: string, statements: { line: number, kind: string }[], editLine: number, editCharacter: number }}
 *   `history` is an earlier migration that creates the tables the file changes (most statements
 *   then touch existing tables, as real migrations do, and the rules have something to say).
 */
export function generateMigration(count, seed = 42) {
  const rnd = mulberry32(seed);
  const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
  const tables = []; // { name, columns: string[], indexes: string[], fks: string[] }
  const historyLines = [];
  for (let i = 0; i < 60; i++) {
    const name = `${WORDS[i % WORDS.length]}_base_${i}`;
    const parent = i > 0 && i % 3 === 0 ? tables[i - 1] : undefined;
    const cols = ['id', 'name', 'status', 'created_at', 'amount'];
    historyLines.push(
      `CREATE TABLE ${name} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  name text NOT NULL,\n  status text NOT NULL DEFAULT 'new',\n  created_at timestamptz NOT NULL DEFAULT now(),\n  amount numeric(12,2)${parent ? `,\n  ${parent.name}_id bigint REFERENCES ${parent.name} (id)` : ''}\n);`,
      `CREATE INDEX ${name}_created_at_idx ON ${name} (created_at);`,
    );
    if (parent) cols.push(`${parent.name}_id`);
    tables.push({ name, columns: cols, indexes: [`${name}_created_at_idx`], fks: [] });
  }
  const lines = [];
  const statements = [];
  let inTx = false;
  let txLeft = 0;
  let serial = 0;
  let edit;

  const emit = (kind, sql) => {
    statements.push({ line: lines.length, kind });
    for (const l of sql.split('\n')) lines.push(l);
  };
  const newTable = () => {
    const name = `${pick(WORDS)}_${++serial}`;
    const cols = ['id', 'name', 'status', 'created_at'];
    const parent = rnd() < 0.6 ? pick(tables) : undefined;
    const parts = [
      '  id bigserial PRIMARY KEY',
      '  name text NOT NULL',
      "  status text NOT NULL DEFAULT 'new'",
      '  created_at timestamptz NOT NULL DEFAULT now()',
    ];
    if (parent) {
      parts.push(`  ${parent.name}_id bigint REFERENCES ${parent.name} (id) ON DELETE CASCADE`);
      cols.push(`${parent.name}_id`);
    }
    if (rnd() < 0.5) {
      parts.push('  amount numeric(12,2) CHECK (amount >= 0)');
      cols.push('amount');
    }
    const t = { name, columns: cols, indexes: [], fks: [] };
    tables.push(t);
    return { t, sql: `CREATE TABLE ${name} (\n${parts.join(',\n')}\n);` };
  };

  while (statements.length < count) {
    const remaining = count - statements.length;
    const index = statements.length;
    // The statement the benchmark types into: an ADD COLUMN in the middle of the file.
    if (index === Math.floor(count / 2) && !edit && tables.length) {
      const t = pick(tables);
      const sql = `ALTER TABLE ${t.name} ADD COLUMN note_mid text;`;
      edit = { line: lines.length, character: sql.indexOf('note_mid') + 'note_mid'.length };
      emit('AlterTableStmt', sql);
      t.columns.push('note_mid');
      continue;
    }
    if (inTx && (txLeft-- <= 0 || remaining <= 1)) {
      emit('TransactionStmt', 'COMMIT;');
      inTx = false;
      continue;
    }
    if (rnd() < 0.05) lines.push(`-- step ${index}: ${pick(WORDS)} changes`);
    const r = rnd();
    if (r < 0.06) {
      const { sql } = newTable();
      emit('CreateStmt', sql);
    } else if (r < 0.2) {
      const t = pick(tables);
      const col = `${pick(WORDS)}_${++serial}`;
      const type = pick(TYPES);
      const tail = rnd() < 0.3 ? (type === 'integer' || type === 'bigint' ? ' NOT NULL DEFAULT 0' : ' DEFAULT NULL') : '';
      emit('AlterTableStmt', `ALTER TABLE ${t.name} ADD COLUMN ${col} ${type}${tail};`);
      t.columns.push(col);
    } else if (r < 0.3) {
      const t = pick(tables);
      const col = pick(t.columns);
      const name = `idx_${t.name}_${col}_${++serial}`;
      const concurrently = !inTx && rnd() < 0.5;
      emit('IndexStmt', `CREATE ${rnd() < 0.2 ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${rnd() < 0.3 ? 'IF NOT EXISTS ' : ''}${name} ON ${t.name} (${col});`);
      t.indexes.push(name);
    } else if (r < 0.36 && tables.length > 1) {
      const t = pick(tables);
      const ref = pick(tables);
      const col = `${ref.name}_ref_${++serial}`;
      emit('AlterTableStmt', `ALTER TABLE ${t.name} ADD COLUMN ${col} bigint;`);
      t.columns.push(col);
      if (statements.length < count) {
        const fk = `${t.name}_${col}_fkey`;
        emit('AlterTableStmt', `ALTER TABLE ${t.name}\n  ADD CONSTRAINT ${fk} FOREIGN KEY (${col}) REFERENCES ${ref.name} (id)${rnd() < 0.6 ? ' NOT VALID' : ''};`);
        t.fks.push(fk);
      }
    } else if (r < 0.4) {
      const t = pick(tables.filter((x) => x.fks.length).concat(tables.slice(0, 1)));
      if (t.fks.length) emit('AlterTableStmt', `ALTER TABLE ${t.name} VALIDATE CONSTRAINT ${pick(t.fks)};`);
      else emit('VariableSetStmt', "SET statement_timeout = '30s';");
    } else if (r < 0.46) {
      emit('VariableSetStmt', pick(["SET lock_timeout = '5s';", "SET lock_timeout TO '2s';", "SET statement_timeout = '1min';", 'RESET lock_timeout;']));
    } else if (r < 0.5 && !inTx && remaining > 4) {
      emit('TransactionStmt', 'BEGIN;');
      inTx = true;
      txLeft = 2 + Math.floor(rnd() * 6);
    } else if (r < 0.56) {
      const t = pick(tables);
      emit('UpdateStmt', `UPDATE ${t.name} SET status = 'migrated' WHERE id BETWEEN ${serial} AND ${serial + 1000};`);
    } else if (r < 0.6) {
      const t = pick(tables);
      emit('InsertStmt', `INSERT INTO ${t.name} (name, status) VALUES ('seed ${serial}', 'new'), ('seed ${serial + 1}', 'old');`);
    } else if (r < 0.64) {
      const t = pick(tables);
      const col = pick(t.columns.filter((c) => c !== 'id'));
      emit('AlterTableStmt', `ALTER TABLE ${t.name} ALTER COLUMN ${col} SET NOT NULL;`);
    } else if (r < 0.67) {
      const t = pick(tables);
      const col = pick(t.columns.filter((c) => c !== 'id'));
      emit('AlterTableStmt', `ALTER TABLE ${t.name} ALTER COLUMN ${col} TYPE ${pick(TYPES)};`);
    } else if (r < 0.7) {
      const t = pick(tables);
      emit('AlterTableStmt', `ALTER TABLE ${t.name} ADD CONSTRAINT ${t.name}_chk_${++serial} CHECK (char_length(name) < 500) NOT VALID;`);
    } else if (r < 0.73) {
      const t = pick(tables);
      if (t.indexes.length && !inTx) emit('DropStmt', `DROP INDEX CONCURRENTLY IF EXISTS ${t.indexes.pop()};`);
      else emit('CommentStmt', `COMMENT ON TABLE ${t.name} IS 'Owned by the ${pick(WORDS)} team; see ticket ${serial}.';`);
    } else if (r < 0.76) {
      const t = pick(tables);
      const col = pick(t.columns.filter((c) => c !== 'id' && c !== 'name' && c !== 'status'));
      if (col) {
        const to = `${col}_v${++serial}`;
        emit('RenameStmt', `ALTER TABLE ${t.name} RENAME COLUMN ${col} TO ${to};`);
        t.columns[t.columns.indexOf(col)] = to;
      } else emit('CommentStmt', `COMMENT ON COLUMN ${t.name}.name IS 'display name';`);
    } else if (r < 0.8) {
      const t = pick(tables);
      emit('ViewStmt', `CREATE OR REPLACE VIEW ${t.name}_recent_${++serial} AS\n  SELECT id, name, status, created_at\n  FROM ${t.name}\n  WHERE created_at > now() - interval '7 days';`);
    } else if (r < 0.83) {
      const fn = `touch_${++serial}`;
      emit(
        'CreateFunctionStmt',
        `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n  NEW.created_at := now();\n  RETURN NEW;\nEND;\n$$;`,
      );
      if (statements.length < count) {
        const t = pick(tables);
        emit('CreateTrigTrigger', `CREATE TRIGGER ${fn}_trg BEFORE UPDATE ON ${t.name}\n  FOR EACH ROW EXECUTE FUNCTION ${fn}();`);
      }
    } else if (r < 0.85) {
      const t = pick(tables);
      emit(
        'DoStmt',
        `DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'idx_${t.name}_status') THEN\n    CREATE INDEX idx_${t.name}_status_${++serial} ON ${t.name} (status);\n  END IF;\nEND\n$$;`,
      );
    } else if (r < 0.87) {
      emit('CreateEnumStmt', `CREATE TYPE ${pick(WORDS)}_state_${++serial} AS ENUM ('draft', 'active', 'archived');`);
    } else if (r < 0.9) {
      const t = pick(tables);
      const col = pick(t.columns.filter((c) => c !== 'id' && c !== 'name' && c !== 'status' && c !== 'created_at' && c !== 'note_mid'));
      if (col) {
        emit('AlterTableStmt', `ALTER TABLE ${t.name} DROP COLUMN IF EXISTS ${col};`);
        t.columns.splice(t.columns.indexOf(col), 1);
      } else emit('SelectStmt', `SELECT count(*) FROM ${t.name};`);
    } else if (r < 0.93) {
      const t = pick(tables);
      emit('AlterTableStmt', `ALTER TABLE ${t.name} ALTER COLUMN status SET DEFAULT 'pending';`);
    } else if (r < 0.96) {
      const t = pick(tables);
      emit('SelectStmt', `SELECT set_config('lock_timeout', '3s', false);`);
      void t;
    } else {
      const { sql } = newTable();
      emit('CreateStmt', sql);
    }
  }
  lines.push('');
  if (!edit) edit = { line: 0, character: 0 };
  return { text: lines.join('\n'), history: historyLines.join('\n') + '\n', statements, editLine: edit.line, editCharacter: edit.character };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] ?? 1000);
  process.stdout.write(generateMigration(n).text);
}
