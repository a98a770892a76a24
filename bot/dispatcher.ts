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
 * Accept a message once: mark its id, queue it for its chat and note the chat as pending since
 * now (a sorted set by time, unless it is pending already).
 */
const ACCEPT = `
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('ZADD', KEYS[3], 'NX', ARGV[4], ARGV[3])
  return 1
end
return 0`;
/** Renew or release the chat lock only while holding it. */
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('ZREM', KEYS[3], ARGV[2]) end
return redis.call('LLEN', KEYS[2])`;

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

  async function loadState(key: string): Promise<ConversationState | null> {
    const raw = await redis.getBuffer(key);
    const plain = raw ? sealer.open(raw) : null;
    if (!plain) return null;
    try {
      const s = JSON.parse(plain.toString('utf8')) as Partial<ConversationState>;
      return s.v === 1 ? (s as ConversationState) : null;
    } catch {
      return null;
    }
  }
  async function saveState(key: string, json: string) {
    await redis.set(key, sealer.seal(Buffer.from(json)), 'EX', stateTtlS);
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

  /** Runs one message through the conversation, its commands and replies. */
  async function handleOne(m: InboundMessage): Promise<void> {
    const transport = deps.transports[m.transport];
    if (!transport) {
      log(`bot: no ${m.transport} transport in this process; message dropped`);
      return;
    }
    const key = keys(chatKeyOf(m));
    const n = await redis.incr(key.flood);
    if (n === 1) await redis.pexpire(key.flood, FLOOD_WINDOW_MS);
    const quiet = n > config.BOT_FLOOD_LIMIT;
    let state = await loadState(key.state);
    const document =
      m.kind === 'image' || m.kind === 'document'
        ? await intake(m, transport, key.state)
        : undefined;
    const events: ConversationEvent[] = [
      { type: 'message', now: Date.now(), message: m, ...(document ? { document } : {}) },
    ];
    let saved = '';
    for (let event = events.shift(); event; event = events.shift()) {
      const out = step(state, event, { idleMs });
      state = out.state;
      // Saved before its commands run, so a crash after a command never replays an older state.
      const json = JSON.stringify(state);
      if (json !== saved) await saveState(key.state, json);
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
  }

  /** Drains one chat's list under its lock; returns at once when another holder has it. */
  async function drain(chatKey: string): Promise<void> {
    const key = keys(chatKey);
    for (;;) {
      const token = randomBytes(12).toString('hex');
      if ((await redis.set(key.lock, token, 'PX', LOCK_MS, 'NX')) !== 'OK') return;
      let left = 0;
      try {
        while (!closing) {
          const raw = await redis.lindexBuffer(key.queue, 0);
          if (!raw) break;
          await redis.eval(RENEW, 1, key.lock, token, LOCK_MS);
          const plain = sealer.open(raw);
          let message: InboundMessage | null = null;
          try {
            message = plain ? (JSON.parse(plain.toString('utf8')) as InboundMessage) : null;
          } catch {
            message = null;
          }
          if (message) {
            try {
              await handleOne(message);
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
          await redis.multi().lpop(key.queue).del(key.tries).exec();
        }
      } finally {
        left = Number(
          await redis.eval(RELEASE, 3, key.lock, key.queue, pendingKey, token, chatKey),
        );
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
    const accepted = await redis.eval(
      ACCEPT,
      3,
      k(`seen:${message.transport}:${message.id}`),
      key.queue,
      pendingKey,
      SEEN_TTL_S,
      sealed,
      chatKey,
      Date.now(),
    );
    // Every message (a repeat too) keeps the 24-hour customer-service window open, under the
    // chat id and, for a phone number, under the E.164 form the notices are addressed to.
    const window = redis.multi();
    window.set(`${deps.prefix}:wa:window:${message.chatId}`, '1', 'EX', WINDOW_TTL_S);
    if (/^[0-9]{8,15}$/.test(message.chatId)) {
      window.set(`${deps.prefix}:wa:window:+${message.chatId}`, '1', 'EX', WINDOW_TTL_S);
    }
    await window.exec();
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
