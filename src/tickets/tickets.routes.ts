import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/auth.service';
import type { Role } from '../auth/roles';
import type { DocumentsService } from '../documents/documents.service';
import { actorOf } from '../plugins/access';
import { preparedQuery } from '../db/prepared';
import { AppError } from '../shared/errors';
import {
  decodeCursor,
  encodeCursor,
  errorResponses,
  IdParamsSchema,
  isoOrNull,
} from '../shared/schemas';
import { stepOf } from '../workflow/decide';
import { workflowDefinitions } from '../workflow/definitions';
import { documentKinds, type DocumentKind } from '../workflow/workflow.types';
import { Ticket } from './ticket.entity';
import {
  ActionBodySchema,
  ActionResultSchema,
  CreateTicketBodySchema,
  ListTicketsQuerySchema,
  StatusQueryBodySchema,
  TicketDetailSchema,
  TicketSummarySchema,
} from './tickets.schemas';
import { normaliseEmail, normalisePhone } from '../registry/registry-csv';
import { ticketNikRoles, type TicketsService } from './tickets.service';
import { notificationsOfTicket, toNotificationView } from '../notifications/notifications.routes';

const STAFF: readonly Role[] = ['FRONT_OFFICE', 'HELPDESK', 'ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'];
const CREATORS: readonly Role[] = [
  'FRONT_OFFICE',
  'HELPDESK',
  'ADMIN_PPE',
  'SUPERVISOR',
  'BOT',
  'INTAKE',
];
const ACTORS: readonly Role[] = [
  'FRONT_OFFICE',
  'HELPDESK',
  'ADMIN_PPE',
  'SUPERVISOR',
  'BOT',
  'INTAKE',
];
const UPLOADERS: readonly Role[] = ['FRONT_OFFICE', 'HELPDESK', 'ADMIN_PPE', 'BOT', 'INTAKE'];

/** The columns `toSummary` reads. */
const summaryColumns = [
  'id',
  'code',
  'type',
  'channel',
  'language',
  'workflowId',
  'step',
  'stepStartedAt',
  'stepDueAt',
  'stepBreached',
  'assigneeId',
  'version',
  'requesterName',
  'closedAt',
  'createdAt',
  'updatedAt',
  'needsPersonSince',
] as const satisfies readonly (keyof Ticket)[];

type Summary = Pick<Ticket, (typeof summaryColumns)[number]>;
const snake = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const summarySelect = summaryColumns.map((c) => `${snake(c)} AS "${c}"`).join(', ');

/** A step's label in the ticket's language (the step id for an unknown workflow). */
function stepLabelOf(workflowId: string, step: string, language: 'id' | 'en'): string {
  const def = workflowDefinitions.get(workflowId);
  const label = def ? stepOf(def, step).label : { id: step, en: step };
  return language === 'en' ? label.en : label.id;
}

export function toSummary(t: Summary) {
  return {
    id: t.id,
    code: t.code,
    type: t.type,
    channel: t.channel,
    language: t.language,
    workflowId: t.workflowId,
    step: t.step,
    stepLabel: stepLabelOf(t.workflowId, t.step, t.language),
    stepStartedAt: t.stepStartedAt.toISOString(),
    stepDueAt: isoOrNull(t.stepDueAt),
    stepBreached: t.stepBreached,
    assigneeId: t.assigneeId,
    version: t.version,
    requesterName: t.requesterName,
    closedAt: isoOrNull(t.closedAt),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    needsPerson: t.needsPersonSince !== null,
  };
}

/**
 * Tickets and their SOP actions. Service accounts (BOT, INTAKE) see only the tickets they opened;
 * a ticket they did not open is "not found", exactly like one that does not exist.
 */
