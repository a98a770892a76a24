import { createRedis } from '../src/infra/redis';
import { loadConfigOrExit } from '../src/runtime';
import type { Config } from '../src/config';
import { createCloudApiTransport } from './cloud-api';
import { createDispatcher } from './dispatcher';
import { createLoketClient } from './loket-client';
import { redisCustomerWindow, startOutbound } from './outbound';

/**
 * The WhatsApp bot process (deployments: npm run start:bot). It is the only consumer of the
 * whatsapp-outbound queue and talks to Loket only through the REST API (BOT token). With
 * WHATSAPP_TRANSPORT=cloud it sends through the WhatsApp Business Cloud API; with `none` it
 * sends nothing (notices wait, queued) until a transport is configured. The conversation and the
 * whatsapp-web.js transport arrive with the bot issue.
 */
export function botProblems(config: Config): string[] {
  if (config.WHATSAPP_TRANSPORT !== 'cloud') return [];
  const problems: string[] = [];
  if (!config.WHATSAPP_CLOUD_PHONE_NUMBER_ID) problems.push('WHATSAPP_CLOUD_PHONE_NUMBER_ID');
  if (!config.WHATSAPP_CLOUD_TOKEN) problems.push('WHATSAPP_CLOUD_TOKEN');
  if (!config.LOKET_BOT_TOKEN) problems.push('LOKET_BOT_TOKEN');
  return problems.map((key) => `${key}: required when WHATSAPP_TRANSPORT=cloud`);
}

function main(): void {
  const config = loadConfigOrExit();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const problems = botProblems(config);
  if (problems.length > 0) {
    process.stderr.write(`Loket bot cannot start:\n  - ${problems.join('\n  - ')}\n`);
    process.exit(1);
  }
  let close: () => Promise<void> = () => Promise.resolve();
  if (config.WHATSAPP_TRANSPORT === 'cloud') {
    const redis = createRedis(config.REDIS_URL);
    redis.on('error', () => undefined);
    const prefix = `${config.REDIS_PREFIX}:bull`;
    const client = createLoketClient({
      baseUrl: config.LOKET_API_URL ?? `http://127.0.0.1:${String(config.PORT)}`,
      token: config.LOKET_BOT_TOKEN ?? '',
    });
    const transport = createCloudApiTransport({
      baseUrl: config.WHATSAPP_CLOUD_BASE_URL,
      apiVersion: config.WHATSAPP_CLOUD_API_VERSION,
      phoneNumberId: config.WHATSAPP_CLOUD_PHONE_NUMBER_ID ?? '',
      token: config.WHATSAPP_CLOUD_TOKEN ?? '',
      inbound: { connection: redis, prefix, client, log },
    });
    const outbound = startOutbound({
      connection: redis,
      prefix,
      client,
      transport,
      window: redisCustomerWindow(redis, config.REDIS_PREFIX),
      log,
    });
    // The conversation: webhook messages (whatsapp-inbound) through the dispatcher.
    const dispatcher = createDispatcher({
      redis,
      prefix: config.REDIS_PREFIX,
      client,
      transports: { cloud: transport },
      config,
      log,
    });
    void transport.start(dispatcher.handle);
    close = async () => {
      await transport.stop();
      await dispatcher.close();
      await outbound.close();
      redis.disconnect();
    };
    log('Loket bot: the Helpus conversation and WhatsApp notices through the Cloud API');
  } else {
    log('Loket bot: no WhatsApp transport is configured (WHATSAPP_TRANSPORT=none); waiting.');
  }
  const timer = setInterval(() => undefined, 60_000);
  const stop = () => {
    clearInterval(timer);
    void close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) main();
