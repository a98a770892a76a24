import { randomUUID } from 'node:crypto';
import type { InboundMessage } from '../../bot/transport';
import { createSimulatorTransport } from '../../bot/transports/simulator';
import { simulatorSealer } from '../../src/chat-simulator/channel';
import { STAFF_CHAT_ROLES } from '../../src/chat-simulator/simulator.routes';
import { InternalBotRevoked, rotateInternalBotToken } from '../../src/auth/internal-bot';
import { systemActor } from '../../src/audit/audit.service';
import { AppError } from '../../src/shared/errors';
import { eventuallyExpect as eventually } from '../helpers/eventually';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The web chat simulator end to end: the real HTTP routes, the Redis stream, the bot's simulator
 * transport with a stand-in handler (the conversation is tested elsewhere), replies over SSE.
 */

// Several tests build their own app (a database copy, argon2 hashing): slow on a busy machine.
jest.setTimeout(30_000);

interface Frame {
  id: string | null;
  event: string;
  data: unknown;
}

/** Reads an SSE response as a browser page would (fetch, so the session header can be sent). */
function readEvents(res: Response) {
  const frames: Frame[] = [];
  const body = res.body;
  if (!body) throw new Error('no body');
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const done = (async () => {
    for (;;) {
      const { value, done: end } = await reader.read().catch(() => ({ value: '', done: true }));
      if (end) return;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf('\n\n')) !== -1) {
        const raw = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let id: string | null = null;
        let event = 'message';
        let data = '';
        for (const line of raw.split('\n')) {
          if (line.startsWith('id: ')) id = line.slice(4);
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) frames.push({ id, event, data: JSON.parse(data) as unknown });
      }
    }
  })();
  return {
    frames,
    /** Resolves when the server ends the stream. */
    ended: done,
    async close() {
      await reader.cancel().catch(() => undefined);
      await done;
    },
  };
}

