import { createHash, randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type {} from '@fastify/multipart';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { AccessClaims, AuthService } from '../auth/auth.service';
import type { StaffRole } from '../auth/roles';
import { sniffDocumentType } from '../documents/file-type';
import { clientNetwork } from '../shared/client-network';
import { AppError } from '../shared/errors';
import type { Sealer } from '../shared/sealer';
import { EmptyBodySchema, errorResponses, noBodyIsEmpty } from '../shared/schemas';
import {
  enqueueSimulatorInbound,
  newSimulatorSession,
  SESSION_TTL_SECONDS,
  simulatorKeys,
  simulatorSessionHash,
  simulatorUuid,
  storeSimulatorMedia,
  type SimulatorInbound,
  type SimulatorMode,
} from './channel';

/** The header that carries the session secret (never the URL: URLs end up in logs). */
export const SIM_SESSION_HEADER = 'x-chat-session';

/**
 * Staff mode: the roles that talk to requesters and may try the bot as one. The others (AUDITOR,
 * ADMIN_PPE, service accounts such as the BOT) get 403 FORBIDDEN like any role-denied route.
 */
export const STAFF_CHAT_ROLES = [
  'FRONT_OFFICE',
  'HELPDESK',
  'SUPERVISOR',
] as const satisfies readonly StaffRole[];

/**
 * What one client may do. Every limit is checked before anything is stored; a client is the staff
 * member (staff mode) or the address's network (public: IPv4 address, IPv6 /64).
 */
export interface ChatSimulatorLimits {
  /** Characters in one text message: a demo page needs less than the console. */
  maxText: number;
  sessionsPerClientPerHour: number;
  /** Files sit in Redis until the bot takes them: few per session and per client. */
  filesPerSessionPerHour: number;
  filesPerClientPerHour: number;
  /** Bytes uploaded per client per hour (files refused for their size or type not counted). */
  uploadBytesPerClientPerHour: number;
  /** Open event streams: in all, per chat and per client (this API instance). */
  streams: number;
  streamsPerChat: number;
  streamsPerClient: number;
  /** A session ends after this long unused (each request renews it; an open stream does not). */
  sessionTtlSeconds: number;
  /**
   * Every this often each open stream gets a keep-alive and is checked: it is closed when its
   * session has expired or been deleted, and in staff mode when the access token has expired or
   * the account's session was revoked (logout, disable, role change).
   */
  checkIntervalMs: number;
}

export function defaultChatSimulatorLimits(
  mode: Exclude<SimulatorMode, 'off'>,
  uploadMaxBytes: number,
): ChatSimulatorLimits {
  return {
    maxText: mode === 'public' ? 2_000 : 20_000,
    sessionsPerClientPerHour: 30,
    filesPerSessionPerHour: 10,
    filesPerClientPerHour: 30,
    uploadBytesPerClientPerHour: 5 * uploadMaxBytes,
    streams: 500,
    streamsPerChat: 3,
    streamsPerClient: 20,
    sessionTtlSeconds: SESSION_TTL_SECONDS,
    checkIntervalMs: 25_000,
  };
}

interface StoredSession {
  chatId: string;
  owner: string;
}

function parseSession(raw: string | null): StoredSession | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<StoredSession>;
    return typeof v.chatId === 'string' && typeof v.owner === 'string'
      ? { chatId: v.chatId, owner: v.owner }
      : null;
  } catch {
    return null;
  }
}

/**
 * The web chat simulator's API: a browser opens a session (a random `sim:<uuid>` chat id and a
 * session secret that only it holds; Redis keeps a hash of the secret), posts messages and files, and reads the bot's replies as server-sent events. Access is
 * `public` (a demo page) or `staff` (the console), from CHAT_SIMULATOR; with `off` nothing is
 * registered. The bot reads what is posted from a Redis stream (see channel.ts).
 */
