import { systemActor } from '../../src/audit/audit.service';
import { startWorkers, type Workers } from '../../src/worker';
import { createCloudApiTransport } from '../../bot/cloud-api';
import { createLoketClient } from '../../bot/loket-client';
import { redisCustomerWindow, startOutbound } from '../../bot/outbound';
import { notificationReaching } from '../helpers/eventually';
import { createTestApp, type TestApp } from '../helpers/test-app';
import { webhookSignature } from '../../src/whatsapp/webhook.routes';
import {
  cloudEnvelope,
  startFakeGraph,
  type FakeGraph,
  type GraphAnswer,
  type GraphRequest,
} from '../helpers/fake-graph';

/**
 * The bot's outbound half against a local server that speaks the Cloud API's JSON (the only fake:
 * Meta's Graph API), with the real API, workers, PostgreSQL and Redis.
 */

const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const PHONE_NUMBER_ID = '109876543210987';
const TOKEN = 'EAAG-test-token';
const UNDELIVERABLE = '6281200000000';
const APP_SECRET = 'meta-app-secret-for-tests';
/** Meta is busy for this number once (throughput limit), then takes the message. */
const BUSY_ONCE = '6281255556666';
let busy = true;
/** A proxy in front of Meta answers 404 without Meta's JSON once (a setting being fixed). */
const PROXY_404_ONCE = '6281244443333';
let proxy404 = true;

jest.setTimeout(60_000);

