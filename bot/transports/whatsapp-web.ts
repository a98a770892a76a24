import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Redis } from 'ioredis';
import type { Config } from '../../src/config';
import { templatesDir } from '../../src/shared/paths';
import {
  webSessionKeys,
  writeWebSessionStatus,
  type WebSessionState,
  type WebSessionStatus,
} from '../../src/whatsapp/web-session';
import {
  TransportError,
  type ChatMenu,
  type ChatTransport,
  type InboundHandler,
  type InboundKind,
  type InboundMedia,
  type InboundMessage,
} from '../transport';
import { templateUnsupported } from './common';
import { createPacer, type Pacer } from './pacer';
import { createRedisLease, type RedisLease } from './redis-lock';

/**
 * Transport 1: a linked phone through whatsapp-web.js (Chromium driving WhatsApp Web). This is the
 * only file that loads `whatsapp-web.js`, and only inside `createWwebClientFactory`'s factory (a
 * dynamic import), so the API, the workers and the tests never load Puppeteer.
 *
 * - One instance holds the session: a Redis lease, renewed; when it is lost the client is
 *   destroyed at once, and a standby instance takes over after the holder's lease runs out.
 * - A watchdog recreates the client (a new one: a destroyed client cannot be reused) with
 *   exponential backoff on `disconnected`, `auth_failure`, a start that never becomes ready, a
 *   failed health probe and detached-frame / protocol errors on send. On `disconnected('LOGOUT')`
 *   (the phone unlinked the device) or when the QR ran out of retries it stops in `needs_pairing`
 *   and waits for a SUPERVISOR to ask for a new QR (POST /api/whatsapp/session/pair): no loop.
 * - The state and the pairing QR are published for GET /api/whatsapp/session (SUPERVISOR).
 * - Reply-only, paced: it sends only to chats that wrote to the help line (in the last 180
 *   days), with a minimum gap per chat and a global rate (see pacer.ts).
 * - Menus are numbered text (lists and buttons do not work on this library); the transport keeps
 *   the menu's row ids, so a reply "2" reaches the conversation as a `choice` like on the Cloud API.
 * - `sendTemplate` is refused: there are no Meta templates here; the outbound worker for this
 *   transport uses `alwaysOpenWindow`, so notices go as their full text.
 */

/** The part of whatsapp-web.js's Message this transport reads (real field names). */
export interface WwebMessageLike {
  id: { fromMe: boolean; remote: string; id: string; _serialized: string };
  from: string;
  to?: string;
  author?: string;
  fromMe: boolean;
  body: string;
  type: string;
  timestamp: number;
  hasMedia: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  selectedRowId?: string;
  selectedButtonId?: string;
  _data?: { mimetype?: string; filename?: string; size?: number; notifyName?: string };
  downloadMedia(): Promise<
    | { mimetype: string; data: string; filename?: string | null; filesize?: number | null }
    | null
    | undefined
  >;
}

/** The part of whatsapp-web.js's Client this transport uses; tests inject a fake. */
export interface WwebClientLike {
  // The library's own listener type (its last `on` overload).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  removeAllListeners(event?: string): unknown;
  initialize(): Promise<unknown>;
  destroy(): Promise<unknown>;
  getState(): Promise<string | null>;
  sendMessage(
    chatId: string,
    content: string,
    options?: Record<string, unknown>,
  ): Promise<{ id: { _serialized: string } }>;
  getMessageById?(messageId: string): Promise<WwebMessageLike | null | undefined>;
}

export type WwebClientFactory = () => Promise<WwebClientLike>;

export interface WhatsAppWebOptions {
  redis: Redis;
  prefix: string;
  factory: WwebClientFactory;
  chatGapMs: number;
  sendsPerMinute: number;
  lockTtlMs: number;
  /** Watchdog backoff: first delay, doubled per failed attempt up to the maximum. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** No `ready` this long after the client was created (or a QR was shown): recreate. */
  startTimeoutMs?: number;
  /** Health probe (`getState`) period while ready, and its timeout. */
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  mediaTimeoutMs?: number;
  /** Shows the pairing QR where an operator sees it (the terminal); never a log file. */
  showQr?: (qr: string) => void;
  log?: (line: string) => void;
  random?: () => number;
}

const IGNORED_SUFFIXES = ['@g.us', '@newsletter', '@broadcast'];

