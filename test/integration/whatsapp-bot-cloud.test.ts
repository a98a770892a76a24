import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../../src/audit/audit.service';
import { webhookSignature } from '../../src/whatsapp/webhook.routes';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { queueNames } from '../../src/jobs/queues';
import { sealMessageValues } from '../../src/whatsapp/inbound-seal';
import { startWorkers, type Workers } from '../../src/worker';
import { createCloudApiTransport } from '../../bot/cloud-api';
import { inboundFromCloudValues } from '../../bot/cloud-inbound';
import { createDispatcher } from '../../bot/dispatcher';
import { createLoketClient, type LoketClient } from '../../bot/loket-client';
import { redisCustomerWindow, startOutbound } from '../../bot/outbound';
import type { ChatTransport } from '../../bot/transport';
import { eventually } from '../helpers/eventually';
import {
  cloudEnvelope,
  startFakeGraph,
  type FakeGraph,
  type GraphRequest,
} from '../helpers/fake-graph';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The Helpus bot on the Cloud API, end to end: real-shaped webhook JSON signed with a test secret
 * through the real HTTP route, the outbox relay and the whatsapp-inbound queue, the bot's
 * dispatcher and conversation, Loket's real REST API (tickets, documents, status), and a local
 * fake Graph API that serves media and records what the bot sends.
 */

jest.setTimeout(90_000);

const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const PHONE_NUMBER_ID = '109876543210987';
const TOKEN = 'EAAG-bot-test-token';
const APP_SECRET = 'meta-app-secret-for-bot-tests';
const fixtures = join(__dirname, '..', 'fixtures', 'documents');

let wamid = 0;
const nextId = () => `wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYIDk${String(++wamid).padStart(6, '0')}`;
const ts = () => String(Math.floor(MONDAY_0900_WIB / 1000));

/** One user's message as Meta puts it in a change value (contacts + messages). */
function fromUser(
  who: { phone?: string; userId?: string; name?: string },
  message: Record<string, unknown>,
): Record<string, unknown> {
  return {
    contacts: [
      {
        profile: { name: who.name ?? 'Budi' },
        ...(who.phone ? { wa_id: who.phone } : {}),
        ...(who.userId ? { user_id: who.userId } : {}),
      },
    ],
    messages: [
      {
        ...(who.phone ? { from: who.phone } : {}),
        ...(who.userId ? { from_user_id: who.userId } : {}),
        id: nextId(),
        timestamp: ts(),
        ...message,
      },
    ],
  };
}
const text = (body: string) => ({ type: 'text', text: { body } });
const listReply = (id: string, title: string) => ({
  type: 'interactive',
  interactive: { type: 'list_reply', list_reply: { id, title } },
});
const buttonReply = (id: string, title: string) => ({
  type: 'interactive',
  interactive: { type: 'button_reply', button_reply: { id, title } },
});

/** What a reply says, whatever its form (text or interactive list). */
function replyText(r: GraphRequest): string {
  if (r.body.type === 'interactive' && r.body.interactive) {
    const rows = r.body.interactive.action.sections.flatMap((s) => s.rows.map((row) => row.title));
    return [r.body.interactive.body.text, ...rows].join('\n');
  }
  return r.body.text?.body ?? '';
}

