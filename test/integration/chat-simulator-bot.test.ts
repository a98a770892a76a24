import type { RunningBot } from '../../bot/run';
import { startWorkers, type Workers } from '../../src/worker';
import { eventuallyExpect as eventually } from '../helpers/eventually';
import { startTestBot } from '../helpers/bot';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The front door as `npm start` runs it: the web chat simulator's HTTP routes, the bot (real
 * dispatcher and conversation) talking to the API with the internal BOT token, the workers; from
 * "halo" to a ticket, and the ticket's acknowledgement notice back in the same chat window.
 */
jest.setTimeout(60_000);

interface Reply {
  type: string;
  text?: string;
  body?: string;
}

describe('chat simulator with the real bot', () => {
  let t: TestApp;
  let workers: Workers;
  let bot: RunningBot;

  beforeAll(async () => {
    t = await createTestApp({
      env: { CHAT_SIMULATOR: 'public', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
    });
    workers = await startWorkers(t.container, t.redis);
    bot = await startTestBot(t);
  });
  afterAll(async () => {
    await bot.close();
    await workers.close();
    await t.close();
  });

  /** A browser's chat window: a session, the reply stream, and a way to type. */
  async function chatWindow() {
    const session = await t.http<{ session: string; chatId: string }>(
      'POST',
      '/api/chat-simulator/sessions',
    );
    expect(session.status).toBe(201);
    const headers = { 'x-chat-session': session.body.session };
    const res = await fetch(`${t.baseUrl}/api/chat-simulator/events`, {
      headers: { ...headers, accept: 'text/event-stream' },
    });
    const replies: string[] = [];
    const reader = (res.body as ReadableStream<Uint8Array>)
      .pipeThrough(new TextDecoderStream())
      .getReader();
    let buffer = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
        if (done) return;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          if (!frame.includes('event: reply')) continue;
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data: '))
            .map((l) => l.slice(6))
            .join('');
          const reply = JSON.parse(data) as Reply;
          replies.push(reply.text ?? reply.body ?? '');
        }
      }
    })();
    return {
      chatId: session.body.chatId,
      replies,
      /** Types a message and waits for the bot's next reply to contain `expect`. */
      async say(text: string, expected: RegExp) {
        const before = replies.length;
        const sent = await t.http('POST', '/api/chat-simulator/messages', {
          headers,
          json: { text },
        });
        expect(sent.status).toBe(202);
        await eventually(() => {
          expect(replies.slice(before).join('\n')).toMatch(expected);
        }, 15_000);
      },
      async close() {
        await reader.cancel().catch(() => undefined);
        await reading;
      },
    };
  }

  test('halo to a ticket; the acknowledgement reaches the same chat window', async () => {
    const chat = await chatWindow();
    await chat.say('halo', /Helpus/);
    await chat.say('lupa user id', /nama lengkap/i);
    await chat.say('Sari Lestari', /NIK/);
    await chat.say('647203540772000', /16/); // 15 digits: a friendly correction
    await chat.say('6472035407720001', /peran/i);
    await chat.say('Auditor', /instansi/i);
    await chat.say('Inspektorat Kota Samarinda', /email/i);
    await chat.say('sari@example.go.id', /dokumen|PDF/i);
    await chat.say('nanti', /6472\*{8}0001/);
    expect(chat.replies.join('\n')).not.toContain('6472035407720001');
    await chat.say('ya', /LKT-\d{4}-\d{5}/);
    const code = /LKT-\d{4}-\d{5}/.exec(chat.replies.join('\n'))?.[0] ?? '';

    // The ticket exists with the simulator chat as its contact, and its notice comes back here.
    const staff = await t.tokenFor('HELPDESK');
    const list = await t.http<{ items: { id: string; code: string; channel: string }[] }>(
      'GET',
      '/api/tickets',
      { token: staff },
    );
    const ticket = list.body.items.find((i) => i.code === code);
    expect(ticket?.channel).toBe('WHATSAPP');
    await eventually(() => {
      expect(
        chat.replies.some((r) => r.includes(code) && /telah kami terima|received/i.test(r)),
      ).toBe(true);
    }, 20_000);
    const notices = await t.http<{ items: { status: string; recipient: string }[] }>(
      'GET',
      `/api/tickets/${ticket?.id ?? ''}/notifications`,
      { token: staff },
    );
    expect(notices.body.items.map((n) => n.status)).toEqual(['sent']);
    expect(notices.body.items[0]?.recipient).not.toContain(chat.chatId);
    await chat.close();
  });
});
