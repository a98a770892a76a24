import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { TransportError, type InboundMedia, type InboundMessage } from '../../bot/transport';
import {
  createWhatsAppWebTransport,
  type WhatsAppWebOptions,
  type WhatsAppWebTransport,
} from '../../bot/transports/whatsapp-web';
import { createRedis } from '../../src/infra/redis';
import { readWebSessionStatus, webSessionKeys } from '../../src/whatsapp/web-session';
import { FakeWwebClient, wwebMessage } from '../helpers/fake-wweb-client';
import { eventuallyExpect as eventually } from '../helpers/eventually';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The whatsapp-web.js transport against a fake client (the library's event names and payload
 * shapes) and a real Redis: no Chromium, no WhatsApp.
 */

jest.setTimeout(30_000);

/** Retries an assertion every 10 ms until it passes (or rethrows its last failure). */
let redis: Redis;
const transports: WhatsAppWebTransport[] = [];

beforeAll(() => {
  const url = process.env.LOKET_TEST_REDIS_URL;
  if (!url) throw new Error('integration tests need the jest global setup');
  redis = createRedis(url);
});

afterEach(async () => {
  for (const t of transports.splice(0)) await t.stop();
  FakeWwebClient.created = [];
});

afterAll(() => {
  redis.disconnect();
});

function setup(overrides: Partial<WhatsAppWebOptions> = {}) {
  const prefix = overrides.prefix ?? `lt-wweb-${randomBytes(4).toString('hex')}`;
  const received: InboundMessage[] = [];
  const qrs: string[] = [];
  const clients: FakeWwebClient[] = [];
  const transport = createWhatsAppWebTransport({
    redis,
    prefix,
    factory: () => {
      const c = new FakeWwebClient();
      clients.push(c);
      return Promise.resolve(c);
    },
    chatGapMs: 0,
    sendsPerMinute: 6000,
    lockTtlMs: 1000,
    backoffBaseMs: 40,
    backoffMaxMs: 1000,
    startTimeoutMs: 60_000,
    probeIntervalMs: 60_000,
    random: () => 0.5,
    showQr: (qr) => qrs.push(qr),
    ...overrides,
  });
  transports.push(transport);
  const start = () =>
    transport.start((m) => {
      received.push(m);
      return Promise.resolve();
    });
  return { transport, prefix, received, qrs, clients, start };
}

/** The chat writes to the help line (so the reply-only transport may answer it). */
async function wrote(s: ReturnType<typeof setup>, chatId: string): Promise<void> {
  const before = s.received.length;
  last(s.clients).emit('message', wwebMessage({ from: chatId, body: 'halo' }));
  await eventually(() => {
    expect(s.received.length).toBe(before + 1);
  });
}

const last = <T>(xs: T[]): T => {
  const x = xs[xs.length - 1];
  if (x === undefined) throw new Error('empty');
  return x;
};

