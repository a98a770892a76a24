import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config';
import { sniffDocumentType } from '../src/documents/file-type';
import { resolveSecrets } from '../src/shared/secrets';
import type { DocumentKind } from '../src/workflow/workflow.types';
import { loadBotCatalogue, type BotCatalogue } from './conversation/catalogue';
import { documentKindFromCaption, requiredDocumentsFor, step } from './conversation/machine';
import type {
  Command,
  ConversationEvent,
  ConversationState,
  DocumentIntake,
  KeptDocument,
} from './conversation/types';
import { LoketApiError, type LoketClient } from './loket-client';
import { botStateSealer } from './sealed';
import {
  TransportError,
  type ChatTransport,
  type InboundHandler,
  type InboundMessage,
  type TransportName,
} from './transport';

export interface DispatcherDeps {
  redis: Redis;
  prefix: string /* REDIS_PREFIX */;
  client: LoketClient;
  transports: Partial<Record<TransportName, ChatTransport>>;
  config: Config;
  log?: (line: string) => void;
}

/** How long a message id is remembered: Meta re-delivers a failed webhook for up to 7 days. */
const SEEN_TTL_S = 8 * 24 * 3600;
/** The Cloud API's customer-service window (read by the outbound sender). */
const WINDOW_TTL_S = 24 * 3600;
/** A chat's lock; renewed before each message, so only a dead holder lets it lapse. */
const LOCK_MS = 60_000;
/** A message whose handling keeps failing is given up after this many tries (and logged). */
const MAX_TRIES = 5;
const FLOOD_WINDOW_MS = 10_000;
const SWEEP_MS = 2_000;
/** A chat pending this long is swept (its holder died, or its message failed and waits). */
const STALE_MS = 3_000;

/**
 * Accept a message once: keep the chat's 24-hour window open (under the chat id and, for a phone
 * number, under the E.164 form the notices are addressed to; a repeat too), mark its id, queue it
 * for its chat and note the chat as pending since now (a sorted set by time, unless it is pending
 * already). One round trip.
 */
const ACCEPT = `
redis.call('SET', KEYS[4], '1', 'EX', ARGV[5])
if KEYS[5] then redis.call('SET', KEYS[5], '1', 'EX', ARGV[5]) end
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[3])
  return 1
end
return 0`;
/** Take the chat lock and read its first queued message (nil: someone holds it, or none). */
const ACQUIRE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {0} end
return {1, redis.call('LINDEX', KEYS[2], 0)}`;
/**
 * Count a message against the chat's flood window (which starts with its first message) and read
 * the sealed state: one round trip.
 */
const BEGIN = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('GET', KEYS[2])}`;
/**
 * A message handled, unless another instance holds the lock now: save the state left to save
 * (ARGV[3], empty: none), take the message off the list, forget its tries, then either renew the
 * lock and read the next message, or (none left) release the lock and the chat's pending mark.
 * Atomic, so a message accepted meanwhile is either read here or finds the lock free.
 */
const DONE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return {0} end
if ARGV[3] ~= '' then redis.call('SET', KEYS[5], ARGV[3], 'EX', ARGV[4]) end
redis.call('LPOP', KEYS[2])
redis.call('DEL', KEYS[4])
local following = redis.call('LINDEX', KEYS[2], 0)
if following then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {1, following}
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[3], ARGV[5])
return {2}`;
/** Release the chat lock only while holding it; the chat stays pending while messages wait. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[2]) end
return redis.call('LLEN', KEYS[2])`;

