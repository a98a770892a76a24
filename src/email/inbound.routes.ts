import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DataSource } from 'typeorm';
import type { AuditService } from '../audit/audit.service';
import { actorOf } from '../plugins/access';
import { AppError } from '../shared/errors';
import {
  decodeCursor,
  EmptyBodySchema,
  encodeCursor,
  errorResponses,
  IdParamsSchema,
  isoOrNull,
  literalUnion,
  noBodyIsEmpty,
  PageQueryFields,
} from '../shared/schemas';
import { inboundEmailStatuses, type InboundEmailStatus } from './inbound-email.entity';

const InboundEmailSchema = Type.Object({
  id: Type.String(),
  source: literalUnion(['SMTP', 'IMAP'] as const),
  status: literalUnion(inboundEmailStatuses),
  detail: Type.Union([Type.String(), Type.Null()]),
  sizeBytes: Type.Integer(),
  hasMessageId: Type.Boolean(),
  ticketId: Type.Union([Type.String(), Type.Null()]),
  ticketCode: Type.Union([Type.String(), Type.Null()]),
  acknowledged: Type.Boolean(),
  rejectedFiles: Type.Integer({ description: 'How many attachments failed the document rules' }),
  attempts: Type.Integer(),
  receivedAt: Type.String(),
  processedAt: Type.Union([Type.String(), Type.Null()]),
  rawDeletedAt: Type.Union([Type.String(), Type.Null()], {
    description: 'When the retention deleted the stored raw mail (mail that made no ticket)',
  }),
});

interface Row {
  id: string;
  source: 'SMTP' | 'IMAP';
  status: InboundEmailStatus;
  detail: string | null;
  size_bytes: number;
  has_message_id: boolean;
  ticket_id: string | null;
  ticket_code: string | null;
  acknowledged: boolean;
  rejected_files: number;
  attempts: number;
  received_at: Date;
  processed_at: Date | null;
  raw_deleted_at: Date | null;
}

const view = (r: Row) => ({
  id: r.id,
  source: r.source,
  status: r.status,
  detail: r.detail,
  sizeBytes: r.size_bytes,
  hasMessageId: r.has_message_id,
  ticketId: r.ticket_id,
  ticketCode: r.ticket_code,
  acknowledged: r.acknowledged,
  rejectedFiles: r.rejected_files,
  attempts: r.attempts,
  receivedAt: r.received_at.toISOString(),
  processedAt: isoOrNull(r.processed_at),
  rawDeletedAt: isoOrNull(r.raw_deleted_at),
});

/** The columns of a Row, from `inbound_emails e` joined to `tickets t`. */
const columns = `e.id, e.source, e.status, e.detail, e.size_bytes, e.has_message_id, e.ticket_id,
  t.code AS ticket_code, e.acknowledged,
  jsonb_array_length(e.rejected_files)::int AS rejected_files, e.attempts,
  e.received_at, e.processed_at, e.raw_deleted_at`;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * What the email intake did with each mail, for the SUPERVISOR who watches the mailbox (and the
 * AUDITOR): outcomes and reason codes, the ticket a mail made or joined, never an address or any
 * text of the mail (the rows hold none). A mail that failed every attempt can be processed again.
 */
export const inboundEmailRoutes: FastifyPluginAsyncTypebox<{
  dataSource: DataSource;
  audit: AuditService;
}> = async (app, { dataSource, audit }) => {
  app.get(
    '/inbound-emails',
    {
      config: { access: ['SUPERVISOR', 'AUDITOR'] },
      schema: {
        tags: ['email intake'],
        summary: 'Mail received by the intake and its outcome, newest first (keyset pagination)',
        querystring: Type.Object(
          {
            status: Type.Optional(literalUnion(inboundEmailStatuses)),
            ...PageQueryFields,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            counts: Type.Record(Type.String(), Type.Integer(), {
              description: 'Mails per status, over every mail kept',
            }),
            items: Type.Array(InboundEmailSchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const { status, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      const params: unknown[] = [];
      const where: string[] = [];
      if (status) {
        params.push(status);
        where.push(`e.status = $${String(params.length)}`);
      }
      if (cursor !== undefined) {
        const parts = decodeCursor(cursor, 2);
        if (!parts?.[0] || !parts[1] || !ISO_INSTANT.test(parts[0]) || !UUID.test(parts[1])) {
          throw new AppError('VALIDATION_FAILED', { detail: 'cursor is not valid' });
        }
        params.push(parts[0], parts[1]);
        where.push(
          `(e.received_at, e.id) < ($${String(params.length - 1)}::timestamptz, $${String(params.length)}::uuid)`,
        );
      }
      params.push(limit + 1);
      const rows = await dataSource.query<Row[]>(
        `SELECT ${columns}
           FROM inbound_emails e LEFT JOIN tickets t ON t.id = e.ticket_id
          ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY e.received_at DESC, e.id DESC
          LIMIT $${String(params.length)}`,
        params,
      );
      const counted = await dataSource.query<{ status: string; n: number }[]>(
        'SELECT status, count(*)::int AS n FROM inbound_emails GROUP BY status',
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        counts: Object.fromEntries(counted.map((c) => [c.status, c.n])),
        items: page.map(view),
        nextCursor:
          rows.length > limit && last
            ? encodeCursor([last.received_at.toISOString(), last.id])
            : null,
      };
    },
  );

  app.post(
    '/inbound-emails/:id/retry',
    {
      config: { access: ['SUPERVISOR'] },
      preValidation: noBodyIsEmpty,
      schema: {
        tags: ['email intake'],
        summary:
          'Processes a FAILED mail again (e.g. after the fault is mended); the intake picks it up within a minute',
        params: IdParamsSchema,
        body: EmptyBodySchema,
        response: { 202: InboundEmailSchema, ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const row = await dataSource.transaction(async (m) => {
        const found = await m.query<{ status: InboundEmailStatus }[]>(
          'SELECT status FROM inbound_emails WHERE id = $1 FOR UPDATE',
          [id],
        );
        const current = found[0];
        if (!current) throw new AppError('NOT_FOUND');
        if (current.status !== 'FAILED') {
          throw new AppError('CONFLICT', { detail: `the mail is ${current.status}, not FAILED` });
        }
        // Back to RECEIVED: the intake's sweeper queues it under a new job id (the failed job
        // keeps the old one), and its processing is the normal, idempotent one.
        await m.query(
          `UPDATE inbound_emails SET status = 'RECEIVED', detail = NULL, processed_at = NULL
            WHERE id = $1`,
          [id],
        );
        await audit.record(
          actorOf(request),
          { action: 'inbound_email.retried', targetType: 'inbound_email', targetId: id },
          m,
        );
        const rows = await m.query<Row[]>(
          `SELECT ${columns}
             FROM inbound_emails e LEFT JOIN tickets t ON t.id = e.ticket_id WHERE e.id = $1`,
          [id],
        );
        return rows[0];
      });
      if (!row) throw new AppError('NOT_FOUND');
      return reply.status(202).send(view(row));
    },
  );
};
