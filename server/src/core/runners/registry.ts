/**
 * Every runner profile. Adding one: a file in this folder exporting a `RunnerProfile`, its id in
 * `RUNNER_IDS` (types.ts), one line here, a fixture project in test/fixtures/runners/<id>/, then
 * `npm run docs`.
 */
import { RunnerId, RunnerProfile } from './types';
import { none } from './none';
import { goose } from './goose';
import { dbmate } from './dbmate';
import { sqlx } from './sqlx';
import { atlas } from './atlas';
import { flyway } from './flyway';
import { liquibase } from './liquibase';
import { diesel } from './diesel';
import { prisma } from './prisma';
import { golangMigrate } from './golang-migrate';
import { graphileMigrate } from './graphile-migrate';
import { sqitch } from './sqitch';
import { sqlMigrate } from './sql-migrate';

export const RUNNERS: RunnerProfile[] = [
  goose,
  dbmate,
  sqlx,
  atlas,
  flyway,
  liquibase,
  diesel,
  prisma,
  golangMigrate,
  graphileMigrate,
  sqitch,
  sqlMigrate,
  none,
];

export const RUNNERS_BY_ID = new Map<RunnerId, RunnerProfile>(RUNNERS.map((r) => [r.id, r]));

export function runnerProfile(id: RunnerId): RunnerProfile {
  return RUNNERS_BY_ID.get(id) ?? none;
}
