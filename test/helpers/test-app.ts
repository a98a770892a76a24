import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApp, type BuildAppOptions } from '../../src/app';
import type { StaffRole } from '../../src/auth/roles';
import { loadConfig, type Config } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { createDataSource } from '../../src/db/data-source';
import { createDatabase, dropDatabase } from '../../src/db/scratch';
import { createRedis } from '../../src/infra/redis';
import type { Clock } from '../../src/shared/clock';
import { resolveSecrets } from '../../src/shared/secrets';

export const TEST_PASSWORD = 'Uji-Coba-Kata-Sandi-77';

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApp {
  app: FastifyInstance;
  baseUrl: string;
  container: Container;
  config: Config;
  redis: Redis;
  /** Creates a staff user of the role (password TEST_PASSWORD) and signs in over HTTP. */
  tokenFor(role: StaffRole, username?: string): Promise<string>;
  http<T = Record<string, unknown>>(
    method: string,
    path: string,
    options?: {
      token?: string;
      json?: unknown;
      body?: NonNullable<RequestInit['body']>;
      headers?: Record<string, string>;
    },
  ): Promise<HttpResult<T>>;
  close(): Promise<void>;
}

/** A database name of this test run; the global teardown drops whatever a crashed test left. */
export function testDatabaseName(): string {
  return `loket_t_${process.env.LOKET_TEST_RUN_ID ?? 'x'}_${randomBytes(5).toString('hex')}`;
}

/** Environment for a test process: its own database (from the migrated template), Redis prefix and secrets. */
export async function createTestConfig(
  overrides: Record<string, string> = {},
): Promise<{ config: Config; dropDb: () => Promise<void> }> {
  const adminUrl = process.env.LOKET_TEST_ADMIN_URL;
  const template = process.env.LOKET_TEST_TEMPLATE_DB;
  const redisUrl = process.env.LOKET_TEST_REDIS_URL;
  if (!adminUrl || !template || !redisUrl)
    throw new Error('integration tests need the jest global setup');
  const name = testDatabaseName();
  const url = await createDatabase(adminUrl, name, template);
  const dataDir = mkdtempSync(join(tmpdir(), 'loket-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: `lt-${name}`,
    LOKET_DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString('base64url'),
    LOKET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    LOKET_HASH_KEY: randomBytes(32).toString('base64'),
    ...overrides,
  });
  return {
    config,
    dropDb: async () => {
      await dropDatabase(adminUrl, name);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function createTestApp(
  options: { env?: Record<string, string>; clock?: Clock; app?: BuildAppOptions } = {},
): Promise<TestApp> {
  const { config, dropDb } = await createTestConfig(options.env);
  const dataSource = createDataSource(config.DATABASE_URL ?? '', 4);
  await dataSource.initialize();
  const redis = createRedis(config.REDIS_URL);
  const container = createContainer({
    config,
    dataSource,
    redis,
    secrets: resolveSecrets(config),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp(container, options.app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const http: TestApp['http'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body = opts.body;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON; keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as never };
  };

  let n = 0;
  return {
    app,
    baseUrl,
    container,
    config,
    redis,
    http,
    async tokenFor(role, username) {
      const name = username ?? `${role.toLowerCase().replace(/_/g, '')}${++n}`;
      await container.staff.create(
        {
          username: name,
          fullName: `Petugas ${role}`,
          role,
          password: TEST_PASSWORD,
          mustChangePassword: false,
        },
        { type: 'SYSTEM', id: null, label: 'test' },
      );
      const res = await http<{ accessToken: string }>('POST', '/api/auth/login', {
        json: { username: name, password: TEST_PASSWORD },
      });
      if (res.status !== 200)
        throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.accessToken;
    },
    async close() {
      await app.close();
      const keys = await redis.keys(`${config.REDIS_PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await dataSource.destroy();
      await dropDb();
    },
  };
}
