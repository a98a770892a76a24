import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ThrottleLimits {
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

export interface LoginThrottle {
  /** Seconds to wait when either counter is at its limit, else 0. */
  blockedFor(username: string, ip: string): Promise<number>;
  recordFailure(username: string, ip: string): Promise<void>;
  clearAccount(username: string): Promise<void>;
}

/**
 * Failed-login counters in Redis, so the limits hold across API instances. The account counter is
 * keyed by a hash of the typed username whether or not the account exists, so throttling reveals
 * nothing about which accounts exist.
 */
export function createLoginThrottle(
  redis: Redis,
  prefix: string,
  limits: ThrottleLimits,
): LoginThrottle {
  const acctKey = (username: string) =>
    `${prefix}:login-fail:acct:${createHash('sha256').update(username.trim().toLowerCase()).digest('hex').slice(0, 32)}`;
  const ipKey = (ip: string) => `${prefix}:login-fail:ip:${ip}`;
  return {
    async blockedFor(username, ip) {
      const [[, a], [, i], [, ta], [, ti]] = (await redis
        .multi()
        .get(acctKey(username))
        .get(ipKey(ip))
        .ttl(acctKey(username))
        .ttl(ipKey(ip))
        .exec()) as [[null, string | null], [null, string | null], [null, number], [null, number]];
      let wait = 0;
      if (Number(a ?? 0) >= limits.perAccount) wait = Math.max(wait, ta);
      if (Number(i ?? 0) >= limits.perIp) wait = Math.max(wait, ti);
      return wait > 0 ? wait : 0;
    },
    async recordFailure(username, ip) {
      await redis
        .multi()
        .incr(acctKey(username))
        .expire(acctKey(username), limits.windowSeconds, 'NX')
        .incr(ipKey(ip))
        .expire(ipKey(ip), limits.windowSeconds, 'NX')
        .exec();
    },
    async clearAccount(username) {
      await redis.del(acctKey(username));
    },
  };
}
