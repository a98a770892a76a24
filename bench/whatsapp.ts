import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config';
import type { Container } from '../src/container';
import { webhookSignature } from '../src/whatsapp/webhook.routes';
import { BENCH_APP_SECRET } from './webhook-secret';
import { startWorkers } from '../src/worker';
import { createCloudApiTransport } from '../bot/cloud-api';
import { createDispatcher } from '../bot/dispatcher';
import { createLoketClient, type LoketClient } from '../bot/loket-client';
import { cloudEnvelope, startFakeGraph } from '../test/helpers/fake-graph';

/**
 * The `whatsapp` case of `npm run bench`.
 *
 *   webhook   POST /webhooks/whatsapp with a signed "ticket status" message (HMAC over the raw
 *             bytes, payload stored with its outbox row in one transaction), by autocannon like
 *             the other HTTP cases, against the baseline server's POST /webhook: plain Fastify,
 *             the same HMAC check on the raw body, one INSERT of the payload (goal >= 0.80x).
 *   replies   BENCH_WHATSAPP_COUNT (default 2000) signed webhooks, each one "status <code>" from
 *             one of BENCH_WHATSAPP_CHATS (default 200) chats whose ticket exists, sent 32 at a
 *             time to the API (its own process, CPU 0); the workers (outbox relay, which seals
 *             each webhook's messages into its job) and the bot (whatsapp-inbound consumer,
 *             dispatcher, conversation, the status call to the API) run in this process; a local
 *             fake Graph API counts the replies. Replies per second, from the first webhook to the
 *             last reply, as a ratio to the raw insert baseline's req/s of the same round (goal
 *             >= 0.40x). Also reported: how many stored webhooks the bot had to read back through
 *             the API (a job it could not open; 0 expected) and the status call's mean time.
 */
export const WHATSAPP_COUNT = Number(process.env.BENCH_WHATSAPP_COUNT ?? 2000);
export { BENCH_APP_SECRET };
export const WHATSAPP_CHATS = Number(process.env.BENCH_WHATSAPP_CHATS ?? 200);
const PHONE_NUMBER_ID = '109876543210987';
const GRAPH_TOKEN = 'EAAG-bench';
const STALL_MS = 60_000;

/** One signed webhook body: one text message from `chat`. */
export function statusWebhook(chat: string, code: string, wamid: string) {
  const raw = JSON.stringify(
    cloudEnvelope(PHONE_NUMBER_ID, {
      contacts: [{ profile: { name: 'Bench' }, wa_id: chat }],
      messages: [
        {
          from: chat,
          id: wamid,
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: 'text',
          text: { body: `status ${code}` },
        },
      ],
    }),
  );
  return { raw, signature: webhookSignature(BENCH_APP_SECRET, Buffer.from(raw)) };
}

export interface RepliesResult {
  count: number;
  replies: number;
  statusAnswers: number;
  seconds: number;
  /** Stored webhooks the bot read back through the API (jobs it could not open), and their mean ms. */
  readBack: number;
  eventMs: number;
  /** Mean milliseconds of the bot's status call to the API. */
  statusMs: number;
  /** How long sending the webhooks took (the API's answers). */
  sendSeconds: number;
  perSecond: number;
}

export interface RepliesDeps {
  container: Container;
  redis: Redis;
  config: Config;
  botToken: string;
  /** Starts the API server (its own process); resolves with its port and a stop function. */
  startApi: () => Promise<{ port: number; stop: () => Promise<void> }>;
  children: Set<ChildProcess>;
}

const chatOf = (i: number) => `62812${String(70_000_000 + i).padStart(8, '0')}`;

