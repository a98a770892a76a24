import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

// Renew or release only while the key still holds our token (another holder may have taken it
// after our lease ran out).
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * A lease in Redis (SET NX PX + token-checked renew and release): at most one holder at a time;
 * when the holder dies, the lease runs out after `ttlMs` and another instance takes it.
 */
export interface RedisLease {
  readonly token: string;
  tryAcquire(): Promise<boolean>;
  /** True while still ours; false when it ran out or another instance holds it. */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export function createRedisLease(redis: Redis, key: string, ttlMs: number): RedisLease {
  const token = randomBytes(16).toString('hex');
  return {
    token,
    async tryAcquire() {
      return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async renew() {
      return Number(await redis.eval(RENEW, 1, key, token, String(ttlMs))) === 1;
    },
    async release() {
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