describe('the Helpus bot on the WhatsApp Cloud API', () => {
  let t: TestApp;
  let workers: Workers;
  let graph: FakeGraph;
  let transport: ChatTransport;
  let dispatcher: ReturnType<typeof createDispatcher>;
  let outbound: { close(): Promise<void> };
  let helpdesk: string;
  const readBack: string[] = [];

  const post = (raw: string, signature?: string) =>
    t.http<{ received?: boolean; code?: string }>('POST', '/webhooks/whatsapp', {
      body: raw,
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
    });
  const signed = async (payload: unknown) => {
    const raw = JSON.stringify(payload);
    const res = await post(raw, webhookSignature(APP_SECRET, Buffer.from(raw)));
    expect(res.status).toBe(200);
    return res;
  };
  const repliesTo = (chat: string) =>
    graph.requests.filter(
      (r) => (r.body.to ?? r.body.recipient) === chat && r.body.type !== 'template',
    );

  /** Sends one user message through the webhook and waits for a reply matching `expect`. */
  async function say(
    who: { phone?: string; userId?: string },
    message: Record<string, unknown>,
    expected: RegExp,
  ): Promise<string> {
    const chat = who.phone ?? who.userId ?? '';
    const before = repliesTo(chat).length;
    await signed(cloudEnvelope(PHONE_NUMBER_ID, fromUser(who, message)));
    const replies = await eventually(
      () => Promise.resolve(repliesTo(chat).slice(before).map(replyText).join('\n---\n')),
      (all) => expected.test(all),
    );
    return replies;
  }

  beforeAll(async () => {
    graph = await startFakeGraph(TOKEN);
    graph.media.set('media-form-1', {
      data: readFileSync(join(fixtures, 'ktp.png')),
      mimeType: 'image/jpeg',
    });
    graph.media.set('media-sk-1', {
      data: readFileSync(join(fixtures, 'sk-penunjukan.pdf')),
      mimeType: 'application/pdf',
    });
    graph.media.set('media-exe-1', {
      data: readFileSync(join(fixtures, 'setup.exe.pdf')),
      mimeType: 'application/pdf',
    });
    graph.media.set('media-huge-1', {
      data: Buffer.from('%PDF-1.7 tiny but declared huge'),
      mimeType: 'application/pdf',
      declaredSize: 50 * 1_048_576,
    });
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: {
        WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
        WHATSAPP_CLOUD_VERIFY_TOKEN: 'loket-verify-bot',
      },
    });
    helpdesk = await t.tokenFor('HELPDESK');
    const bot = (
      await t.container.staff.createServiceAccount({ name: 'helpus', kind: 'BOT' }, systemActor)
    ).token;
    workers = await startWorkers(t.container, t.redis);
    const api = createLoketClient({ baseUrl: t.baseUrl, token: bot });
    // Which stored webhooks the bot read back through the API (a job it could not open).
    const client: LoketClient = {
      ...api,
      webhookMessages: (eventId) => {
        readBack.push(eventId);
        return api.webhookMessages(eventId);
      },
    };
    const bull = `${t.config.REDIS_PREFIX}:bull`;
    transport = createCloudApiTransport({
      baseUrl: graph.baseUrl,
      apiVersion: 'v23.0',
      phoneNumberId: PHONE_NUMBER_ID,
      token: TOKEN,
      inbound: { connection: t.redis, prefix: bull, client },
    });
    dispatcher = createDispatcher({
      redis: t.redis,
      prefix: t.config.REDIS_PREFIX,
      client,
      transports: { cloud: transport },
      config: { ...t.config, LOKET_BOT_TOKEN: bot, BOT_FLOOD_LIMIT: 50 },
    });
    await transport.start(dispatcher.handle);
    outbound = startOutbound({
      connection: t.redis,
      prefix: bull,
      client,
      transport,
      window: redisCustomerWindow(t.redis, t.config.REDIS_PREFIX),
    });
  });

  afterAll(async () => {
    await transport.stop();
    await dispatcher.close();
    await outbound.close();
    await workers.close();
    await t.close();
    await graph.close();
  });

  test('from "halo" to a ticket with both documents, then its status, over signed webhooks', async () => {
    const budi = { phone: '6281234500001' };
    const menu = await say(budi, text('Halo'), /Helpus/);
    const list = repliesTo(budi.phone).find((r) => r.body.type === 'interactive');
    expect(list?.path).toBe(`/v23.0/${PHONE_NUMBER_ID}/messages`);
    expect(list?.auth).toBe(`Bearer ${TOKEN}`);
    expect(list?.body.interactive?.type).toBe('list');
    expect(list?.body.interactive?.action.sections[0]?.rows.map((r) => r.id)).toEqual([
      'menu:reset',
      'menu:userid',
      'menu:status',
      'menu:staff',
      'menu:language',
    ]);
    for (const row of list?.body.interactive?.action.sections[0]?.rows ?? []) {
      expect(row.title.length).toBeLessThanOrEqual(24);
    }
    expect(menu).toContain('Reset kata sandi SPSE');
    await say(budi, listReply('menu:reset', 'Reset kata sandi SPSE'), /nama lengkap/);
    await say(budi, text('Budi Santoso'), /User ID SPSE/);
    await say(budi, text('budi.ppk'), /NIK/);
    await say(budi, text('3171012345670001'), /peran/);
    await say(budi, listReply('role:PPK', 'PPK'), /instansi/);
    await say(budi, text('Dinas PUPR Kota Bandung'), /email/);
    await say(budi, text('budi@pupr.go.id'), /SK Penunjukan/);
    await say(
      budi,
      { type: 'image', image: { id: 'media-form-1', mime_type: 'image/jpeg', sha256: 'x' } },
      /Masih diperlukan: SK Penunjukan/,
    );
    const summary = await say(
      budi,
      {
        type: 'document',
        document: {
          id: 'media-sk-1',
          mime_type: 'application/pdf',
          sha256: 'x',
          filename: 'SK Penunjukan PPK 2026.pdf',
        },
      },
      /Sudah benar\?/,
    );
    expect(summary).toContain('NIK: 3171********0001');
    expect(summary).not.toContain('3171012345670001');
    const done = await say(budi, buttonReply('confirm:yes', 'Ya, kirim'), /Kode tiket/);
    const code = /LKT-\d{4}-\d{5}/.exec(done)?.[0] ?? '';
    expect(code).not.toBe('');

    const [ticket] = await t.container.dataSource.query<
      { id: string; channel: string; contact_address: string; requester_spse_role: string }[]
    >('SELECT id, channel, contact_address, requester_spse_role FROM tickets WHERE code = $1', [
      code,
    ]);
    expect(ticket).toMatchObject({
      channel: 'WHATSAPP',
      contact_address: budi.phone,
      requester_spse_role: 'PPK',
    });
    const docs = await t.container.dataSource.query<{ kind: string; content_type: string }[]>(
      'SELECT kind, content_type FROM documents WHERE ticket_id = $1 ORDER BY kind',
      [ticket?.id],
    );
    expect(docs).toEqual([
      { kind: 'REQUEST_FORM', content_type: 'image/png' },
      { kind: 'SK_PENUNJUKAN', content_type: 'application/pdf' },
    ]);
    // The media were fetched by id, then by URL, with the token.
    expect(graph.gets).toEqual(
      expect.arrayContaining(['/v23.0/media-form-1', '/v23.0/media-sk-1']),
    );
    // The inbound side keeps the 24-hour window open for the outbound sender.
    expect(await t.redis.exists(`${t.config.REDIS_PREFIX}:wa:window:${budi.phone}`)).toBe(1);

    // Its status from the same number; the same code from another number learns nothing.
    const status = await say(budi, text(`status ${code}`), /Tiket \*LKT/);
    expect(status).toContain(code);
    const other = await say({ phone: '6281299990001' }, text(code), /tidak ditemukan/);
    expect(other).not.toContain('Pemeriksaan');

    // The acknowledgement notice reaches the same chat through whatsapp-outbound.
    await eventually(
      () =>
        t.container.dataSource.query<{ status: string }[]>(
          "SELECT status FROM notifications WHERE ticket_id = $1 AND event = 'ticket-received'",
          [ticket?.id],
        ),
      (rows) => rows[0]?.status === 'sent',
    );

    // Talk to staff: the ticket is flagged, the text joins its thread, a staff reply comes back.
    await say(budi, text('petugas'), /ditandai untuk dibalas petugas/);
    await say(budi, text('Apakah SK lama masih berlaku?'), /diteruskan ke petugas/);
    const list2 = await t.http<{ items: { code: string; needsPerson: boolean }[] }>(
      'GET',
      '/api/tickets?open=true&limit=50',
      { token: helpdesk },
    );
    expect(list2.body.items.find((i) => i.code === code)?.needsPerson).toBe(true);
    const thread = await t.container.dataSource.query<{ body: string; direction: string }[]>(
      'SELECT body, direction FROM ticket_messages WHERE ticket_id = $1',
      [ticket?.id],
    );
    expect(thread).toContainEqual({ body: 'Apakah SK lama masih berlaku?', direction: 'IN' });
    const reply = await t.http('POST', `/api/tickets/${ticket?.id ?? ''}/messages`, {
      token: helpdesk,
      json: { body: 'SK lama masih berlaku sampai Desember.' },
    });
    expect(reply.status).toBe(201);
    await eventually(
      () => Promise.resolve(repliesTo(budi.phone).map(replyText).join('\n')),
      (all) => all.includes('SK lama masih berlaku sampai Desember.'),
    );
    const [flag] = await t.container.dataSource.query<{ needs_person_since: Date | null }[]>(
      'SELECT needs_person_since FROM tickets WHERE id = $1',
      [ticket?.id],
    );
    expect(flag?.needs_person_since).toBeNull();
  });

  test('batched entries: each message of one POST is answered, each chat on its own', async () => {
    const a = { phone: '6281234500011' };
    const b = { phone: '6281234500012' };
    const beforeA = repliesTo(a.phone).length;
    const beforeB = repliesTo(b.phone).length;
    await signed(
      cloudEnvelope(
        PHONE_NUMBER_ID,
        fromUser(a, text('cek status')),
        fromUser(b, text('lupa user id')),
      ),
    );
    await eventually(
      () =>
        Promise.resolve([
          repliesTo(a.phone).slice(beforeA).map(replyText).join(),
          repliesTo(b.phone).slice(beforeB).map(replyText).join(),
        ]),
      ([ra, rb]) => (ra ?? '').includes('kode tiket') && (rb ?? '').includes('nama lengkap'),
    );
  });

  test('a bad signature is refused and nothing is processed', async () => {
    const chat = '6281234500021';
    const raw = JSON.stringify(
      cloudEnvelope(PHONE_NUMBER_ID, fromUser({ phone: chat }, text('halo'))),
    );
    expect((await post(raw, webhookSignature('wrong-secret', Buffer.from(raw)))).status).toBe(401);
    expect((await post(raw)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 1500));
    expect(repliesTo(chat)).toHaveLength(0);
    expect(await t.redis.exists(`${t.config.REDIS_PREFIX}:wa:window:${chat}`)).toBe(0);
  });

  test('a re-delivered webhook is processed once', async () => {
    const chat = '6281234500031';
    const payload = cloudEnvelope(PHONE_NUMBER_ID, fromUser({ phone: chat }, text('halo')));
    await signed(payload);
    await signed(payload);
    await eventually(
      () => Promise.resolve(repliesTo(chat).length),
      (n) => n >= 1,
    );
    // Both deliveries are stored and queued; the dispatcher's dedupe by wamid answers once.
    const stored = await t.container.dataSource.query<{ n: string }[]>(
      "SELECT count(*) AS n FROM whatsapp_webhook_events WHERE payload::text LIKE '%' || $1 || '%'",
      [chat],
    );
    expect(Number(stored[0]?.n)).toBe(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(repliesTo(chat)).toHaveLength(1);
  });

  test('the job carries the messages sealed; one without them, or sealed with another key, is read back', async () => {
    const chat = '6281234500041';
    await say({ phone: chat }, text('halo sealed'), /Helpus/);
    const [event] = await t.container.dataSource.query<{ id: string; outbox: string }[]>(
      `SELECT e.id, o.id AS outbox FROM whatsapp_webhook_events e
         JOIN outbox o ON o.payload->>'eventId' = e.id::text AND o.name = 'whatsapp.messages'
        WHERE e.payload::text LIKE '%' || $1 || '%'`,
      [chat],
    );
    const bull = `${t.config.REDIS_PREFIX}:bull`;
    const data = await t.redis.hget(
      `${bull}:${queueNames.whatsappInbound}:${event?.outbox ?? ''}`,
      'data',
    );
    const job = JSON.parse(data ?? '{}') as { eventId?: string; sealed?: string };
    expect(job.eventId).toBe(event?.id);
    expect(job.sealed).toMatch(/^v1\./);
    // Neither the text nor the number in clear in Redis, and the bot did not read it back.
    expect(data).not.toContain('halo sealed');
    expect(data).not.toContain(chat);
    expect(readBack).not.toContain(event?.id);

    // A job with only the id (an old relay, a large payload) and one sealed with another key.
    const queue = new Queue(queueNames.whatsappInbound, { connection: t.redis, prefix: bull });
    try {
      for (const [who, sealedWith] of [
        ['6281234500042', null],
        ['6281234500043', randomBytes(32)],
      ] as const) {
        const payload = cloudEnvelope(PHONE_NUMBER_ID, fromUser({ phone: who }, text('halo')));
        const [stored] = await t.container.dataSource.query<{ id: string }[]>(
          'INSERT INTO whatsapp_webhook_events (payload, messages, statuses) VALUES ($1, 1, 0) RETURNING id',
          [JSON.stringify(payload)],
        );
        const id = stored?.id ?? '';
        const values =
          (
            payload as { entry: { changes: { value: Record<string, unknown> }[] }[] }
          ).entry[0]?.changes.map((c) => c.value) ?? [];
        await queue.add('whatsapp.messages', {
          eventId: id,
          ...(sealedWith ? { sealed: sealMessageValues(sealedWith, id, values) ?? '' } : {}),
        });
        await eventually(
          () => Promise.resolve(repliesTo(who).map(replyText).join()),
          (all) => all.includes('Helpus'),
        );
        expect(readBack).toContain(id);
      }
    } finally {
      await queue.close();
    }
  });

  test('a user known only by the business-scoped user id is answered by that id', async () => {
    const who = { userId: 'ID.1234567890abcdefABCDEF' };
    await say(who, text('halo'), /Helpus/);
    expect(repliesTo(who.userId)[0]?.body).toMatchObject({ recipient: who.userId });
    expect(repliesTo(who.userId)[0]?.body.to).toBeUndefined();
  });

  test('bad media: a PDF that is a program, a 50 MB document and a video are refused politely, none downloaded', async () => {
    const who = { phone: '6281234500041' };
    await say(who, text('halo'), /Helpus/);
    const exe = await say(
      who,
      {
        type: 'document',
        document: {
          id: 'media-exe-1',
          mime_type: 'application/pdf',
          sha256: 'x',
          filename: 'SK.pdf',
        },
      },
      /bukan PDF asli/,
    );
    expect(exe).toMatch(/PDF hasil pindai atau foto/);
    await say(
      who,
      {
        type: 'document',
        document: {
          id: 'media-huge-1',
          mime_type: 'application/pdf',
          sha256: 'x',
          filename: 'besar.pdf',
        },
      },
      /terlalu besar/,
    );
    expect(graph.gets.filter((g) => g.startsWith('/media-bytes/media-huge-1'))).toHaveLength(0);
    await say(
      who,
      { type: 'video', video: { id: 'media-video-1', mime_type: 'video/mp4', sha256: 'x' } },
      /video tidak bisa diterima/,
    );
    await say(
      who,
      {
        type: 'audio',
        audio: { id: 'media-voice-1', mime_type: 'audio/ogg; codecs=opus', voice: true },
      },
      /pesan suara/,
    );
    await say(
      who,
      { type: 'sticker', sticker: { id: 'media-st-1', mime_type: 'image/webp', animated: false } },
      /balas dengan teks/,
    );
    await say(
      who,
      { type: 'location', location: { latitude: -6.2, longitude: 106.8 } },
      /lokasi tidak diperlukan/,
    );
    await say(
      who,
      { type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] },
      /belum bisa saya baca/,
    );
    expect(graph.gets.some((g) => g.includes('media-video-1') || g.includes('media-voice-1'))).toBe(
      false,
    );
    // And it keeps working.
    await say(who, text('reset password'), /nama lengkap/);
  });

  test("the bot's routes: BOT only, and only its own tickets of that chat", async () => {
    const chat = '6281234500051';
    await say({ phone: chat }, text('halo'), /Helpus/);
    const bot = (
      await t.container.staff.createServiceAccount({ name: 'helpus-2', kind: 'BOT' }, systemActor)
    ).token;
    const other = (
      await t.container.staff.createServiceAccount({ name: 'helpus-3', kind: 'BOT' }, systemActor)
    ).token;
    const created = await t.http<{ id: string }>('POST', '/api/tickets', {
      token: bot,
      json: {
        type: 'USER_ID_INFO',
        channel: 'WHATSAPP',
        requester: { name: 'Rina' },
        contact: { kind: 'WHATSAPP', address: chat },
      },
    });
    expect(created.status).toBe(201);
    const mine = await t.http<{ items: { id: string }[] }>('POST', '/api/bot/chat-tickets', {
      token: bot,
      json: { chatId: chat },
    });
    expect(mine.body.items.map((i) => i.id)).toEqual([created.body.id]);
    // Another bot account sees none of them and cannot flag them.
    const theirs = await t.http<{ items: unknown[] }>('POST', '/api/bot/chat-tickets', {
      token: other,
      json: { chatId: chat },
    });
    expect(theirs.body.items).toEqual([]);
    const flag = (token: string) =>
      t.http('POST', `/api/bot/tickets/${created.body.id}/needs-person`, { token, json: {} });
    expect((await flag(other)).status).toBe(404);
    expect((await flag(bot)).status).toBe(200);
    // Staff may not call the bot's routes.
    expect((await flag(helpdesk)).status).toBe(403);
    const events = await t.http(
      'GET',
      '/api/bot/whatsapp-events/00000000-0000-4000-8000-000000000000',
      {
        token: helpdesk,
      },
    );
    expect(events.status).toBe(403);
    const key = (token: string) => t.http('GET', '/api/bot/whatsapp-inbound-key', { token });
    expect((await key(helpdesk)).status).toBe(403);
    expect((await key(bot)).status).toBe(200);
    expect(
      (
        await t.http('GET', '/api/bot/whatsapp-events/00000000-0000-4000-8000-000000000000', {
          token: bot,
        })
      ).status,
    ).toBe(404);
  });

  test('the webhook payload maps to inbound messages (each type, wa_id and user_id)', () => {
    const values = [
      fromUser({ phone: '6281200000001', name: 'Rina' }, text('halo')),
      fromUser({ userId: 'ID.abc123' }, listReply('menu:status', 'Status tiket')),
      fromUser(
        { phone: '6281200000002' },
        { type: 'button', button: { payload: 'confirm:yes', text: 'Ya' } },
      ),
      fromUser({ phone: '6281200000003' }, { type: 'reaction', reaction: { emoji: '👍' } }),
      fromUser(
        { phone: '6281200000004' },
        { type: 'image', image: { id: 'm1', mime_type: 'image/jpeg', caption: 'KTP saya' } },
      ),
    ];
    const messages = inboundFromCloudValues(values);
    expect(messages.map((m) => [m.chatId, m.kind, m.text ?? m.choiceId])).toEqual([
      ['6281200000001', 'text', 'halo'],
      ['ID.abc123', 'choice', 'Status tiket'],
      ['6281200000002', 'choice', 'Ya'],
      ['6281200000004', 'image', 'KTP saya'],
    ]);
    expect(messages[0]).toMatchObject({
      transport: 'cloud',
      phone: '6281200000001',
      profileName: 'Rina',
    });
    expect(messages[1]?.phone).toBeUndefined();
    expect(messages[1]?.choiceId).toBe('menu:status');
    expect(messages[3]?.media).toEqual({ ref: 'm1', mimeType: 'image/jpeg' });
  });
});
