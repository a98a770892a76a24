import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueNames } from '../jobs/queues';
import { errorResponses } from '../shared/schemas';

export const QUEUE_BOARD_PATH = '/admin/queues';
/** The cookie the board's pages and API calls carry: the SUPERVISOR's own access token. */
export const QUEUE_BOARD_COOKIE = 'loket_queues';

/**
 * Bull Board at /admin/queues for SUPERVISORs. A browser cannot send a bearer header on a page
 * load, so `POST /api/admin/queues/session` (bearer, SUPERVISOR) puts the caller's access token
 * into an HttpOnly, SameSite=Strict cookie scoped to /admin/queues; the board's routes accept it
 * there and nowhere else, with the same checks as a bearer token (session, role, disabled user).
 */
export const queueBoardRoutes: FastifyPluginAsyncTypebox<{
  redis: Redis;
  /** BullMQ's key prefix (not `prefix`: Fastify reads that as the routes' URL prefix). */
  bullPrefix: string;
}> = async (app, opts) => {
  const queues = Object.values(queueNames).map(
    (name) => new Queue(name, { connection: opts.redis, prefix: opts.bullPrefix }),
  );
  for (const q of queues) q.on('error', () => undefined);
  app.addHook('onClose', async () => {
    await Promise.all(queues.map((q) => q.close()));
  });

  await app.register(async (scope) => {
    scope.addHook('onRoute', (route) => {
      route.config = { ...(route.config ?? {}), access: ['SUPERVISOR'], cookieAuth: true };
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    const adapter = new FastifyAdapter();
    adapter.setBasePath(QUEUE_BOARD_PATH);
    createBullBoard({
      // Read-only: adding or editing jobs here would bypass the outbox and the delivery records
      // (a forged notify job could aim someone's secret at another address). Retries of notices
      // go through POST /api/notifications/:id/retry, which is audited.
      queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
      serverAdapter: adapter,
      options: { uiConfig: { boardTitle: 'Loket' } },
    });
    await scope.register(adapter.registerPlugin(), { prefix: QUEUE_BOARD_PATH });
  });

  app.post(
    '/api/admin/queues/session',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['admin'],
        summary: 'Open the queue dashboard (Bull Board) in this browser',
        description: `Sets an HttpOnly cookie for ${QUEUE_BOARD_PATH} holding the caller's access token (it expires with it); then open ${QUEUE_BOARD_PATH}.`,
        response: { 200: Type.Object({ url: Type.String() }), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const claims = app.jwt.decode<{ exp?: number }>(token);
      const maxAge = Math.max(0, (claims?.exp ?? 0) - Math.floor(Date.now() / 1000));
      void reply.setCookie(QUEUE_BOARD_COOKIE, token, {
        path: QUEUE_BOARD_PATH,
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        maxAge,
      });
      return { url: `${QUEUE_BOARD_PATH}/` };
    },
  );
};
