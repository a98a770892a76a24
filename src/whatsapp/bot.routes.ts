import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { IsNull, type DataSource } from 'typeorm';
import { WhatsAppWebhookEvent } from '../notifications/notification.entity';
import { actorOf } from '../plugins/access';
import { AppError } from '../shared/errors';
import { errorResponses, IdParamsSchema } from '../shared/schemas';
import { Ticket, TicketEvent } from '../tickets/ticket.entity';

/** The change values of a stored webhook that carry messages (statuses stay with the workers). */
function messageValues(payload: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const entries = Array.isArray(payload.entry) ? (payload.entry as unknown[]) : [];
  for (const entry of entries) {
    const changes = (entry as { changes?: unknown }).changes;
    for (const change of Array.isArray(changes) ? (changes as unknown[]) : []) {
      const value = (change as { value?: unknown }).value;
      if (typeof value !== 'object' || value === null) continue;
      const v = value as Record<string, unknown>;
      if (!Array.isArray(v.messages) || v.messages.length === 0) continue;
      out.push({
        metadata: v.metadata ?? null,
        contacts: Array.isArray(v.contacts) ? v.contacts : [],
        messages: v.messages,
      });
    }
  }
  return out;
}

const ChatTicketSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  code: Type.String(),
  step: Type.String(),
  missingDocuments: Type.Array(Type.String()),
  needsPerson: Type.Boolean(),
});

/**
 * What only the WhatsApp bot (its BOT service account) needs besides the ticket routes: the
 * messages of a stored Cloud API webhook (the queue job carries only the event id), the open
 * tickets of one chat (its own tickets whose contact is that chat: nobody else's), and the
 * "talk to staff" flag.
 */
export const botRoutes: FastifyPluginAsyncTypebox<{ dataSource: DataSource }> = async (
  app,
  { dataSource },
) => {
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