describe('WhatsApp notices through the Cloud API', () => {
  let t: TestApp;
  let workers: Workers;
  let outbound: { close(): Promise<void> };
  let graph: FakeGraph;
  let requests: GraphRequest[] = [];
  let helpdesk: string;
  let bot: string;

  beforeAll(async () => {
    graph = await startFakeGraph(TOKEN);
    requests = graph.requests;
    graph.respond = (req): GraphAnswer => {
      const to = req.body.to;
      if (to === BUSY_ONCE && busy) {
        busy = false;
        return {
          status: 429,
          json: {
            error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 },
          },
        };
      }
      if (to === PROXY_404_ONCE && proxy404) {
        proxy404 = false;
        return { status: 404, text: '<html><body>Not Found</body></html>' };
      }
      if (to === UNDELIVERABLE) {
        return {
          status: 400,
          json: {
            error: {
              message: '(#131026) Message undeliverable',
              type: 'OAuthException',
              code: 131026,
              fbtrace_id: 'AbCdEf',
            },
          },
        };
      }
      return undefined;
    };
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: {
        NOTIFY_RETRY_DELAY_MS: '100',
        WHATSAPP_CLOUD_APP_SECRET: APP_SECRET,
        WHATSAPP_CLOUD_VERIFY_TOKEN: 'loket-verify-2026',
      },
    });
    helpdesk = await t.tokenFor('HELPDESK');
    bot = (
      await t.container.staff.createServiceAccount({ name: 'helpus', kind: 'BOT' }, systemActor)
    ).token;
    workers = await startWorkers(t.container, t.redis);
    outbound = startOutbound({
      connection: t.redis,
      prefix: `${t.config.REDIS_PREFIX}:bull`,
      client: createLoketClient({ baseUrl: t.baseUrl, token: bot }),
      transport: createCloudApiTransport({
        baseUrl: graph.baseUrl,
        apiVersion: 'v23.0',
        phoneNumberId: PHONE_NUMBER_ID,
        token: TOKEN,
      }),
      window: redisCustomerWindow(t.redis, t.config.REDIS_PREFIX),
    });
  });
  afterAll(async () => {
    await outbound.close();
    await workers.close();
    await t.close();
    await graph.close();
  });

  const openTicket = async (chatId: string) => {
    const r = await t.http<{ id: string; code: string }>('POST', '/api/tickets', {
      token: bot,
      json: {
        type: 'RESET_PASSWORD',
        channel: 'WHATSAPP',
        requester: { name: 'Rina Wulandari', spseRole: 'PP', agency: 'Biro PBJ Kaltim' },
        contact: { kind: 'WHATSAPP', address: chatId },
      },
    });
    expect(r.status).toBe(201);
    return r.body;
  };
  const record = (ticketId: string, event: string, status: string) =>
    notificationReaching(t.container.dataSource, ticketId, event, status);

  test('outside the 24-hour window the approved template goes out, and the wamid is recorded', async () => {
    const ticket = await openTicket('6281234567890@c.us');
    const sent = await record(ticket.id, 'ticket-received', 'sent');
    const req = requests.find(
      (r) => r.body.template?.components[0]?.parameters[1]?.text === ticket.code,
    );
    expect(req?.path).toBe(`/v23.0/${PHONE_NUMBER_ID}/messages`);
    expect(req?.auth).toBe(`Bearer ${TOKEN}`);
    expect(req?.body).toMatchObject({
      to: '6281234567890',
      type: 'template',
      template: { name: 'loket_ticket_received', language: { code: 'id' } },
    });
    expect(req?.body.template?.components[0]?.parameters[0]?.text).toBe('Rina Wulandari');
    expect(sent.provider_message_id).toMatch(/^wamid\./);
  });

  test('inside the window the text itself goes out (a staff reply)', async () => {
    const ticket = await openTicket('6281377778888@c.us');
    await record(ticket.id, 'ticket-received', 'sent');
    // The requester wrote in the last 24 hours (the inbound side sets this key).
    await t.redis.set(`${t.config.REDIS_PREFIX}:wa:window:6281377778888@c.us`, '1', 'EX', 86_400);
    const reply = await t.http('POST', `/api/tickets/${ticket.id}/messages`, {
      token: helpdesk,
      json: { body: 'Mohon kirim foto SK Penunjukan yang terbaru.' },
    });
    expect(reply.status).toBe(201);
    await record(ticket.id, 'staff-reply', 'sent');
    const req = requests.find((r) => r.body.to === '6281377778888' && r.body.type === 'text');
    expect(req?.body.text?.body).toContain('Mohon kirim foto SK Penunjukan yang terbaru.');
    expect(req?.body.text?.body).toContain(ticket.code);
  });

  test('an undeliverable number is dead after one request; a @lid identity is never sent', async () => {
    const before = requests.length;
    const ticket = await openTicket(`${UNDELIVERABLE}@c.us`);
    const dead = await record(ticket.id, 'ticket-received', 'dead');
    expect(dead.last_error).toMatch(/^CLOUD_131026: /);
    expect(dead.attempts).toBe(1);
    expect(requests.filter((r) => r.body.to === UNDELIVERABLE)).toHaveLength(1);

    const lid = await openTicket('123456789012345@lid');
    const notPhone = await record(lid.id, 'ticket-received', 'dead');
    expect(notPhone.last_error).toMatch(/^NOT_A_PHONE/);
    expect(requests.length).toBe(before + 1);
  });

  test("a 404 without Meta's error JSON is retried, not dead (a setting can be fixed)", async () => {
    const ticket = await openTicket(`${PROXY_404_ONCE}@c.us`);
    const sent = await record(ticket.id, 'ticket-received', 'sent');
    expect(sent.attempts).toBe(2);
  });

  test('a rate limit (130429) is retried, then the message goes out once', async () => {
    const ticket = await openTicket(`${BUSY_ONCE}@c.us`);
    const sent = await record(ticket.id, 'ticket-received', 'sent');
    expect(sent.attempts).toBe(2);
    expect(requests.filter((r) => r.body.to === BUSY_ONCE)).toHaveLength(2);
  });

  describe('the Cloud API webhook', () => {
    const post = (raw: string, signature?: string) =>
      t.http<{ received?: boolean; code?: string }>('POST', '/webhooks/whatsapp', {
        body: raw,
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-hub-signature-256': signature } : {}),
        },
      });
    const signed = (payload: unknown) => {
      const raw = JSON.stringify(payload);
      return post(raw, webhookSignature(APP_SECRET, Buffer.from(raw)));
    };
    const envelope = (value: Record<string, unknown>) => cloudEnvelope(PHONE_NUMBER_ID, value);
    const statusPayload = (id: string, status: string, extra: Record<string, unknown> = {}) =>
      envelope({
        statuses: [
          { id, status, timestamp: '1795400000', recipient_id: '6281234567890', ...extra },
        ],
      });

    test('the subscription handshake answers only the right verify token', async () => {
      const ok = await t.http<string>(
        'GET',
        '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=loket-verify-2026&hub.challenge=1158201444',
      );
      expect([ok.status, ok.body]).toEqual([200, 1158201444]);
      const wrong = await t.http(
        'GET',
        '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=tebakan&hub.challenge=1',
      );
      expect(wrong.status).toBe(403);
    });

    test('a payload without the right signature is refused and nothing is stored', async () => {
      const payload = JSON.stringify(statusPayload('wamid.x', 'read'));
      const none = await post(payload);
      expect([none.status, none.body.code]).toEqual([401, 'WEBHOOK_SIGNATURE_INVALID']);
      const forged = await post(payload, webhookSignature('not-the-secret', Buffer.from(payload)));
      expect(forged.status).toBe(401);
      // Signed, then changed in transit (re-serialised): refused too.
      const signature = webhookSignature(APP_SECRET, Buffer.from(payload));
      expect((await post(payload.replace('read', 'sent'), signature)).status).toBe(401);
      const stored: unknown[] = await t.container.dataSource.query(
        'SELECT id FROM whatsapp_webhook_events',
      );
      expect(stored).toHaveLength(0);
    });

    test('statuses update the delivery records: delivered, read, and failed makes it dead', async () => {
      const ticket = await openTicket('6281299990000@c.us');
      await record(ticket.id, 'ticket-received', 'sent');
      const [row] = await t.container.dataSource.query<{ provider_message_id: string }[]>(
        'SELECT provider_message_id FROM notifications WHERE ticket_id = $1',
        [ticket.id],
      );
      const wamid = row?.provider_message_id ?? '';
      expect((await signed(statusPayload(wamid, 'delivered'))).body).toEqual({ received: true });
      expect((await signed(statusPayload(wamid, 'read'))).status).toBe(200);
      const view = async () =>
        (
          await t.http<{
            items: {
              status: string;
              deliveredAt: string | null;
              readAt: string | null;
              lastError: string | null;
            }[];
          }>('GET', `/api/tickets/${ticket.id}/notifications`, { token: helpdesk })
        ).body.items[0];
      const deadline = Date.now() + 10_000;
      while (!(await view())?.readAt && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await view()).toMatchObject({
        status: 'sent',
        deliveredAt: new Date(1_795_400_000_000).toISOString(),
        readAt: new Date(1_795_400_000_000).toISOString(),
      });

      const other = await openTicket('6281288887777@c.us');
      await record(other.id, 'ticket-received', 'sent');
      const [sent] = await t.container.dataSource.query<{ provider_message_id: string }[]>(
        'SELECT provider_message_id FROM notifications WHERE ticket_id = $1',
        [other.id],
      );
      await signed(
        statusPayload(sent?.provider_message_id ?? '', 'failed', {
          errors: [{ code: 131049, title: 'Meta chose not to deliver this message' }],
        }),
      );
      const dead = await record(other.id, 'ticket-received', 'dead');
      expect(dead.last_error).toMatch(/^CLOUD_131049: Meta chose not to deliver/);
    });

    test('inbound messages are stored and queued for the bot', async () => {
      const r = await signed(
        envelope({
          contacts: [{ profile: { name: 'Rina' }, wa_id: '6281234567890' }],
          messages: [
            {
              from: '6281234567890',
              id: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABIYFjNFQjA',
              timestamp: '1795400000',
              type: 'text',
              text: { body: 'lupa password' },
            },
          ],
        }),
      );
      expect(r.body).toEqual({ received: true });
      const rows: { queue: string; name: string }[] = await t.container.dataSource.query(
        `SELECT o.queue, o.name FROM outbox o JOIN whatsapp_webhook_events e
           ON e.id = (o.payload->>'eventId')::uuid WHERE e.messages = 1`,
      );
      expect(rows).toEqual([{ queue: 'whatsapp-inbound', name: 'whatsapp.messages' }]);
    });
  });
});
