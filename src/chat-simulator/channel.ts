import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import { createSealer, type Sealer } from '../shared/sealer';

/**
 * The web chat simulator's Redis channel, shared by the API (which accepts what the browser
 * sends and streams the replies back) and the bot's `simulator` transport (which consumes the
 * inbound stream and writes the replies). Nothing here holds a connection of its own.
 *
 *   <prefix>:sim:session:<hash>   a live simulator session (issued by the API), with a TTL:
 *                                 the SHA-256 of the browser's session secret names it, the value
 *                                 is its chat id and owner (the secret itself is never stored)
 *   <prefix>:sim:in               Redis stream of inbound messages (sealed), consumer group `bot`:
 *                                 an entry stays pending until the bot's handler accepted it,
 *                                 so nothing accepted is lost while the bot restarts
 *   <prefix>:sim:media:<id>       an uploaded file's bytes (sealed), with a TTL
 *
 * What the browser sends (an NIK, a KTP photo) is sealed (AES-256-GCM) with a key derived from
 * the JWT secret, which the API and the bot share through config (see simulatorSealer).
 *   <prefix>:sim:out:<uuid>       Redis stream of the bot's replies to one chat (capped, TTL),
 *                                 so a browser that reconnects gets what it missed
 *   <prefix>:sim:out              pub/sub channel: "chat <uuid> has new replies"
 */

export type SimulatorMode = 'off' | 'staff' | 'public';

/** CHAT_SIMULATOR, or its default: public outside production, off in production. */
export function simulatorMode(config: Pick<Config, 'CHAT_SIMULATOR' | 'NODE_ENV'>): SimulatorMode {
  return config.CHAT_SIMULATOR ?? (config.NODE_ENV === 'production' ? 'off' : 'public');
}

export const SIM_CHAT_PREFIX = 'sim:';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The uuid of a well-formed simulator chat id (`sim:<uuid v4>`), or null. */
export function simulatorUuid(chatId: string): string | null {
  if (!chatId.startsWith(SIM_CHAT_PREFIX)) return null;
  const uuid = chatId.slice(SIM_CHAT_PREFIX.length);
  return UUID.test(uuid) ? uuid : null;
}

export const SIM_GROUP = 'bot';

export function simulatorKeys(prefix: string) {
  return {
    session: (secretHash: string) => `${prefix}:sim:session:${secretHash}`,
    inbound: `${prefix}:sim:in`,
    media: (id: string) => `${prefix}:sim:media:${id}`,
    replies: (uuid: string) => `${prefix}:sim:out:${uuid}`,
    replyChannel: `${prefix}:sim:out`,
    rate: (what: string, who: string) => `${prefix}:sim:rate:${what}:${who}`,
  };
}

/** What the API queues for the bot: the transport contract's InboundMessage as plain JSON. */
export interface SimulatorInbound {
  transport: 'simulator';
  id: string;
  chatId: string;
  timestamp: number;
  kind: 'text' | 'choice' | 'image' | 'document';
  text?: string;
  choiceId?: string;
  media?: { ref: string; mimeType: string; fileName?: string; size?: number };
}

/** A reply as the browser renders it. */
export type SimulatorReply =
  | { type: 'text'; text: string }
  | {
      type: 'menu';
      body: string;
      button: string;
      sections: { title: string; rows: { id: string; title: string; description?: string }[] }[];
    };

export const SESSION_TTL_SECONDS = 24 * 3600;
/** An uploaded file waits this long for the bot (which fetches it at once unless it is down). */
export const MEDIA_TTL_SECONDS = 6 * 3600;
const REPLIES_KEPT = 200;
const INBOUND_KEPT = 100_000;

/**
 * The sealer for what the browser sends, in the API and in the bot: a key of its own derived from
 * the JWT secret (both processes read it from the same config; `npm start` runs both in one).
 */
export function simulatorSealer(jwtSecret: string): Sealer {
  return createSealer(jwtSecret, 'chat-simulator-v1');
}

const INBOUND_CONTEXT = 'sim:in';
const mediaContext = (ref: string) => `sim:media:${ref}`;

/** Queues one inbound message for the bot (XADD; the bot acknowledges after its handler). */
export async function enqueueSimulatorInbound(
  redis: Redis,
  prefix: string,
  sealer: Sealer,
  message: SimulatorInbound,
): Promise<void> {
  const keys = simulatorKeys(prefix);
  const sealed = sealer.seal(Buffer.from(JSON.stringify(message)), INBOUND_CONTEXT);
  await redis.xadd(
    keys.inbound,
    'MAXLEN',
    '~',
    String(INBOUND_KEPT),
    '*',
    'm',
    sealed.toString('base64url'),
  );
}

/** An inbound entry's JSON, or null when it was not sealed with this key (or is not an entry). */
export function openSimulatorInbound(sealer: Sealer, field: string | undefined): string | null {
  if (!field) return null;
  return sealer.open(Buffer.from(field, 'base64url'), INBOUND_CONTEXT)?.toString('utf8') ?? null;
}

/** Keeps an uploaded file, sealed, until the bot takes it. */
export async function storeSimulatorMedia(
  redis: Redis,
  prefix: string,
  sealer: Sealer,
  ref: string,
  data: Buffer,
): Promise<void> {
  const key = simulatorKeys(prefix).media(ref);
  await redis.set(key, sealer.seal(data, mediaContext(ref)), 'EX', MEDIA_TTL_SECONDS);
}

/** An uploaded file's bytes; null when gone or not sealed with this key. */
export async function loadSimulatorMedia(
  redis: Redis,
  prefix: string,
  sealer: Sealer,
  ref: string,
): Promise<Buffer | null> {
  const raw = await redis.getBuffer(simulatorKeys(prefix).media(ref));
  return raw ? sealer.open(raw, mediaContext(ref)) : null;
}

/** Appends a reply to a chat's stream and tells every API instance; returns its stream id. */
export async function publishSimulatorReply(
  redis: Redis,
  prefix: string,
  uuid: string,
  reply: SimulatorReply,
): Promise<string> {
  const keys = simulatorKeys(prefix);
  const key = keys.replies(uuid);
  const result = await redis
    .multi()
    .xadd(key, 'MAXLEN', '~', String(REPLIES_KEPT), '*', 'r', JSON.stringify(reply))
    .expire(key, SESSION_TTL_SECONDS)
    .publish(keys.replyChannel, uuid)
    .exec();
  const id = result?.[0]?.[1];
  if (typeof id !== 'string') throw new Error('simulator reply not stored');
  return id;
}

/**
 * A fresh simulator chat: its id (`sim:<uuid>`, which becomes a ticket's WhatsApp contact and is
 * shown to staff, so it is no credential) and the browser's session secret (256 random bits,
 * base64url), the only thing that lets a browser read or post in that chat.
 */
export function newSimulatorSession(): { chatId: string; uuid: string; secret: string } {
  const uuid = randomUUID();
  return {
    chatId: `${SIM_CHAT_PREFIX}${uuid}`,
    uuid,
    secret: randomBytes(32).toString('base64url'),
  };
}

/** What names a session in Redis: a hash of its secret, or null for a malformed secret. */
export function simulatorSessionHash(secret: string): string | null {
  if (secret.length !== 43 || Buffer.from(secret, 'base64url').toString('base64url') !== secret)
    return null;
  return createHash('sha256').update(secret).digest('hex');
}
