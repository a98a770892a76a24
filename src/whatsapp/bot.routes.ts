import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IsNull, type DataSource } from 'typeorm';
import { WhatsAppWebhookEvent } from '../notifications/notification.entity';
import { actorOf } from '../plugins/access';
import { AppError } from '../shared/errors';
import { errorResponses, IdParamsSchema } from '../shared/schemas';
import { Ticket, TicketEvent } from '../tickets/ticket.entity';
import { messageValues } from './inbound-seal';

const ChatTicketSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  step: Type.String(),
  missingDocuments: Type.Array(Type.String()),
  needsPerson: Type.Boolean(),
});

/**
 * What only the WhatsApp bot (its BOT service account) needs besides the ticket routes: the key
 * that opens the webhook messages sealed in its queue jobs, the messages of a stored Cloud API
 * webhook (for a job that carries only the event id, or one it cannot open), the open
 * tickets of one chat (its own tickets whose contact is that chat: nobody else's), and the
 * "talk to staff" flag.
 */
export const botRoutes: FastifyPluginAsyncTypebox<{
  dataSource: DataSource;
  /** The key that seals webhook messages in their whatsapp-inbound job (inbound-seal.ts). */
  inboundKey: Buffer;
}> = async (app, { dataSource, inboundKey }) => {
  app.get(
    '/bot/whatsapp-inbound-key',
    {
      config: { access: ['BOT'] },
      schema: {
        tags: ['bot'],
        summary:
          'The key that opens the webhook messages sealed in whatsapp-inbound jobs (for the bot)',
        response: {
          200: Type.Object({ key: Type.String() }),
          ...errorResponses(),
        },
      },
    },
    async (_request, reply) => {
      void reply.header('cache-control', 'no-store');
      return { key: inboundKey.toString('base64url') };
    },
  );

  app.get(
    '/bot/whatsapp-events/:id',
    {
      config: { access: ['BOT'] },
      schema: {
        tags: ['bot'],
        summary: 'The messages of a stored Cloud API webhook (for the bot; statuses left out)',
        params: IdParamsSchema,
        response: {
          200: Type.Object({
            eventId: Type.String(),
            values: Type.Array(Type.Record(Type.String(), Type.Unknown())),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const event = await dataSource
        .getRepository(WhatsAppWebhookEvent)
        .findOne({ where: { id: request.params.id } });
      if (!event) throw new AppError('NOT_FOUND');
      return { eventId: event.id, values: messageValues(event.payload) };
    },
  );

  app.post(
    '/bot/chat-tickets',
    {
      config: { access: ['BOT'] },
      schema: {
        tags: ['bot'],
        summary: "A chat's open tickets: opened by this bot account with that chat as contact",
        body: Type.Object(
          { chatId: Type.String({ minLength: 5, maxLength: 100 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ items: Type.Array(ChatTicketSchema) }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      const rows = await dataSource.getRepository(Ticket).find({
        select: {
          id: true,
          code: true,
          step: true,
          missingDocuments: true,
          needsPersonSince: true,
        },
        where: {
          contactKind: 'WHATSAPP',
          contactAddress: request.body.chatId,
          createdById: principal.id,
          closedAt: IsNull(),
        },
        order: { createdAt: 'DESC' },
        take: 10,
      });
      return {
        items: rows.map((t) => ({
          id: t.id,
          code: t.code,
          step: t.step,
          missingDocuments: t.missingDocuments,
          needsPerson: t.needsPersonSince !== null,
        })),
      };
    },
  );

  app.post(
    '/bot/tickets/:id/needs-person',
    {
      config: { access: ['BOT'] },
      schema: {
        tags: ['bot'],
        summary: 'Mark a ticket for a person: the requester asked the bot to talk to staff',
        params: IdParamsSchema,
        body: Type.Object({}, { additionalProperties: false }),
        response: {
          200: Type.Object({ needsPerson: Type.Boolean() }),
          ...errorResponses(404, 409),
        },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      const actor = actorOf(request);
      await dataSource.transaction(async (m) => {
        const t = await m.findOne(Ticket, {
          where: { id: request.params.id },
          lock: { mode: 'pessimistic_write' },
        });
        // Only a ticket this account opened; any other is "not found", like one that does not exist.
        if (t?.createdById !== principal.id) throw new AppError('NOT_FOUND');
        if (t.closedAt) throw new AppError('TICKET_CLOSED');
        if (t.needsPersonSince) return;
        await m.update(Ticket, { id: t.id }, { needsPersonSince: new Date() });
        await m.insert(TicketEvent, {
          ticketId: t.id,
          actorType: actor.type,
          actorId: actor.id,
          actorLabel: actor.label,
          actorRole: principal.role,
          action: 'needs_person',
          fromStep: t.step,
          toStep: t.step,
          reason: null,
          data: { channel: 'WHATSAPP' },
        });
      });
      return { needsPerson: true };
    },
  );
};