export const chatSimulatorRoutes: FastifyPluginAsyncTypebox<{
  redis: Redis;
  redisPrefix: string;
  mode: Exclude<SimulatorMode, 'off'>;
  messagesPerMinute: number;
  uploadMaxBytes: number;
  /** Seals what the browser sends (simulatorSealer): the bot opens it with the same secret. */
  sealer: Sealer;
  /** Staff mode: re-checks a stream's access token (session still live, role still allowed). */
  auth: Pick<AuthService, 'principalFromClaims'>;
  /** Overrides of defaultChatSimulatorLimits (tests). */
  limits?: Partial<ChatSimulatorLimits>;
}> = async (app, options) => {
  const {
    redis,
    redisPrefix: prefix,
    mode,
    messagesPerMinute,
    uploadMaxBytes,
    sealer,
    auth,
  } = options;
  const limits = { ...defaultChatSimulatorLimits(mode, uploadMaxBytes), ...options.limits };
  const keys = simulatorKeys(prefix);
  const access = mode === 'public' ? 'public' : STAFF_CHAT_ROLES;
  const owner = (request: FastifyRequest) => request.principal?.id ?? 'public';
  /** Who to count for limits: the staff member, or a hash of the client's network. */
  const client = (request: FastifyRequest) =>
    request.principal?.id ??
    createHash('sha256').update(clientNetwork(request.ip)).digest('hex').slice(0, 32);

  /** Fixed-window counter; throws CHAT_RATE_LIMITED past `limit`. */
  async function limit(what: string, who: string, max: number, windowSeconds: number) {
    const key = keys.rate(what, who);
    const res = await redis.multi().incr(key).expire(key, windowSeconds, 'NX').exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count > max) {
      const ttl = await redis.ttl(key);
      throw new AppError('CHAT_RATE_LIMITED', {}, undefined, {
        'retry-after': String(Math.max(1, ttl)),
      });
    }
  }

  /**
   * The caller's session from its secret: well-formed, live and (staff mode) its own. The chat id
   * alone is no credential (staff see it as a ticket's contact).
   */
  async function session(
    request: FastifyRequest,
  ): Promise<{ chatId: string; uuid: string; key: string }> {
    const raw = request.headers[SIM_SESSION_HEADER];
    const hash = simulatorSessionHash(typeof raw === 'string' ? raw : '');
    if (!hash) throw new AppError('CHAT_SESSION_UNKNOWN');
    const key = keys.session(hash);
    const stored = parseSession(await redis.get(key));
    if (stored?.owner !== owner(request)) throw new AppError('CHAT_SESSION_UNKNOWN');
    const uuid = simulatorUuid(stored.chatId);
    if (!uuid) throw new AppError('CHAT_SESSION_UNKNOWN');
    await redis.expire(key, limits.sessionTtlSeconds);
    return { chatId: stored.chatId, uuid, key };
  }

  const SessionHeaders = Type.Object({
    [SIM_SESSION_HEADER]: Type.String({
      description: 'The session secret (`session`) from POST /api/chat-simulator/sessions',
    }),
  });
  const Accepted = Type.Object({ id: Type.String() });
  const tags = ['chat simulator'];

  app.post(
    '/chat-simulator/sessions',
    {
      config: { access },
      preValidation: noBodyIsEmpty,
      schema: {
        tags,
        summary:
          'Open a simulator chat: a new chat id and its session secret, which only the browser keeps',
        body: EmptyBodySchema,
        response: {
          201: Type.Object({
            session: Type.String({
              description: 'The secret for the x-chat-session header (base64url, 256 bits)',
            }),
            chatId: Type.String({ description: 'The chat as the bot and staff see it' }),
            expiresInSeconds: Type.Integer({ description: 'Idle lifetime; each use renews it' }),
          }),
          ...errorResponses(429),
        },
      },
    },
    async (request, reply) => {
      await limit('sessions', client(request), limits.sessionsPerClientPerHour, 3600);
      const { chatId, secret } = newSimulatorSession();
      const hash = simulatorSessionHash(secret);
      if (!hash) throw new Error('malformed session secret');
      const stored: StoredSession = { chatId, owner: owner(request) };
      await redis.set(keys.session(hash), JSON.stringify(stored), 'EX', limits.sessionTtlSeconds);
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ session: secret, chatId, expiresInSeconds: limits.sessionTtlSeconds });
    },
  );

  app.delete(
    '/chat-simulator/sessions',
    {
      config: { access },
      schema: {
        tags,
        summary: 'End this simulator chat (a new chat, or leaving): its event streams close',
        headers: SessionHeaders,
        response: { 204: Type.Null(), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const { key } = await session(request);
      await redis.del(key);
      // This instance's streams close now; other instances' at their next check.
      for (const set of byChat.values())
        for (const s of set) if (s.sessionKey === key) endStream(s, 'SESSION_ENDED');
      return reply.status(204).send(null);
    },
  );

  /** The caller's session once every per-message limit allowed this one (nothing stored yet). */
  async function admit(request: FastifyRequest) {
    const s = await session(request);
    await limit('messages', s.uuid, messagesPerMinute, 60);
    return s;
  }

  /** Queues an admitted message for the bot. */
  async function enqueue(
    chatId: string,
    message: Omit<SimulatorInbound, 'transport' | 'id' | 'chatId' | 'timestamp'>,
  ) {
    const id = randomUUID();
    await enqueueSimulatorInbound(redis, prefix, sealer, {
      transport: 'simulator',
      id,
      chatId,
      timestamp: Date.now(),
      ...message,
    });
    return id;
  }

  /** Counts `bytes` against the client's hourly upload budget; refused bytes are given back. */
  async function spendUploadBytes(who: string, bytes: number) {
    const key = keys.rate('upload-bytes', who);
    const res = await redis.multi().incrby(key, bytes).expire(key, 3600, 'NX').exec();
    const total = Number(res?.[0]?.[1] ?? 0);
    if (total > limits.uploadBytesPerClientPerHour) {
      const [, ttl] = (await redis.multi().decrby(key, bytes).ttl(key).exec()) ?? [];
      throw new AppError('CHAT_RATE_LIMITED', {}, undefined, {
        'retry-after': String(Math.max(1, Number(ttl?.[1] ?? 3600))),
      });
    }
  }

  app.post(
    '/chat-simulator/messages',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Send a text (or a menu choice) to the bot',
        headers: SessionHeaders,
        body: Type.Object(
          {
            text: Type.String({ maxLength: limits.maxText }),
            choiceId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: Accepted, ...errorResponses(404, 429) },
      },
    },
    async (request, reply) => {
      const { text, choiceId } = request.body;
      const { chatId } = await admit(request);
      const id = await enqueue(
        chatId,
        choiceId !== undefined ? { kind: 'choice', text, choiceId } : { kind: 'text', text },
      );
      return reply.status(202).send({ id });
    },
  );

  app.post(
    '/chat-simulator/files',
    {
      config: { access },
      schema: {
        tags,
        summary:
          'Send a photo or a PDF to the bot (multipart: optional field `caption` first, then `file`)',
        consumes: ['multipart/form-data'],
        headers: SessionHeaders,
        response: { 202: Accepted, ...errorResponses(404, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      // Every limit before anything is stored: the message rate, the file counts, then (once the
      // size is known) the byte budget.
      const { chatId, uuid } = await admit(request);
      const who = client(request);
      await limit('files', uuid, limits.filesPerSessionPerHour, 3600);
      await limit('files-client', who, limits.filesPerClientPerHour, 3600);
      const file = await request.file({ limits: { fileSize: uploadMaxBytes } });
      if (!file) throw new AppError('FILE_MISSING');
      const data = await file.toBuffer();
      if (data.length === 0) throw new AppError('FILE_EMPTY');
      const type = sniffDocumentType(data);
      if (!type) throw new AppError('FILE_TYPE_NOT_ALLOWED');
      const captionField = file.fields.caption;
      const caption =
        captionField && !Array.isArray(captionField) && captionField.type === 'field'
          ? String(captionField.value).slice(0, 1024)
          : '';
      await spendUploadBytes(who, data.length);
      const ref = randomUUID();
      await storeSimulatorMedia(redis, prefix, sealer, ref, data);
      const fileName = file.filename.replace(/[\\/\0]/g, '_').slice(0, 200);
      const id = await enqueue(chatId, {
        kind: type.mime === 'application/pdf' ? 'document' : 'image',
        ...(caption ? { text: caption } : {}),
        media: {
          ref,
          mimeType: type.mime,
          size: data.length,
          ...(fileName ? { fileName } : {}),
        },
      });
      return reply.status(202).send({ id });
    },
  );

  // Live replies: one shared subscriber per API process; each stream reads its chat's reply
  // stream from the last id it wrote, so nothing is skipped or written twice.
  interface Stream {
    res: ServerResponse;
    uuid: string;
    sessionKey: string;
    /** Staff mode: the access token's claims, checked again at every keep-alive. */
    claims: (AccessClaims & { exp: number }) | null;
    lastId: string;
    busy: boolean;
    again: boolean;
    /** Removes the stream from the maps (once). */
    release: () => void;
  }
  const byChat = new Map<string, Set<Stream>>();
  /** Open streams per client (staff member or network), on this instance. */
  const byClient = new Map<string, number>();
  let total = 0;
  let subscriber: Redis | undefined;

  async function pump(s: Stream): Promise<void> {
    if (s.busy) {
      s.again = true;
      return;
    }
    s.busy = true;
    try {
      do {
        s.again = false;
        const entries = (await redis.xrange(
          keys.replies(s.uuid),
          s.lastId === '0' ? '-' : `(${s.lastId}`,
          '+',
          'COUNT',
          100,
        )) as [string, string[]][];
        for (const [id, fields] of entries) {
          const i = fields.indexOf('r');
          if (i !== -1 && !s.res.writableEnded && !s.res.destroyed)
            s.res.write(`id: ${id}\nevent: reply\ndata: ${fields[i + 1] ?? '{}'}\n\n`);
          s.lastId = id;
        }
        if (entries.length === 100) s.again = true;
      } while (s.again && !s.res.writableEnded && !s.res.destroyed);
    } catch {
      // Redis hiccup: the next notice (or the browser's reconnect) catches up.
    } finally {
      s.busy = false;
    }
  }

  function ensureSubscriber() {
    if (subscriber) return;
    const sub = redis.duplicate();
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, uuid: string) => {
      for (const s of byChat.get(uuid) ?? []) void pump(s);
    });
    sub.subscribe(keys.replyChannel).catch(() => undefined);
    subscriber = sub;
  }

  /** Tells the browser why (an `end` event), then closes the stream. */
  function endStream(s: Stream, reason: 'SESSION_ENDED' | 'UNAUTHENTICATED') {
    s.release();
    if (s.res.writableEnded || s.res.destroyed) return;
    s.res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
  }

  /** Why a stream may no longer stay open, or null; a Redis or database hiccup keeps it. */
  async function endReason(s: Stream): Promise<'SESSION_ENDED' | 'UNAUTHENTICATED' | null> {
    try {
      if ((await redis.exists(s.sessionKey)) === 0) return 'SESSION_ENDED';
    } catch {
      return null;
    }
    if (!s.claims) return null;
    if (s.claims.exp * 1000 <= Date.now()) return 'UNAUTHENTICATED';
    try {
      const p = await auth.principalFromClaims(s.claims);
      const allowed: readonly string[] = STAFF_CHAT_ROLES;
      return p.kind === 'staff' && allowed.includes(p.role) ? null : 'UNAUTHENTICATED';
    } catch (err) {
      return err instanceof AppError ? 'UNAUTHENTICATED' : null;
    }
  }

  const keepAlive = setInterval(() => {
    for (const set of byChat.values())
      for (const s of set) {
        s.res.write(': keep-alive\n\n');
        void endReason(s).then((reason) => {
          if (reason) endStream(s, reason);
        });
      }
  }, limits.checkIntervalMs);
  keepAlive.unref();
  app.addHook('preClose', async () => {
    clearInterval(keepAlive);
    for (const set of byChat.values()) for (const s of set) s.res.end();
    byChat.clear();
    subscriber?.disconnect();
    subscriber = undefined;
  });

  app.get(
    '/chat-simulator/events',
    {
      config: { access },
      schema: {
        tags,
        summary: "The bot's replies to this chat, live (server-sent events `reply`)",
        description:
          'Send `Last-Event-ID` to resume after a drop: the replies after it are sent first (the last 200 are kept for a day).',
        headers: SessionHeaders,
        response: {
          200: Type.String({ description: 'text/event-stream' }),
          ...errorResponses(404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { uuid, key: sessionKey } = await session(request);
      const who = client(request);
      const user = request.user as Partial<AccessClaims & { exp: number }> | undefined;
      const claims =
        request.principal?.kind === 'staff' &&
        typeof user?.exp === 'number' &&
        typeof user.sub === 'string' &&
        typeof user.sid === 'string' &&
        user.role !== undefined
          ? { sub: user.sub, sid: user.sid, role: user.role, typ: 'access' as const, exp: user.exp }
          : null;
      const set = byChat.get(uuid) ?? new Set<Stream>();
      if (total >= limits.streams || set.size >= limits.streamsPerChat)
        throw new AppError('SERVICE_UNAVAILABLE');
      if ((byClient.get(who) ?? 0) >= limits.streamsPerClient)
        throw new AppError('CHAT_RATE_LIMITED', {}, undefined, { 'retry-after': '30' });
      const last = request.headers['last-event-id'];
      const lastId = typeof last === 'string' && /^\d+-\d+$/.test(last) ? last : '0';
      const res = reply.raw;
      reply.hijack();
      if (res.destroyed || request.raw.destroyed) return;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write('retry: 3000\n\n');
      const s: Stream = {
        res,
        uuid,
        sessionKey,
        claims,
        lastId,
        busy: false,
        again: false,
        release: () => {
          if (set.delete(s)) {
            total -= 1;
            const left = (byClient.get(who) ?? 1) - 1;
            if (left > 0) byClient.set(who, left);
            else byClient.delete(who);
          }
          if (set.size === 0 && byChat.get(uuid) === set) byChat.delete(uuid);
        },
      };
      set.add(s);
      byChat.set(uuid, set);
      byClient.set(who, (byClient.get(who) ?? 0) + 1);
      total += 1;
      request.raw.on('close', s.release);
      ensureSubscriber();
      await pump(s);
    },
  );
};
