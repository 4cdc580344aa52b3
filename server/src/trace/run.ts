/**
 * Runs a migration file on the embedded engine statement by statement, in the file's own
 * transaction structure: explicit BEGIN/COMMIT as written, the whole file in one transaction when
 * the config says the migration tool wraps it (`assumeInTransaction`), every other statement in
 * autocommit. Autocommit statements are traced inside a BEGIN/COMMIT of their own (same effect,
 * but their locks can be read before they are released); statements that cannot run in a
 * transaction block run bare and only their storage effects are seen.
 */
import { Analysis } from '../core';
import { as, T } from '../core';
import { Statement } from '../core';
import { LockMode, lockRank } from '../core';
import { StatementTrace, TraceEngine, asEngineError } from './engine';

export type StepMode = 'control' | 'in-transaction' | 'own-transaction' | 'outside-transaction' | 'skipped';

export interface RunStep {
  /** Index into analysis.statements. */
  statement: number;
  mode: StepMode;
  trace: StatementTrace;
  /** Modes already held before it on each relation (by name), from earlier statements of its transaction. */
  heldBefore: Map<string, LockMode>;
  /** Why it was skipped. */
  reason?: string;
}

export interface RunResult {
  steps: RunStep[];
  /** A transaction was still open at the end of the file: it was rolled back, as when the session ends. */
  rolledBackAtEnd: boolean;
}

export interface RunOptions {
  /** Measure locks, storage and scans (the trace); otherwise only run and record errors. */
  measure: boolean;
  /**
   * What happens to a transaction still open at the end of the file: 'rollback' (default) is what
   * a session that ends does; 'commit' is what the author meant (used to check ban-uncommitted-transaction's fix).
   */
  openTransactionAtEnd?: 'rollback' | 'commit';
  /** Called before each top-level statement runs (the CLI names the one running when its time limit ends the trace). */
  onStatement?: (index: number) => void;
}

/** Runs the file's top-level statements (DO-block bodies run as part of their DO). */
export async function runMigration(engine: TraceEngine, analysis: Analysis, options: RunOptions): Promise<RunResult> {
  const runner = new Runner(engine, options);
  if (analysis.config.assumeInTransaction) await runner.begin();
  for (const [i, s] of analysis.statements.entries()) {
    if (s.statement.container !== undefined) continue;
    options.onStatement?.(i);
    runner.steps.push(await runner.step(i, s.statement, s.effect.noTransaction));
  }
  const commitAtEnd = analysis.config.assumeInTransaction || options.openTransactionAtEnd === 'commit';
  const rolledBackAtEnd = runner.open && !commitAtEnd;
  if (runner.open) await engine.exec(commitAtEnd ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
  return { steps: runner.steps, rolledBackAtEnd };
}

class Runner {
  readonly steps: RunStep[] = [];
  open = false;
  /** Relation oid → modes held by the open transaction. */
  private held = new Map<number, Set<LockMode>>();
  private names = new Map<number, string>();

  constructor(
    private readonly engine: TraceEngine,
    private readonly options: RunOptions,
  ) {}

  async begin(): Promise<void> {
    await this.engine.exec('BEGIN');
    this.open = true;
    this.held = new Map();
  }

  async step(index: number, stmt: Statement, noTransaction: boolean): Promise<RunStep> {
    const sql = stmt.text;
    const heldBefore = this.heldByName();
    if (/^\s*COPY\b[\s\S]*\bFROM\s+STDIN\b/i.test(sql)) {
      return { statement: index, mode: 'skipped', trace: blank(sql), heldBefore, reason: 'COPY FROM STDIN data is not replayed' };
    }
    const tx = as(stmt.node, 'TransactionStmt');
    if (tx) return { statement: index, mode: 'control', trace: await this.control(sql, tx), heldBefore };
    if (!this.options.measure) return { statement: index, mode: this.modeFor(noTransaction), trace: await this.plain(sql), heldBefore };
    if (this.open) {
      const result = await this.engine.traceInOpenTransaction(sql, this.held);
      this.held = result.held;
      this.remember(result.locks.map((l) => [l.oid, l.relation]));
      const { held: _held, ...trace } = result;
      return { statement: index, mode: 'in-transaction', trace, heldBefore };
    }
    if (noTransaction) return { statement: index, mode: 'outside-transaction', trace: await this.engine.traceOutsideTransaction(sql), heldBefore };
    const trace = await this.engine.traceCommitted(sql);
    // 25001: a statement the model did not know cannot run in a transaction block (CREATE DATABASE, ...).
    if (trace.error?.code === '25001')
      return { statement: index, mode: 'outside-transaction', trace: await this.engine.traceOutsideTransaction(sql), heldBefore };
    return { statement: index, mode: 'own-transaction', trace, heldBefore };
  }

  private modeFor(noTransaction: boolean): StepMode {
    if (this.open) return 'in-transaction';
    return noTransaction ? 'outside-transaction' : 'own-transaction';
  }

  private async plain(sql: string): Promise<StatementTrace> {
    const t0 = performance.now();
    try {
      await this.engine.exec(sql);
      return { ...blank(sql), observed: 'none', durationMs: performance.now() - t0 };
    } catch (error) {
      return { ...blank(sql), durationMs: performance.now() - t0, error: asEngineError(error) };
    }
  }

  /** BEGIN/COMMIT/ROLLBACK/SAVEPOINT: run, then follow the transaction state. */
  private async control(sql: string, tx: T.TransactionStmt): Promise<StatementTrace> {
    const trace = await this.plain(sql);
    switch (tx.kind) {
      case 'TRANS_STMT_BEGIN':
      case 'TRANS_STMT_START':
        if (!trace.error) this.open = true;
        this.held = new Map();
        break;
      case 'TRANS_STMT_COMMIT':
      case 'TRANS_STMT_ROLLBACK':
      case 'TRANS_STMT_PREPARE':
        // COMMIT ... AND CHAIN starts the next transaction at once.
        this.open = !!tx.chain;
        this.held = new Map();
        break;
      default:
        // ROLLBACK TO SAVEPOINT releases the locks taken after the savepoint.
        if (this.open && this.options.measure) this.held = await this.engine.heldLocks();
    }
    return trace;
  }

  private remember(pairs: [number, string][]): void {
    for (const [oid, name] of pairs) this.names.set(oid, name);
  }

  private heldByName(): Map<string, LockMode> {
    const out = new Map<string, LockMode>();
    for (const [oid, modes] of this.held) {
      const name = this.names.get(oid);
      if (!name) continue;
      const best = [...modes].sort((a, b) => lockRank(b) - lockRank(a))[0];
      if (best) out.set(name, best);
    }
    return out;
  }
}

function blank(sql: string): StatementTrace {
  return { sql, observed: 'none', durationMs: 0, locks: [], objectLocks: [], storage: [], scans: [], wrote: false };
}
