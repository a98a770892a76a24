import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { ConfigError, loadConfig, type Config } from './config';
import { createContainer, type Container } from './container';
import { createDataSource } from './db/data-source';
import { startEmbeddedPostgres } from './infra/embedded-postgres';
import {
  createRedis,
  ensureRedis,
  redisAnswers,
  RedisUnavailableError,
  type LocalRedis,
} from './infra/redis';
import { resolveSecrets } from './shared/secrets';

/** Loads config or prints every problem and exits: the fail-fast start of each process. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw err;
  }
}

async function canConnect(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** A readable line for whatever was thrown (some libraries throw strings or plain objects). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message !== '' ? err.message : (err.stack ?? err.name);
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

export interface Database {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * DATABASE_URL when set; otherwise the embedded PostgreSQL under LOKET_DATA_DIR/pg, reused when
 * another Loket process (npm start) already runs it.
 */
export async function openDatabase(config: Config, log: (line: string) => void): Promise<Database> {
  if (config.DATABASE_URL)
    return { url: config.DATABASE_URL, embedded: false, stop: () => Promise.resolve() };
  const running = `postgres://loket:loket-embedded@127.0.0.1:${config.EMBEDDED_PG_PORT}/loket`;
  if (await canConnect(running))
    return { url: running, embedded: true, stop: () => Promise.resolve() };
  log(
    `DATABASE_URL is not set: starting the embedded PostgreSQL (data in ${join(config.LOKET_DATA_DIR, 'pg')})`,
  );
  const pg = await startEmbeddedPostgres(
    join(config.LOKET_DATA_DIR, 'pg'),
    config.EMBEDDED_PG_PORT,
  );
  return { url: pg.url, embedded: true, stop: () => pg.stop() };
}

export interface Runtime {
  config: Config;
  container: Container;
  dataSource: DataSource;
  redis: Redis;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL, Redis and the container for one process. `startRedis` lets the all-in-one
 * `npm start` launch redis-server as a child when nothing answers; deployments never do.
 */
export async function openRuntime(
  config: Config,
  options: { startRedis: boolean; log: (line: string) => void },
): Promise<Runtime> {
  const db = await openDatabase(config, options.log);
  let localRedis: LocalRedis | undefined;
  try {
    if (options.startRedis) {
      localRedis = await ensureRedis(
        config.REDIS_URL,
        join(config.LOKET_DATA_DIR, 'redis'),
        config.REDIS_AUTOSTART,
      );
    } else if (!(await redisAnswers(config.REDIS_URL))) {
      throw new RedisUnavailableError(config.REDIS_URL, 'and this process does not start Redis');
    }
  } catch (err) {
    await db.stop();
    throw err;
  }
  if (localRedis?.child)
    options.log(
      `Started redis-server for ${config.REDIS_URL} (data in ${join(config.LOKET_DATA_DIR, 'redis')})`,
    );
  const dataSource = createDataSource(db.url, config.DATABASE_POOL_SIZE);
  await dataSource.initialize();
  const redis = createRedis(config.REDIS_URL);
  const container = createContainer({ config, dataSource, redis, secrets: resolveSecrets(config) });
  return {
    config,
    container,
    dataSource,
    redis,
    async close() {
      redis.disconnect();
      await dataSource.destroy();
      await localRedis?.stop();
      await db.stop();
    },
  };
}

/**
 * The life of a deployment process (api, worker): open the runtime, start the part, and on
 * SIGTERM or SIGINT stop taking work, close it, close the pools and exit.
 */
export function runProcess(
  name: string,
  start: (runtime: Runtime) => Promise<{ close(): Promise<void> }>,
): void {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const run = async () => {
    const runtime = await openRuntime(loadConfigOrExit(), { startRedis: false, log });
    const part = await start(runtime);
    log(`Loket ${name} started`);
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      await part.close();
      await runtime.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop());
    process.once('SIGINT', () => void stop());
  };
  run().catch((err: unknown) => {
    process.stderr.write(`Loket ${name} could not start: ${describeError(err)}\n`);
    process.exit(1);
  });
}

/** What to print, once, about the first SUPERVISOR (npm start and start:api). */
export function describeAdminBootstrap(admin: {
  created: boolean;
  username: string;
  oneTimePassword: string | null;
}): string[] {
  if (!admin.created) return [];
  return [
    `First SUPERVISOR account: ${admin.username}`,
    admin.oneTimePassword
      ? `  One-time password (shown only now; you must change it at first login): ${admin.oneTimePassword}`
      : '  Password: the value of LOKET_ADMIN_PASSWORD (change it at first login)',
  ];
}
