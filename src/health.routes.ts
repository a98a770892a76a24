import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

const Check = Type.Union([Type.Literal('ok'), Type.Literal('down')]);

export const healthRoutes: FastifyPluginAsyncTypebox<{
  dataSource: DataSource;
  redis: Redis;
}> = async (app, { dataSource, redis }) => {
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Alive',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    () => ({ status: 'ok' as const }),
  );

  const withTimeout = <T>(p: Promise<T>, ms: number) =>
    Promise.race([
      p,
      new Promise<never>((_, reject) =>
        setTimeout(() => {
          reject(new Error('timeout'));
        }, ms).unref(),
      ),
    ]);

  app.get(
    '/ready',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        summary: 'Ready: PostgreSQL and Redis reachable',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), postgres: Check, redis: Check }),
          503: Type.Object({ status: Type.Literal('not_ready'), postgres: Check, redis: Check }),
        },
      },
    },
    async (_request, reply) => {
      const [pg, rd] = await Promise.allSettled([
        withTimeout(dataSource.query('SELECT 1'), 2000),
        withTimeout(redis.ping(), 2000),
      ]);
      const postgres = pg.status === 'fulfilled' ? ('ok' as const) : ('down' as const);
      const redisCheck = rd.status === 'fulfilled' ? ('ok' as const) : ('down' as const);
      if (postgres === 'ok' && redisCheck === 'ok')
        return { status: 'ready' as const, postgres, redis: redisCheck };
      return reply.status(503).send({ status: 'not_ready' as const, postgres, redis: redisCheck });
    },
  );
};
