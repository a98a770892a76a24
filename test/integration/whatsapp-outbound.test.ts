import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemActor } from '../../src/audit/audit.service';
import { startWorkers, type Workers } from '../../src/worker';
import { createCloudApiTransport } from '../../bot/cloud-api';
import { createLoketClient } from '../../bot/loket-client';
import { redisCustomerWindow, startOutbound } from '../../bot/outbound';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The bot's outbound half against a local server that speaks the Cloud API's JSON (the only fake:
 * Meta's Graph API), with the real API, workers, PostgreSQL and Redis.
 */

const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const PHONE_NUMBER_ID = '109876543210987';
const TOKEN = 'EAAG-test-token';
const UNDELIVERABLE = '6281200000000';
/** Meta is busy for this number once (throughput limit), then takes the message. */
const BUSY_ONCE = '6281255556666';
let busy = true;

interface GraphRequest {
  path: string;
  auth: string | undefined;
  body: {
    to: string;
    type: string;
    text?: { body: string };
    template?: {
      name: string;
      language: { code: string };
      components: { type: string; parameters: { type: string; text: string }[] }[];
    };
  };
}

jest.setTimeout(60_000);

describe('WhatsApp notices through the Cloud API', () => {
  let t: TestApp;
  let workers: Workers;
  let outbound: { close(): Promise<void> };
  let graph: Server;
  const requests: GraphRequest[] = [];
  let helpdesk: string;
  let bot: string;

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let data = '';
      req.on('data', (c: Buffer) => (data += c.toString()));
      req.on('end', () => {
        resolve(data);
      });
    });

  beforeAll(async () => {
    graph = createServer((req, res) => {
      void readBody(req).then((raw) => {
        const body = JSON.parse(raw) as GraphRequest['body'];
        requests.push({ path: req.url ?? '', auth: req.headers.authorization, body });
        res.setHeader('content-type', 'application/json');
        if (body.to === BUSY_ONCE && busy) {
          busy = false;
          res.statusCode = 429;
          res.end(
            JSON.stringify({
              error: { message: '(#130429) Rate limit hit', type: 'OAuthException', code: 130429 },
            }),
          );
          return;
        }
        if (body.to === UNDELIVERABLE) {
          res.statusCode = 400;
          res.end(
            JSON.stringify({
              error: {
                message: '(#131026) Message undeliverable',
                type: 'OAuthException',
                code: 131026,
                fbtrace_id: 'AbCdEf',
              },
            }),
          );
          return;
        }
        res.end(
          JSON.stringify({
            messaging_product: 'whatsapp',
            contacts: [{ input: body.to, wa_id: body.to }],
            messages: [{ id: `wamid.HBgN${String(requests.length)}` }],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: { NOTIFY_RETRY_DELAY_MS: '100' },
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
        baseUrl: `http://127.0.0.1:${String((graph.address() as AddressInfo).port)}`,
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
    await new Promise((r) => graph.close(r));
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
  const record = async (ticketId: string, event: string, status: string) => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const rows: {
        status: string;
        provider_message_id: string | null;
        last_error: string | null;
        attempts: number;
      }[] = await t.container.dataSource.query(
        'SELECT status, provider_message_id, last_error, attempts FROM notifications WHERE ticket_id = $1 AND event = $2',
        [ticketId, event],
      );
      if (rows[0]?.status === status) return rows[0];
      if (Date.now() > deadline) throw new Error(`${event}: ${JSON.stringify(rows)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

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

  test('a rate limit (130429) is retried, then the message goes out once', async () => {
    const ticket = await openTicket(`${BUSY_ONCE}@c.us`);
    const sent = await record(ticket.id, 'ticket-received', 'sent');
    expect(sent.attempts).toBe(2);
    expect(requests.filter((r) => r.body.to === BUSY_ONCE)).toHaveLength(2);
  });
});