/** Opens one ticket per bench chat (once), through the API as the bot would. */
async function ticketsFor(port: number, token: string): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < WHATSAPP_CHATS; i++) {
    const res = await fetch(`http://127.0.0.1:${String(port)}/api/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'RESET_PASSWORD',
        channel: 'WHATSAPP',
        language: 'id',
        requester: { name: `Bench ${String(i)}` },
        contact: { kind: 'WHATSAPP', address: chatOf(i) },
      }),
    });
    const body = (await res.json()) as { code?: string };
    if (!res.ok || !body.code) throw new Error(`bench ticket: ${String(res.status)}`);
    codes.push(body.code);
  }
  return codes;
}

let codes: string[] | null = null;
const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** One run of the replies case. */
export async function runWhatsAppReplies(deps: RepliesDeps): Promise<RepliesResult> {
  // The route case's stored webhooks (one sample payload, thousands of times) are not this run's.
  await deps.container.dataSource.query('DELETE FROM outbox WHERE published_at IS NULL');
  await deps.container.dataSource.query('DELETE FROM whatsapp_webhook_events');
  const graph = await startFakeGraph(GRAPH_TOKEN);
  const api = await deps.startApi();
  const workers = await startWorkers(deps.container, deps.redis);
  const base = `http://127.0.0.1:${String(api.port)}`;
  const api0 = createLoketClient({ baseUrl: base, token: deps.botToken });
  // The bot's API calls, timed (where a reply's time goes): the status of each reply, and any
  // stored webhook read back (a job without its sealed messages).
  const apiMs = { event: [] as number[], status: [] as number[] };
  const timed = async <T>(into: number[], call: () => Promise<T>) => {
    const t0 = performance.now();
    try {
      return await call();
    } finally {
      into.push(performance.now() - t0);
    }
  };
  const client: LoketClient = {
    ...api0,
    webhookMessages: (id) => timed(apiMs.event, () => api0.webhookMessages(id)),
    ticketStatus: (code, chat) => timed(apiMs.status, () => api0.ticketStatus(code, chat)),
  };
  const transport = createCloudApiTransport({
    baseUrl: graph.baseUrl,
    apiVersion: 'v23.0',
    phoneNumberId: PHONE_NUMBER_ID,
    token: GRAPH_TOKEN,
    inbound: {
      connection: deps.redis,
      prefix: `${deps.config.REDIS_PREFIX}:bull`,
      client,
    },
  });
  const dispatcher = createDispatcher({
    redis: deps.redis,
    prefix: deps.config.REDIS_PREFIX,
    client,
    transports: { cloud: transport },
    // Each chat asks ten times in a row: above the default flood limit, which would mute it.
    config: { ...deps.config, LOKET_BOT_TOKEN: deps.botToken, BOT_FLOOD_LIMIT: 1000 },
  });
  try {
    codes ??= await ticketsFor(api.port, deps.botToken);
    const ticketCodes = codes;
    await transport.start(dispatcher.handle);
    const run = randomBytes(4).toString('hex');
    const bodies = Array.from({ length: WHATSAPP_COUNT }, (_, i) => {
      const c = i % WHATSAPP_CHATS;
      return statusWebhook(chatOf(c), ticketCodes[c] ?? '', `wamid.bench.${run}.${String(i)}`);
    });
    const started = performance.now();
    let next = 0;
    const sender = async () => {
      while (next < bodies.length) {
        const b = bodies[next++];
        if (!b) break;
        const res = await fetch(`${base}/webhooks/whatsapp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-hub-signature-256': b.signature },
          body: b.raw,
        });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`webhook answered ${String(res.status)}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, sender));
    const sendSeconds = (performance.now() - started) / 1000;
    let last = graph.requests.length;
    let lastMove = performance.now();
    while (graph.requests.length < WHATSAPP_COUNT) {
      await new Promise((r) => setTimeout(r, 20));
      if (graph.requests.length !== last) {
        last = graph.requests.length;
        lastMove = performance.now();
      } else if (performance.now() - lastMove > STALL_MS) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const replies = graph.requests.length;
    const statusAnswers = graph.requests.filter((r) =>
      (r.body.text?.body ?? '').startsWith('Tiket *LKT-'),
    ).length;
    const odd = graph.requests.find((r) => !(r.body.text?.body ?? '').startsWith('Tiket *LKT-'));
    if (odd)
      process.stdout.write(
        `a reply that is not a status answer: ${JSON.stringify(odd.body).slice(0, 300)}\n`,
      );
    return {
      count: WHATSAPP_COUNT,
      replies,
      statusAnswers,
      seconds,
      sendSeconds,
      readBack: apiMs.event.length,
      eventMs: mean(apiMs.event),
      statusMs: mean(apiMs.status),
      perSecond: replies / seconds,
    };
  } finally {
    await transport.stop();
    await dispatcher.close();
    await workers.close();
    await api.stop();
    await graph.close();
  }
}
