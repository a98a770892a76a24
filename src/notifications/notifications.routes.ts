import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { In, type DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import type { Config } from '../config';
import { queueNames } from '../jobs/queues';
import { OneTimeSecret } from '../outbox/outbox.entity';
import { actorOf } from '../plugins/access';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import {
  decodeCursor,
  encodeCursor,
  errorResponses,
  IdParamsSchema,
  isoOrNull,
  literalUnion,
} from '../shared/schemas';
import { Notification, notificationChannels, notificationStatuses } from './notification.entity';
import { NoticeBusy, SendFailed, type Notifier, type SendQueues } from './notifier';
import { cloudTemplateFor, loadCloudTemplateMap } from './whatsapp-cloud-templates';

export const NotificationSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    ticketId: Type.String({ format: 'uuid' }),
    event: Type.String(),
    channel: literalUnion(notificationChannels),
    language: Type.String(),
    recipientKind: Type.String(),
    recipient: Type.String({ description: 'Masked, e.g. bu************@gmail.com' }),
    status: literalUnion(notificationStatuses),
    attempts: Type.Integer(),
    uncertainAttempts: Type.Integer({
      description: 'Attempts that stopped mid-send (a crashed worker): a duplicate was possible',
    }),
    lastError: Type.Union([Type.String(), Type.Null()]),
    providerMessageId: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    sentAt: Type.Union([Type.String(), Type.Null()]),
    deliveredAt: Type.Union([Type.String(), Type.Null()]),
    readAt: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'Notification' },
);

export function toNotificationView(n: Notification) {
  return {
    id: n.id,
    ticketId: n.ticketId,
    event: n.event,
    channel: n.channel,
    language: n.language,
    recipientKind: n.recipientKind,
    recipient: n.recipientMasked,
    status: n.status,
    attempts: n.attempts,
    uncertainAttempts: n.uncertainAttempts,
    lastError: n.lastError,
    providerMessageId: n.providerMessageId,
    createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(),
    sentAt: isoOrNull(n.sentAt),
    deliveredAt: isoOrNull(n.deliveredAt),
    readAt: isoOrNull(n.readAt),
  };
}

/** The delivery records of one ticket, oldest first. */
export function notificationsOfTicket(dataSource: DataSource, ticketId: string) {
  return dataSource
    .getRepository(Notification)
    .find({ where: { ticketId }, order: { createdAt: 'ASC', id: 'ASC' } });
}

/**
 * Supervisors' view of the delivery records (dead notices above all) and their retry; the bot's
 * claim and report of WhatsApp notices.
 */
