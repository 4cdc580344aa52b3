/**
 * The contract of a runner profile: how one migration tool finds, splits and executes a file
 * (which parts are deployed, which are rollback, and whether each part runs in a transaction).
 */
import type { TextEdit } from '../rules/types';

export const RUNNER_IDS = [
  'none',
  'goose',
  'dbmate',
  'sqlx',
  'atlas',
  'flyway',
  'liquibase',
  'diesel',
  'prisma',
  'golang-migrate',
  'graphile-migrate',
  'sqitch',
  'sql-migrate',
] as const;
export type RunnerId = (typeof RUNNER_IDS)[number];

/**
 * How the runner sends one unit (file, section, changeset) to PostgreSQL:
 * - `transaction`: BEGIN, the statements, COMMIT;
 * - `multi-statement`: the whole unit as one query string. PostgreSQL runs a query string of more
 *   than one statement as an implicit transaction block (CONCURRENTLY, VACUUM... fail in it);
 * - `statements`: statement by statement in autocommit, like `psql -f` (the file's own BEGIN/COMMIT apply).
 */
export type TxMode = 'transaction' | 'multi-statement' | 'statements';

/** `up`: deployed; `down`: rollback; `verify`: run after deploy to check it (sqitch). Only `up` feeds the schema history. */
export type Part = 'up' | 'down' | 'verify';

export interface RunnerInput {
  text: string;
  /** Path of the file (native separators); its name and folders carry the layout. */
  fileName: string;
  /** Text of the runner's per-migration config file (Flyway `<script>.conf`, diesel `metadata.toml`), when there is one. */
  companion?: string;
  /** Names of the entries of the migration's folder (files for flat layouts, folders for folder-per-migration). */
  siblings?: string[];
}

export interface Section {
  part: Part;
  /** UTF-16 offsets of the part's body in the file (markers excluded). */
  start: number;
  end: number;
  mode: TxMode;
  /** "this file", "the Up section", "changeset alice:1": how messages name the unit. */
  unit: string;
  /** True when the file turned the runner's transaction off for this unit. */
  optedOut: boolean;
  /** The marker line that opens the section (for opt-outs written on it). */
  marker?: { start: number; end: number };
  /** Where the unit's text ends when its rollback follows it in the same unit (Liquibase `--rollback` lines). */
  unitEnd?: number;
}

export interface RunnerFile {
  sections: Section[];
}

/** A file the fix creates (a new migration after this one, or a per-migration config file). */
export interface NewFile {
  /** Absolute or relative path, resolved against the migration file's folder. */
  path: string;
  text: string;
}

export interface OptOutEdit {
  edits: TextEdit[];
  files: NewFile[];
}

export interface RunnerDocs {
  name: string;
  summary: string;
  /** How a file runs, in a few words (the README table). */
  runs: string;
  /** How files are found and ordered. */
  files: string;
  /** Which parts are deployed, which are rollback or verify. */
  parts: string;
  /** How a file is split into statements. */
  splitting: string;
  /** Whether each file/section/changeset runs in a transaction, a multi-statement query or statement by statement. */
  transaction: string;
  /** How a file opts out of the transaction (or why it cannot). */
  optOut: string;
  /** Version-dependent behaviour, where there is some. */
  versions?: string;
  /** The runner's own documentation or source each fact above comes from. */
  sources: { title: string; url: string }[];
}

export interface RunnerDetection {
  /** An in-file marker only this runner writes (the first 4 KB are searched). */
  marker?: RegExp;
  /** Project files in the folder or a parent folder (a `Cargo.toml` needs `contentHint` too). */
  projectFiles?: { name: string; contentHint?: RegExp }[];
  /** File or folder names of the migrations folder that only this runner's layout produces. */
  layout?: RegExp;
  /** Layout patterns several runners share: they count only when nothing stronger decides. */
  weakLayout?: RegExp;
}

export interface RunnerProfile {
  id: RunnerId;
  docs: RunnerDocs;
  detect: RunnerDetection;
  /** Splits a file into deployed and rollback parts and says how each one runs. */
  read(input: RunnerInput): RunnerFile;
  /** Mode a unit runs in once opted out (undefined: the runner has no opt-out). */
  optOutMode?: TxMode;
  /** Text naming the opt-out in messages, e.g. "`-- +goose NO TRANSACTION`". */
  optOutText: string;
  /** Edits turning the runner's transaction off for `section` (undefined: no opt-out for it). */
  optOut?(input: RunnerInput, section: Section): OptOutEdit | undefined;
  /**
   * The text to analyse, the same length as the file: rollback SQL the runner keeps in comments
   * (Liquibase `--rollback` lines) uncovered, so that it is analysed as the rollback part.
   */
  visibleText?(text: string): string;
  /** Why fixes are withheld in rollback parts `visibleText` uncovered (they would break the comment prefixes). */
  commentedRollback?: string;
  /**
   * Why no fix may edit this file, when the runner checks it byte for byte (graphile-migrate's
   * hashed committed migrations); undefined when fixes may edit it.
   */
  frozen?(input: RunnerInput): string | undefined;
  /** Path of the per-migration config file the runner reads beside `fileName`, if any. */
  companion?(fileName: string): string | undefined;
  /**
   * A new migration that runs right after `input`'s and holds `sql` outside any transaction;
   * undefined when the runner's naming leaves no free slot or new files need the tool itself.
   */
  nextMigration?(input: RunnerInput, sql: string[]): NewFile[] | undefined;
  /** For runners whose unit is smaller than a file (Liquibase changesets): `sql` in a new unit right after `section`. */
  moveAfter?(input: RunnerInput, section: Section, sql: string[]): OptOutEdit | undefined;
  /**
   * Runners that end a statement at every line ending with `;` (goose, sql-migrate), with the
   * annotations that protect a block from that split.
   */
  lineSplit?: { begin: string; end: string };
  /**
   * Lets a runner change a unit's mode from its statements (Flyway runs a script without a
   * transaction when all its statements are ones it knows cannot run in one).
   */
  refine?(section: Section, statements: string[], pgVersion: number): Section;
}