describe('whatsapp-web.js transport', () => {
  test('pairing: the QR is published (and shown), then ready; messages are mapped and filtered', async () => {
    const s = setup();
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    const client = last(s.clients);
    expect(client.initialized).toBe(true);
    client.emit('qr', '2@AbCdEf==,qrpayload');
    await eventually(async () => {
      expect(await readWebSessionStatus(redis, s.prefix)).toMatchObject({
        state: 'needs_pairing',
        qr: '2@AbCdEf==,qrpayload',
      });
    });
    expect(s.qrs).toEqual(['2@AbCdEf==,qrpayload']);
    client.emit('authenticated');
    client.emit('ready');
    await eventually(async () => {
      expect(await readWebSessionStatus(redis, s.prefix)).toMatchObject({ state: 'ready' });
    });
    expect((await readWebSessionStatus(redis, s.prefix))?.qr).toBeUndefined();

    client.emit('message', wwebMessage({ from: 'status@broadcast', isStatus: true }));
    client.emit('message', wwebMessage({ from: '120363025246125888@g.us' }));
    client.emit('message', wwebMessage({ fromMe: true }));
    client.emit('message', wwebMessage({ from: '99887766554433@lid', body: 'lupa password' }));
    await eventually(() => {
      expect(s.received).toHaveLength(1);
    });
    expect(s.received[0]).toMatchObject({
      transport: 'web',
      chatId: '99887766554433@lid',
      kind: 'text',
      text: 'lupa password',
    });
  });

  test('replies go to the chat id as received; a numbered answer to a menu is its choice', async () => {
    const s = setup();
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    const client = last(s.clients);
    client.emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    const chat = '99887766554433@lid';
    await expect(s.transport.sendText(chat, 'unsolicited')).rejects.toMatchObject({
      code: 'NOT_A_REPLY',
      permanent: true,
    });
    await wrote(s, chat);
    s.received.length = 0;
    await s.transport.sendMenu(chat, {
      body: 'Pilih layanan',
      button: 'Layanan',
      sections: [
        {
          title: 'Layanan',
          rows: [
            { id: 'reset_password', title: 'Reset kata sandi' },
            { id: 'user_id', title: 'Lupa user ID' },
          ],
        },
      ],
    });
    const { messageId } = await s.transport.sendText(chat, 'Terima kasih');
    expect(messageId).toMatch(/^true_/);
    expect(client.sent.map((m) => m.chatId)).toEqual([chat, chat]);
    expect(client.sent[0]?.content).toContain('*2.* Lupa user ID');

    client.emit('message', wwebMessage({ from: chat, body: ' 2 ' }));
    client.emit('message', wwebMessage({ from: chat, body: '7' }));
    await eventually(() => {
      expect(s.received).toHaveLength(2);
    });
    expect(s.received[0]).toMatchObject({ kind: 'choice', choiceId: 'user_id' });
    expect(s.received[1]).toMatchObject({ kind: 'text', text: '7' });
    await expect(
      s.transport.sendTemplate(chat, { name: 'x', language: 'id', parameters: [] }),
    ).rejects.toMatchObject({ code: 'TEMPLATE_UNSUPPORTED', permanent: true });

    // A notice addressed by number reaches the @c.us chat of that number, if it wrote to us.
    await wrote(s, '6281234567890@c.us');
    await s.transport.sendText('+6281234567890', 'Tiket Anda diterima');
    expect(last(client.sent)).toMatchObject({ chatId: '6281234567890@c.us' });
    await expect(s.transport.sendText('6289900000000', 'x')).rejects.toMatchObject({
      code: 'NOT_A_REPLY',
    });
  });

  test('per-chat pacing: two replies to one chat keep the minimum gap', async () => {
    const s = setup({ chatGapMs: 1000 });
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    const client = last(s.clients);
    client.emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    await wrote(s, '6281@c.us');
    await wrote(s, '6282@c.us');
    await Promise.all([
      s.transport.sendText('6281@c.us', 'satu'),
      s.transport.sendText('6281@c.us', 'dua'),
      s.transport.sendText('6282@c.us', 'lain'),
    ]);
    const toOne = client.sent.filter((m) => m.chatId === '6281@c.us');
    expect(toOne.map((m) => m.content)).toEqual(['satu', 'dua']);
    const [first, second] = toOne.map((m) => m.at);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(990);
    // The other chat did not wait behind them.
    const other = client.sent.find((m) => m.chatId === '6282@c.us');
    expect((other?.at ?? Infinity) - (first ?? 0)).toBeLessThan(800);
  });

  test('watchdog: disconnects recreate the client with a growing backoff; ready resets it', async () => {
    const s = setup({ backoffBaseMs: 200 });
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    const t0 = Date.now();
    last(s.clients).emit('disconnected', 'NAVIGATION');
    await eventually(async () => {
      expect(await readWebSessionStatus(redis, s.prefix)).toMatchObject({
        state: 'disconnected',
        reason: 'NAVIGATION',
      });
    });
    await eventually(() => {
      expect(s.clients).toHaveLength(2);
    });
    const t1 = Date.now();
    expect(s.clients[0]?.destroyed).toBe(true);
    expect(t1 - t0).toBeGreaterThanOrEqual(180);
    // A late event of the old client changes nothing.
    s.clients[0]?.emit('ready');
    expect(s.transport.state()).toBe('starting');

    last(s.clients).emit('auth_failure', 'Unable to log in');
    await eventually(() => {
      expect(s.clients).toHaveLength(3);
    }, 8000);
    const t2 = Date.now();
    expect(t2 - t1).toBeGreaterThanOrEqual(360); // 2 × base

    last(s.clients).emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    last(s.clients).emit('disconnected', 'CONFLICT');
    const t3 = Date.now();
    await eventually(() => {
      expect(s.clients).toHaveLength(4);
    });
    expect(Date.now() - t3).toBeLessThan(700); // base again after ready, not 4 × base (800)
  });

  test('a detached frame on send: retryable SESSION_LOST, and the client is recreated', async () => {
    const s = setup();
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    const first = last(s.clients);
    first.emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    await wrote(s, '6281@c.us');
    first.sendError = new Error(
      'Attempted to use detached Frame "5E5B7D3A0D3C1A0A8C4E0D7F6B2A9C11".',
    );
    const err = (await s.transport.sendText('6281@c.us', 'halo').catch((e: unknown) => e)) as
      TransportError | undefined;
    expect(err).toBeInstanceOf(TransportError);
    expect(err).toMatchObject({ code: 'SESSION_LOST', permanent: false, uncertain: false });
    await eventually(() => {
      expect(s.clients).toHaveLength(2);
    });
    expect(first.destroyed).toBe(true);
    // Not ready yet: sends are refused (retryable), not lost in a dead page.
    await expect(s.transport.sendText('6281@c.us', 'halo')).rejects.toMatchObject({
      code: 'NOT_READY',
      permanent: false,
    });
    last(s.clients).emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    await s.transport.sendText('6281@c.us', 'halo');
    expect(last(s.clients).sent).toHaveLength(1);
  });

  test('a failed health probe recreates the client', async () => {
    const s = setup({ probeIntervalMs: 50 });
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    last(s.clients).emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    last(s.clients).state = null;
    await eventually(() => {
      expect(s.clients).toHaveLength(2);
    });
  });

  test('LOGOUT: needs pairing and no reconnect loop, until a SUPERVISOR asks for a new QR', async () => {
    const s = setup();
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    last(s.clients).emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    last(s.clients).emit('disconnected', 'LOGOUT');
    await eventually(async () => {
      expect(await readWebSessionStatus(redis, s.prefix)).toMatchObject({
        state: 'needs_pairing',
        reason: 'LOGOUT',
      });
    });
    await new Promise((r) => setTimeout(r, 600)); // several lease ticks and backoff periods
    expect(s.clients).toHaveLength(1);
    expect(s.clients[0]?.destroyed).toBe(true);

    await redis.set(webSessionKeys(s.prefix).pairRequest, '1');
    await eventually(() => {
      expect(s.clients).toHaveLength(2);
    });
    last(s.clients).emit('qr', 'fresh-qr');
    await eventually(async () => {
      expect((await readWebSessionStatus(redis, s.prefix))?.qr).toBe('fresh-qr');
    });
    // A QR nobody scans runs out: needs pairing again, still no loop.
    last(s.clients).emit('disconnected', 'Max qrcode retries reached');
    await eventually(() => {
      expect(s.transport.state()).toBe('needs_pairing');
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(s.clients).toHaveLength(2);
  });

  test('one instance holds the session; the standby takes over when the holder dies', async () => {
    const prefix = `lt-wweb-${randomBytes(4).toString('hex')}`;
    const a = setup({ prefix });
    const b = setup({ prefix });
    await a.start();
    await b.start();
    await eventually(() => {
      expect(a.clients).toHaveLength(1);
    });
    expect(b.clients).toHaveLength(0);
    expect(b.transport.state()).toBe('standby');
    await wrote(a, '6281@c.us');
    await expect(b.transport.sendText('6281@c.us', 'x')).rejects.toMatchObject({
      code: 'NOT_READY',
    });

    // The holder dies without releasing (its timers stop; the lease is left to run out).
    const aLease = await redis.get(webSessionKeys(prefix).lock);
    await a.transport.stop();
    await redis.set(webSessionKeys(prefix).lock, aLease ?? 'x', 'PX', 400);
    await eventually(() => {
      expect(b.clients).toHaveLength(1);
    }, 8000);
    last(b.clients).emit('ready');
    await eventually(async () => {
      expect(await readWebSessionStatus(redis, prefix)).toMatchObject({ state: 'ready' });
    });
  });

  test('a lost lease destroys the client at once', async () => {
    const s = setup();
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    last(s.clients).emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    // Another instance took the lease (ours ran out during a pause, say).
    await redis.set(webSessionKeys(s.prefix).lock, 'someone-else', 'PX', 60_000);
    await eventually(() => {
      expect(s.transport.state()).toBe('standby');
    });
    expect(s.clients[0]?.destroyed).toBe(true);
    last(s.clients).emit('message', wwebMessage());
    await new Promise((r) => setTimeout(r, 50));
    expect(s.received).toHaveLength(0);
  });

  test('a Redis that stops answering: the holder lets the session go before its lease runs out', async () => {
    let hang = false;
    // The same connection, except that the lease's Lua calls never answer once `hang` is set.
    const stalling = new Proxy(redis, {
      get(target, prop) {
        if (prop === 'eval' && hang) return () => new Promise(() => undefined);
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function'
          ? (value as (...a: unknown[]) => unknown).bind(target)
          : value;
      },
    });
    const s = setup({ redis: stalling });
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    last(s.clients).emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    hang = true;
    await eventually(() => {
      expect(s.transport.state()).toBe('standby');
    }, 2000);
    // Stopped while the lease was still ours: no moment with two clients on one account.
    expect(await redis.pttl(webSessionKeys(s.prefix).lock)).toBeGreaterThan(0);
    expect(s.clients[0]?.destroyed).toBe(true);
  });

  test('media: downloaded through the message, refused past the limit', async () => {
    const s = setup();
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    const client = last(s.clients);
    client.emit('ready');
    await eventually(() => {
      expect(s.transport.state()).toBe('ready');
    });
    const pdf = Buffer.from('%PDF-1.7\n...');
    const doc = wwebMessage({
      type: 'document',
      hasMedia: true,
      body: '',
      _data: { mimetype: 'application/pdf', filename: 'sk.pdf', size: pdf.length },
      downloadMedia: () =>
        Promise.resolve({
          mimetype: 'application/pdf',
          data: pdf.toString('base64'),
          filename: 'sk.pdf',
        }),
    });
    const video = wwebMessage({
      type: 'video',
      hasMedia: true,
      body: '',
      _data: { mimetype: 'video/mp4', size: 50 * 1024 * 1024 },
      downloadMedia: () => Promise.reject(new Error('must not be downloaded')),
    });
    const expired = wwebMessage({
      type: 'image',
      hasMedia: true,
      body: '',
      _data: { mimetype: 'image/jpeg' },
      downloadMedia: () => Promise.resolve(undefined),
    });
    for (const m of [doc, video, expired]) client.emit('message', m);
    await eventually(() => {
      expect(s.received).toHaveLength(3);
    });
    const [d, v, e] = s.received.map((m) => {
      if (!m.media) throw new Error('no media');
      return m.media;
    }) as [InboundMedia, InboundMedia, InboundMedia];
    const got = await s.transport.downloadMedia(d, 1024);
    expect(got.data.equals(pdf)).toBe(true);
    expect(got.mimeType).toBe('application/pdf');
    await expect(s.transport.downloadMedia(d, 5)).rejects.toMatchObject({
      code: 'MEDIA_TOO_LARGE',
      permanent: true,
    });
    await expect(s.transport.downloadMedia(v, 10 * 1024 * 1024)).rejects.toMatchObject({
      code: 'MEDIA_TOO_LARGE',
    });
    await expect(s.transport.downloadMedia(e, 1024)).rejects.toMatchObject({
      code: 'MEDIA_UNAVAILABLE',
      permanent: false,
    });
  });
});

describe('GET /api/whatsapp/session', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { WHATSAPP_TRANSPORT: 'web' } });
  });
  afterAll(async () => {
    await t.close();
  });

  test('shows a SUPERVISOR the state and the QR as SVG; refuses every other role', async () => {
    const supervisor = await t.tokenFor('SUPERVISOR');
    let res = await t.http<{ state: string; qrSvg: string | null }>(
      'GET',
      '/api/whatsapp/session',
      {
        token: supervisor,
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'offline', qrSvg: null, transport: 'web' });

    const s = setup({ prefix: t.config.REDIS_PREFIX });
    await s.start();
    await eventually(() => {
      expect(s.clients).toHaveLength(1);
    });
    last(s.clients).emit('qr', '2@pairing-payload-for-test');
    await eventually(async () => {
      res = await t.http('GET', '/api/whatsapp/session', { token: supervisor });
      expect(res.body.state).toBe('needs_pairing');
    });
    expect(res.body.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(JSON.stringify(res.body)).not.toContain('pairing-payload-for-test');

    for (const role of ['HELPDESK', 'ADMIN_PPE', 'FRONT_OFFICE', 'AUDITOR'] as const) {
      const token = await t.tokenFor(role);
      const denied = await t.http('GET', '/api/whatsapp/session', { token });
      expect({ role, status: denied.status }).toEqual({ role, status: 403 });
      const pair = await t.http('POST', '/api/whatsapp/session/pair', { token });
      expect({ role, status: pair.status }).toEqual({ role, status: 403 });
    }
    expect((await t.http('GET', '/api/whatsapp/session')).status).toBe(401);
    const { token: botToken } = await t.container.staff.createServiceAccount(
      { name: 'helpus', kind: 'BOT' },
      { type: 'SYSTEM', id: null, label: 'test' },
    );
    expect((await t.http('GET', '/api/whatsapp/session', { token: botToken })).status).toBe(403);

    // The SUPERVISOR asks for a new QR after a LOGOUT.
    last(s.clients).emit('disconnected', 'LOGOUT');
    await eventually(() => {
      expect(s.transport.state()).toBe('needs_pairing');
    });
    // The route takes no body: junk is refused with the stable validation code, nothing asked.
    for (const junk of [
      { json: { force: true } },
      { json: [] },
      { body: 'pair please', headers: { 'content-type': 'text/plain' } },
    ]) {
      const res = await t.http<{ code: string }>('POST', '/api/whatsapp/session/pair', {
        token: supervisor,
        ...junk,
      });
      expect({ junk, status: res.status, code: res.body.code }).toEqual({
        junk,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    const pair = await t.http('POST', '/api/whatsapp/session/pair', { token: supervisor });
    expect(pair.status).toBe(202);
    await eventually(() => {
      expect(s.clients).toHaveLength(2);
    });
  });
});
