import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../infra/embedded-postgres';
import { freePort } from '../infra/ports';

/** Replaces the database name of a PostgreSQL URL. */
export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name: ${name}`);
  return `"${name}"`;
};

export async function createDatabase(
  adminUrl: string,
  name: string,
  template?: string,
): Promise<string> {
  await withClient(adminUrl, (c) =>
    c.query(
      `CREATE DATABASE ${quoteIdent(name)}${template ? ` TEMPLATE ${quoteIdent(template)}` : ''}`,
    ),
  );
  return withDatabaseName(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  await withClient(adminUrl, (c) =>
    c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
  );
}

export interface PostgresServer {
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server to make throw-away databases on: the one at `url` when given (its
 * maintenance database is used), else an embedded one in a temporary directory.
 */
export async function openPostgresServer(url: string | undefined): Promise<PostgresServer> {
  if (url) return { adminUrl: withDatabaseName(url, 'postgres'), stop: () => Promise.resolve() };
  const dir = mkdtempSync(join(tmpdir(), 'loket-pg-'));
  // As root, embedded-postgres runs initdb as a `postgres` user, which must reach the directory.
  chmodSync(dir, 0o755);
  const pg = await startEmbeddedPostgres(join(dir, 'data'), await freePort());
  return {
    adminUrl: pg.adminUrl,
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` against a new empty database that is dropped afterwards. */
export async function withScratchDatabase<T>(
  server: PostgresServer,
  fn: (url: string) => Promise<T>,
): Promise<T> {
  const name = `loket_scratch_${randomBytes(6).toString('hex')}`;
  const url = await createDatabase(server.adminUrl, name);
  try {
    return await fn(url);
  } finally {
    await dropDatabase(server.adminUrl, name);
  }
}
