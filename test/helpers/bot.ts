import { startBot, type RunningBot } from '../../bot/run';
import { rotateInternalBotToken } from '../../src/auth/internal-bot';
import type { TestApp } from './test-app';

/** The bot as `npm start` runs it: the internal BOT token, the real dispatcher, over HTTP. */
export async function startTestBot(t: TestApp): Promise<RunningBot> {
  const token = await rotateInternalBotToken({
    dataSource: t.container.dataSource,
    audit: t.container.audit,
    clock: t.container.clock,
  });
  return startBot({
    config: t.config,
    redis: t.redis,
    apiUrl: t.baseUrl,
    token,
    log: () => undefined,
  });
}
