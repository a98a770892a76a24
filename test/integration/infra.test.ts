import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/infra/ports';
import { ensureRedis, redisAnswers, RedisUnavailableError } from '../../src/infra/redis';

describe('Redis for npm start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loket-redis-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('uses a Redis that already answers, without starting one', async () => {
    const url = process.env.LOKET_TEST_REDIS_URL ?? '';
    const local = await ensureRedis(url, dir, true);
    expect(local.child).toBeUndefined();
  });

  test('starts redis-server as a child when nothing answers, and stops it', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const local = await ensureRedis(url, dir, true);
    expect(local.child).toBeDefined();
    expect(await redisAnswers(url)).toBe(true);
    await local.stop();
    expect(await redisAnswers(url)).toBe(false);
  });

  test('stops with a message naming the ways out when it may not start one', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const attempt = ensureRedis(url, dir, false);
    await expect(attempt).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(attempt).rejects.toThrow(
      /install Redis[\s\S]*REDIS_URL[\s\S]*docker compose up -d redis/,
    );
  });

  test('never tries to start a Redis for a remote host', async () => {
    await expect(ensureRedis('redis://redis.invalid:6379', dir, true)).rejects.toThrow(
      /not on this machine/,
    );
  });
});