export const notificationsRoutes: FastifyPluginAsyncTypebox<{
  dataSource: DataSource;
  notifier: Notifier;
  audit: AuditService;
  redis: Redis;
  config: Config;
  clock: Clock;
}> = async (app, opts) => {
  const { dataSource, notifier, audit, config } = opts;
  const cloudTemplates = loadCloudTemplateMap();
  // A connection that fails fast: a retry while Redis is down is left to the sweeper.
  const connection = opts.redis.duplicate({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 3000,
    lazyConnect: true,
  });
  connection.on('error', () => undefined);
  const prefix = `${config.REDIS_PREFIX}:bull`;
  let queues: (SendQueues & { all: Queue[] }) | undefined;
  const sendQueues = () => {
    if (!queues) {
      const email = new Queue(queueNames.emailSend, { connection, prefix });
      const whatsapp = new Queue(queueNames.whatsappOutbound, { connection, prefix });
      const simulator = new Queue(queueNames.chatSimulatorOutbound, { connection, prefix });
      for (const q of [email, whatsapp, simulator]) q.on('error', () => undefined);
      queues = { email, whatsapp, simulator, all: [email, whatsapp, simulator] };
    }
    return queues;
  };
  app.addHook('onClose', async () => {
    if (queues) await Promise.all(queues.all.map((q) => q.close()));
    connection.disconnect();
  });

  app.get(
    '/notifications',
    {
      config: { access: ['SUPERVISOR', 'AUDITOR'] },
      schema: {
        tags: ['notifications'],
        summary:
          'Delivery records, most recently changed first; `status=dead` lists what needs a supervisor',
        querystring: Type.Object(
          {
            status: Type.Optional(literalUnion(notificationStatuses)),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Intersect([
                Type.Ref('Notification'),
                Type.Object({ ticketCode: Type.String() }),
              ]),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(request.query.cursor, 2);
      if (request.query.cursor !== undefined && !after) {
        throw new AppError('VALIDATION_FAILED', {}, [{ field: 'cursor', reason: 'invalid' }]);
      }
      const status = request.query.status ?? null;
      const rows: { id: string; ticket_code: string; at: string }[] = await dataSource.query(
        `SELECT n.id, t.code AS ticket_code, n.updated_at::text AS at FROM notifications n
           JOIN tickets t ON t.id = n.ticket_id
          WHERE ($1::varchar IS NULL OR n.status = $1)
            AND ($2::timestamptz IS NULL OR (n.updated_at, n.id) < ($2::timestamptz, $3::uuid))
          ORDER BY n.updated_at DESC, n.id DESC LIMIT $4`,
        [status, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
      );
      const found = await dataSource
        .getRepository(Notification)
        .findBy({ id: In(rows.map((r) => r.id)) });
      const byId = new Map(found.map((n) => [n.id, n]));
      const entities = rows.flatMap((r) => {
        const n = byId.get(r.id);
        return n ? [{ n, code: r.ticket_code, at: r.at }] : [];
      });
      const page = entities.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(({ n, code }) => ({ ...toNotificationView(n), ticketCode: code })),
        nextCursor: entities.length > limit && last ? encodeCursor([last.at, last.n.id]) : null,
      };
    },
  );

  app.post(
    '/notifications/:id/retry',
    {
      config: { access: ['SUPERVISOR'] },
      schema: {
        tags: ['notifications'],
        summary: 'Send a dead notice again (after fixing the address or the mail server)',
        params: IdParamsSchema,
        response: { 200: Type.Ref('Notification'), ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const n = await dataSource.transaction(async (m) => {
        const row = await m.findOne(Notification, {
          where: { id: request.params.id },
          lock: { mode: 'pessimistic_write' },
        });
        if (!row) throw new AppError('NOT_FOUND');
        if (row.status !== 'dead') throw new AppError('NOTIFICATION_NOT_DEAD');
        if (row.event === 'password-reset') {
          const secret = row.secretId
            ? await m.findOne(OneTimeSecret, { where: { id: row.secretId } })
            : null;
          if (!secret || secret.expiresAt.getTime() <= opts.clock.now().getTime()) {
            throw new AppError('SECRET_EXPIRED');
          }
        }
        row.status = 'queued';
        row.lastError = null;
        await m.save(row);
        await audit.record(
          actorOf(request),
          {
            action: 'notification.retried',
            targetType: 'notification',
            targetId: row.id,
            details: { ticketId: row.ticketId, event: row.event, channel: row.channel },
          },
          m,
        );
        return row;
      });
      const q = sendQueues();
      const queue = q[notifier.queueOf(n)];
      try {
        // The old job (failed, kept for inspection) holds the id: remove it, then queue anew.
        const old = await queue.getJob(n.id);
        if (old) await old.remove();
        await notifier.enqueueSend(q, n);
      } catch (err) {
        // Redis is down: the record says queued, and the sweeper queues it when Redis is back.
        request.log.warn({ err, notificationId: n.id }, 'retry queued for the sweeper');
      }
      return toNotificationView(n);
    },
  );

  app.post(
    '/notifications/:id/whatsapp/claim',
    {
      config: { access: ['BOT'] },
      schema: {
        tags: ['notifications'],
        summary: 'The bot takes a WhatsApp notice to send: recipient, text and approved template',
        description:
          'Send `text` inside the 24-hour customer-service window, else the approved `template` ' +
          '(Cloud API). Report the outcome with /whatsapp/result. `claimed: false` means there ' +
          'is nothing to send (already sent, cancelled or dead).',
        params: IdParamsSchema,
        response: {
          200: Type.Union([
            Type.Object({
              claimed: Type.Literal(true),
              notificationId: Type.String(),
              ticketCode: Type.String(),
              to: Type.String({ description: 'A chat id (…@c.us / …@lid) or an E.164 number' }),
              language: Type.String(),
              text: Type.String(),
              template: Type.Union([
                Type.Object({
                  name: Type.String(),
                  language: Type.String(),
                  parameters: Type.Array(Type.String()),
                }),
                Type.Null(),
              ]),
              uncertain: Type.Boolean({
                description: 'The previous attempt stopped mid-send: check the chat first',
              }),
              attempt: Type.Integer({ description: 'Give it back with the result' }),
            }),
            Type.Object({ claimed: Type.Literal(false), status: Type.String() }),
          ]),
          ...errorResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      void reply.header('cache-control', 'no-store');
      try {
        const c = await notifier.claimWhatsApp(request.params.id);
        if (!c.claimed) {
          if (c.status === 'missing') throw new AppError('NOT_FOUND');
          return { claimed: false as const, status: c.status };
        }
        return {
          claimed: true as const,
          notificationId: c.notification.id,
          ticketCode: c.notice.data.ticketCode,
          to: c.to,
          language: c.notification.language,
          text: c.text,
          template: cloudTemplateFor(cloudTemplates, c.notice, c.notification.language),
          uncertain: c.uncertain,
          attempt: c.notification.attempts,
        };
      } catch (err) {
        if (err instanceof SendFailed) return { claimed: false as const, status: 'dead' };
        // Another claim holds it (its lease is live): nothing to send now.
        if (err instanceof NoticeBusy) return { claimed: false as const, status: 'sending' };
        throw err;
      }
    },
  );

  app.post(
    '/notifications/:id/whatsapp/result',
    {
      config: { access: ['BOT'] },
      schema: {
        tags: ['notifications'],
        summary: 'The bot reports the outcome of a WhatsApp notice it claimed',
        params: IdParamsSchema,
        body: Type.Union([
          Type.Object(
            {
              ok: Type.Literal(true),
              providerMessageId: Type.String({ minLength: 1, maxLength: 300 }),
            },
            { additionalProperties: false },
          ),
          Type.Object(
            {
              ok: Type.Literal(false),
              permanent: Type.Boolean(),
              finalAttempt: Type.Optional(Type.Boolean()),
              code: Type.String({ pattern: '^[A-Z0-9_]{1,40}$' }),
              detail: Type.Optional(Type.String({ maxLength: 300 })),
              attempt: Type.Optional(Type.Integer({ minimum: 1 })),
              uncertain: Type.Optional(
                Type.Boolean({ description: 'The message may have gone out (a timeout)' }),
              ),
            },
            { additionalProperties: false },
          ),
        ]),
        response: {
          200: Type.Object({ status: Type.String() }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const b = request.body;
      const status = await notifier.reportWhatsApp(
        request.params.id,
        b.ok
          ? { ok: true, providerMessageId: b.providerMessageId }
          : {
              ok: false,
              permanent: b.permanent,
              finalAttempt: b.finalAttempt ?? false,
              code: b.code,
              detail: b.detail ?? '',
              ...(b.attempt !== undefined ? { attempt: b.attempt } : {}),
              ...(b.uncertain !== undefined ? { uncertain: b.uncertain } : {}),
            },
      );
      if (status === 'missing') throw new AppError('NOT_FOUND');
      return { status };
    },
  );
};
