import {
  isSessionError,
  mapWwebMessage,
  renderNumberedMenu,
} from '../../bot/transports/whatsapp-web';
import { createPacer } from '../../bot/transports/pacer';
import { TransportError } from '../../bot/transport';
import { wwebMessage } from '../helpers/fake-wweb-client';

describe('whatsapp-web.js messages as InboundMessage', () => {
  test('a text from a person: id, opaque chat id, phone of a @c.us id, name, time in ms', () => {
    const msg = wwebMessage({ body: 'Halo, saya lupa kata sandi' });
    expect(mapWwebMessage(msg)).toEqual({
      transport: 'web',
      id: msg.id._serialized,
      chatId: '6281234567890@c.us',
      phone: '6281234567890',
      profileName: 'Budi',
      timestamp: 1_763_900_000_000,
      kind: 'text',
      text: 'Halo, saya lupa kata sandi',
    });
  });

  test('a @lid chat id is kept as it is, with no phone made up from its digits', () => {
    const m = mapWwebMessage(wwebMessage({ from: '123456789012345@lid' }));
    expect(m?.chatId).toBe('123456789012345@lid');
    expect(m?.phone).toBeUndefined();
  });

  test.each([
    ['status updates', { from: 'status@broadcast', isStatus: true }],
    ['a status without the flag', { from: 'status@broadcast' }],
    ['groups', { from: '120363025246125888@g.us', author: '6281234567890@c.us' }],
    ['newsletters', { from: '120363144038483540@newsletter' }],
    ['broadcast lists', { from: '1700000000@broadcast' }],
    ['own messages', { fromMe: true }],
    ['e2e notifications', { type: 'e2e_notification', body: '' }],
    ['revoked messages', { type: 'revoked' }],
    ['undecryptable messages (the library re-emits them)', { type: 'ciphertext' }],
  ])('ignores %s', (_what, overrides) => {
    expect(mapWwebMessage(wwebMessage(overrides))).toBeNull();
  });

  test('own messages by id too (message_create shape)', () => {
    const msg = wwebMessage();
    msg.id.fromMe = true;
    expect(mapWwebMessage(msg)).toBeNull();
  });

  test.each([
    ['image', 'image', 'image/jpeg', 'caption', 'caption'],
    ['document', 'document', 'application/pdf', 'SK penunjukan', 'SK penunjukan'],
    ['ptt', 'audio', 'audio/ogg; codecs=opus', '', undefined],
    ['audio', 'audio', 'audio/mpeg', '', undefined],
    ['video', 'video', 'video/mp4', '', undefined],
    ['sticker', 'sticker', 'image/webp', '', undefined],
  ])('%s → %s with its media handle', (type, kind, mimetype, body, text) => {
    const msg = wwebMessage({
      type,
      body,
      hasMedia: true,
      _data: { mimetype, size: 52_428_800, filename: 'f.bin' },
    });
    const m = mapWwebMessage(msg);
    expect(m?.kind).toBe(kind);
    expect(m?.text).toBe(text);
    expect(m?.media).toEqual({
      ref: msg.id._serialized,
      mimeType: mimetype,
      size: 52_428_800,
      fileName: 'f.bin',
    });
  });

  test('a location or a contact card: the kind, never the body (a thumbnail, a vCard)', () => {
    const loc = mapWwebMessage(wwebMessage({ type: 'location', body: '/9j/4AAQSkZJRgABAQ...' }));
    expect(loc).toMatchObject({ kind: 'location' });
    expect(loc?.text).toBeUndefined();
    const card = mapWwebMessage(
      wwebMessage({ type: 'vcard', body: 'BEGIN:VCARD\nTEL:+62812\nEND:VCARD' }),
    );
    expect(card).toMatchObject({ kind: 'contacts' });
    expect(card?.text).toBeUndefined();
  });

  test('a list reply is a choice; an unknown type is unsupported', () => {
    expect(
      mapWwebMessage(wwebMessage({ type: 'list_response', selectedRowId: 'menu.reset' })),
    ).toMatchObject({ kind: 'choice', choiceId: 'menu.reset' });
    expect(mapWwebMessage(wwebMessage({ type: 'poll_creation' }))).toMatchObject({
      kind: 'unsupported',
    });
  });

  test('detached frames and closed targets are session errors; others are not', () => {
    expect(isSessionError(new Error('Attempted to use detached Frame "A1B2".'))).toBe(true);
    expect(
      isSessionError(new Error('Protocol error (Runtime.callFunctionOn): Target closed')),
    ).toBe(true);
    expect(
      isSessionError(
        new Error('Execution context was destroyed, most likely because of a navigation'),
      ),
    ).toBe(true);
    expect(
      isSessionError(new Error("Cannot read properties of undefined (reading 'markedUnread')")),
    ).toBe(false);
  });

  test('a menu becomes numbered text from the template, with its row ids in order', () => {
    const { text, ids } = renderNumberedMenu({
      body: 'Ada yang bisa kami bantu?',
      button: 'Pilih layanan',
      sections: [
        {
          title: 'Layanan',
          rows: [
            { id: 'reset', title: 'Reset kata sandi SPSE' },
            { id: 'userid', title: 'Lupa user ID', description: 'Kami kirim ke email terdaftar' },
          ],
        },
      ],
    });
    expect(ids).toEqual(['reset', 'userid']);
    expect(text).toContain('Ada yang bisa kami bantu?');
    expect(text).toContain('*1.* Reset kata sandi SPSE');
    expect(text).toContain('*2.* Lupa user ID — Kami kirim ke email terdaftar');
    expect(text).toContain('Pilih layanan: ketik angkanya / type its number');
    expect(text).not.toContain('*Layanan*');
  });
});

