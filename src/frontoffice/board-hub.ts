import type { Redis } from 'ioredis';

/**
 * Tells every API instance that the waiting-room board changed (Redis pub/sub), so each can push
 * a fresh snapshot to the boards connected to it. Publishing never waits: a lost signal costs a
 * board one update, and a board that reconnects gets a full snapshot anyway.
 */
export function createBoardHub(redis: Redis, prefix: string) {
  const channel = `${prefix}:queue:board`;
  const listeners = new Set<() => void>();
  let subscriber: Redis | undefined;
  return {
    publish(): void {
      redis.publish(channel, '1').catch(() => undefined);
    },
    /** Calls `listener` on every change anywhere; returns the unsubscribe. */
    subscribe(listener: () => void): () => void {
      if (!subscriber) {
        const sub = redis.duplicate();
        sub.on('error', () => undefined);
        sub.on('message', () => {
          for (const l of listeners) l();
        });
        sub.subscribe(channel).catch(() => undefined);
        subscriber = sub;
      }
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    close(): void {
      listeners.clear();
      subscriber?.disconnect();
      subscriber = undefined;
    },
  };
}

export type BoardHub = ReturnType<typeof createBoardHub>;
