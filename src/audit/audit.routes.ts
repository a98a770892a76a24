import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DataSource } from 'typeorm';
import { decodeCursor, encodeCursor, errorResponses, PageQueryFields } from '../shared/schemas';
import { AppError } from '../shared/errors';
import { AuditEvent } from './audit-event.entity';

const AuditEventSchema = Type.Object({
  id: Type.String(),
  at: Type.String({ format: 'date-time' }),
  actorType: Type.String(),
  actorId: Type.Union([Type.String(), Type.Null()]),
  actorLabel: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  targetType: Type.Union([Type.String(), Type.Null()]),
  targetId: Type.Union([Type.String(), Type.Null()]),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const QuerySchema = Type.Object(
  {
    ...PageQueryFields,
    action: Type.Optional(Type.String({ maxLength: 64 })),
    actorId: Type.Optional(Type.String({ maxLength: 64 })),
    targetType: Type.Optional(Type.String({ maxLength: 40 })),
    targetId: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);

/** The audit trail, newest first, for AUDITOR and SUPERVISOR. Read-only: there is no write route. */
export const auditRoutes: FastifyPluginAsyncTypebox<{ dataSource: DataSource }> = async (
  app,
  { dataSource },
) => {
  app.get(
    '/',
    {
      config: { access: ['AUDITOR', 'SUPERVISOR'] },
      schema: {
        tags: ['audit'],
        summary: 'Audit events, newest first (keyset pagination)',
        querystring: QuerySchema,
        response: {
          200: Type.Object({
            items: Type.Array(AuditEventSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const qb = dataSource
        .getRepository(AuditEvent)
        .createQueryBuilder('e')
        .orderBy('e.id', 'DESC')
        .limit(limit + 1);
      if (q.action) qb.andWhere('e.action = :action', { action: q.action });
      if (q.actorId) qb.andWhere('e.actor_id = :actorId', { actorId: q.actorId });
      if (q.targetType) qb.andWhere('e.target_type = :targetType', { targetType: q.targetType });
      if (q.targetId) qb.andWhere('e.target_id = :targetId', { targetId: q.targetId });
      if (q.from) qb.andWhere('e.at >= :from', { from: q.from });
      if (q.to) qb.andWhere('e.at < :to', { to: q.to });
      if (q.cursor !== undefined) {
        const [lastId] = decodeCursor(q.cursor, 1) ?? [];
        if (lastId === undefined || !/^\d+$/.test(lastId)) {
          throw new AppError('VALIDATION_FAILED', { detail: 'cursor is not valid' });
        }
        qb.andWhere('e.id < :lastId', { lastId });
      }
      const rows = await qb.getMany();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((e) => ({
          id: e.id,
          at: e.at.toISOString(),
          actorType: e.actorType,
          actorId: e.actorId,
          actorLabel: e.actorLabel,
          action: e.action,
          targetType: e.targetType,
          targetId: e.targetId,
          ip: e.ip,
          requestId: e.requestId,
          details: e.details,
        })),
        nextCursor: rows.length > limit && last ? encodeCursor([last.id]) : null,
      };
    },
  );
};