/** The scripts as ioredis commands (EVALSHA, loaded once per connection). */
interface Scripts {
  botAccept(...args: (string | number | Buffer)[]): Promise<number>;
  botAcquireBuffer(...args: (string | number)[]): Promise<[number, Buffer | null]>;
  botBeginBuffer(...args: (string | number)[]): Promise<[number, Buffer | null]>;
  botDoneBuffer(...args: (string | number | Buffer)[]): Promise<[number, Buffer?]>;
  botRelease(...args: (string | number)[]): Promise<number>;
}
function scriptsOn(redis: Redis): Scripts {
  const r = redis as Redis & Partial<Scripts>;
  if (!r.botAccept) {
    redis.defineCommand('botAccept', { lua: ACCEPT });
    redis.defineCommand('botAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('botBegin', { numberOfKeys: 2, lua: BEGIN });
    redis.defineCommand('botDone', { numberOfKeys: 5, lua: DONE });
    redis.defineCommand('botRelease', { numberOfKeys: 3, lua: RELEASE });
  }
  return r as Redis & Scripts;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The bot's dispatcher: every transport hands it each inbound message. It accepts a message once
 * (Redis SET NX on its id, atomically with pushing it on the chat's Redis list, so an accepted
 * message survives a crash), then drains the chat's list under a per-chat Redis lock: one message
 * at a time, in order, across bot instances; a message leaves the list only after it was handled.
 * A sweeper picks up chats whose holder died. The conversation state, the queued messages and the
 * documents waiting for a request are sealed (AES-GCM) in Redis with a TTL.
 */
export function createDispatcher(deps: DispatcherDeps): {
  handle: InboundHandler;
  close(): Promise<void>;
} {
  const { redis, client, config } = deps;
  const log = deps.log ?? (() => undefined);
  const catalogue: BotCatalogue = loadBotCatalogue();
  // The bot's own secret; without a token (a development setup), the generated JWT secret.
  const sealer = botStateSealer(config.LOKET_BOT_TOKEN ?? resolveSecrets(config).jwtSecret);
  const idleMs = config.BOT_IDLE_MINUTES * 60_000;
  const stateTtlS = Math.ceil(idleMs / 1000) + 24 * 3600;
  const maxBytes = config.UPLOAD_MAX_BYTES;
  const maxMb = Math.round((maxBytes / 1_048_576) * 10) / 10;
  const k = (rest: string) => `${deps.prefix}:bot:${rest}`;
  const keys = (chatKey: string) => ({
    queue: k(`q:${chatKey}`),
    tries: k(`tries:${chatKey}`),
    lock: k(`lock:${chatKey}`),
    state: k(`state:${chatKey}`),
    flood: k(`flood:${chatKey}`),
  });
  const pendingKey = k('pending');
  const chatKeyOf = (m: Pick<InboundMessage, 'transport' | 'chatId'>) =>
    `${m.transport}:${m.chatId}`;

  let closing = false;
  const running = new Set<Promise<void>>();

  const scripts = scriptsOn(redis);

  function openState(raw: Buffer | null): ConversationState | null {
    const plain = raw ? sealer.open(raw) : null;
    if (!plain) return null;
    try {
      const s = JSON.parse(plain.toString('utf8')) as Partial<ConversationState>;
      return s.v === 1 ? (s as ConversationState) : null;
    } catch {
      return null;
    }
  }
  const sealState = (json: string) => sealer.seal(Buffer.from(json));
  async function saveState(key: string, json: string) {
    await redis.set(key, sealState(json), 'EX', stateTtlS);
  }

  async function send(
    transport: ChatTransport,
    chatId: string,
    what: () => Promise<unknown>,
  ): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await what();
        return;
      } catch (err) {
        const retry = err instanceof TransportError ? !err.permanent && !err.uncertain : false;
        if (!retry || i >= 2) {
          log(
            `bot: reply to a ${transport.name} chat failed: ${err instanceof TransportError ? err.code : (err as Error).message}`,
          );
          return;
        }
        await sleep(300 * 2 ** i);
      }
    }
  }

  /** Fetches an image or document, checks size and type, keeps it sealed in Redis. */
  async function intake(
    m: InboundMessage,
    transport: ChatTransport,
    stateKey: string,
  ): Promise<DocumentIntake> {
    const media = m.media;
    if (!media) return { ok: false, reason: 'unavailable', maxMb };
    if (media.size !== undefined && media.size > maxBytes)
      return { ok: false, reason: 'tooLarge', maxMb };
    let data: Buffer;
    try {
      ({ data } = await transport.downloadMedia(media, maxBytes));
    } catch (err) {
      if (err instanceof TransportError && err.code === 'MEDIA_TOO_LARGE')
        return { ok: false, reason: 'tooLarge', maxMb };
      log(
        `bot: media download failed: ${err instanceof TransportError ? err.code : (err as Error).message}`,
      );
      return { ok: false, reason: 'unavailable', maxMb };
    }
    if (data.length > maxBytes) return { ok: false, reason: 'tooLarge', maxMb };
    const type = sniffDocumentType(data);
    if (!type) {
      // Say why: a program (Windows PE `MZ`, ELF, a script) dressed as a document, or just another format.
      const head = data.subarray(0, 4).toString('latin1');
      const program = head.startsWith('MZ') || head === '\x7fELF' || head.startsWith('#!');
      return { ok: false, reason: program ? 'executable' : 'type', maxMb };
    }
    const key = `${stateKey}:media:${m.id}`;
    await redis.set(key, sealer.seal(data), 'EX', stateTtlS);
    const doc: KeptDocument = {
      key,
      messageId: m.id,
      mimeType: type.mime,
      size: data.length,
      fileName: media.fileName ?? `whatsapp.${type.ext}`,
      // A caption or file name naming the document ("SK penunjukan") says what it is.
      kind: documentKindFromCaption(m.text) ?? documentKindFromCaption(media.fileName),
    };
    return { ok: true, doc };
  }

  async function upload(ticketId: string, doc: KeptDocument, kind: DocumentKind) {
    const raw = await redis.getBuffer(doc.key);
    const data = raw ? sealer.open(raw) : null;
    if (!data) throw new Error('document no longer kept');
    await client.uploadDocument(ticketId, {
      kind,
      fileName: doc.fileName,
      mimeType: doc.mimeType,
      data,
    });
    await redis.del(doc.key);
  }

  /** Performs one command through Loket's API; its result comes back as an event. */
  async function perform(
    m: InboundMessage,
    command: Command,
  ): Promise<ConversationEvent | undefined> {
    switch (command.type) {
      case 'createTicket': {
        let ticket: { id: string; code: string };
        try {
          ticket = await client.createTicket({
            type: command.flow,
            channel: 'WHATSAPP',
            language: command.lang,
            requester: {
              name: command.form.name ?? '',
              userId: command.form.userId ?? null,
              nik: command.form.nik ?? null,
              spseRole: command.form.spseRole ?? null,
              agency: command.form.agency ?? null,
              email: command.form.email ?? null,
            },
            contact: { kind: 'WHATSAPP', address: m.chatId },
          });
        } catch (err) {
          log(`bot: ticket not created: ${err instanceof LoketApiError ? err.code : 'network'}`);
          return { type: 'createFailed' };
        }
        const attached = new Set<DocumentKind>();
        const failed: DocumentKind[] = [];
        for (const doc of command.docs) {
          const kind = doc.kind ?? 'OTHER';
          try {
            await upload(ticket.id, doc, kind);
            attached.add(kind);
          } catch (err) {
            log(
              `bot: document not attached to ${ticket.code}: ${err instanceof LoketApiError ? err.code : (err as Error).message}`,
            );
            failed.push(kind);
          }
        }
        const missing = requiredDocumentsFor(command.flow, command.form.spseRole).filter(
          (kind) => !attached.has(kind),
        );
        return { type: 'created', ticket, missing, failedDocuments: failed };
      }
      case 'status':
        try {
          const s = await client.ticketStatus(command.code, m.chatId);
          return {
            type: 'status',
            result: s
              ? {
                  code: s.code,
                  stepLabel: s.stepLabel,
                  closed: s.closed,
                  missingDocuments: s.missingDocuments as DocumentKind[],
                }
              : null,
          };
        } catch {
          return { type: 'status', result: 'failed' };
        }
      case 'chatTickets':
        try {
          const items = await client.chatTickets(m.chatId);
          return {
            type: 'chatTickets',
            purpose: command.purpose,
            tickets: items.map((t) => ({
              id: t.id,
              code: t.code,
              missingDocuments: t.missingDocuments as DocumentKind[],
            })),
          };
        } catch {
          return { type: 'chatTickets', purpose: command.purpose, tickets: 'failed' };
        }
      case 'attachDocument':
        try {
          await upload(command.ticket.id, command.doc, command.kind);
          return {
            type: 'attached',
            ok: true,
            code: command.ticket.code,
            kind: command.kind,
            messageId: command.doc.messageId,
          };
        } catch (err) {
          log(
            `bot: document not attached to ${command.ticket.code}: ${err instanceof LoketApiError ? err.code : (err as Error).message}`,
          );
          await redis.del(command.doc.key);
          return {
            type: 'attached',
            ok: false,
            code: command.ticket.code,
            kind: command.kind,
            messageId: command.doc.messageId,
          };
        }
      case 'flagStaff':
        try {
          await client.markNeedsPerson(command.ticketId);
        } catch (err) {
          log(
            `bot: needs-person flag failed: ${err instanceof LoketApiError ? err.code : 'network'}`,
          );
        }
        return undefined;
      case 'postMessage':
        try {
          await client.postRequesterMessage(command.ticketId, command.text, command.messageId);
          return { type: 'forwarded', ok: true, first: command.first };
        } catch {
          return { type: 'forwarded', ok: false, first: command.first };
        }
      case 'dropDocuments':
        if (command.keys.length > 0) await redis.del(...command.keys);
        return undefined;
    }
  }

  /**
   * Runs one message through the conversation, its commands and replies. Returns the sealed state
   * still to save (the last step's, when no command followed it), which the caller saves with
   * taking the message off the chat's list; every earlier state is saved before its commands run.
   */
  async function handleOne(m: InboundMessage): Promise<Buffer | null> {
    const transport = deps.transports[m.transport];
    if (!transport) {
      log(`bot: no ${m.transport} transport in this process; message dropped`);
      return null;
    }
    const key = keys(chatKeyOf(m));
    const [n, raw] = await scripts.botBeginBuffer(key.flood, key.state, FLOOD_WINDOW_MS);
    const quiet = n > config.BOT_FLOOD_LIMIT;
    let state = openState(raw);
    const document =
      m.kind === 'image' || m.kind === 'document'
        ? await intake(m, transport, key.state)
        : undefined;
    const events: ConversationEvent[] = [
      { type: 'message', now: Date.now(), message: m, ...(document ? { document } : {}) },
    ];
    let saved = '';
    let unsaved: Buffer | null = null;
    for (let event = events.shift(); event; event = events.shift()) {
      const out = step(state, event, { idleMs });
      state = out.state;
      // Saved before its commands run, so a crash after a command never replays an older state;
      // with no command after it (the last step), saved by the caller with the message's removal.
      const json = JSON.stringify(state);
      if (json !== saved) {
        if (out.commands.length > 0 || events.length > 0) await saveState(key.state, json);
        else unsaved = sealState(json);
      }
      saved = json;
      for (const reply of out.replies) {
        const rendered = catalogue.render(state.lang, reply);
        if (quiet && !(rendered.kind === 'text' && rendered.important)) continue;
        if (rendered.kind === 'menu')
          await send(transport, m.chatId, () => transport.sendMenu(m.chatId, rendered.menu));
        else await send(transport, m.chatId, () => transport.sendText(m.chatId, rendered.text));
      }
      for (const command of out.commands) {
        const next = await perform(m, command);
        if (next) events.push(next);
      }
    }
    if (n === config.BOT_FLOOD_LIMIT + 1) {
      const text = catalogue.text(state?.lang ?? 'id', 'flood');
      await send(transport, m.chatId, () => transport.sendText(m.chatId, text));
    }
    return unsaved;
  }

  /** Drains one chat's list under its lock; returns at once when another holder has it. */
  async function drain(chatKey: string): Promise<void> {
    const key = keys(chatKey);
    for (;;) {
      const token = randomBytes(12).toString('hex');
      const [got, first] = await scripts.botAcquireBuffer(key.lock, key.queue, token, LOCK_MS);
      if (got !== 1) return;
      let raw: Buffer | null = first;
      let released = false;
      let left = 0;
      try {
        while (!closing && raw) {
          const plain = sealer.open(raw);
          let message: InboundMessage | null = null;
          try {
            message = plain ? (JSON.parse(plain.toString('utf8')) as InboundMessage) : null;
          } catch {
            message = null;
          }
          let unsaved: Buffer | null = null;
          if (message) {
            try {
              unsaved = await handleOne(message);
            } catch (err) {
              const tries = await redis.incr(key.tries);
              await redis.expire(key.tries, SEEN_TTL_S);
              if (tries < MAX_TRIES) {
                log(
                  `bot: message ${logId(message.id)} failed (try ${String(tries)}), kept: ${(err as Error).message}`,
                );
                break; // stays first in the list; the sweeper tries again
              }
              log(`bot: message ${logId(message.id)} given up after ${String(tries)} tries`);
            }
          } else log('bot: a queued message could not be read (key changed?); skipped');
          // Off the list (with the state left to save), then the next one under the renewed
          // lock, or the lock released when none is left: one round trip.
          const [status, next] = await scripts.botDoneBuffer(
            key.lock,
            key.queue,
            pendingKey,
            key.tries,
            key.state,
            token,
            LOCK_MS,
            unsaved ?? '',
            stateTtlS,
            chatKey,
          );
          if (status !== 1) {
            released = true;
            // 0: another instance took the lock after it lapsed (a stall over LOCK_MS); the
            // message stays first in the list for it.
            if (status === 0) log('bot: a chat lock lapsed while its message was handled');
            return;
          }
          raw = next ?? null;
        }
      } finally {
        if (!released)
          left = await scripts.botRelease(key.lock, key.queue, pendingKey, token, chatKey);
      }
      if (left === 0 || closing) return;
      // A message came in after the last read (or one failed): go again, or leave it to the sweeper.
      if ((await redis.get(key.tries)) !== null) return;
    }
  }

  function track(p: Promise<void>): Promise<void> {
    running.add(p);
    void p.finally(() => running.delete(p));
    return p;
  }

  const handle: InboundHandler = async (message) => {
    if (closing) throw new Error('the bot is stopping');
    const chatKey = chatKeyOf(message);
    const key = keys(chatKey);
    const sealed = sealer.seal(Buffer.from(JSON.stringify(message)));
    const windowKeys = [`${deps.prefix}:wa:window:${message.chatId}`];
    if (/^[0-9]{8,15}$/.test(message.chatId))
      windowKeys.push(`${deps.prefix}:wa:window:+${message.chatId}`);
    const accepted = await scripts.botAccept(
      3 + windowKeys.length,
      k(`seen:${message.transport}:${message.id}`),
      key.queue,
      pendingKey,
      ...windowKeys,
      SEEN_TTL_S,
      sealed,
      chatKey,
      Date.now(),
      WINDOW_TTL_S,
    );
    if (accepted !== 1) return;
    await track(drain(chatKey));
  };

  // Chats left pending for a while (a dead holder, a message that failed): drained in parallel;
  // a chat whose lock is held is skipped by `drain` itself.
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (closing || sweeping) return;
    sweeping = true;
    void (async () => {
      const chats = await redis.zrangebyscore(
        pendingKey,
        '-inf',
        Date.now() - STALE_MS,
        'LIMIT',
        0,
        200,
      );
      await Promise.allSettled(
        chats.map((chatKey) =>
          track(drain(chatKey)).catch((err: unknown) => {
            log(`bot: sweep of a chat failed: ${(err as Error).message}`);
          }),
        ),
      );
    })()
      .catch(() => undefined)
      .finally(() => {
        sweeping = false;
      });
  }, SWEEP_MS);
  sweeper.unref();

  return {
    handle,
    async close() {
      closing = true;
      clearInterval(sweeper);
      await Promise.allSettled([...running]);
    },
  };
}

/**
 * A message id as logs show it: whatsapp-web.js ids hold the sender's number
 * (`false_628…@c.us_…`), so logs get a short hash that still matches across lines.
 */
function logId(id: string): string {
  return createHash('sha256').update(id).digest('hex').slice(0, 12);
}