/** WhatsApp's system entries, never a person's message: dropped without an answer. */
const SYSTEM_TYPES = new Set([
  'e2e_notification',
  'notification',
  'notification_template',
  'gp2',
  'broadcast_notification',
  'call_log',
  'protocol',
  'revoked',
  'ciphertext',
  'reaction',
  'debug',
]);

const KIND_BY_TYPE: Record<string, InboundKind> = {
  chat: 'text',
  image: 'image',
  document: 'document',
  audio: 'audio',
  ptt: 'audio',
  video: 'video',
  sticker: 'sticker',
  location: 'location',
  vcard: 'contacts',
  multi_vcard: 'contacts',
  list_response: 'choice',
  buttons_response: 'choice',
};

/** Types whose `body` is the person's text (a message or a caption); others carry data there. */
const TEXT_TYPES = new Set([
  'chat',
  'image',
  'document',
  'video',
  'list_response',
  'buttons_response',
]);

/**
 * A library message as an InboundMessage, or null when it is not for the bot: status updates,
 * groups, newsletters, broadcast lists, our own messages, WhatsApp's system entries.
 */
export function mapWwebMessage(msg: WwebMessageLike): InboundMessage | null {
  const from = typeof msg.from === 'string' ? msg.from : '';
  if (!from || msg.fromMe || msg.id.fromMe) return null;
  if (msg.isStatus || msg.broadcast || from === 'status@broadcast') return null;
  if (IGNORED_SUFFIXES.some((s) => from.endsWith(s))) return null;
  if (SYSTEM_TYPES.has(msg.type)) return null;
  const kind = KIND_BY_TYPE[msg.type] ?? 'unsupported';
  const out: InboundMessage = {
    transport: 'web',
    id: msg.id._serialized,
    chatId: from,
    timestamp: Math.round(msg.timestamp * 1000) || Date.now(),
    kind,
  };
  // A `…@c.us` id is the number itself; a `…@lid` id is not a number and gives none.
  if (from.endsWith('@c.us')) {
    const digits = from.slice(0, -'@c.us'.length);
    if (/^\d{6,15}$/.test(digits)) out.phone = digits;
  }
  const name = msg._data?.notifyName;
  if (typeof name === 'string' && name.trim()) out.profileName = name.trim().slice(0, 100);
  if (TEXT_TYPES.has(msg.type) && typeof msg.body === 'string' && msg.body !== '')
    out.text = msg.body;
  if (kind === 'choice') {
    const choice = msg.selectedRowId ?? msg.selectedButtonId;
    if (choice) out.choiceId = choice;
    else out.kind = 'text';
  }
  if (msg.hasMedia && ['image', 'document', 'audio', 'video', 'sticker'].includes(kind)) {
    const media: InboundMedia = {
      ref: msg.id._serialized,
      mimeType: msg._data?.mimetype ?? 'application/octet-stream',
    };
    if (typeof msg._data?.filename === 'string') media.fileName = msg._data.filename;
    if (typeof msg._data?.size === 'number') media.size = msg._data.size;
    out.media = media;
  }
  return out;
}

/** How long a chat that wrote to us may be answered (notices of its tickets included). */
export const REPLY_WINDOW_SECONDS = 180 * 24 * 3600;

/**
 * The chat to send to: a chat id as received (`…@c.us`, `…@lid`) unchanged, or an E.164 number
 * (digits, optional '+') as its `…@c.us` id, which is what WhatsApp Web uses for a phone number.
 */
export function chatIdOf(to: string): string {
  const digits = /^\+?(\d{6,15})$/.exec(to.trim());
  return digits?.[1] ? `${digits[1]}@c.us` : to;
}

/** Errors after which the page (and so the client) is unusable: recreate it. */
export function isSessionError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /detached Frame|Target closed|Session closed|Execution context was destroyed|Protocol error|Connection closed|page has been closed|Navigating frame was detached/i.test(
    message,
  );
}

/** A library error's text without numbers that could be phone numbers or chat ids. */
const scrub = (err: unknown) =>
  (err instanceof Error ? err.message : String(err)).replace(/\d{6,}/g, '…').slice(0, 300);

const menuTemplate = Handlebars.compile(
  readFileSync(join(templatesDir, 'chat', 'menu-numbered.hbs'), 'utf8'),
  { noEscape: true },
);

