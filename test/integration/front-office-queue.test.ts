import { createTestApp, type TestApp } from '../helpers/test-app';

// Monday 23 November 2026, 09:00 WIB.
let now = Date.parse('2026-11-23T02:00:00Z');

interface Guest {
  id: string;
  queueNumber: string;
  status: string;
  desk: string | null;
  duplicatePhone: boolean;
  ticketId: string | null;
}

jest.setTimeout(60_000);

describe('front office: guest book, queue numbers, desks and the board', () => {
  let t: TestApp;
  let front: string;
  let helpdesk: string;

  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(now) } });
    front = await t.tokenFor('FRONT_OFFICE');
    helpdesk = await t.tokenFor('HELPDESK');
  });
  afterAll(() => t.close());

  const register = (body: Record<string, unknown>, token = front) =>
    t.http<{ guest: Guest; waitingAhead: number; estimatedWaitMinutes: number; code?: string }>(
      'POST',
      '/api/queue/guests',
      { token, json: body },
    );
  const callNext = (desk: string, service?: string) =>
    t.http<Guest & { code: string }>('POST', '/api/queue/call-next', {
      token: helpdesk,
      json: { desk, ...(service ? { service } : {}) },
    });

  test('numbers per service, sequential without gaps or duplicates under concurrent requests', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        register({
          name: `Tamu ${String(i)}`,
          service: i % 2 === 0 ? 'RESET_PASSWORD' : 'USER_ID_INFO',
        }),
      ),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    const numbers = results.map((r) => r.body.guest.queueNumber).sort();
    expect(numbers).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `A-${String(i + 1).padStart(3, '0')}`),
      ...Array.from({ length: 10 }, (_, i) => `B-${String(i + 1).padStart(3, '0')}`),
    ]);
    // A helpdesk desk does not write the guest book; a bad phone is refused with the field named.
    expect((await register({ name: 'X', service: 'OTHER' }, helpdesk)).status).toBe(403);
    const bad = await register({ name: 'Y', service: 'OTHER', phone: '12' });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  test('two desks calling at once get different numbers; an empty queue is a clear 409', async () => {
    const [a, b] = await Promise.all([callNext('Loket 1'), callNext('Loket 2')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.queueNumber).not.toBe(b.body.queueNumber);
    expect(a.body.status).toBe('CALLED');
    // Drain the rest.
    for (;;) {
      const r = await callNext('Loket 1');
      if (r.status !== 200) {
        expect([r.status, r.body.code]).toEqual([409, 'QUEUE_EMPTY']);
        break;
      }
    }
    const board = await t.http<{ called: { queueNumber: string; desk: string }[] }>(
      'GET',
      '/api/queue/board',
    );
    expect(board.status).toBe(200);
    expect(board.body.called.length).toBeGreaterThan(0);
    // No personal data on the public board.
    expect(JSON.stringify(board.body)).not.toMatch(/Tamu/);
  });

  test('serving a number opens the walk-in ticket prefilled from the guest book', async () => {
    const first = await register({
      name: 'Siti Rahmawati',
      agency: 'Dinas PUPR',
      service: 'RESET_PASSWORD',
      phone: '0812-3456-7890',
      purpose: 'Lupa kata sandi SPSE',
    });
    const again = await register({ name: 'Siti R.', service: 'OTHER', phone: '+6281234567890' });
    // Same phone on the same day: allowed, flagged.
    expect([first.body.guest.duplicatePhone, again.body.guest.duplicatePhone]).toEqual([
      false,
      true,
    ]);
    const called = await callNext('Loket 3', 'RESET_PASSWORD');
    expect(called.body.id).toBe(first.body.guest.id);
    // Only a called number can be served; serving twice is refused.
    expect(
      (await t.http('POST', `/api/queue/guests/${again.body.guest.id}/serve`, { token: helpdesk }))
        .status,
    ).toBe(409);
    const served = await t.http<Guest>('POST', `/api/queue/guests/${called.body.id}/serve`, {
      token: helpdesk,
    });
    expect(served.body.status).toBe('SERVING');
    const ticket = await t.http<{
      channel: string;
      type: string;
      requester: { name: string; agency: string; phone: string };
    }>('GET', `/api/tickets/${served.body.ticketId ?? ''}`, { token: helpdesk });
    expect(ticket.body).toMatchObject({
      channel: 'WALK_IN',
      type: 'RESET_PASSWORD',
      requester: { name: 'Siti Rahmawati', agency: 'Dinas PUPR', phone: '+6281234567890' },
    });
    now += 12 * 60_000;
    const done = await t.http<Guest>('POST', `/api/queue/guests/${called.body.id}/done`, {
      token: helpdesk,
    });
    expect(done.body.status).toBe('DONE');
    // The measured 12 minutes now drive the estimate for the next reset-password guest.
    await register({ name: 'Budi', service: 'RESET_PASSWORD' });
    const next = await register({ name: 'Ani', service: 'RESET_PASSWORD' });
    expect(next.body.waitingAhead).toBe(1);
    // One guest ahead, served in 12 minutes on average today.
    expect(next.body.estimatedWaitMinutes).toBe(12);
    const queue = await t.http<{
      services: { service: string; waiting: number; estimatedWaitMinutes: number }[];
    }>('GET', '/api/queue', { token: helpdesk });
    // Someone taking a number now waits for both.
    expect(queue.body.services.find((s) => s.service === 'RESET_PASSWORD')).toMatchObject({
      waiting: 2,
      estimatedWaitMinutes: 24,
    });
  });

  test('a new day starts again at 001', async () => {
    now = Date.parse('2026-11-24T01:00:00Z'); // Tuesday 08:00 WIB
    const morning = await t.tokenFor('FRONT_OFFICE'); // yesterday's session has ended
    const r = await register({ name: 'Pagi', service: 'USER_ID_INFO' }, morning);
    expect(r.body.guest.queueNumber).toBe('B-001');
  });

  test('the live board pushes each call, and a dropped board resynchronises on reconnect', async () => {
    interface Board {
      current: { queueNumber: string; desk: string } | null;
      called: { queueNumber: string; desk: string }[];
    }
    /** Reads server-sent `board` events from the stream until `until` accepts one. */
    const open = async () => {
      const controller = new AbortController();
      const res = await fetch(`${t.baseUrl}/api/queue/board/events`, {
        signal: controller.signal,
      });
      expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      const next = async (until: (b: Board) => boolean): Promise<Board> => {
        for (;;) {
          const end = buffer.indexOf('\n\n');
          if (end >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const data = /^data: (.*)$/m.exec(frame)?.[1];
            if (/^event: board$/m.test(frame) && data) {
              const board = JSON.parse(data) as Board;
              if (until(board)) return board;
            }
            continue;
          }
          const { value, done } = await reader.read();
          if (done) throw new Error('stream ended');
          buffer += decoder.decode(value, { stream: true });
        }
      };
      return {
        next,
        close: () => {
          controller.abort();
        },
      };
    };
    const desk = await t.tokenFor('HELPDESK');
    const board = await open();
    await board.next(() => true); // the snapshot on connect
    await register({ name: 'Tamu Papan', service: 'OTHER' }, await t.tokenFor('FRONT_OFFICE'));
    const called = await t.http<Guest>('POST', '/api/queue/call-next', {
      token: desk,
      json: { desk: 'Loket 9', service: 'OTHER' },
    });
    const pushed = await board.next((b) => b.current?.queueNumber === called.body.queueNumber);
    expect(pushed.current?.desk).toBe('Loket 9');
    expect(JSON.stringify(pushed)).not.toContain('Tamu Papan');
    board.close();
    // While the board is away another number is called; on reconnect the first snapshot has it.
    now += 60_000;
    await register({ name: 'Tamu Kedua', service: 'OTHER' }, await t.tokenFor('FRONT_OFFICE'));
    const missed = await t.http<Guest>('POST', '/api/queue/call-next', {
      token: desk,
      json: { desk: 'Loket 8', service: 'OTHER' },
    });
    const again = await open();
    const first = await again.next(() => true);
    expect(first.current).toMatchObject({
      queueNumber: missed.body.queueNumber,
      desk: 'Loket 8',
    });
    // Once that guest is at the desk, the big display no longer shows the number.
    await t.http('POST', `/api/queue/guests/${missed.body.id}/serve`, { token: desk });
    const after = await again.next((b) => b.current?.queueNumber !== missed.body.queueNumber);
    expect(after.called.map((c) => c.queueNumber)).toContain(missed.body.queueNumber);
    again.close();
    // The board page itself is served with the console, without login.
    const page = await t.http<string>('GET', '/console/board.html');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Papan Antrean');
  });
});
