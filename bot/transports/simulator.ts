import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  loadSimulatorMedia,
  openSimulatorInbound,
  publishSimulatorReply,
  SIM_GROUP,
  simulatorKeys,
  simulatorUuid,
  type SimulatorInbound,
} from '../../src/chat-simulator/channel';
import { SEAL_OVERHEAD, type Sealer } from '../../src/shared/sealer';
import {
  TransportError,
  type ChatMenu,
  type ChatTransport,
  type InboundHandler,
  type InboundMedia,
  type InboundMessage,
} from '../transport';
import { templateUnsupported } from './common';

/**
 * The web chat simulator's transport (bot side). Inbound: the API appends each accepted browser
 * message to a Redis stream; this transport reads it through a consumer group and acknowledges an
 * entry only after the handler resolved, so a bot that stops or crashes mid-way leaves the entry
 * pending and it is delivered again (to this instance on restart, or claimed by another after
 * `claimIdleMs`). Outbound: each reply is appended to the chat's own reply stream and announced on
 * pub/sub, where the API streams it to that chat's browser (server-sent events).
 */
export interface SimulatorTransportOptions {
  redis: Redis;
  prefix: string;
  /** Opens what the API sealed (simulatorSealer with the JWT secret the API uses). */
  sealer: Sealer;
  /** Pending entries idle this long (a handler that failed, a consumer that died) are retried. */
  claimIdleMs?: number;
  /** How long one blocking read waits before looking at pending entries again. */
  blockMs?: number;
  log?: (line: string) => void;
}

const KINDS = new Set(['text', 'choice', 'image', 'document']);

/** The opened JSON, checked: the API wrote it, but Redis is outside this process. */
function parseInbound(raw: string | undefined): InboundMessage | null {
  if (!raw) return null;
  let m: Partial<SimulatorInbound>;
  try {
    m = JSON.parse(raw) as Partial<SimulatorInbound>;
  } catch {
    return null;
  }
  if (
    m.transport !== 'simulator' ||
    typeof m.id !== 'string' ||
    typeof m.chatId !== 'string' ||
    simulatorUuid(m.chatId) === null ||
    typeof m.timestamp !== 'number' ||
    typeof m.kind !== 'string' ||
    !KINDS.has(m.kind)
  )
    return null;
  const out: InboundMessage = {
    transport: 'simulator',
    id: m.id,
    chatId: m.chatId,
    timestamp: m.timestamp,
    kind: m.kind,
  };
  if (typeof m.text === 'string') out.text = m.text;
  if (typeof m.choiceId === 'string') out.choiceId = m.choiceId;
  if (m.media && typeof m.media.ref === 'string' && typeof m.media.mimeType === 'string') {
    out.media = { ref: m.media.ref, mimeType: m.media.mimeType };
    if (typeof m.media.fileName === 'string') out.media.fileName = m.media.fileName;
    if (typeof m.media.size === 'number') out.media.size = m.media.size;
  }
  return out;
}

type StreamEntries = [id: string, fields: string[]][];