export const ticketsRoutes: FastifyPluginAsyncTypebox<{
  tickets: TicketsService;
  documents: DocumentsService;
  dataSource: DataSource;
}> = async (app, { tickets, documents, dataSource }) => {
  const prepared = preparedQuery(dataSource);
  /**
   * The one rule for which tickets a caller may touch: a service account only those it opened,
   * the front office only walk-ins; anything else is "not found", like a ticket that does not exist.
   */
  async function visibleTicket(id: string, request: { principal: Principal | null }) {
    const t = await tickets.get(id);
    const p = request.principal;
    if (p?.kind === 'service' && t.createdById !== p.id) throw new AppError('NOT_FOUND');
    if (p?.role === 'FRONT_OFFICE' && t.channel !== 'WALK_IN') throw new AppError('NOT_FOUND');
    return t;
  }

  app.post(
    '/tickets',
    {
      config: { access: CREATORS },
      schema: {
        tags: ['tickets'],
        summary: 'Open a ticket (front office, helpdesk, the WhatsApp bot, the email intake)',
        body: CreateTicketBodySchema,
        response: { 201: TicketSummarySchema, ...errorResponses() },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      // A channel's service account speaks only for its channel (deadlines depend on it).
      const ownChannel =
        principal.role === 'BOT' ? 'WHATSAPP' : principal.role === 'INTAKE' ? 'EMAIL' : null;
      if (ownChannel && request.body.channel !== ownChannel) {
        throw new AppError('VALIDATION_FAILED', {
          detail: `channel must be ${ownChannel} for this account`,
        });
      }
      const t = await tickets.create(request.body, principal, actorOf(request));
      return reply.status(201).send(toSummary(t));
    },
  );

  app.get(
    '/tickets',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'List tickets, newest first (keyset pagination)',
        querystring: ListTicketsQuerySchema,
        response: {
          200: Type.Object({
            items: Type.Array(TicketSummarySchema),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      // Raw SQL with only the summary's columns: TypeORM's query building and entity hydration
      // cost more than the query itself (profiled), and this is the console's busiest read.
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, ...values: unknown[]) => {
        let text = sql;
        for (const v of values) {
          params.push(v);
          const n = `$${String(params.length)}`;
          text = text.replace('?', () => n);
        }
        where.push(text);
      };
      const p = request.principal;
      if (p?.role === 'FRONT_OFFICE') add(`channel = 'WALK_IN'`);
      if (q.step) add('step = ?', q.step);
      if (q.type) add('type = ?', q.type);
      if (q.channel) add('channel = ?', q.channel);
      if (q.assigneeId) add('assignee_id = ?', q.assigneeId);
      if (q.breached !== undefined) add('step_breached = ?', q.breached);
      if (q.open === true) add('closed_at IS NULL');
      if (q.open === false) add('closed_at IS NOT NULL');
      if (q.from) add('created_at >= ?', q.from);
      if (q.to) add('created_at < ?', q.to);
      if (q.code) add('code = ?', q.code.toUpperCase());
      if (q.cursor !== undefined) {
        const parts = decodeCursor(q.cursor, 2);
        const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
        const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
        if (!parts?.[0] || !parts[1] || !isoInstant.test(parts[0]) || !uuid.test(parts[1])) {
          throw new AppError('VALIDATION_FAILED', { detail: 'cursor is not valid' });
        }
        add('(created_at, id) < (?::timestamptz, ?::uuid)', parts[0], parts[1]);
      }
      params.push(limit + 1);
      // Open tickets: ordering by closed_at too lets PostgreSQL read ix_tickets_open backwards and
      // stop after one page, instead of sorting every open ticket (measured: 1M rows as fast as 100k).
      const rows: Summary[] = await dataSource.query(
        `SELECT ${summarySelect} FROM tickets
          ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY ${q.open === true ? 'closed_at DESC NULLS FIRST, ' : ''}created_at DESC, id DESC
          LIMIT $${String(params.length)}`,
        params,
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toSummary),
        nextCursor:
          rows.length > limit && last
            ? encodeCursor([last.createdAt.toISOString(), last.id])
            : null,
      };
    },
  );

  app.get(
    '/tickets/:id',
    {
      // Service accounts get only the status (POST /tickets/status): the full view would tell a
      // channel whether the registry knows the requester.
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'A ticket with its thread, events, documents and deadlines',
        description:
          'The NIK is masked; ADMIN_PPE and SUPERVISOR get it in full with `includeNik=true` (audited).',
        params: IdParamsSchema,
        querystring: Type.Object(
          { includeNik: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        response: { 200: TicketDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => {
      const t = await visibleTicket(request.params.id, request);
      const role = request.principal?.role;
      const nik =
        request.query.includeNik && role && ticketNikRoles.includes(role)
          ? await tickets.revealNik(t, actorOf(request))
          : null;
      const [details, completeness] = await Promise.all([
        tickets.details(t),
        tickets.completeness(t),
      ]);
      return {
        ...toSummary(t),
        requester: {
          name: t.requesterName,
          userId: t.requesterUserId,
          nik,
          nikMasked: t.requesterNikMasked,
          nip: t.requesterNip,
          spseRole: t.requesterSpseRole,
          agency: t.requesterAgency,
          email: t.requesterEmail,
          phone: t.requesterPhone,
        },
        contact: { kind: t.contactKind, address: t.contactAddress },
        registryEntryId: t.registryEntryId,
        missingDocuments: t.missingDocuments,
        requiredDocuments: [...completeness.required],
        validity: t.validity,
        rejectReasonCode: t.rejectReasonCode,
        rejectNote: t.rejectNote,
        resolution: t.resolution,
        archiveNumber: t.archiveNumber,
        retainUntil: t.retainUntil,
        allowedActions: role ? tickets.allowedFor(t, role) : [],
        deadlines: details.deadlines.map((d) => ({
          step: d.step,
          startedAt: d.startedAt.toISOString(),
          dueAt: isoOrNull(d.dueAt),
          endedAt: isoOrNull(d.endedAt),
          workingMinutes: d.workingMinutes,
          breached: d.breachedAt !== null,
        })),
        events: details.events.map((e) => ({
          at: e.at.toISOString(),
          actorType: e.actorType,
          actorId: e.actorId,
          actorLabel: e.actorLabel,
          actorRole: e.actorRole,
          action: e.action,
          fromStep: e.fromStep,
          toStep: e.toStep,
          reason: e.reason,
          data: e.data,
        })),
        documents: details.documents.map((d) => ({
          id: d.id,
          kind: d.kind,
          fileName: d.fileName,
          contentType: d.contentType,
          sizeBytes: d.sizeBytes,
          sha256: d.sha256,
          createdAt: d.createdAt.toISOString(),
          deleted: d.deletedAt !== null,
        })),
        messages: details.messages.map((m) => ({
          id: m.id,
          direction: m.direction,
          channel: m.channel,
          body: m.body,
          authorType: m.authorType,
          createdAt: m.createdAt.toISOString(),
        })),
      };
    },
  );

  app.post(
    '/tickets/:id/actions',
    {
      config: { access: ACTORS },
      schema: {
        tags: ['tickets'],
        summary: 'Take an SOP action on a ticket, at the version you saw',
        description:
          'Actions: open, completeness_result {complete, missing?}, ask_to_complete, forward {assigneeId?}, ' +
          'validity_result {valid, phoneConfirmation?}, resolve, reject {reasonCode} + reason, notify, ' +
          'archive {archiveNumber, retentionYears?}. A wrong action gets 409 ACTION_NOT_ALLOWED naming the allowed ones.',
        params: IdParamsSchema,
        body: ActionBodySchema,
        response: { 200: ActionResultSchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      await visibleTicket(request.params.id, request);
      const result = await tickets.act(
        request.params.id,
        request.body,
        principal,
        actorOf(request),
      );
      return {
        ticket: toSummary(result.ticket),
        ...(result.temporaryPassword ? { temporaryPassword: result.temporaryPassword } : {}),
      };
    },
  );

  app.patch(
    '/tickets/:id/requester',
    {
      config: { access: ['FRONT_OFFICE', 'HELPDESK'] },
      schema: {
        tags: ['tickets'],
        summary:
          "Enter the request form's details (user ID, NIK, NIP, SPSE role, email) before forwarding; matched again with the registry",
        params: IdParamsSchema,
        body: Type.Object(
          {
            version: Type.Integer({ minimum: 1, description: 'The ticket version the client saw' }),
            requester: CreateTicketBodySchema.properties.requester,
          },
          { additionalProperties: false },
        ),
        response: { 200: TicketSummarySchema, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      await visibleTicket(request.params.id, request);
      const t = await tickets.updateRequester(
        request.params.id,
        request.body,
        principal,
        actorOf(request),
      );
      return toSummary(t);
    },
  );

  app.post(
    '/tickets/:id/messages',
    {
      config: { access: ['HELPDESK', 'FRONT_OFFICE', 'ADMIN_PPE', 'BOT', 'INTAKE'] },
      schema: {
        tags: ['tickets'],
        summary:
          'Add to the thread: a staff reply (sent to the requester) or, from the bot or intake, the requester’s message',
        params: IdParamsSchema,
        body: Type.Object(
          {
            body: Type.String({ minLength: 1, maxLength: 20000 }),
            externalId: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            id: Type.String(),
            direction: Type.String(),
            createdAt: Type.String({ format: 'date-time' }),
          }),
          ...errorResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      await visibleTicket(request.params.id, request);
      const message = await tickets.addMessage(
        request.params.id,
        request.body,
        principal,
        actorOf(request),
      );
      return reply.status(201).send({
        id: message.id,
        direction: message.direction,
        createdAt: message.createdAt.toISOString(),
      });
    },
  );

  app.get(
    '/tickets/:id/validity',
    {
      config: { access: ['ADMIN_PPE', 'SUPERVISOR'] },
      schema: {
        tags: ['tickets'],
        summary: 'The request compared with the registry entry, field by field (NIK masked)',
        params: IdParamsSchema,
        response: {
          200: Type.Object({
            registryEntryId: Type.Union([Type.String(), Type.Null()]),
            comparison: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const t = await visibleTicket(request.params.id, request);
      const result = await tickets.validityComparison(t);
      return {
        registryEntryId: result.registryEntryId,
        comparison: result.comparison ? { ...result.comparison } : null,
      };
    },
  );

  app.post(
    '/tickets/:id/documents',
    {
      config: { access: UPLOADERS },
      schema: {
        tags: ['tickets'],
        summary: 'Attach a document (multipart: field `kind` first, then `file`; PDF, JPEG or PNG)',
        consumes: ['multipart/form-data'],
        params: IdParamsSchema,
        response: {
          201: Type.Object({
            documentId: Type.String(),
            kind: Type.String(),
            sizeBytes: Type.Integer(),
            sha256: Type.String(),
            ticket: TicketSummarySchema,
          }),
          ...errorResponses(404, 409, 413, 415),
        },
      },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new AppError('UNAUTHENTICATED');
      await visibleTicket(request.params.id, request);
      const file = await request.file();
      if (!file) throw new AppError('FILE_MISSING');
      const kindField = file.fields.kind;
      const kindValue =
        kindField && !Array.isArray(kindField) && kindField.type === 'field'
          ? String(kindField.value)
          : '';
      if (!(documentKinds as readonly string[]).includes(kindValue)) {
        file.file.resume();
        throw new AppError('VALIDATION_FAILED', {
          detail: `kind must be one of ${documentKinds.join(', ')} (send it before the file)`,
        });
      }
      const result = await documents.add(
        request.params.id,
        {
          kind: kindValue as DocumentKind,
          fileName: file.filename,
          content: file.file,
          truncated: () => file.file.truncated,
        },
        principal,
        actorOf(request),
      );
      return reply.status(201).send({
        documentId: result.document.id,
        kind: result.document.kind,
        sizeBytes: result.document.sizeBytes,
        sha256: result.document.sha256,
        ticket: toSummary(result.ticket),
      });
    },
  );

  app.get(
    '/tickets/:id/documents/:documentId',
    {
      config: { access: ['FRONT_OFFICE', 'HELPDESK', 'ADMIN_PPE', 'SUPERVISOR', 'AUDITOR'] },
      schema: {
        tags: ['tickets'],
        summary: 'Download a document (audited)',
        params: Type.Object(
          { id: Type.String({ format: 'uuid' }), documentId: Type.String({ format: 'uuid' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Unknown({ description: 'The file: PDF, JPEG or PNG' }),
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      await visibleTicket(request.params.id, request);
      const { document, content, downloadName } = await documents.open(
        request.params.id,
        request.params.documentId,
        actorOf(request),
      );
      return reply
        .header('content-type', document.contentType)
        .header('content-disposition', `attachment; filename="${downloadName}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'no-store')
        .send(content);
    },
  );

  app.post(
    '/tickets/status',
    {
      config: { access: ['BOT', 'INTAKE', 'FRONT_OFFICE', 'HELPDESK'] },
      schema: {
        tags: ['tickets'],
        summary: 'Status of a ticket by code, only for the contact that opened it',
        description:
          'A wrong contact and an unknown code get the same 404, so nothing is learned about other tickets.',
        body: StatusQueryBodySchema,
        response: {
          200: Type.Object({
            code: Type.String(),
            step: Type.String(),
            stepLabel: Type.String(),
            closed: Type.Boolean(),
            missingDocuments: Type.Array(Type.String()),
            updatedAt: Type.String({ format: 'date-time' }),
          }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      // Only the columns the answer needs, as a named prepared statement: the bot asks this for
      // every "status" message of a chat.
      const [t] = await prepared<{
        code: string;
        step: string;
        language: 'id' | 'en';
        workflow_id: string;
        contact_kind: string;
        contact_address: string | null;
        closed: boolean;
        missing_documents: string[];
        updated_at: Date;
      }>(
        'ticket_status_by_code',
        `SELECT code, step, language, workflow_id, contact_kind, contact_address,
                closed_at IS NOT NULL AS closed, missing_documents, updated_at
           FROM tickets WHERE code = $1`,
        [request.body.code.toUpperCase()],
      );
      // Compare in the form the contact was stored in (E.164 phone, lower-case email, raw chat id).
      const raw = request.body.contactAddress.trim();
      const given =
        t?.contact_kind === 'PHONE'
          ? normalisePhone(raw)
          : t?.contact_kind === 'EMAIL'
            ? normaliseEmail(raw)
            : raw;
      if (!t || !given || t.contact_address !== given) throw new AppError('NOT_FOUND');
      return {
        code: t.code,
        step: t.step,
        stepLabel: stepLabelOf(t.workflow_id, t.step, t.language),
        closed: t.closed,
        missingDocuments: t.missing_documents,
        updatedAt: t.updated_at.toISOString(),
      };
    },
  );

  app.get(
    '/tickets/:id/notifications',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets', 'notifications'],
        summary:
          "The ticket's delivery records: every notice, channel, masked recipient and status",
        params: IdParamsSchema,
        response: {
          200: Type.Object({ items: Type.Array(Type.Ref('Notification')) }),
          ...errorResponses(404),
        },
      },
    },
    async (request) => {
      const t = await visibleTicket(request.params.id, request);
      const rows = await notificationsOfTicket(dataSource, t.id);
      return { items: rows.map(toNotificationView) };
    },
  );

  app.get(
    '/reject-reasons',
    {
      config: { access: STAFF },
      schema: {
        tags: ['tickets'],
        summary: 'The catalogue of rejection reasons',
        response: {
          200: Type.Array(
            Type.Object({ code: Type.String(), labelId: Type.String(), labelEn: Type.String() }),
          ),
          ...errorResponses(),
        },
      },
    },
    async () =>
      (await tickets.rejectReasons()).map((r) => ({
        code: r.code,
        labelId: r.labelId,
        labelEn: r.labelEn,
      })),
  );
};
