import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { loadBotCatalogue, replyKeys } from '../../bot/conversation/catalogue';
import { createDispatcher } from '../../bot/dispatcher';
import type { InboundMessage } from '../../bot/transport';
import { loadConfig, type Config } from '../../src/config';
import { createRedis } from '../../src/infra/redis';
import { eventually } from '../helpers/eventually';
import { fakeChatTransport, fakeLoketClient, type FakeTicket } from '../helpers/fake-chat';

/**
 * Whole Helpus dialogues through the real dispatcher (Redis: dedupe, per-chat lock, sealed state)
 * on an in-memory chat transport and an in-memory Loket API; each step asserts the replies' key
 * content. The Cloud API test runs the same bot against the real API and HTTP routes.
 */

jest.setTimeout(60_000);

const fixtures = join(__dirname, '..', 'fixtures', 'documents');
const PDF = readFileSync(join(fixtures, 'sk-penunjukan.pdf'));
const PNG = readFileSync(join(fixtures, 'ktp.png'));
const EXE = readFileSync(join(fixtures, 'setup.exe.pdf'));

type Input = string | Partial<InboundMessage>;
const choice = (id: string): Partial<InboundMessage> => ({ kind: 'choice', choiceId: id });
const pdf = (ref: string, caption?: string): Partial<InboundMessage> => ({
  kind: 'document',
  media: { ref, mimeType: 'application/pdf', fileName: `${ref}.pdf` },
  ...(caption ? { text: caption } : {}),
});
const photo = (ref: string, caption?: string): Partial<InboundMessage> => ({
  kind: 'image',
  media: { ref, mimeType: 'image/jpeg' },
  ...(caption ? { text: caption } : {}),
});

/** The reset-password questions answered, up to the documents. */
const resetUpToDocuments: [Input, RegExp[]][] = [
  ['halo', [/Helpus/, /1\. Reset kata sandi SPSE/, /4\. Bicara dengan petugas/]],
  [choice('menu:reset'), [/nama lengkap/]],
  ['Budi Santoso', [/User ID SPSE/]],
  ['budi.ppk', [/NIK/]],
  ['3171 0123 4567 0001', [/peran \(role\)/, /PPK/, /Pokja/]],
  [choice('role:PPK'), [/instansi/]],
  ['Dinas PUPR Kota Bandung', [/email/]],
  ['Budi@PUPR.go.id', [/• Formulir permohonan/, /• SK Penunjukan/]],
];

interface Dialogue {
  name: string;
  steps: [Input, RegExp[], RegExp[]?][];
  /** Checks on what the bot recorded through the API. */
  after?: (tickets: FakeTicket[], chatId: string) => void;
  /** Set up before the dialogue (another chat's ticket, a ticket awaiting documents). */
  before?: (tickets: FakeTicket[], chatId: string) => Promise<void> | void;
}