/** A menu as numbered text (the template), and the row ids in that order. */
export function renderNumberedMenu(menu: ChatMenu): { text: string; ids: string[] } {
  let n = 0;
  const ids: string[] = [];
  const sections = menu.sections.map((s) => ({
    title: s.title,
    rows: s.rows.map((r) => {
      ids.push(r.id);
      return { number: ++n, title: r.title, description: r.description };
    }),
  }));
  const text = menuTemplate({
    body: menu.body,
    button: menu.button,
    sections,
    multipleSections: sections.length > 1,
  })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, ids };
}

export interface WhatsAppWebTransport extends ChatTransport {
  /** The session state of this instance (standby when another instance holds the session). */
  state(): WebSessionState;
}

export function createWhatsAppWebTransport(options: WhatsAppWebOptions): WhatsAppWebTransport {
  const { redis, prefix, factory } = options;
  const log = options.log ?? (() => undefined);
  const random = options.random ?? Math.random;
  const backoffBase = options.backoffBaseMs ?? 5_000;
  const backoffMax = options.backoffMaxMs ?? 300_000;
  const startTimeoutMs = options.startTimeoutMs ?? 180_000;
  const probeIntervalMs = options.probeIntervalMs ?? 60_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 20_000;
  const mediaTimeoutMs = options.mediaTimeoutMs ?? 60_000;
  const keys = webSessionKeys(prefix);
  const lease: RedisLease = createRedisLease(redis, keys.lock, options.lockTtlMs);
  const pacer: Pacer = createPacer({
    chatGapMs: options.chatGapMs,
    perMinute: options.sendsPerMinute,
  });
  const statusTtlSeconds = Math.max(60, Math.ceil((options.lockTtlMs * 3) / 1000));

  let handler: InboundHandler | undefined;
  let client: WwebClientLike | undefined;
  let generation = 0;
  let holding = false;
  let stopped = true;
  let status: WebSessionStatus = { state: 'stopped', updatedAt: new Date().toISOString() };
  let attempts = 0;
  let leaseTimer: NodeJS.Timeout | undefined;
  let recreateTimer: NodeJS.Timeout | undefined;
  let recreatePending = false;
  let startTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let lastRenewed = 0;
  /** Recent messages with media, for downloadMedia (the library fetches through the Message). */
  const mediaMessages = new Map<string, WwebMessageLike>();

  const chatHash = (chatId: string) =>
    createHash('sha256').update(chatId).digest('hex').slice(0, 32);
  const menuKey = (chatId: string) => `${prefix}:wa:web:menu:${chatHash(chatId)}`;
  const repliedKey = (chatId: string) => `${prefix}:wa:web:chat:${chatHash(chatId)}`;

  function publish(): void {
    if (!holding) return;
    writeWebSessionStatus(redis, prefix, status, statusTtlSeconds).catch(() => undefined);
  }

  function setState(state: WebSessionState, extra: { qr?: string; reason?: string } = {}) {
    const changed = status.state !== state || status.qr !== extra.qr;
    status = { state, ...extra, updatedAt: new Date().toISOString() };
    if (changed) log(`whatsapp-web: ${state}${extra.reason ? ` (${extra.reason})` : ''}`);
    publish();
  }

  function clearTimers() {
    clearTimeout(recreateTimer);
    clearTimeout(startTimer);
    clearInterval(probeTimer);
    recreateTimer = startTimer = probeTimer = undefined;
    recreatePending = false;
  }

  /** Destroys the current client (listeners first, so a late event of it changes nothing). */
  async function dropClient(): Promise<void> {
    const old = client;
    client = undefined;
    generation += 1;
    clearTimers();
    mediaMessages.clear();
    if (!old) return;
    old.removeAllListeners();
    await Promise.race([
      old.destroy().catch(() => undefined),
      new Promise((r) => setTimeout(r, 15_000).unref()),
    ]);
  }

  function armStartTimer(gen: number) {
    clearTimeout(startTimer);
    startTimer = setTimeout(() => {
      if (gen === generation) scheduleRecreate('START_TIMEOUT');
    }, startTimeoutMs);
  }

  /** Watchdog: a new client after a backoff delay (doubling, with jitter, up to the maximum). */
  function scheduleRecreate(reason: string): void {
    if (stopped || !holding || recreatePending) return;
    const delay = Math.min(backoffMax, backoffBase * 2 ** attempts) * (0.9 + random() * 0.2);
    attempts += 1;
    const dropped = dropClient(); // clears the timers (and recreatePending) synchronously
    recreatePending = true;
    setState('disconnected', { reason });
    void dropped.then(() => {
      if (stopped || !holding || !recreatePending) return;
      recreateTimer = setTimeout(() => {
        recreateTimer = undefined;
        recreatePending = false;
        if (!stopped && holding) void createClient();
      }, delay);
    });
  }

  /** LOGOUT (or no QR scanned in time): wait for a SUPERVISOR's pairing request, no loop. */
  function needsPairing(reason: string): void {
    void dropClient();
    setState('needs_pairing', { reason });
  }

  async function deliver(message: InboundMessage): Promise<void> {
    // A menu answer by number becomes the menu's choice, as on the Cloud API.
    if (message.kind === 'text' && message.text && /^\s*\d{1,2}\s*$/.test(message.text)) {
      const raw = await redis.get(menuKey(message.chatId)).catch(() => null);
      let ids: unknown = [];
      try {
        ids = raw ? JSON.parse(raw) : [];
      } catch {
        // an unreadable map: the answer stays text
      }
      const id: unknown = Array.isArray(ids) ? ids[Number(message.text.trim()) - 1] : undefined;
      if (typeof id === 'string') {
        message.kind = 'choice';
        message.choiceId = id;
      }
    }
    for (let i = 0; ; i++) {
      try {
        await handler?.(message);
        return;
      } catch (err) {
        if (i >= 3 || stopped) {
          log(`whatsapp-web: a message could not be handed over: ${scrub(err)}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 500 * 2 ** i));
      }
    }
  }

  async function createClient(): Promise<void> {
    await dropClient();
    const gen = generation;
    setState('starting');
    let c: WwebClientLike;
    try {
      c = await factory();
    } catch (err) {
      log(`whatsapp-web: cannot create the client: ${scrub(err)}`);
      scheduleRecreate('CREATE_FAILED');
      return;
    }
    if (gen !== generation || stopped || !holding) {
      await c.destroy().catch(() => undefined);
      return;
    }
    client = c;
    const live = () => gen === generation && !stopped;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const on = (event: string, listener: (...args: any[]) => void) => {
      c.on(event, listener);
    };
    on('qr', (qr: string) => {
      if (!live()) return;
      armStartTimer(gen);
      setState('needs_pairing', { qr });
      options.showQr?.(qr);
    });
    on('authenticated', () => {
      if (!live()) return;
      armStartTimer(gen);
      setState('authenticated');
    });
    on('auth_failure', () => {
      if (live()) scheduleRecreate('AUTH_FAILURE');
    });
    on('ready', () => {
      if (!live()) return;
      clearTimeout(startTimer);
      attempts = 0;
      setState('ready');
      clearInterval(probeTimer);
      probeTimer = setInterval(() => void probe(gen), probeIntervalMs);
    });
    on('disconnected', (reason: unknown) => {
      if (!live()) return;
      const why = String(reason);
      if (why === 'LOGOUT') needsPairing('LOGOUT');
      else if (/max qrcode retries/i.test(why)) needsPairing('QR_NOT_SCANNED');
      else scheduleRecreate(why.replace(/[^A-Za-z_ ]/g, '').slice(0, 40) || 'DISCONNECTED');
    });
    on('message', (msg: WwebMessageLike) => {
      if (!live()) return;
      let mapped: InboundMessage | null;
      try {
        mapped = mapWwebMessage(msg);
      } catch (err) {
        log(`whatsapp-web: unreadable message dropped: ${scrub(err)}`);
        return;
      }
      if (!mapped) return;
      if (mapped.media) {
        mediaMessages.set(mapped.id, msg);
        if (mediaMessages.size > 500) {
          const oldest = mediaMessages.keys().next().value;
          if (oldest !== undefined) mediaMessages.delete(oldest);
        }
      }
      // Remember who wrote to us: this transport only ever answers them (reply-only).
      redis.set(repliedKey(mapped.chatId), '1', 'EX', REPLY_WINDOW_SECONDS).catch(() => undefined);
      void deliver(mapped);
    });
    armStartTimer(gen);
    c.initialize().catch((err: unknown) => {
      if (!live()) return;
      log(`whatsapp-web: initialize failed: ${scrub(err)}`);
      scheduleRecreate(isSessionError(err) ? 'PAGE_LOST' : 'INITIALIZE_FAILED');
    });
  }

  async function probe(gen: number): Promise<void> {
    const c = client;
    if (!c || gen !== generation || status.state !== 'ready') return;
    try {
      const state = await Promise.race([
        c.getState(),
        new Promise<never>((_, reject) =>
          setTimeout(() => {
            reject(new Error('probe timeout'));
          }, probeTimeoutMs).unref(),
        ),
      ]);
      if (gen === generation && state !== 'CONNECTED') scheduleRecreate(`PROBE_${String(state)}`);
    } catch (err) {
      if (gen === generation) scheduleRecreate(isSessionError(err) ? 'PAGE_LOST' : 'PROBE_FAILED');
    }
  }

  /** The lease loop: acquire (standby), renew (holder), give up the client when it is lost. */
  async function leaseTick(): Promise<void> {
    if (stopped) return;
    try {
      if (!holding) {
        if (await lease.tryAcquire()) {
          holding = true;
          lastRenewed = Date.now();
          attempts = 0;
          log('whatsapp-web: this instance holds the session');
          await createClient();
        } else if (status.state !== 'standby') {
          status = { state: 'standby', updatedAt: new Date().toISOString() };
          log('whatsapp-web: standby (another instance holds the session)');
        }
        return;
      }
      // A Redis that hangs (no error, no answer) must not keep us renewing forever: a renewal
      // that takes longer than a third of the lease counts as failed.
      if (await withTimeout(lease.renew(), options.lockTtlMs / 3)) {
        lastRenewed = Date.now();
        publish();
        if (status.state === 'needs_pairing' && !client) {
          if ((await redis.del(keys.pairRequest)) === 1) {
            attempts = 0;
            await createClient();
          }
        }
      } else {
        await loseLease('taken by another instance or expired');
      }
    } catch (err) {
      // Redis unreachable: past the lease, another instance may hold it; stop using the session.
      if (holding && Date.now() - lastRenewed >= options.lockTtlMs * 0.8)
        await loseLease(`not renewed: ${scrub(err)}`);
    }
  }

  /**
   * One lease tick (every third of the lease) at a time; and, checked every tenth of the lease
   * whatever a hung tick is waiting for, a holder whose last renewal is older than 80% of the
   * lease stops using the session before the lease can run out and another instance take it.
   */
  let ticking = false;
  let lastTick = 0;
  function onLeaseTimer(): void {
    if (holding && Date.now() - lastRenewed >= options.lockTtlMs * 0.8) {
      void loseLease('renewal overdue');
    }
    if (ticking || Date.now() - lastTick < options.lockTtlMs / 3) return;
    ticking = true;
    lastTick = Date.now();
    void leaseTick().finally(() => {
      ticking = false;
    });
  }

  async function loseLease(why: string): Promise<void> {
    holding = false;
    log(`whatsapp-web: session lease lost (${why}); client stopped`);
    status = { state: 'standby', updatedAt: new Date().toISOString() };
    await dropClient();
  }

  function readyClient(): WwebClientLike {
    if (!client || status.state !== 'ready')
      throw new TransportError(false, 'NOT_READY', `session ${status.state}`);
    return client;
  }

  async function send(recipient: string, text: string): Promise<{ messageId: string }> {
    const to = chatIdOf(recipient);
    // Reply-only: a chat that never wrote to this number (within the window) gets nothing.
    if ((await redis.exists(repliedKey(to))) !== 1)
      throw new TransportError(
        true,
        'NOT_A_REPLY',
        'whatsapp-web.js only answers chats that wrote to the help line',
      );
    return pacer.run(to, async () => {
      const c = readyClient();
      try {
        const sent = await c.sendMessage(to, text, { linkPreview: false });
        return { messageId: sent.id._serialized };
      } catch (err) {
        if (isSessionError(err)) {
          scheduleRecreate('PAGE_LOST');
          // The page was gone before the send ran: nothing went out.
          throw new TransportError(false, 'SESSION_LOST', scrub(err));
        }
        throw new TransportError(false, 'SEND_FAILED', scrub(err), true);
      }
    });
  }

  return {
    name: 'web',
    state: () => status.state,
    async start(h) {
      if (!stopped) return;
      handler = h;
      stopped = false;
      await leaseTick();
      lastTick = Date.now();
      leaseTimer = setInterval(onLeaseTimer, Math.max(20, options.lockTtlMs / 10));
    },
    async stop() {
      stopped = true;
      clearInterval(leaseTimer);
      leaseTimer = undefined;
      await dropClient();
      if (holding) {
        status = { state: 'stopped', updatedAt: new Date().toISOString() };
        await writeWebSessionStatus(redis, prefix, status, statusTtlSeconds).catch(() => undefined);
        await lease.release().catch(() => undefined);
        holding = false;
      }
    },
    sendText: (to, text) => send(to, text),
    async sendMenu(to, menu) {
      const { text, ids } = renderNumberedMenu(menu);
      const result = await send(to, text);
      await redis
        .set(menuKey(chatIdOf(to)), JSON.stringify(ids), 'EX', 3600)
        .catch(() => undefined);
      return result;
    },
    sendTemplate: () => Promise.reject(templateUnsupported()),
    async downloadMedia(media, maxBytes) {
      if (media.size !== undefined && media.size > maxBytes)
        throw new TransportError(true, 'MEDIA_TOO_LARGE', 'file over the limit');
      const c = readyClient();
      const msg = mediaMessages.get(media.ref) ?? (await c.getMessageById?.(media.ref));
      if (!msg) throw new TransportError(false, 'MEDIA_UNAVAILABLE', 'message not found');
      let file: Awaited<ReturnType<WwebMessageLike['downloadMedia']>>;
      try {
        file = await Promise.race([
          msg.downloadMedia(),
          new Promise<never>((_, reject) =>
            setTimeout(() => {
              reject(new Error('download timeout'));
            }, mediaTimeoutMs).unref(),
          ),
        ]);
      } catch (err) {
        if (isSessionError(err)) scheduleRecreate('PAGE_LOST');
        throw new TransportError(false, 'MEDIA_UNAVAILABLE', scrub(err));
      }
      if (!file) throw new TransportError(false, 'MEDIA_UNAVAILABLE', 'media expired or failed');
      // base64: 4 characters per 3 bytes; refuse before decoding a huge payload.
      if (Math.floor((file.data.length * 3) / 4) > maxBytes + 3)
        throw new TransportError(true, 'MEDIA_TOO_LARGE', 'file over the limit');
      const data = Buffer.from(file.data, 'base64');
      if (data.length > maxBytes)
        throw new TransportError(true, 'MEDIA_TOO_LARGE', 'file over the limit');
      return { data, mimeType: file.mimetype };
    },
  };
}

/**
 * The real client: whatsapp-web.js loaded here and only here, lazily. LocalAuth keeps the linked
 * session under LOKET_DATA_DIR/whatsapp-web (a persistent volume in deployments; one process per
 * session: the lease guarantees it).
 */
export function createWwebClientFactory(
  config: Pick<Config, 'LOKET_DATA_DIR' | 'WHATSAPP_WEB_CHROMIUM_PATH' | 'WHATSAPP_WEB_CLIENT_ID'>,
): WwebClientFactory {
  const dataPath = join(config.LOKET_DATA_DIR, 'whatsapp-web');
  return async () => {
    // A CommonJS package: its exports are on `default` under every loader (the CommonJS build,
    // tsx, Jest); the named ones are not under native ESM / tsx.
    const wweb = (await import('whatsapp-web.js')).default;
    const client = new wweb.Client({
      authStrategy: new wweb.LocalAuth({ clientId: config.WHATSAPP_WEB_CLIENT_ID, dataPath }),
      puppeteer: {
        headless: true,
        executablePath: config.WHATSAPP_WEB_CHROMIUM_PATH,
        args: [
          '--no-sandbox',
          '--disable-setuid-sandbox',
          '--disable-dev-shm-usage',
          '--disable-gpu',
          '--no-first-run',
          '--no-default-browser-check',
          '--disable-extensions',
        ],
      },
      webVersionCache: { type: 'local', path: join(dataPath, 'web-cache') },
      qrMaxRetries: 5,
    });
    return client;
  };
}

/** Rejects when `promise` has not settled within `ms`. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`no answer within ${String(Math.round(ms))} ms`));
      }, ms);
    }),
  ]).finally(() => {
    clearTimeout(timer);
  });
}
