import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface ThrottleLimits {
  /** Failed attempts on one account from one client IP. */
  perAccount: number;
  perIp: number;
  windowSeconds: number;
}

/** Attempts on one account from all IPs together may reach this many times the per-pair limit. */
export const ACCOUNT_WIDE_FACTOR = 5;

export interface LoginThrottle {
  /**
   * Counts an attempt before the password is checked, so concurrent attempts cannot slip past
   * the limit. Returns the seconds to wait (the attempt must be refused), or 0.
   */
  reserve(username: string, ip: string): Promise<number>;
  /** The attempt succeeded: it does not count, and this pair's failures are forgotten. */
  succeeded(username: string, ip: string): Promise<void>;
}

/**
 * Failed-login counters in Redis, so the limits hold across API instances. The strict limit is per
 * (account, IP): a stranger hammering an account from elsewhere cannot lock its owner out; a looser
 * account-wide limit still stops a distributed guess. Accounts are keyed by a hash of the typed
 * name whether or not they exist, so throttling reveals nothing about which accounts exist.
 */
export function createLoginThrottle(
  redis: Redis,
  prefix: string,
  limits: ThrottleLimits,
): LoginThrottle {
  const account = (username: string) =>
    createHash('sha256').update(username.trim().toLowerCase()).digest('hex').slice(0, 32);
  const keys = (username: string, ip: string) => {
    const a = account(username);
    return {
      pair: `${prefix}:login-fail:pair:${a}:${ip}`,
      acct: `${prefix}:login-fail:acct:${a}`,
      ip: `${prefix}:login-fail:ip:${ip}`,
    };
  };
  return {
    async reserve(username, ip) {
      const k = keys(username, ip);
      const w = limits.windowSeconds;
      const results = await redis
        .multi()
        .incr(k.pair)
        .expire(k.pair, w, 'NX')
        .incr(k.acct)
        .expire(k.acct, w, 'NX')
        .incr(k.ip)
        .expire(k.ip, w, 'NX')
        .ttl(k.pair)
        .ttl(k.acct)
        .ttl(k.ip)
        .exec();
      const n = (i: number) => Number(results?.[i]?.[1] ?? 0);
      let wait = 0;
      if (n(0) > limits.perAccount) wait = Math.max(wait, n(6));
      if (n(2) > limits.perAccount * ACCOUNT_WIDE_FACTOR) wait = Math.max(wait, n(7));
      if (n(4) > limits.perIp) wait = Math.max(wait, n(8));
      return wait > 0 ? wait : 0;
    },
    async succeeded(username, ip) {
      const k = keys(username, ip);
      await redis.multi().del(k.pair).decr(k.acct).decr(k.ip).exec();
    },
  };
}
