import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '../../src/db/data-source';
import { runMigrations } from '../../src/db/migrations';
import { createDatabase, withDatabaseName } from '../../src/db/scratch';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres';
import { freePort } from '../../src/infra/ports';
import { ensureRedis, redisAnswers } from '../../src/infra/redis';
import { projectRoot } from '../../src/shared/paths';
import { ensureConsoleBuilt } from './console-build';

/**
 * The embedded server's data: kept under .loket-test/ between runs (initdb once), unless another
 * test run holds it right now; then a throw-away directory.
 */
function testDataDir(): string {
  const shared = join(projectRoot, '.loket-test', 'pg');
  const pidFile = join(shared, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      process.kill(pid, 0);
      const dir = mkdtempSync(join(tmpdir(), 'loket-test-pg-'));
      chmodSync(dir, 0o755);
      return join(dir, 'data');
    } catch {
      // a stale pid file: PostgreSQL will clean it up
    }
  }
  return shared;
}

/**
 * Once per `npm test`: a PostgreSQL server (TEST_DATABASE_URL's, else an embedded one under
 * .loket-test/, never the npm start data) with a migrated template database that each test file
 * copies, and a Redis (TEST_REDIS_URL, else 127.0.0.1:6379, else a redis-server child).
 */
export default async function globalSetup(): Promise<void> {
  ensureConsoleBuilt();
  const handles: (() => Promise<void>)[] = [];
  let adminUrl: string;
  if (process.env.TEST_DATABASE_URL) {
    adminUrl = withDatabaseName(process.env.TEST_DATABASE_URL, 'postgres');
  } else {
    const pg = await startEmbeddedPostgres(testDataDir(), await freePort());
    adminUrl = pg.adminUrl;
    handles.push(() => pg.stop());
  }
  // One id per run: teardown drops only this run's databases, so runs sharing a server coexist.
  const runId = randomBytes(4).toString('hex');
  const template = `loket_tpl_${runId}`;
  const templateUrl = await createDatabase(adminUrl, template);
  const ds = createDataSource(templateUrl, 1);
  await ds.initialize();
  await runMigrations(ds);
  await ds.destroy();

  let redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl)) && !process.env.TEST_REDIS_URL) {
    redisUrl = `redis://127.0.0.1:${await freePort()}`;
    const local = await ensureRedis(redisUrl, join(projectRoot, '.loket-test', 'redis'), true);
    handles.push(() => local.stop());
  }

  process.env.LOKET_TEST_ADMIN_URL = adminUrl;
  process.env.LOKET_TEST_TEMPLATE_DB = template;
  process.env.LOKET_TEST_RUN_ID = runId;
  process.env.LOKET_TEST_REDIS_URL = redisUrl;
  (globalThis as { __loketTestHandles?: typeof handles }).__loketTestHandles = handles;
}