describe('web chat simulator (public demo)', () => {
  let t: TestApp;
  const received: InboundMessage[] = [];
  let failNext = 0;
  let bot: ReturnType<typeof createSimulatorTransport>;

  const startBot = async () => {
    bot = createSimulatorTransport({
      redis: t.redis,
      prefix: t.config.REDIS_PREFIX,
      sealer: simulatorSealer(t.container.secrets.jwtSecret),
      claimIdleMs: 300,
      blockMs: 200,
    });
    await bot.start(async (m) => {
      if (failNext > 0) {
        failNext -= 1;
        throw new Error('the dispatcher is restarting');
      }
      received.push(m);
      if (m.text === 'menu') {
        await bot.sendMenu(m.chatId, {
          body: 'Pilih layanan',
          button: 'Layanan',
          sections: [
            {
              title: 'Layanan',
              rows: [
                { id: 'reset_password', title: 'Reset kata sandi' },
                { id: 'user_id', title: 'Lupa user ID', description: 'SPSE' },
              ],
            },
          ],
        });
      } else {
        await bot.sendText(m.chatId, `balasan: ${m.kind} ${m.text ?? ''}`.trim());
      }
    });
  };

  beforeAll(async () => {
    t = await createTestApp({
      // TRUST_PROXY: tests pose as other clients with X-Forwarded-For.
      env: {
        CHAT_SIMULATOR_MESSAGES_PER_MINUTE: '8',
        UPLOAD_MAX_BYTES: '4096',
        TRUST_PROXY: 'true',
      },
      app: { chatSimulator: { streamsPerClient: 3 } },
    });
    await startBot();
  });
  afterAll(async () => {
    await bot.stop();
    await t.close();
  });

  /** A browser's chat: its session secret (the credential) and its chat id (what the bot sees). */
  interface Chat {
    session: string;
    chatId: string;
  }
  async function openChat(from?: string): Promise<Chat> {
    const res = await t.http<Chat & { expiresInSeconds: number }>(
      'POST',
      '/api/chat-simulator/sessions',
      from ? { headers: { 'x-forwarded-for': from } } : {},
    );
    expect(res.status).toBe(201);
    expect(res.body.chatId).toMatch(/^sim:[0-9a-f-]{36}$/);
    expect(res.body.session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.expiresInSeconds).toBeGreaterThan(0);
    return { session: res.body.session, chatId: res.body.chatId };
  }
  const say = (chat: Chat | string, json: unknown) =>
    t.http<{ id: string; code?: string }>('POST', '/api/chat-simulator/messages', {
      headers: { 'x-chat-session': typeof chat === 'string' ? chat : chat.session },
      json,
    });
  const listen = async (chat: Chat, lastEventId?: string, from?: string) => {
    const res = await fetch(`${t.baseUrl}/api/chat-simulator/events`, {
      headers: {
        'x-chat-session': chat.session,
        ...(from ? { 'x-forwarded-for': from } : {}),
        ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
      },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    return readEvents(res);
  };

  test('a message reaches the bot as an InboundMessage; its reply streams back live', async () => {
    const chat = await openChat();
    const { chatId } = chat;
    const events = await listen(chat);
    const sent = await say(chat, { text: 'halo' });
    expect(sent.status).toBe(202);
    await eventually(() => {
      expect(events.frames).toHaveLength(1);
    });
    expect(events.frames[0]).toMatchObject({
      event: 'reply',
      id: expect.stringMatching(/^\d+-\d+$/) as unknown,
      data: { type: 'text', text: 'balasan: text halo' },
    });
    expect(received.find((m) => m.id === sent.body.id)).toEqual({
      transport: 'simulator',
      id: sent.body.id,
      chatId,
      timestamp: expect.any(Number) as unknown,
      kind: 'text',
      text: 'halo',
    });
    await events.close();
  });

  test('menus arrive as menus (buttons in the page); a button press is a choice', async () => {
    const chat = await openChat();
    const events = await listen(chat);
    await say(chat, { text: 'menu' });
    await eventually(() => {
      expect(events.frames).toHaveLength(1);
    });
    expect(events.frames[0]?.data).toMatchObject({
      type: 'menu',
      body: 'Pilih layanan',
      sections: [{ rows: [{ id: 'reset_password' }, { id: 'user_id', description: 'SPSE' }] }],
    });
    const pick = await say(chat, { text: 'Lupa user ID', choiceId: 'user_id' });
    await eventually(() => {
      expect(received.find((m) => m.id === pick.body.id)).toMatchObject({
        kind: 'choice',
        choiceId: 'user_id',
        text: 'Lupa user ID',
      });
    });
    await events.close();
  });

  test('a browser that reconnects with Last-Event-ID gets what it missed, nothing twice', async () => {
    const chat = await openChat();
    const { chatId } = chat;
    const first = await listen(chat);
    await say(chat, { text: 'satu' });
    await eventually(() => {
      expect(first.frames).toHaveLength(1);
    });
    await first.close();
    await say(chat, { text: 'dua' });
    await say(chat, { text: 'tiga' });
    await eventually(() => {
      expect(received.filter((m) => m.chatId === chatId)).toHaveLength(3);
    });
    const again = await listen(chat, first.frames[0]?.id ?? '');
    await eventually(() => {
      expect(again.frames.map((f) => (f.data as { text: string }).text)).toEqual([
        'balasan: text dua',
        'balasan: text tiga',
      ]);
    });
    await again.close();
  });

  test('a session reads only its own replies; an unknown or forged secret gets nothing', async () => {
    const mine = await openChat();
    const forged = `sim:${randomUUID()}`;
    for (const secret of [
      forged,
      'sim:not-a-uuid',
      mine.session.toUpperCase(),
      `x${mine.session}`,
      mine.session.slice(1),
    ]) {
      const res = await fetch(`${t.baseUrl}/api/chat-simulator/events`, {
        headers: { 'x-chat-session': secret },
      });
      expect({ secret, status: res.status }).toEqual({ secret, status: 404 });
      expect(((await res.json()) as { code: string }).code).toBe('CHAT_SESSION_UNKNOWN');
      expect((await say(secret, { text: 'halo' })).status).toBe(404);
    }
    const none = await t.http('GET', '/api/chat-simulator/events');
    expect(none.status).toBe(400);
    // The secret travels in a header: no route takes it in the URL.
    const inUrl = await t.http('GET', `/api/chat-simulator/events?session=${mine.session}`);
    expect(inUrl.status).toBe(400);
  });

  test('the chat id (a ticket contact that staff see) is no credential; Redis keeps no secret', async () => {
    const chat = await openChat();
    const asId = await say(chat.chatId, { text: 'halo' });
    expect(asId.status).toBe(404);
    expect(asId.body.code).toBe('CHAT_SESSION_UNKNOWN');
    const events = await fetch(`${t.baseUrl}/api/chat-simulator/events`, {
      headers: { 'x-chat-session': chat.chatId },
    });
    expect(events.status).toBe(404);
    await events.body?.cancel();
    // Only a hash of the secret names the session; the secret is nowhere in Redis.
    const keys = await t.redis.keys(`${t.config.REDIS_PREFIX}:sim:session:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).not.toContain(chat.session);
      expect(await t.redis.get(key)).not.toContain(chat.session);
    }
    expect((await say(chat, { text: 'halo' })).status).toBe(202);
  });

  test('files: a PDF or photo reaches the bot as a document/image; others are refused', async () => {
    const chat = await openChat();
    const upload = (bytes: Buffer, name: string, caption?: string) => {
      const form = new FormData();
      if (caption) form.append('caption', caption);
      form.append('file', new Blob([bytes]), name);
      return t.http<{ id: string; code?: string }>('POST', '/api/chat-simulator/files', {
        headers: { 'x-chat-session': chat.session },
        body: form,
      });
    };
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
    const ok = await upload(pdf, 'sk-penunjukan.pdf', 'SK saya');
    expect(ok.status).toBe(202);
    await eventually(() => {
      expect(received.find((m) => m.id === ok.body.id)).toBeDefined();
    });
    const doc = received.find((m) => m.id === ok.body.id);
    expect(doc).toMatchObject({
      kind: 'document',
      text: 'SK saya',
      media: { mimeType: 'application/pdf', fileName: 'sk-penunjukan.pdf', size: pdf.length },
    });
    const media = doc?.media;
    if (!media) throw new Error('no media');
    const got = await bot.downloadMedia(media, 4096);
    expect(got.data.equals(pdf)).toBe(true);
    // Once taken, the upload stays only briefly (for a retry).
    const ttl = await t.redis.ttl(`${t.config.REDIS_PREFIX}:sim:media:${media.ref}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(900);
    await expect(bot.downloadMedia(media, 10)).rejects.toMatchObject({ code: 'MEDIA_TOO_LARGE' });

    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.alloc(20),
    ]);
    const photo = await upload(png, 'ktp.png');
    await eventually(() => {
      expect(received.find((m) => m.id === photo.body.id)).toMatchObject({ kind: 'image' });
    });

    const exe = await upload(Buffer.from('MZ\x90\x00 this is not a PDF'), 'surat.pdf');
    expect(exe.status).toBe(415);
    expect(exe.body.code).toBe('FILE_TYPE_NOT_ALLOWED');
    const big = await upload(
      Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(8192)]),
      'x.pdf',
    );
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('FILE_TOO_LARGE');
    const empty = await upload(Buffer.alloc(0), 'x.pdf');
    expect(empty.status).toBe(400);
  });

  test('a flood is rate limited per session, with Retry-After, and others are not affected', async () => {
    const chat = await openChat();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++)
      statuses.push((await say(chat, { text: `spam ${String(i)}` })).status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(8);
    const limited = await say(chat, { text: 'lagi' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('CHAT_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await say(await openChat(), { text: 'halo' })).status).toBe(202);
    const long = await say(chat, { text: 'x'.repeat(20_001) });
    expect(long.status).toBe(400);
  });

  const uploadAs = (chat: Chat, from: string, bytes: Buffer, name = 'surat.pdf') => {
    const form = new FormData();
    form.append('file', new Blob([bytes]), name);
    return t.http<{ id: string; code?: string }>('POST', '/api/chat-simulator/files', {
      headers: { 'x-chat-session': chat.session, 'x-forwarded-for': from },
      body: form,
    });
  };

  test('every limit is checked before anything is stored: a file past the message rate leaves nothing', async () => {
    const chat = await openChat('198.51.100.10');
    for (let i = 0; i < 8; i++)
      expect((await say(chat, { text: `isi ${String(i)}` })).status).toBe(202);
    const mediaKeys = () => t.redis.keys(`${t.config.REDIS_PREFIX}:sim:media:*`);
    const before = new Set(await mediaKeys());
    const late = await uploadAs(chat, '198.51.100.10', Buffer.from('%PDF-1.7\nlate\n'));
    expect(late.status).toBe(429);
    expect(late.body.code).toBe('CHAT_RATE_LIMITED');
    expect((await mediaKeys()).filter((k) => !before.has(k))).toEqual([]);
  });

  test('uploads have an hourly byte budget per client', async () => {
    const from = '198.51.100.20';
    const chat = await openChat(from);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(3991)]); // 4,000 bytes
    // 5 × UPLOAD_MAX_BYTES (4,096) an hour: five such files, not a sixth.
    for (let i = 0; i < 5; i++) expect((await uploadAs(chat, from, pdf)).status).toBe(202);
    const over = await uploadAs(chat, from, pdf);
    expect(over.status).toBe(429);
    expect(over.body.code).toBe('CHAT_RATE_LIMITED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await openChat('198.51.100.21');
    expect((await uploadAs(other, '198.51.100.21', pdf)).status).toBe(202);
  });

  test('public clients count by address (IPv4) or by /64 (IPv6)', async () => {
    // 30 sessions an hour per client, whichever address of the /64 asks.
    for (let i = 0; i < 30; i++) await openChat(`2001:db8:7:7:${(i + 1).toString(16)}::1`);
    const sameNet = await t.http<{ code: string }>('POST', '/api/chat-simulator/sessions', {
      headers: { 'x-forwarded-for': '2001:db8:7:7:ffff:ffff:ffff:fffe' },
    });
    expect(sameNet.status).toBe(429);
    expect(sameNet.body.code).toBe('CHAT_RATE_LIMITED');
    await openChat('2001:db8:7:8::1'); // the next /64 is another client
  });

  test('a public text is at most 2,000 characters', async () => {
    const chat = await openChat('198.51.100.40');
    expect((await say(chat, { text: 'x'.repeat(2_000) })).status).toBe(202);
    const long = await say(chat, { text: 'x'.repeat(2_001) });
    expect(long.status).toBe(400);
    expect(long.body.code).toBe('VALIDATION_FAILED');
  });

  test('a client may hold only so many event streams at once', async () => {
    const from = '198.51.100.30';
    const open = [];
    for (let i = 0; i < 3; i++) open.push(await listen(await openChat(from), undefined, from));
    const chat = await openChat(from);
    const fourth = await fetch(`${t.baseUrl}/api/chat-simulator/events`, {
      headers: { 'x-chat-session': chat.session, 'x-forwarded-for': from },
    });
    expect(fourth.status).toBe(429);
    expect(((await fourth.json()) as { code: string }).code).toBe('CHAT_RATE_LIMITED');
    // Another client is not affected; a closed stream frees its place.
    await (await listen(await openChat('198.51.100.31'), undefined, '198.51.100.31')).close();
    await open.shift()?.close();
    await eventually(async () => {
      const again = await fetch(`${t.baseUrl}/api/chat-simulator/events`, {
        headers: { 'x-chat-session': chat.session, 'x-forwarded-for': from },
      });
      await again.body?.cancel();
      expect(again.status).toBe(200);
    });
    for (const s of open) await s.close();
  });

  test('what waits in Redis for the bot is sealed: no text, NIK or file bytes in clear', async () => {
    await bot.stop();
    const prefix = t.config.REDIS_PREFIX;
    const chat = await openChat();
    const nik = '3171010101900001';
    const sent = await say(chat, { text: `NIK saya ${nik}` });
    expect(sent.status).toBe(202);
    const pdf = Buffer.from('%PDF-1.7\nKTP Sari Lestari 3171010101900002\n');
    const form = new FormData();
    form.append('caption', `KTP ${nik}`);
    form.append('file', new Blob([pdf]), 'ktp.pdf');
    const file = await t.http<{ id: string }>('POST', '/api/chat-simulator/files', {
      headers: { 'x-chat-session': chat.session },
      body: form,
    });
    expect(file.status).toBe(202);

    const entries = await t.redis.xrangeBuffer(`${prefix}:sim:in`, '-', '+');
    expect(entries.length).toBeGreaterThanOrEqual(2);
    const mediaKeys = await t.redis.keys(`${prefix}:sim:media:*`);
    expect(mediaKeys.length).toBeGreaterThan(0);
    const stored = [
      ...entries.flatMap(([, fields]) => fields),
      ...(await Promise.all(mediaKeys.map((k) => t.redis.getBuffer(k)))).map(
        (b) => b ?? Buffer.alloc(0),
      ),
    ];
    for (const value of stored) {
      for (const clear of [nik, '3171010101900002', 'NIK saya', 'Sari Lestari', 'ktp.pdf', '%PDF'])
        expect(value.includes(clear)).toBe(false);
    }

    // Our bot opens them and answers; a transport with another secret cannot open the file.
    const before = received.length;
    await startBot();
    await eventually(() => {
      expect(received.find((m) => m.id === sent.body.id)).toMatchObject({
        text: `NIK saya ${nik}`,
      });
      expect(received.find((m) => m.id === file.body.id)).toMatchObject({ text: `KTP ${nik}` });
    });
    expect(received.length).toBeGreaterThan(before);
    const media = received.find((m) => m.id === file.body.id)?.media;
    if (!media) throw new Error('no media');
    expect((await bot.downloadMedia(media, 4096)).data.equals(pdf)).toBe(true);
    const stranger = createSimulatorTransport({
      redis: t.redis,
      prefix,
      sealer: simulatorSealer('another-secret-another-secret-another'),
    });
    await expect(stranger.downloadMedia(media, 4096)).rejects.toMatchObject({
      code: 'MEDIA_UNAVAILABLE',
    });
  });

  test('nothing accepted is lost while the bot restarts, and a failed hand-over is retried', async () => {
    await bot.stop();
    const chat = await openChat();
    const { chatId } = chat;
    const ids: string[] = [];
    for (const text of ['satu', 'dua', 'tiga']) ids.push((await say(chat, { text })).body.id);
    failNext = 1;
    await startBot();
    await eventually(() => {
      expect(
        received
          .filter((m) => m.chatId === chatId)
          .map((m) => m.id)
          .sort(),
      ).toEqual([...ids].sort());
    });
    expect(failNext).toBe(0);
  });
});

describe('event stream lifetime', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      env: { CHAT_SIMULATOR: 'staff' },
      app: { chatSimulator: { checkIntervalMs: 200, sessionTtlSeconds: 4 } },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  const open = async (token: string) => {
    const res = await t.http<{ session: string }>('POST', '/api/chat-simulator/sessions', {
      token,
    });
    expect(res.status).toBe(201);
    return res.body.session;
  };
  const listen = async (token: string, session: string) => {
    const res = await fetch(`${t.baseUrl}/api/chat-simulator/events`, {
      headers: { authorization: `Bearer ${token}`, 'x-chat-session': session },
    });
    expect(res.status).toBe(200);
    return readEvents(res);
  };
  /** Waits for the server to end the stream (or fails after `ms`); returns its reason and when. */
  const endOf = async (events: ReturnType<typeof readEvents>, ms = 10_000) => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      events.ended.then(() => true),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          resolve(false);
        }, ms);
      }),
    ]);
    clearTimeout(timer);
    await events.close();
    const end = events.frames.find((f) => f.event === 'end');
    return {
      ended,
      reason: (end?.data as { reason?: string } | undefined)?.reason,
      after: Date.now() - started,
    };
  };

  test('a stream closes when its session expires unused', async () => {
    const token = await t.tokenFor('HELPDESK');
    const session = await open(token);
    const events = await listen(token, session);
    expect(await endOf(events)).toMatchObject({ ended: true, reason: 'SESSION_ENDED' });
    const late = await t.http('POST', '/api/chat-simulator/messages', {
      token,
      headers: { 'x-chat-session': session },
      json: { text: 'halo' },
    });
    expect(late.status).toBe(404);
  });

  test('a stream closes when its session is deleted (a new chat)', async () => {
    const token = await t.tokenFor('FRONT_OFFICE');
    const session = await open(token);
    const events = await listen(token, session);
    const del = await t.http('DELETE', '/api/chat-simulator/sessions', {
      token,
      headers: { 'x-chat-session': session },
    });
    expect(del.status).toBe(204);
    const end = await endOf(events);
    expect(end).toMatchObject({ ended: true, reason: 'SESSION_ENDED' });
    expect(end.after).toBeLessThan(2_000); // not the 4 s expiry
    const again = await t.http('GET', '/api/chat-simulator/events', {
      token,
      headers: { 'x-chat-session': session },
    });
    expect(again.status).toBe(404);
  });

  test('staff mode: a stream closes when its access token expires', async () => {
    const token = await t.tokenFor('HELPDESK');
    const claims = t.app.jwt.decode<{ sub: string; sid: string; role: string }>(token);
    if (!claims) throw new Error('no claims');
    const short = t.app.jwt.sign(
      { sub: claims.sub, sid: claims.sid, role: claims.role, typ: 'access' },
      { expiresIn: 2 },
    );
    const session = await open(token);
    const events = await listen(short, session);
    const end = await endOf(events);
    expect(end).toMatchObject({ ended: true, reason: 'UNAUTHENTICATED' });
    expect(end.after).toBeLessThan(3_800); // before the session's own expiry
  });

  test('staff mode: a stream closes when the account signs out everywhere', async () => {
    const token = await t.tokenFor('SUPERVISOR');
    const session = await open(token);
    const events = await listen(token, session);
    const out = await t.http('POST', '/api/auth/logout', { token, json: { everywhere: true } });
    expect(out.status).toBe(204);
    const end = await endOf(events);
    expect(end).toMatchObject({ ended: true, reason: 'UNAUTHENTICATED' });
    expect(end.after).toBeLessThan(3_800);
  });
});

