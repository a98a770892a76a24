import QRCode from 'qrcode';
import type { Redis } from 'ioredis';
import { simulatorMode, simulatorSealer } from '../src/chat-simulator/channel';
import { resolveSecrets } from '../src/shared/secrets';
import { queueNames } from '../src/jobs/queues';
import type { Config } from '../src/config';
import { createCloudApiTransport } from './cloud-api';
import { createDispatcher } from './dispatcher';
import { createLoketClient } from './loket-client';
import { redisCustomerWindow, startOutbound } from './outbound';
import type { ChatTransport, TransportName } from './transport';
import { alwaysOpenWindow } from './transports/common';
import { createSimulatorTransport } from './transports/simulator';
import {
  createWhatsAppWebTransport,
  createWwebClientFactory,
  type WhatsAppWebTransport,
} from './transports/whatsapp-web';

/**
 * Starts the bot on a Redis connection: the chat transports (the web chat simulator unless
 * CHAT_SIMULATOR=off; whatsapp-web.js with WHATSAPP_TRANSPORT=web), the dispatcher that runs the
 * conversation, and the `whatsapp-outbound` worker for the WhatsApp transport. Used by the bot
 * process (bot/index.ts) and by the all-in-one (src/main.ts). Talks to Loket only over HTTP with
 * the BOT token.
 */
export interface RunningBot {
  transports: TransportName[];
  close(): Promise<void>;
}

export async function startBot(deps: {
  config: Config;
  redis: Redis;
  /** Loket's API as the bot reaches it. */
  apiUrl: string;
  /** The BOT service-account token; never printed. */
  token: string;
  log: (line: string) => void;
}): Promise<RunningBot> {
  const { config, redis, log } = deps;
  const prefix = config.REDIS_PREFIX;
  const client = createLoketClient({ baseUrl: deps.apiUrl, token: deps.token });
  const transports: Partial<Record<TransportName, ChatTransport>> = {};

  if (simulatorMode(config) !== 'off') {
    // What the browser sent is sealed by the API with a key from the JWT secret: the bot needs
    // the same JWT_SECRET (the same generated .loket/secrets.json outside production).
    const sealer = simulatorSealer(resolveSecrets(config).jwtSecret);
    transports.simulator = createSimulatorTransport({ redis, prefix, sealer, log });
  }
  let web: WhatsAppWebTransport | undefined;
  if (config.WHATSAPP_TRANSPORT === 'web') {
    web = createWhatsAppWebTransport({
      redis,
      prefix,
      factory: createWwebClientFactory(config),
      chatGapMs: config.WHATSAPP_WEB_CHAT_GAP_MS,
      sendsPerMinute: config.WHATSAPP_WEB_SENDS_PER_MINUTE,
      lockTtlMs: config.WHATSAPP_WEB_LOCK_SECONDS * 1000,
      log,
      // The QR links a phone to the bot: shown on an operator's terminal, never in a log file
      // (a SUPERVISOR sees it at /console/whatsapp).
      showQr: process.stdout.isTTY
        ? (qr) => {
            QRCode.toString(qr, { type: 'terminal', small: true })
              .then((art) => {
                process.stdout.write(
                  `\nWhatsApp: scan this QR with the help line's phone (Linked devices):\n${art}\n`,
                );
              })
              .catch(() => undefined);
          }
        : () => {
            log('whatsapp-web: pairing needed: a SUPERVISOR scans the QR at /console/whatsapp');
          },
    });
    transports.web = web;
  }

  const bullPrefix = `${prefix}:bull`;
  // The Cloud API: the conversation reads webhook messages from whatsapp-inbound through it.
  const cloud =
    config.WHATSAPP_TRANSPORT === 'cloud'
      ? createCloudApiTransport({
          baseUrl: config.WHATSAPP_CLOUD_BASE_URL,
          apiVersion: config.WHATSAPP_CLOUD_API_VERSION,
          phoneNumberId: config.WHATSAPP_CLOUD_PHONE_NUMBER_ID ?? '',
          token: config.WHATSAPP_CLOUD_TOKEN ?? '',
          inbound: { connection: redis, prefix: bullPrefix, client, log },
        })
      : undefined;
  if (cloud) transports.cloud = cloud;

  const dispatcher = createDispatcher({ redis, prefix, client, transports, config, log });
  const started: ChatTransport[] = [];
  for (const transport of Object.values(transports)) {
    await transport.start(dispatcher.handle);
    started.push(transport);
  }

  // Notices by WhatsApp: one sender per process, on the configured WhatsApp transport.
  let outbound: { close(): Promise<void> } | undefined;
  if (cloud) {
    outbound = startOutbound({
      connection: redis,
      prefix: bullPrefix,
      client,
      transport: cloud,
      window: redisCustomerWindow(redis, prefix),
      log,
    });
  } else if (web) {
    // Only while this instance's session is ready: a standby instance (or one that is
    // reconnecting) leaves the notices to the holder instead of burning their attempts.
    const session = web;
    let worker: { close(): Promise<void> } | undefined;
    let switching = Promise.resolve();
    const follow = () => {
      switching = switching.then(async () => {
        const ready = session.state() === 'ready';
        if (ready && !worker) {
          worker = startOutbound({
            connection: redis,
            prefix: bullPrefix,
            client,
            transport: session,
            window: alwaysOpenWindow,
            // Paced by the transport anyway; few at once keeps the queue order roughly.
            concurrency: 2,
            log,
          });
        } else if (!ready && worker) {
          const closing = worker;
          worker = undefined;
          await closing.close();
        }
      });
    };
    const timer = setInterval(follow, 2000);
    follow();
    outbound = {
      async close() {
        clearInterval(timer);
        await switching;
        await worker?.close();
      },
    };
  }

  // Notices to the simulator's own chats (a ticket opened there) come back to its chat window.
  const simulatorNotices = transports.simulator
    ? startOutbound({
        connection: redis,
        prefix: bullPrefix,
        client,
        transport: transports.simulator,
        window: alwaysOpenWindow,
        queueName: queueNames.chatSimulatorOutbound,
        log,
      })
    : undefined;

  return {
    transports: Object.keys(transports) as TransportName[],
    async close() {
      await simulatorNotices?.close();
      await outbound?.close();
      for (const transport of started.reverse()) await transport.stop().catch(() => undefined);
      await dispatcher.close();
    },
  };
}

/** The API's own address for a bot in the same process (the all-in-one). */
export function localApiUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${String(port)}`;
}
