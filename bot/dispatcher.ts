/*
 * TEMPORARY (feat-wweb): a stand-in for the real dispatcher, which is being written on another
 * branch (bot conversation + dispatcher + Cloud API inbound). It has exactly the real one's
 * signature so the transports and `npm start` wiring compile and the web chat simulator can be
 * tried. The integrator REPLACES THIS FILE with the real bot/dispatcher.ts at merge, and deletes
 * templates/bot-temporary/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Redis } from 'ioredis';
import type { Config } from '../src/config';
import { templatesDir } from '../src/shared/paths';
import type { LoketClient } from './loket-client';
import type { ChatTransport, InboundHandler, TransportName } from './transport';

export interface DispatcherDeps {
  redis: Redis;
  prefix: string;
  client: LoketClient;
  transports: Partial<Record<TransportName, ChatTransport>>;
  config: Config;
  log?: (line: string) => void;
}

export function createDispatcher(deps: DispatcherDeps): {
  handle: InboundHandler;
  close(): Promise<void>;
} {
  const log = deps.log ?? (() => undefined);
  const reply = Handlebars.compile(
    readFileSync(join(templatesDir, 'bot-temporary', 'reply.hbs'), 'utf8'),
    { noEscape: true },
  )({}).trim();
  return {
    async handle(message) {
      // Dedupe by message id (the transports deliver at least once).
      const seen = `${deps.prefix}:bot:tmp:seen:${message.transport}:${message.id}`;
      if ((await deps.redis.set(seen, '1', 'EX', 86_400, 'NX')) !== 'OK') return;
      const transport = deps.transports[message.transport];
      if (!transport) {
        log(`dispatcher: no transport ${message.transport}; message dropped`);
        return;
      }
      try {
        await transport.sendText(message.chatId, reply);
      } catch (err) {
        await deps.redis.del(seen); // delivered again, answered then
        throw err;
      }
    },
    close: () => Promise.resolve(),
  };
}