describe('Helpus dialogues', () => {
  let redis: Redis;
  let config: Config;
  let dataDir: string;
  const fake = fakeChatTransport('simulator');
  const api = fakeLoketClient();
  let dispatcher: ReturnType<typeof createDispatcher>;
  let seq = 0;
  const run = randomBytes(4).toString('hex');

  const message = (chatId: string, input: Input): InboundMessage => ({
    transport: 'simulator',
    id: `sim-${run}-${String(++seq)}`,
    chatId,
    timestamp: Date.now(),
    kind: 'text',
    ...(typeof input === 'string' ? { text: input } : input),
  });

  /** Sends one message and returns every reply it got, joined. */
  async function say(chatId: string, input: Input): Promise<string> {
    const before = fake.sent.length;
    await fake.deliver(message(chatId, input));
    return fake.sent
      .slice(before)
      .filter((r) => r.to === chatId)
      .map((r) => r.text)
      .join('\n---\n');
  }

  beforeAll(async () => {
    const redisUrl = process.env.LOKET_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
    dataDir = mkdtempSync(join(tmpdir(), 'loket-bot-'));
    config = loadConfig({
      NODE_ENV: 'test',
      REDIS_URL: redisUrl,
      REDIS_PREFIX: `lt-bot-${run}`,
      LOKET_DATA_DIR: dataDir,
      LOKET_BOT_TOKEN: `lks_${randomBytes(16).toString('hex')}`,
      BOT_IDLE_MINUTES: '30',
      BOT_FLOOD_LIMIT: '40',
      UPLOAD_MAX_BYTES: '10485760',
    });
    redis = createRedis(redisUrl);
    fake.media.set('form', PNG);
    fake.media.set('sk', PDF);
    fake.media.set('spp', PDF);
    fake.media.set('ktp', PNG);
    fake.media.set('exe', EXE);
    dispatcher = createDispatcher({
      redis,
      prefix: config.REDIS_PREFIX,
      client: api.client,
      transports: { simulator: fake.transport },
      config,
    });
    await fake.transport.start(dispatcher.handle);
  });

  afterAll(async () => {
    await dispatcher.close();
    const keys = await redis.keys(`${config.REDIS_PREFIX}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const dialogues: Dialogue[] = [
    {
      name: 'reset password, happy path, both documents, summary with the NIK masked',
      steps: [
        ...resetUpToDocuments,
        [
          photo('form'),
          [/Formulir permohonan\* sudah diterima/, /Masih diperlukan: SK Penunjukan/],
        ],
        [
          pdf('sk'),
          [
            /SK Penunjukan\* sudah diterima/,
            /Layanan: Reset kata sandi SPSE/,
            /NIK: 3171\*{8}0001/,
            /Email: budi@pupr\.go\.id/,
            /Peran: PPK/,
            /Ya, kirim/,
          ],
          [/3171012345670001/],
        ],
        ['ya', [/Kode tiket: \*LKT-\d{4}-\d{5}\*/, /terdaftar di SPSE/], [/belum ada/]],
      ],
      after: (tickets, chatId) => {
        const t = tickets.find((x) => x.input.contact.address === chatId);
        expect(t?.input).toMatchObject({
          type: 'RESET_PASSWORD',
          channel: 'WHATSAPP',
          language: 'id',
          requester: {
            name: 'Budi Santoso',
            userId: 'budi.ppk',
            nik: '3171012345670001',
            spseRole: 'PPK',
            agency: 'Dinas PUPR Kota Bandung',
            email: 'budi@pupr.go.id',
          },
          contact: { kind: 'WHATSAPP', address: chatId },
        });
        expect(t?.documents.map((d) => [d.kind, d.mimeType])).toEqual([
          ['REQUEST_FORM', 'image/png'],
          ['SK_PENUNJUKAN', 'application/pdf'],
        ]);
      },
    },
    {
      name: 'forgotten user ID in English, with typos; an Auditor is asked for the examination order',
      steps: [
        ['hello', [/Helpus/]],
        ['Englsh', [/we continue in English/, /pick a service/]],
        ['i forgot my userid', [/full name/]],
        ['Siti Aminah', [/NIK/], [/user ID\?/]],
        ['3273014509870002', [/role in SPSE/]],
        ['auditor', [/agency/]],
        ['Inspektorat Provinsi Jawa Barat', [/email/]],
        [
          'siti@inspektorat.jabarprov.go.id',
          [/• Request form/, /• Examination order \(Surat Perintah Pemeriksaan\)/],
          [/SK Penunjukan/],
        ],
        ['latr', [/Service: SPSE user ID information/, /NIK: 3273\*{8}0002/, /Documents: -/]],
        [
          'yes',
          [/Ticket code: \*LKT-/, /Documents still missing: Request form, Examination order/],
        ],
      ],
      after: (tickets, chatId) => {
        const t = tickets.find((x) => x.input.contact.address === chatId);
        expect(t?.input.type).toBe('USER_ID_INFO');
        expect(t?.input.language).toBe('en');
        expect(t?.input.requester.userId).toBeNull();
        expect(t?.input.requester.spseRole).toBe('AUDITOR');
      },
    },
    {
      name: 'friendly corrections: name, user ID, NIK of 15 digits and with letters, role, email',
      steps: [
        ['lupa password', [/nama lengkap/]],
        ['12345', [/nama lengkap Anda dengan huruf/]],
        ['Budi', [/User ID/]],
        ['budi ppk jakarta', [/tanpa spasi/]],
        ['lewati', [/NIK/]],
        ['317101234567000', [/tepat 16 angka, yang Anda kirim 15 angka/]],
        ['3171O12345670001', [/hanya berisi angka/]],
        ['3171012345670001', [/peran/]],
        ['presiden', [/belum saya kenali/, /Pokja/]],
        ['Pokja Pemilihan', [/instansi/]],
        ['ULP', [/email/]],
        ['budi@', [/belum lengkap/]],
        ['budi@ulp.go.id', [/Formulir permohonan/]],
      ],
    },
    {
      name: 'batal cancels (typo tolerated): nothing is sent to Loket',
      steps: [
        [choice('menu:reset'), [/nama lengkap/]],
        ['Budi Santoso', [/User ID/]],
        ['BTAL', [/dibatalkan/]],
        ['ya', [/belum mengerti/]],
      ],
      after: (tickets, chatId) => {
        expect(tickets.filter((t) => t.input.contact.address === chatId)).toHaveLength(0);
      },
    },
    {
      name: 'menu restarts; the summary can be edited from the start',
      steps: [
        [choice('menu:userid'), [/nama lengkap/]],
        ['Budi Santoso', [/NIK/]],
        ['Menu!', [/Silakan pilih layanan/, /1\. Reset kata sandi SPSE/]],
        ['2', [/nama lengkap/]],
        ['Budi Santoso', [/NIK/]],
        ['3171012345670001', [/peran/]],
        ['3', [/instansi/]],
        ['Biro Pengadaan', [/email/]],
        ['budi@biro.go.id', [/Formulir permohonan/]],
        ['nanti', [/Sudah benar\?/, /Peran: PPK/]],
        [choice('confirm:edit'), [/nama lengkap/]],
      ],
    },
    {
      name: 'status of its own ticket, and the same code from another chat is not found',
      before: async (tickets, chatId) => {
        const own = await api.client.createTicket({
          type: 'RESET_PASSWORD',
          channel: 'WHATSAPP',
          language: 'id',
          requester: { name: 'Budi' },
          contact: { kind: 'WHATSAPP', address: chatId },
        });
        await api.client.createTicket({
          type: 'RESET_PASSWORD',
          channel: 'WHATSAPP',
          language: 'id',
          requester: { name: 'Orang lain' },
          contact: { kind: 'WHATSAPP', address: `other-${chatId}` },
        });
        const ownTicket = tickets.find((t) => t.id === own.id);
        if (ownTicket) ownTicket.missingDocuments = ['SK_PENUNJUKAN'];
      },
      steps: [
        ['cek status', [/kode tiket/]],
        ['kode saya LKT 2611 00099', [/tidak ditemukan untuk nomor WhatsApp ini/]],
        [choice('menu:status'), [/kode tiket/]],
        ['abc', [/Format kode tiket/]],
      ],
      after: (tickets, chatId) => {
        expect(tickets.some((t) => t.input.contact.address === chatId)).toBe(true);
      },
    },
    {
      name: 'documents sent before they are asked for are kept and used',
      steps: [
        [photo('form', 'formulir permohonan'), [/sudah saya simpan/, /Silakan pilih layanan/]],
        [choice('menu:reset'), [/nama lengkap/]],
        [pdf('sk', 'SK penunjukan saya'), [/sudah saya simpan/, /nama lengkap/]],
        ['Budi Santoso', [/User ID/]],
        ['lewati', [/NIK/]],
        ['3171012345670001', [/peran/]],
        ['PPK', [/instansi/]],
        ['Dinas PUPR', [/email/]],
        [
          'budi@pupr.go.id',
          [/sebelumnya sudah saya pakai/, /Dokumen: Formulir permohonan, SK Penunjukan/],
          [/Kirim dokumen berikut/],
        ],
        ['ok', [/Kode tiket/]],
      ],
      after: (tickets, chatId) => {
        const t = tickets.find((x) => x.input.contact.address === chatId);
        expect(t?.documents.map((d) => d.kind).sort()).toEqual(['REQUEST_FORM', 'SK_PENUNJUKAN']);
      },
    },
    {
      name: 'a missing document sent later attaches to the ticket that waits for it',
      before: async (tickets, chatId) => {
        const t = await api.client.createTicket({
          type: 'RESET_PASSWORD',
          channel: 'WHATSAPP',
          language: 'id',
          requester: { name: 'Budi' },
          contact: { kind: 'WHATSAPP', address: chatId },
        });
        const row = tickets.find((x) => x.id === t.id);
        if (row) row.missingDocuments = ['SK_PENUNJUKAN'];
      },
      steps: [[pdf('sk'), [/SK Penunjukan\* sudah dilampirkan ke tiket LKT-/]]],
      after: (tickets, chatId) => {
        const t = tickets.find((x) => x.input.contact.address === chatId);
        expect(t?.documents.map((d) => d.kind)).toEqual(['SK_PENUNJUKAN']);
      },
    },
    {
      name: 'talk to staff without an open ticket: it explains how staff work',
      steps: [['petugas', [/Petugas melayani melalui tiket/, /Silakan pilih layanan/]]],
    },
    {
      name: 'talk to staff with an open ticket',
      before: async (_tickets, chatId) => {
        await api.client.createTicket({
          type: 'USER_ID_INFO',
          channel: 'WHATSAPP',
          language: 'id',
          requester: { name: 'Budi' },
          contact: { kind: 'WHATSAPP', address: chatId },
        });
      },
      steps: [
        ['mau bicara dengan ptugas', [/sudah ditandai untuk dibalas petugas/]],
        ['Kapan selesai ya pak?', [/sudah diteruskan ke petugas/]],
        ['Terima kasih', []],
      ],
      after: (tickets, chatId) => {
        const t = tickets.find((x) => x.input.contact.address === chatId);
        expect(t?.needsPerson).toBe(true);
        expect(t?.messages.map((m) => m.body)).toEqual(['Kapan selesai ya pak?', 'Terima kasih']);
      },
    },
    {
      name: '"lupa" alone asks which; bad inputs get short polite answers and the flow goes on',
      steps: [
        ['Lupa', [/kata sandi\* atau \*User ID/]],
        [choice('menu:reset'), [/nama lengkap/]],
        ['', [/kosong atau hanya emoji/]],
        ['🙏🙏🙏', [/kosong atau hanya emoji/]],
        [{ kind: 'audio', media: { ref: 'voice', mimeType: 'audio/ogg' } }, [/pesan suara/]],
        [{ kind: 'sticker', media: { ref: 'st', mimeType: 'image/webp' } }, [/balas dengan teks/]],
        [{ kind: 'location' }, [/lokasi tidak diperlukan/]],
        [{ kind: 'unsupported' }, [/belum bisa saya baca/]],
        ['x'.repeat(10_000), [/terlalu panjang/, /nama lengkap/]],
        [pdf('exe'), [/bukan PDF asli/, /PDF hasil pindai atau foto/]],
        [
          {
            kind: 'video',
            media: { ref: 'big-video', mimeType: 'video/mp4', size: 50 * 1_048_576 },
          },
          [/video tidak bisa diterima/],
        ],
        [
          {
            kind: 'document',
            media: { ref: 'big-pdf', mimeType: 'application/pdf', size: 50 * 1_048_576 },
          },
          [/terlalu besar \(maksimal 10 MB\)/],
        ],
        [photo('gone'), [/tidak bisa saya ambil/]],
        ['Budi Santoso', [/User ID/]],
      ],
      after: () => {
        expect(fake.downloads).not.toContain('big-video');
        expect(fake.downloads).not.toContain('big-pdf');
      },
    },
  ];

  it.each(dialogues.map((d) => [d.name, d] as const))('%s', async (_name, d) => {
    const chatId = `sim:${randomBytes(6).toString('hex')}`;
    await d.before?.(api.tickets, chatId);
    for (const [input, expected, absent] of d.steps) {
      const reply = await say(chatId, input);
      const label = typeof input === 'string' ? input.slice(0, 40) : JSON.stringify(input);
      for (const re of expected) {
        if (!re.test(reply))
          throw new Error(`after "${label}" expected ${String(re)} in:\n${reply}`);
      }
      for (const re of absent ?? []) {
        if (re.test(reply))
          throw new Error(`after "${label}" did not expect ${String(re)} in:\n${reply}`);
      }
      if (expected.length === 0) expect(reply).toBe('');
    }
    d.after?.(api.tickets, chatId);
  });

  it('answers the status of its own ticket, naming the missing documents', async () => {
    const chatId = `sim:${randomBytes(6).toString('hex')}`;
    const own = await api.client.createTicket({
      type: 'RESET_PASSWORD',
      channel: 'WHATSAPP',
      language: 'id',
      requester: { name: 'Budi' },
      contact: { kind: 'WHATSAPP', address: chatId },
    });
    const row = api.tickets.find((t) => t.id === own.id);
    if (row) row.missingDocuments = ['SK_PENUNJUKAN'];
    const reply = await say(chatId, `status ${own.code}`);
    expect(reply).toContain(`Tiket *${own.code}*: Pemeriksaan kelengkapan.`);
    expect(reply).toContain('Dokumen yang masih diperlukan: SK Penunjukan');
    // Another chat asking for the same code learns nothing.
    const other = await say(`sim:${randomBytes(6).toString('hex')}`, own.code);
    expect(other).toMatch(/tidak ditemukan/);
    expect(other).not.toContain('Pemeriksaan');
  });

  it('an idle conversation expires with a notice; its data are forgotten', async () => {
    const chatId = `sim:${randomBytes(6).toString('hex')}`;
    await say(chatId, choice('menu:reset'));
    await say(chatId, 'Budi Santoso');
    const later = Date.now() + 31 * 60_000;
    const spy = jest.spyOn(Date, 'now').mockReturnValue(later);
    try {
      const reply = await say(chatId, 'budi.ppk');
      expect(reply).toMatch(/berakhir karena tidak ada balasan selama 30 menit/);
      expect(reply).toMatch(/Helpus|Silakan pilih layanan/);
      const next = await say(chatId, '1');
      expect(next).toMatch(/nama lengkap/);
    } finally {
      spy.mockRestore();
    }
  });

  it('a message delivered twice is handled once', async () => {
    const chatId = `sim:${randomBytes(6).toString('hex')}`;
    const m = message(chatId, 'halo');
    const before = fake.sent.length;
    await Promise.all([fake.deliver(m), fake.deliver(m), fake.deliver({ ...m })]);
    await fake.deliver(m);
    expect(fake.sent.slice(before).filter((r) => r.to === chatId)).toHaveLength(1);
  });

  it('a flood of 100 messages in a second from one chat: all processed in order, across two bot instances, few replies', async () => {
    const chatId = `sim:${randomBytes(6).toString('hex')}`;
    // Two instances with the default limit (10 answered messages per 10 s per chat).
    const floodConfig = { ...config, BOT_FLOOD_LIMIT: 10 };
    const first = createDispatcher({
      redis,
      prefix: config.REDIS_PREFIX,
      client: api.client,
      transports: { simulator: fake.transport },
      config: floodConfig,
    });
    const second = createDispatcher({
      redis,
      prefix: config.REDIS_PREFIX,
      client: api.client,
      transports: { simulator: fake.transport },
      config: floodConfig,
    });
    try {
      const flow: Input[] = [
        choice('menu:reset'),
        'Rina Flood',
        'lewati',
        '3171012345670009',
        'PPK',
        'Dinas Banjir',
        'rina@banjir.go.id',
        'nanti',
        'ya',
      ];
      const inputs: Input[] = [...Array.from({ length: 91 }, () => 'halo'), ...flow];
      const messages = inputs.map((i) => message(chatId, i));
      const before = fake.sent.length;
      const started = Date.now();
      // Handed out in order (as a transport does), alternately to two instances, without waiting.
      const pending: Promise<void>[] = [];
      for (const [i, m] of messages.entries()) {
        pending.push(i % 2 === 0 ? first.handle(m) : second.handle(m));
      }
      await Promise.all(pending);
      expect(Date.now() - started).toBeLessThan(30_000);
      const ticket = await eventually(
        () => Promise.resolve(api.tickets.find((t) => t.input.contact.address === chatId)),
        (t) => t !== undefined,
      );
      expect(ticket?.input.requester).toMatchObject({
        name: 'Rina Flood',
        email: 'rina@banjir.go.id',
      });
      const replies = fake.sent.slice(before).filter((r) => r.to === chatId);
      // The first ten are answered, then one "one at a time, please", then only what matters.
      expect(replies.filter((r) => r.text.includes('satu per satu'))).toHaveLength(1);
      expect(replies.some((r) => r.text.includes('Kode tiket: *LKT-'))).toBe(true);
      expect(replies.length).toBeLessThanOrEqual(13);
      expect(await redis.llen(`${config.REDIS_PREFIX}:bot:q:simulator:${chatId}`)).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('a message accepted by an instance that stops before handling it is handled by another', async () => {
    const chatId = `sim:${randomBytes(6).toString('hex')}`;
    const dying = createDispatcher({
      redis,
      prefix: config.REDIS_PREFIX,
      client: api.client,
      transports: { simulator: fake.transport },
      config,
    });
    const before = fake.sent.length;
    const accepted = dying.handle(message(chatId, 'halo'));
    const closed = dying.close(); // stops before it drains the chat
    await accepted;
    await closed;
    // The other instance's sweeper finds the chat pending and answers.
    const replies = await eventually(
      () => Promise.resolve(fake.sent.slice(before).filter((r) => r.to === chatId)),
      (r) => r.length > 0,
      10_000,
    );
    expect(replies[0]?.text).toMatch(/Helpus/);
  });

  it('nothing personal sits in Redis in clear: state and queued messages are sealed', async () => {
    const chatId = `sim:${randomBytes(6).toString('hex')}`;
    await say(chatId, choice('menu:reset'));
    await say(chatId, 'Budi Santoso');
    await say(chatId, 'lewati');
    await say(chatId, '3171012345670777');
    const keys = await redis.keys(`${config.REDIS_PREFIX}:bot:*${chatId}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      if ((await redis.type(key)) !== 'string') continue;
      const value = (await redis.getBuffer(key))?.toString('latin1') ?? '';
      expect(value).not.toContain('3171012345670777');
      expect(value).not.toContain('Budi');
    }
  });

  it('the catalogues have every reply in both languages, and they compile', () => {
    const catalogue = loadBotCatalogue();
    for (const key of replyKeys) {
      for (const lang of ['id', 'en'] as const) {
        expect(
          catalogue.text(lang, key, {
            name: 'X',
            code: 'LKT-2611-00001',
            count: 15,
            maxMb: 10,
            minutes: 30,
            max: 6,
            docs: ['REQUEST_FORM'],
            doc: 'KTP',
            flow: 'RESET_PASSWORD',
            stepLabel: 'x',
            closed: false,
            nikMasked: '3171********0001',
            userId: '-',
            role: 'PPK',
            agency: 'x',
            email: 'x',
          }).length,
        ).toBeGreaterThan(0);
      }
    }
  });
});
