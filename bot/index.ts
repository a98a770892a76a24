import { createRedis } from '../src/infra/redis';
import { loadConfigOrExit } from '../src/runtime';
import type { Config } from '../src/config';
import { simulatorMode } from '../src/chat-simulator/channel';
import { startBot } from './run';

/**
 * The WhatsApp bot process (deployments: npm run start:bot). It runs the chat transports (the web
 * chat simulator, whatsapp-web.js with WHATSAPP_TRANSPORT=web), the conversation, and is the only
 * consumer of the whatsapp-outbound queue (Cloud API with WHATSAPP_TRANSPORT=cloud). It talks to
 * Loket only through the REST API (BOT token). With `none` and the simulator off it waits.
 */
export function botProblems(config: Config): string[] {
  if (config.WHATSAPP_TRANSPORT === 'web')
    return config.LOKET_BOT_TOKEN ? [] : ['LOKET_BOT_TOKEN: required when WHATSAPP_TRANSPORT=web'];
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
  const simulator = simulatorMode(config) !== 'off';
  if (config.WHATSAPP_TRANSPORT === 'none' && (!simulator || !config.LOKET_BOT_TOKEN)) {
    log(
      simulator
        ? 'Loket bot: no WhatsApp transport (WHATSAPP_TRANSPORT=none), and the chat simulator needs LOKET_BOT_TOKEN; waiting.'
        : 'Loket bot: no WhatsApp transport is configured (WHATSAPP_TRANSPORT=none); waiting.',
    );
  } else {
    const redis = createRedis(config.REDIS_URL);
    redis.on('error', () => undefined);
    const botPromise = startBot({
      config,
      redis,
      apiUrl: config.LOKET_API_URL ?? `http://127.0.0.1:${String(config.PORT)}`,
      token: config.LOKET_BOT_TOKEN ?? '',
      log,
    });
    botPromise
      .then((bot) => {
        log(`Loket bot: running (${bot.transports.join(', ') || 'notices only'})`);
      })
      .catch((err: unknown) => {
        process.stderr.write(`Loket bot cannot start: ${(err as Error).message}\n`);
        process.exit(1);
      });
    close = async () => {
      await (await botPromise).close();
      redis.disconnect();
    };
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