describe('web chat simulator access', () => {
  test('staff mode: signed-in staff only, and a session belongs to its creator', async () => {
    const t = await createTestApp({ env: { CHAT_SIMULATOR: 'staff' } });
    try {
      expect((await t.http('POST', '/api/chat-simulator/sessions')).status).toBe(401);
      const a = await t.tokenFor('HELPDESK');
      const b = await t.tokenFor('FRONT_OFFICE');
      const res = await t.http<{ session: string }>('POST', '/api/chat-simulator/sessions', {
        token: a,
      });
      expect(res.status).toBe(201);
      const headers = { 'x-chat-session': res.body.session };
      const own = await t.http('POST', '/api/chat-simulator/messages', {
        token: a,
        headers,
        json: { text: 'halo' },
      });
      expect(own.status).toBe(202);
      // The console may send longer texts than the public demo.
      const long = await t.http('POST', '/api/chat-simulator/messages', {
        token: a,
        headers,
        json: { text: 'x'.repeat(2_001) },
      });
      expect(long.status).toBe(202);
      const other = await t.http('POST', '/api/chat-simulator/messages', {
        token: b,
        headers,
        json: { text: 'halo' },
      });
      expect(other.status).toBe(404);
    } finally {
      await t.close();
    }
  });

  test('staff mode: only FRONT_OFFICE, HELPDESK and SUPERVISOR; others get 403 FORBIDDEN', async () => {
    const t = await createTestApp({ env: { CHAT_SIMULATOR: 'staff' } });
    try {
      for (const role of STAFF_CHAT_ROLES) {
        const res = await t.http('POST', '/api/chat-simulator/sessions', {
          token: await t.tokenFor(role),
        });
        expect({ role, status: res.status }).toEqual({ role, status: 201 });
      }
      const bot = await rotateInternalBotToken({
        dataSource: t.container.dataSource,
        audit: t.container.audit,
        clock: t.container.clock,
      });
      const denied: [string, string][] = [
        ['AUDITOR', await t.tokenFor('AUDITOR')],
        ['ADMIN_PPE', await t.tokenFor('ADMIN_PPE')],
        ['BOT', bot],
      ];
      for (const [who, token] of denied) {
        for (const [method, path] of [
          ['POST', '/api/chat-simulator/sessions'],
          ['POST', '/api/chat-simulator/messages'],
          ['GET', '/api/chat-simulator/events'],
        ] as const) {
          const res = await t.http<{ code: string }>(method, path, {
            token,
            headers: { 'x-chat-session': 'x' },
            ...(method === 'POST' && path.endsWith('messages') ? { json: { text: 'halo' } } : {}),
          });
          expect({ who, path, status: res.status, code: res.body.code }).toEqual({
            who,
            path,
            status: 403,
            code: 'FORBIDDEN',
          });
        }
      }
    } finally {
      await t.close();
    }
  });

  test('opening a session takes no body: junk gets 400 VALIDATION_FAILED, {} or nothing 201', async () => {
    const t = await createTestApp({ env: { CHAT_SIMULATOR: 'public' } });
    try {
      for (const junk of [
        { json: { chatId: 'sim:x' } },
        { json: 'x' },
        { body: 'junk', headers: { 'content-type': 'text/plain' } },
      ]) {
        const res = await t.http<{ code: string }>('POST', '/api/chat-simulator/sessions', junk);
        expect({ junk, status: res.status, code: res.body.code }).toEqual({
          junk,
          status: 400,
          code: 'VALIDATION_FAILED',
        });
      }
      expect((await t.http('POST', '/api/chat-simulator/sessions', { json: {} })).status).toBe(201);
      expect((await t.http('POST', '/api/chat-simulator/sessions')).status).toBe(201);
    } finally {
      await t.close();
    }
  });

  test('off: no simulator route exists', async () => {
    const t = await createTestApp({ env: { CHAT_SIMULATOR: 'off' } });
    try {
      const res = await t.http<{ code: string }>('POST', '/api/chat-simulator/sessions');
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('ROUTE_NOT_FOUND');
    } finally {
      await t.close();
    }
  });

  test("npm start's internal BOT token: fresh at each start, the previous one revoked", async () => {
    const t = await createTestApp();
    try {
      const deps = {
        dataSource: t.container.dataSource,
        audit: t.container.audit,
        clock: t.container.clock,
      };
      const first = await rotateInternalBotToken(deps);
      expect(await t.container.auth.principalFromServiceToken(first)).toMatchObject({
        kind: 'service',
        role: 'BOT',
        name: 'bot-internal',
      });
      const second = await rotateInternalBotToken(deps);
      expect(second).not.toBe(first);
      await expect(t.container.auth.principalFromServiceToken(first)).rejects.toBeInstanceOf(
        AppError,
      );
      expect(await t.container.auth.principalFromServiceToken(second)).toMatchObject({
        role: 'BOT',
      });
      const rows = await t.container.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM service_accounts WHERE name = 'bot-internal'`,
      );
      expect(rows).toEqual([{ n: 1 }]);
      // A SUPERVISOR revokes it: the next start does not quietly bring it back.
      const id = (await t.container.auth.principalFromServiceToken(second)).id;
      await t.container.staff.revokeServiceAccount(id, systemActor);
      await expect(rotateInternalBotToken(deps)).rejects.toBeInstanceOf(InternalBotRevoked);
      await expect(t.container.auth.principalFromServiceToken(second)).rejects.toBeInstanceOf(
        AppError,
      );
    } finally {
      await t.close();
    }
  });
});
