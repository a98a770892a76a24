import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/** One PING with a short timeout and no retries: is anything answering at `url`? */
export async function redisAnswers(url: string, timeoutMs = 1500): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export class RedisUnavailableError extends Error {
  constructor(url: string, why: string) {
    super(
      [
        `Nothing answers at REDIS_URL (${url}), ${why}.`,
        'Ways out:',
        '  - install Redis (Debian/Ubuntu: sudo apt-get install redis-server), then run npm start again;',
        '  - point REDIS_URL at a running Redis, e.g. REDIS_URL=redis://redis.example:6379;',
        '  - or start one with Docker: docker compose up -d redis',
      ].join('\n'),
    );
    this.name = 'RedisUnavailableError';
  }
}

export interface LocalRedis {
  child: ChildProcess | undefined;
  stop(): Promise<void>;
}

/**
 * Makes sure a Redis answers at `url`: uses the one running there, or starts `redis-server` as a
 * child process on the URL's port (data under `dataDir`), or throws RedisUnavailableError.
 */
export async function ensureRedis(
  url: string,
  dataDir: string,
  autostart: boolean,
): Promise<LocalRedis> {
  if (await redisAnswers(url)) return { child: undefined, stop: () => Promise.resolve() };
  const parsed = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(parsed.hostname);
  if (!autostart) throw new RedisUnavailableError(url, 'and REDIS_AUTOSTART is off');
  if (!local)
    throw new RedisUnavailableError(
      url,
      'and it is not on this machine, so Loket cannot start one',
    );
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const args = [
    '--port',
    parsed.port || '6379',
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--save',
    '',
  ];
  if (parsed.password) args.push('--requirepass', decodeURIComponent(parsed.password));
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  const spawned = await new Promise<boolean>((done) => {
    child.once('spawn', () => {
      done(true);
    });
    child.once('error', () => {
      done(false);
    });
  });
  if (!spawned)
    throw new RedisUnavailableError(url, 'and redis-server is not installed here to start one');
  for (let i = 0; i < 50; i++) {
    if (await redisAnswers(url, 500)) {
      return {
        child,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) {
              done();
              return;
            }
            child.once('exit', () => {
              done();
            });
            child.kill('SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new RedisUnavailableError(
    url,
    'and the redis-server Loket started did not answer within 5 s',
  );
}
