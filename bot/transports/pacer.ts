import { TransportError } from '../transport';

/**
 * Spaces sends out: at least `chatGapMs` between two messages to one chat, and at most
 * `perMinute` messages to all chats together (whatsapp-web.js drives a real phone's account: a
 * burst looks like spam and gets numbers banned). Sends to one chat keep their order. A send that
 * would wait longer than `maxWaitMs` is refused (retryable) rather than queued without end.
 */
export interface Pacer {
  run<T>(chatId: string, send: () => Promise<T>): Promise<T>;
}

export function createPacer(options: {
  chatGapMs: number;
  perMinute: number;
  maxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): Pacer {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const interval = 60_000 / options.perMinute;
  const maxWaitMs = options.maxWaitMs ?? 120_000;
  /** Earliest time of the next send per chat; the send times reserved for all chats, sorted. */
  const chatNext = new Map<string, number>();
  let reserved: number[] = [];

  /**
   * The first time at or after `from` that is at least `interval` away from every reserved send
   * (a chat waiting out its own gap holds a slot in the future without blocking other chats now).
   */
  function globalSlot(from: number, t: number): number {
    reserved = reserved.filter((r) => r > t - interval);
    let at = from;
    for (const r of reserved) {
      if (r + interval <= at) continue;
      if (r - interval >= at) break;
      at = r + interval;
    }
    reserved.push(at);
    reserved.sort((a, b) => a - b);
    return at;
  }
  const chains = new Map<string, Promise<unknown>>();
  const pending = new Map<string, number>();

  function prune(t: number) {
    if (chatNext.size < 10_000) return;
    for (const [chat, at] of chatNext) if (at <= t) chatNext.delete(chat);
  }

  return {
    run<T>(chatId: string, send: () => Promise<T>): Promise<T> {
      const queued = pending.get(chatId) ?? 0;
      if (queued * options.chatGapMs > maxWaitMs)
        return Promise.reject(
          new TransportError(false, 'RATE_LIMITED', 'too many sends queued for this chat'),
        );
      pending.set(chatId, queued + 1);
      const previous = chains.get(chatId) ?? Promise.resolve();
      const turn = previous
        .catch(() => undefined)
        .then(async () => {
          const t = now();
          const wanted = Math.max(t, chatNext.get(chatId) ?? 0);
          if (wanted - t > maxWaitMs)
            throw new TransportError(false, 'RATE_LIMITED', 'send queue full; try later');
          const at = globalSlot(wanted, t);
          if (at - t > maxWaitMs) {
            reserved = reserved.filter((r) => r !== at);
            throw new TransportError(false, 'RATE_LIMITED', 'send queue full; try later');
          }
          chatNext.set(chatId, at + options.chatGapMs);
          prune(t);
          if (at > t) await sleep(at - t);
          return send();
        });
      chains.set(chatId, turn);
      void turn
        .catch(() => undefined)
        .then(() => {
          const left = (pending.get(chatId) ?? 1) - 1;
          if (left > 0) pending.set(chatId, left);
          else pending.delete(chatId);
          if (chains.get(chatId) === turn) chains.delete(chatId);
        });
      return turn;
    },
  };
}