describe('pacing', () => {
  function clock() {
    let now = 1_000_000;
    const waits: number[] = [];
    return {
      now: () => now,
      sleep: (ms: number) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
      waits,
      at: () => now,
    };
  }

  test('one chat: at least the gap between two sends, in order', async () => {
    const c = clock();
    const pacer = createPacer({ chatGapMs: 2000, perMinute: 600, now: c.now, sleep: c.sleep });
    const times: [string, number][] = [];
    await Promise.all(
      ['a', 'b', 'c'].map((x) =>
        pacer.run('chat1', () => Promise.resolve(times.push([x, c.at()]))),
      ),
    );
    expect(times.map((t) => t[0])).toEqual(['a', 'b', 'c']);
    const at = times.map((x) => x[1]);
    expect(at).toEqual([at[0], (at[0] ?? 0) + 2000, (at[0] ?? 0) + 4000]);
  });

  test('many chats: the global rate holds', async () => {
    const c = clock();
    const pacer = createPacer({ chatGapMs: 0, perMinute: 60, now: c.now, sleep: c.sleep });
    const times: number[] = [];
    for (let i = 0; i < 5; i++)
      await pacer.run(`chat${String(i)}`, () => Promise.resolve(times.push(c.at())));
    for (let i = 1; i < times.length; i++)
      expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  test("a chat waiting out its gap does not hold up another chat's first send", async () => {
    // Real time, short gaps: chat1's second send waits 300 ms; chat2 must not wait behind it.
    const pacer = createPacer({ chatGapMs: 300, perMinute: 6000 });
    const times: Record<string, number> = {};
    const start = Date.now();
    await pacer.run('chat1', () => Promise.resolve((times.a = Date.now())));
    const second = pacer.run('chat1', () => Promise.resolve((times.b = Date.now())));
    await new Promise((r) => setTimeout(r, 5));
    await pacer.run('chat2', () => Promise.resolve((times.x = Date.now())));
    await second;
    expect((times.x ?? 0) - start).toBeLessThan(150);
    expect((times.b ?? 0) - (times.a ?? 0)).toBeGreaterThanOrEqual(295);
  });

  test('a flood to one chat is refused past the longest wait, not queued without end', async () => {
    const c = clock();
    // Sleeps never resolve here: everything stays queued.
    const pacer = createPacer({
      chatGapMs: 2000,
      perMinute: 600,
      maxWaitMs: 10_000,
      now: c.now,
      sleep: () => new Promise(() => undefined),
    });
    const results = Array.from({ length: 10 }, () =>
      pacer.run('flood', () => Promise.resolve('sent')).catch((e: unknown) => e),
    );
    const refused = await Promise.race([
      Promise.all(results.slice(6)),
      new Promise((r) => setTimeout(r, 200)),
    ]);
    expect(Array.isArray(refused)).toBe(true);
    for (const r of refused as unknown[]) {
      expect(r).toBeInstanceOf(TransportError);
      expect((r as TransportError).code).toBe('RATE_LIMITED');
      expect((r as TransportError).permanent).toBe(false);
    }
  });
});