export function createSimulatorTransport(options: SimulatorTransportOptions): ChatTransport {
  const { redis, prefix, sealer } = options;
  const keys = simulatorKeys(prefix);
  const log = options.log ?? (() => undefined);
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const blockMs = options.blockMs ?? 5_000;
  const consumer = `${hostname()}-${String(process.pid)}-${randomBytes(3).toString('hex')}`;
  let reader: Redis | undefined;
  let loop: Promise<void> | undefined;
  let stopped = false;
  const isStopped = () => stopped;

  const uuidOf = (to: string) => {
    const uuid = simulatorUuid(to);
    if (!uuid) throw new TransportError(true, 'NOT_A_SIMULATOR_CHAT', 'not a simulator chat id');
    return uuid;
  };

  async function ensureGroup(): Promise<void> {
    try {
      await redis.xgroup('CREATE', keys.inbound, SIM_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err as Error).message.includes('BUSYGROUP')) throw err;
    }
  }

  async function deliver(handler: InboundHandler, entries: StreamEntries): Promise<void> {
    for (const [id, fields] of entries) {
      if (stopped) return;
      // Not sealed with our key (a bot with another JWT secret than the API's): dropped.
      const message = parseInbound(
        openSimulatorInbound(
          sealer,
          fields.includes('m') ? fields[fields.indexOf('m') + 1] : undefined,
        ) ?? undefined,
      );
      if (message) {
        try {
          await handler(message);
        } catch (err) {
          // Left pending: claimed again after claimIdleMs.
          log(`simulator: handler failed (${(err as Error).message}); will retry`);
          continue;
        }
      } else {
        log(`simulator: dropped a malformed inbound entry ${id}`);
      }
      await redis.multi().xack(keys.inbound, SIM_GROUP, id).xdel(keys.inbound, id).exec();
    }
  }

  async function run(handler: InboundHandler, conn: Redis): Promise<void> {
    let lastClaim = 0;
    // First our own entries left pending by a previous run of this consumer name (none: the
    // name is new each start), then others' idle ones through XAUTOCLAIM.
    while (!stopped) {
      try {
        if (Date.now() - lastClaim >= Math.min(claimIdleMs, 10_000)) {
          lastClaim = Date.now();
          const claimed = (await redis.xautoclaim(
            keys.inbound,
            SIM_GROUP,
            consumer,
            claimIdleMs,
            '0-0',
            'COUNT',
            50,
          )) as [string, StreamEntries, string[]?];
          await deliver(
            handler,
            claimed[1].filter((e) => Array.isArray(e[1])),
          );
        }
        const res = (await conn.xreadgroup(
          'GROUP',
          SIM_GROUP,
          consumer,
          'COUNT',
          20,
          'BLOCK',
          blockMs,
          'STREAMS',
          keys.inbound,
          '>',
        )) as [string, StreamEntries][] | null;
        if (res) for (const [, entries] of res) await deliver(handler, entries);
      } catch (err) {
        if (isStopped()) return;
        const message = (err as Error).message;
        if (message.includes('NOGROUP')) await ensureGroup().catch(() => undefined);
        else log(`simulator: ${message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async function reply(to: string, body: Parameters<typeof publishSimulatorReply>[3]) {
    const uuid = uuidOf(to);
    try {
      return { messageId: await publishSimulatorReply(redis, prefix, uuid, body) };
    } catch (err) {
      throw new TransportError(false, 'REDIS', (err as Error).message);
    }
  }

  return {
    name: 'simulator',
    async start(handler) {
      if (loop) return;
      stopped = false;
      await ensureGroup();
      const conn = redis.duplicate();
      conn.on('error', () => undefined);
      reader = conn;
      loop = run(handler, conn);
    },
    async stop() {
      stopped = true;
      // A blocked XREADGROUP ends when its connection closes; the handler in progress finishes.
      reader?.disconnect();
      await loop;
      loop = undefined;
      reader = undefined;
    },
    sendText: (to, text) => reply(to, { type: 'text', text }),
    sendMenu: (to, menu: ChatMenu) =>
      reply(to, { type: 'menu', body: menu.body, button: menu.button, sections: menu.sections }),
    // No Meta templates here and no 24-hour window: the bot's outbound worker uses
    // `alwaysOpenWindow` for this transport, so every notice goes as its full text (sendText).
    sendTemplate: () => Promise.reject(templateUnsupported()),
    async downloadMedia(media: InboundMedia, maxBytes: number) {
      if (media.size !== undefined && media.size > maxBytes)
        throw new TransportError(true, 'MEDIA_TOO_LARGE', 'file over the limit');
      const key = keys.media(media.ref);
      const len = await redis.strlen(key);
      if (len - SEAL_OVERHEAD > maxBytes)
        throw new TransportError(true, 'MEDIA_TOO_LARGE', 'file over the limit');
      const data = await loadSimulatorMedia(redis, prefix, sealer, media.ref);
      if (!data) throw new TransportError(true, 'MEDIA_UNAVAILABLE', 'file expired');
      // Taken: kept only a little longer, for a retry of the same message (a KTP photo has no
      // business staying in Redis).
      await redis.expire(key, 900, 'LT').catch(() => undefined);
      return { data, mimeType: media.mimeType };
    },
  };
}
