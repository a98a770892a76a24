import { SIMULATOR_CHAT_PATTERN } from '../notifications/addressing';
import { randomUUID } from 'node:crypto';
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import '../shared/typebox-formats';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../audit/audit.service';
import type { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/auth.service';
import type { Role } from '../auth/roles';
import { StaffUser } from '../auth/staff-user.entity';
import type { Config } from '../config';
import { queueNames } from '../jobs/queues';
import { Office } from '../offices/office.entity';
import type { OfficesService } from '../offices/offices.service';
import { OneTimeSecret } from '../outbox/outbox.entity';
import { enqueueOutbox } from '../outbox/outbox';
import { insertRow } from '../db/insert';
import {
  cleanText,
  compactDigits,
  isNik,
  isNip,
  normaliseEmail,
  normalisePhone,
  userIdKeyOf,
} from '../registry/registry-csv';
import { RegistryEntry } from '../registry/registry-entry.entity';
import { parseSpseRole, type SpseRole } from '../registry/spse-roles';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { maskNik, type PiiCipher } from '../shared/pii';
import { decide, stepOf, timeStandardOf, allowedActions } from '../workflow/decide';
import { selectDefinition, workflowDefinitions } from '../workflow/definitions';
import { computeDueAt } from '../workflow/time-standard';
import { workingMinutesBetween } from '../workflow/working-calendar';
import {
  documentKinds,
  ticketTypes,
  type ActionName,
  type Channel,
  type DocumentKind,
  type Effect,
  type TicketType,
  type WorkflowDefinition,
} from '../workflow/workflow.types';
import type { AccountConnector } from './account-connector';
import { TicketDocument } from '../documents/document.entity';
import {
  RejectReason,
  Ticket,
  TicketEvent,
  TicketMessage,
  TicketStepDeadline,
  type ContactKind,
} from './ticket.entity';
import { compareWithRegistry, type ValidityComparison } from './validity';

/** Roles that see a requester's full NIK (the validity check); each view is audited. */
export const ticketNikRoles: readonly Role[] = ['ADMIN_PPE', 'SUPERVISOR'];

export interface CreateTicketInput {
  /** Null: not known yet; the ticket waits for the helpdesk's `classify` (email intake). */
  type: TicketType | null;
  channel: Channel;
  language?: 'id' | 'en';
  requester: {
    name: string;
    userId?: string | null;
    nik?: string | null;
    nip?: string | null;
    spseRole?: string | null;
    agency?: string | null;
    email?: string | null;
    phone?: string | null;
  };
  contact: { kind: ContactKind; address?: string | null };
  message?: string | null;
  /** External id of the first message (the email intake: the Message-ID). */
  messageExternalId?: string | null;
  /** False: no acknowledgement (the email intake's loop and rate guards decided so). */
  acknowledge?: boolean;
}

/** What `reserveCode` gives: the office a new ticket belongs to and its code. */
export interface ReservedCode {
  office: Office;
  code: string;
}

export interface ActionInput {
  action: ActionName;
  version: number;
  data?: Record<string, unknown>;
  reason?: string | null;
}

/** Per action, the shape of `data`. Unknown fields are refused like everywhere else. */
const actionData: Record<ActionName, TSchema> = {
  open: Type.Object({}, { additionalProperties: false }),
  completeness_result: Type.Object(
    {
      complete: Type.Boolean(),
      missing: Type.Optional(
        Type.Array(Type.Union(documentKinds.map((k) => Type.Literal(k))), { maxItems: 10 }),
      ),
    },
    { additionalProperties: false },
  ),
  ask_to_complete: Type.Object({}, { additionalProperties: false }),
  document_added: Type.Object(
    { documentId: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
  forward: Type.Object(
    { assigneeId: Type.Optional(Type.String({ format: 'uuid' })) },
    { additionalProperties: false },
  ),
  validity_result: Type.Object(
    {
      valid: Type.Boolean(),
      phoneConfirmation: Type.Optional(
        Type.Object(
          {
            phone: Type.String({ minLength: 6, maxLength: 30 }),
            calledAt: Type.String({ format: 'date-time' }),
            note: Type.Optional(Type.String({ maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  ),
  resolve: Type.Object({}, { additionalProperties: false }),
  reject: Type.Object(
    { reasonCode: Type.String({ minLength: 1, maxLength: 40 }) },
    { additionalProperties: false },
  ),
  notify: Type.Object({}, { additionalProperties: false }),
  archive: Type.Object(
    {
      archiveNumber: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
      retentionYears: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
    },
    { additionalProperties: false },
  ),
  classify: Type.Object(
    { type: Type.Union(ticketTypes.map((t) => Type.Literal(t))) },
    { additionalProperties: false },
  ),
};

export type TicketsService = ReturnType<typeof createTicketsService>;

export interface TicketsServiceDeps {
  dataSource: DataSource;
  pii: PiiCipher;
  audit: AuditService;
  clock: Clock;
  offices: OfficesService;
  connector: AccountConnector;
  config: Pick<Config, 'TEMP_SECRET_TTL_MINUTES'>;
}

const invalid = (field: string, reason: string) =>
  new AppError('VALIDATION_FAILED', { detail: `${field}: ${reason}` }, [{ field, reason }]);

/** The requester's claim, normalised and checked; refuses what cannot be right. */
function normaliseClaim(input: CreateTicketInput['requester']) {
  const name = cleanText(input.name);
  if (!name || name.length > 200)
    throw invalid('requester.name', 'required, at most 200 characters');
  const nik = input.nik ? compactDigits(input.nik) : null;
  if (nik !== null && !isNik(nik)) throw invalid('requester.nik', 'NIK must be 16 digits');
  const nip = input.nip ? compactDigits(input.nip) : null;
  if (nip !== null && !isNip(nip)) throw invalid('requester.nip', 'NIP must be 18 digits');
  let spseRole: SpseRole | null = null;
  if (input.spseRole) {
    spseRole = parseSpseRole(input.spseRole) ?? null;
    if (!spseRole) throw invalid('requester.spseRole', 'not an SPSE role');
  }
  const email = input.email ? normaliseEmail(input.email) : null;
  if (input.email && !email) throw invalid('requester.email', 'not a valid email address');
  const phone = input.phone ? normalisePhone(input.phone) : null;
  if (input.phone && !phone)
    throw invalid('requester.phone', 'not a valid Indonesian phone number');
  const userId = input.userId ? cleanText(input.userId) : null;
  if (userId && userId.length > 100) throw invalid('requester.userId', 'at most 100 characters');
  const agency = input.agency ? cleanText(input.agency) : null;
  return {
    name,
    nik,
    nip,
    spseRole,
    email,
    phone,
    userId: userId === '' ? null : userId,
    agency: agency === '' ? null : agency,
  };
}

function normaliseContact(contact: CreateTicketInput['contact']): {
  kind: ContactKind;
  address: string | null;
} {
  const raw = contact.address?.trim() ?? '';
  switch (contact.kind) {
    case 'NONE':
      return { kind: 'NONE', address: null };
    case 'EMAIL': {
      const email = normaliseEmail(raw);
      if (!email) throw invalid('contact.address', 'not a valid email address');
      return { kind: 'EMAIL', address: email };
    }
    case 'PHONE': {
      const phone = normalisePhone(raw);
      if (!phone) throw invalid('contact.address', 'not a valid Indonesian phone number');
      return { kind: 'PHONE', address: phone };
    }
    case 'WHATSAPP':
      // A WhatsApp chat id is opaque (`...@c.us` or `...@lid`, or the chat simulator's
      // `sim:<uuid>`); keep it as given.
      if (!/^[0-9A-Za-z@._+-]{5,100}$/.test(raw) && !SIMULATOR_CHAT_PATTERN.test(raw))
        throw invalid('contact.address', 'not a WhatsApp chat id');
      return { kind: 'WHATSAPP', address: raw };
  }
}

function requiredDocuments(
  def: WorkflowDefinition,
  role: SpseRole | null,
): readonly DocumentKind[] {
  return (
    (role ? def.requiredDocuments.bySpseRole?.[role] : undefined) ?? def.requiredDocuments.default
  );
}

/** Steps in which the desk may still correct the request form's details (before forwarding). */
const requesterEditableSteps: readonly string[] = [
  'RECEIVED',
  'COMPLETENESS_CHECK',
  'INCOMPLETE',
  'AWAITING_REQUESTER',
  'READY_TO_FORWARD',
];

function actorColumns(
  actor: Actor,
  principal: Principal | null,
): Pick<TicketEvent, 'actorType' | 'actorId' | 'actorLabel' | 'actorRole'> {
  return {
    actorType: actor.type,
    actorId: actor.id,
    actorLabel: actor.label,
    actorRole: principal ? principal.role : 'SYSTEM',
  };
}

/** One formatter per office time zone: building an Intl.DateTimeFormat per ticket is costly. */
const periodFormats = new Map<string, Intl.DateTimeFormat>();
function periodFormat(timeZone: string): Intl.DateTimeFormat {
  let format = periodFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, year: '2-digit', month: '2-digit' });
    periodFormats.set(timeZone, format);
  }
  return format;
}

export function createTicketsService(deps: TicketsServiceDeps) {
  const { dataSource, pii, audit, clock, offices, connector, config } = deps;

  async function nextCode(m: EntityManager, now: Date, timeZone: string): Promise<string> {
    const parts = periodFormat(timeZone).formatToParts(now);
    const period = `${parts.find((p) => p.type === 'year')?.value ?? '00'}${parts.find((p) => p.type === 'month')?.value ?? '00'}`;
    // One row per month; the upsert's row lock orders concurrent creators, across API instances.
    const rows: { value: number }[] = await m.query(
      `INSERT INTO ticket_counters (period, value) VALUES ($1, 1)
       ON CONFLICT (period) DO UPDATE SET value = ticket_counters.value + 1 RETURNING value`,
      [period],
    );
    const value = rows[0]?.value ?? 0;
    return `LKT-${period}-${String(value).padStart(5, '0')}`;
  }

  async function findRegistryMatch(
    m: EntityManager,
    claim: ReturnType<typeof normaliseClaim>,
  ): Promise<RegistryEntry | null> {
    if (claim.userId) {
      const byUser = await m.findOne(RegistryEntry, {
        where: { userIdKey: userIdKeyOf(claim.userId) },
      });
      if (byUser) return byUser;
    }
    if (claim.nik) {
      const byNik = await m.find(RegistryEntry, {
        where: { nikHash: pii.hash(claim.nik) },
        take: 2,
      });
      if (byNik.length === 1) return byNik[0] ?? null;
    }
    return null;
  }

  async function writeEffects(
    m: EntityManager,
    ticket: Ticket,
    effects: readonly Effect[],
    extra: { secretId?: string },
  ) {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'NOTIFY_REQUESTER': {
          let template = effect.template;
          let recipient = effect.recipient;
          if (recipient === 'CONTACT_OF_RECORD' && ticket.resolution?.deliverTo === 'PICKUP') {
            // No contact of record: the result is collected in person; the requester is told so.
            template = 'pickup-in-person';
            recipient = 'REQUESTER_CONTACT';
          }
          if (recipient === 'REQUESTER_CONTACT' && ticket.contactKind === 'NONE') break;
          const secretId =
            template === 'password-reset'
              ? (extra.secretId ?? (ticket.resolution?.secretId as string | undefined))
              : undefined;
          await enqueueOutbox(m, queueNames.notifications, 'notify.requester', {
            ticketId: ticket.id,
            template,
            recipient,
            ...(secretId ? { secretId } : {}),
          });
          break;
        }
        case 'RESOLVE_ACCOUNT':
          break; // handled by `act` before the effects are written
      }
    }
  }

  function definitionOf(ticket: Ticket): WorkflowDefinition {
    const def = workflowDefinitions.get(ticket.workflowId);
    if (!def) throw new Error(`ticket ${ticket.id} has unknown workflow ${ticket.workflowId}`);
    return def;
  }

  /** Ends the open step row and opens the next one; returns the due time of the new step. */
  async function moveDeadline(
    m: EntityManager,
    ticket: Ticket,
    def: WorkflowDefinition,
    to: string,
    now: Date,
  ) {
    const office = await m.findOneOrFail(Office, { where: { id: ticket.officeId } });
    const calendar = await offices.calendarFor(office, m);
    const open = await m.findOne(TicketStepDeadline, {
      where: { ticketId: ticket.id, endedAt: IsNull() },
      order: { id: 'DESC' },
    });
    if (open) {
      await m.update(
        TicketStepDeadline,
        { id: open.id },
        {
          endedAt: now,
          // Whole minutes (the column is an integer; a step rarely ends on a minute boundary).
          workingMinutes: Math.round(workingMinutesBetween(open.startedAt, now, calendar)),
        },
      );
    }
    const step = stepOf(def, to);
    const dueAt = step.terminal
      ? null
      : computeDueAt(now, timeStandardOf(step, ticket.channel), calendar);
    if (!step.terminal) {
      await m.insert(TicketStepDeadline, {
        ticketId: ticket.id,
        workflowId: def.id,
        step: to,
        startedAt: now,
        dueAt,
        endedAt: null,
        workingMinutes: null,
        breachedAt: null,
      });
    }
    return dueAt;
  }

  /** The documents a complete file needs for this requester, and which are not there yet. */
  async function completeness(
    ticket: Ticket,
  ): Promise<{ required: readonly DocumentKind[]; missing: DocumentKind[] }> {
    const def = definitionOf(ticket);
    const required = requiredDocuments(def, ticket.requesterSpseRole);
    const present = new Set(
      (
        await dataSource
          .getRepository(TicketDocument)
          .find({ where: { ticketId: ticket.id }, select: { kind: true } })
      ).map((d) => d.kind),
    );
    return { required, missing: required.filter((k) => !present.has(k)) };
  }

  /** The claim compared field by field with the registry entry it names (for the Admin PPE). */
  async function validityComparison(
    ticket: Ticket,
  ): Promise<{ registryEntryId: string | null; comparison: ValidityComparison | null }> {
    if (!ticket.registryEntryId) return { registryEntryId: null, comparison: null };
    const entry = await dataSource
      .getRepository(RegistryEntry)
      .findOne({ where: { id: ticket.registryEntryId } });
    if (!entry) return { registryEntryId: null, comparison: null };
    const comparison = compareWithRegistry(
      {
        fullName: ticket.requesterName,
        userId: ticket.requesterUserId,
        nik: ticket.requesterNikEncrypted ? pii.decrypt(ticket.requesterNikEncrypted) : null,
        nip: ticket.requesterNip,
        spseRole: ticket.requesterSpseRole,
        agency: ticket.requesterAgency,
        email: ticket.requesterEmail,
        phone: ticket.requesterPhone,
      },
      {
        userId: entry.userId,
        fullName: entry.fullName,
        nik: pii.decrypt(entry.nikEncrypted),
        nip: entry.nip,
        spseRole: entry.spseRole,
        agency: entry.agency,
        email: entry.email,
        phone: entry.phone,
      },
    );
    return { registryEntryId: entry.id, comparison };
  }

  /**
   * The office and the code of a ticket that `create` will write in a caller's transaction.
   * Taken before that transaction opens, on a pooled connection of its own: a caller holding
   * its transaction's connection while waiting for a second one could starve the pool.
   */
  async function reserveCode(): Promise<ReservedCode> {
    const office = await offices.defaultOffice(dataSource.manager);
    const code = await nextCode(dataSource.manager, clock.now(), office.timeZone);
    return { office, code };
  }

  return {
    reserveCode,

    /**
     * Opens a ticket. With `inTransaction` the ticket is written in the caller's transaction
     * (the email intake commits it with the mail's own bookkeeping), with a code reserved
     * before that transaction began (`reserveCode`).
     */
    async create(
      input: CreateTicketInput,
      principal: Principal,
      actor: Actor,
      inTransaction?: { manager: EntityManager; reserved: ReservedCode },
    ): Promise<Ticket> {
      const claim = normaliseClaim(input.requester);
      const contact = normaliseContact(input.contact);
      // The code comes first, in its own statement: the month's counter row stays locked only for
      // that statement, not for the whole create (it serialised every create on one row). A
      // create that fails after this leaves a gap in the codes, never a duplicate.
      const { office, code } = inTransaction?.reserved ?? (await reserveCode());
      const run = <T>(work: (m: EntityManager) => Promise<T>) =>
        inTransaction ? work(inTransaction.manager) : dataSource.transaction(work);
      return run(async (m) => {
        const now = clock.now();
        const def = selectDefinition(input.type, claim.spseRole, office);
        const calendar = await offices.calendarFor(office, m);
        const registry = await findRegistryMatch(m, claim);
        const first = stepOf(def, def.initialStep);
        const dueAt = computeDueAt(now, timeStandardOf(first, input.channel), calendar);
        const ticket = m.create(Ticket, {
          id: randomUUID(),
          code,
          officeId: office.id,
          type: input.type,
          channel: input.channel,
          language: input.language ?? 'id',
          workflowId: def.id,
          step: def.initialStep,
          stepStartedAt: now,
          stepDueAt: dueAt,
          stepBreached: false,
          assigneeId: null,
          version: 1,
          requesterName: claim.name,
          requesterUserId: claim.userId,
          requesterNikEncrypted: claim.nik ? pii.encrypt(claim.nik) : null,
          requesterNikHash: claim.nik ? pii.hash(claim.nik) : null,
          requesterNikMasked: claim.nik ? maskNik(claim.nik) : null,
          requesterNip: claim.nip,
          requesterSpseRole: claim.spseRole,
          requesterAgency: claim.agency,
          requesterEmail: claim.email,
          requesterPhone: claim.phone,
          contactKind: contact.kind,
          contactAddress: contact.address,
          registryEntryId: registry?.id ?? null,
          missingDocuments: [],
          validity: null,
          rejectReasonCode: null,
          rejectNote: null,
          resolution: null,
          archiveNumber: null,
          retainUntil: null,
          closedAt: null,
          purgedAt: null,
          needsPersonSince: null,
          createdByType: actor.type,
          createdById: actor.id,
          createdAt: now,
          updatedAt: now,
        });
        await insertRow(m, Ticket, ticket);
        await insertRow(m, TicketStepDeadline, {
          ticketId: ticket.id,
          workflowId: def.id,
          step: def.initialStep,
          startedAt: now,
          dueAt,
          endedAt: null,
          workingMinutes: null,
          breachedAt: null,
        });
        await insertRow(m, TicketEvent, {
          ticketId: ticket.id,
          at: now,
          ...actorColumns(actor, principal),
          action: 'created',
          fromStep: null,
          toStep: def.initialStep,
          reason: null,
          data: { channel: input.channel, type: input.type, workflow: def.id },
        });
        if (input.message?.trim()) {
          await insertRow(m, TicketMessage, {
            ticketId: ticket.id,
            direction: 'IN',
            channel: input.channel,
            body: input.message.trim().slice(0, 20_000),
            authorType: 'REQUESTER',
            authorId: null,
            externalId: input.messageExternalId ?? null,
          });
        }
        if (input.acknowledge !== false) {
          await writeEffects(
            m,
            ticket,
            [
              {
                kind: 'NOTIFY_REQUESTER',
                template: 'ticket-received',
                recipient: 'REQUESTER_CONTACT',
              },
            ],
            {},
          );
        }
        return ticket;
      });
    },

    async get(id: string): Promise<Ticket> {
      const t = await dataSource.getRepository(Ticket).findOne({ where: { id } });
      if (!t) throw new AppError('NOT_FOUND');
      return t;
    },

    /** The full NIK of the requester's claim, for the roles that need it; audited. */
    async revealNik(ticket: Ticket, actor: Actor): Promise<string | null> {
      if (!ticket.requesterNikEncrypted) return null;
      await audit.record(actor, {
        action: 'ticket.nik.unmasked',
        targetType: 'ticket',
        targetId: ticket.id,
      });
      return pii.decrypt(ticket.requesterNikEncrypted);
    },

    async details(ticket: Ticket) {
      const [events, deadlines, documents, messages] = await Promise.all([
        dataSource
          .getRepository(TicketEvent)
          .find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } }),
        dataSource
          .getRepository(TicketStepDeadline)
          .find({ where: { ticketId: ticket.id }, order: { id: 'ASC' } }),
        dataSource
          .getRepository(TicketDocument)
          .find({ where: { ticketId: ticket.id }, order: { createdAt: 'ASC' } }),
        dataSource
          .getRepository(TicketMessage)
          .find({ where: { ticketId: ticket.id }, order: { createdAt: 'ASC' } }),
      ]);
      const def = definitionOf(ticket);
      return { events, deadlines, documents, messages, definition: def };
    },

    /**
     * The request form's details, entered at the desk for a walk-in (the guest book holds only a
     * name, agency and phone): a new claim, matched again against the registry. Only before the
     * file goes to the Admin PPE, at the version the client saw, recorded as an event (NIK masked).
     */
    async updateRequester(
      id: string,
      input: { version: number; requester: CreateTicketInput['requester'] },
      principal: Principal,
      actor: Actor,
    ): Promise<Ticket> {
      const claim = normaliseClaim(input.requester);
      return dataSource.transaction(async (m) => {
        const t = await m.findOne(Ticket, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!t) throw new AppError('NOT_FOUND');
        if (t.version !== input.version) {
          throw new AppError(
            'VERSION_CONFLICT',
            { version: t.version },
            { currentVersion: t.version },
          );
        }
        if (!requesterEditableSteps.includes(t.step) || t.closedAt) {
          throw new AppError(
            'ACTION_NOT_ALLOWED',
            { allowed: '-', step: t.step },
            { allowed: [], step: t.step },
          );
        }
        const office = await m.findOneOrFail(Office, { where: { id: t.officeId } });
        if (selectDefinition(t.type, claim.spseRole, office).id !== t.workflowId) {
          throw invalid('requester.spseRole', 'would change the workflow; open a new ticket');
        }
        // Completeness was judged for the role on file: another role that needs other documents
        // would skip them. Before that judgement (received, being checked) a change is fine.
        const def = workflowDefinitions.get(t.workflowId);
        const judged = ['INCOMPLETE', 'AWAITING_REQUESTER', 'READY_TO_FORWARD'].includes(t.step);
        if (def && judged && claim.spseRole !== t.requesterSpseRole) {
          const before = [...requiredDocuments(def, t.requesterSpseRole)].sort().join();
          const after = [...requiredDocuments(def, claim.spseRole)].sort().join();
          if (before !== after) {
            throw invalid(
              'requester.spseRole',
              'this role needs other documents than the completeness check judged; open a new ticket',
            );
          }
        }
        const changed = (
          [
            ['name', t.requesterName, claim.name],
            ['userId', t.requesterUserId, claim.userId],
            ['nip', t.requesterNip, claim.nip],
            ['spseRole', t.requesterSpseRole, claim.spseRole],
            ['agency', t.requesterAgency, claim.agency],
            ['email', t.requesterEmail, claim.email],
            ['phone', t.requesterPhone, claim.phone],
          ] as const
        )
          .filter(([, was, now]) => (was ?? null) !== (now ?? null))
          .map(([field]) => field);
        const previous = { nikMasked: t.requesterNikMasked, registryEntryId: t.registryEntryId };
        // An NIK left out keeps the one on file (the console never shows it to re-send it).
        if (input.requester.nik === undefined) {
          claim.nik = t.requesterNikEncrypted ? pii.decrypt(t.requesterNikEncrypted) : null;
        }
        const registry = await findRegistryMatch(m, claim);
        const now = clock.now();
        Object.assign(t, {
          requesterName: claim.name,
          requesterUserId: claim.userId,
          requesterNikEncrypted: claim.nik ? pii.encrypt(claim.nik) : null,
          requesterNikHash: claim.nik ? pii.hash(claim.nik) : null,
          requesterNikMasked: claim.nik ? maskNik(claim.nik) : null,
          requesterNip: claim.nip,
          requesterSpseRole: claim.spseRole,
          requesterAgency: claim.agency,
          requesterEmail: claim.email,
          requesterPhone: claim.phone,
          registryEntryId: registry?.id ?? null,
          version: t.version + 1,
          updatedAt: now,
        });
        await m.save(t);
        await insertRow(m, TicketEvent, {
          ticketId: t.id,
          at: now,
          ...actorColumns(actor, principal),
          action: 'requester_updated',
          fromStep: t.step,
          toStep: t.step,
          reason: null,
          data: {
            registryMatched: registry !== null,
            nikMasked: t.requesterNikMasked,
            changed: [...changed, ...(previous.nikMasked !== t.requesterNikMasked ? ['nik'] : [])],
            previous,
          },
        });
        return t;
      });
    },

    allowedFor(ticket: Ticket, role: Role): ActionName[] {
      const def = workflowDefinitions.get(ticket.workflowId);
      return def ? allowedActions(ticket, role, def) : [];
    },

    completeness,

    validityComparison,

    /**
     * Runs one SOP action under a row lock, checking the version the client saw. The state
     * change, its event, its deadline rows and its effects (outbox rows) commit together.
     * Returns the ticket and, for a manual password reset, the temporary password to show once.
     */
    async act(
      id: string,
      input: ActionInput,
      principal: Principal,
      actor: Actor,
    ): Promise<{ ticket: Ticket; temporaryPassword?: string }> {
      const schema = actionData[input.action];
      const data = input.data ?? {};
      if (!Value.Check(schema, data)) {
        const first = [...Value.Errors(schema, data)][0];
        throw invalid(`data${first?.path ?? ''}`, first?.message ?? 'invalid');
      }
      let temporaryPassword: string | undefined;
      const ticket = await dataSource.transaction(async (m) => {
        const t = await m.findOne(Ticket, { where: { id }, lock: { mode: 'pessimistic_write' } });
        if (!t) throw new AppError('NOT_FOUND');
        if (t.version !== input.version) {
          throw new AppError(
            'VERSION_CONFLICT',
            { version: t.version },
            { currentVersion: t.version },
          );
        }
        const def = definitionOf(t);
        const decision = decide(t, input.action, { role: principal.role }, def, {
          data,
          reason: input.reason ?? null,
        });
        if (!decision.ok) {
          const allowed = decision.allowed.join(', ') || '-';
          switch (decision.code) {
            case 'ACTION_NOT_ALLOWED':
              throw new AppError(
                'ACTION_NOT_ALLOWED',
                { allowed, step: t.step },
                { allowed: decision.allowed, step: t.step },
              );
            case 'ROLE_NOT_ALLOWED':
              throw new AppError(
                'ROLE_NOT_ALLOWED',
                { allowed },
                { allowed: decision.allowed, step: t.step },
              );
            case 'REASON_REQUIRED':
              throw new AppError('REASON_REQUIRED');
            case 'DATA_MISMATCH':
              throw invalid('data', 'does not fit this action');
          }
        }
        const now = clock.now();
        const eventData: Record<string, unknown> = {};

        switch (input.action) {
          case 'completeness_result': {
            const d = data as { complete: boolean; missing?: DocumentKind[] };
            if (!d.complete) {
              const computed = (await completeness(t)).missing;
              const missing = d.missing && d.missing.length > 0 ? d.missing : computed;
              if (missing.length === 0) throw invalid('data.missing', 'name the missing documents');
              t.missingDocuments = [...new Set(missing)];
            } else {
              t.missingDocuments = [];
            }
            eventData.missing = t.missingDocuments;
            break;
          }
          case 'forward': {
            const assigneeId = (data as { assigneeId?: string }).assigneeId;
            if (assigneeId) {
              const assignee = await m.findOne(StaffUser, { where: { id: assigneeId } });
              if (!assignee || assignee.disabledAt || assignee.role !== 'ADMIN_PPE') {
                throw invalid('data.assigneeId', 'must be an active ADMIN_PPE account');
              }
              t.assigneeId = assignee.id;
              eventData.assigneeId = assignee.id;
            }
            break;
          }
          case 'validity_result': {
            const d = data as {
              valid: boolean;
              phoneConfirmation?: { phone: string; calledAt: string; note?: string };
            };
            const { comparison } = await validityComparison(t);
            let phoneConfirmation: Record<string, unknown> | null = null;
            if (d.phoneConfirmation) {
              const entry = t.registryEntryId
                ? await m.findOne(RegistryEntry, { where: { id: t.registryEntryId } })
                : null;
              const called = normalisePhone(d.phoneConfirmation.phone);
              // A confirmation call counts only to the number the registry holds, never the one the request claims.
              if (!entry?.phone || !called || called !== entry.phone)
                throw new AppError('PHONE_NOT_OF_RECORD');
              phoneConfirmation = {
                phone: called,
                calledAt: d.phoneConfirmation.calledAt,
                note: d.phoneConfirmation.note ?? null,
                by: actor.id,
              };
            }
            t.validity = {
              valid: d.valid,
              decidedBy: actor.id,
              decidedAt: now.toISOString(),
              comparison,
              phoneConfirmation,
              note: input.reason ?? null,
            };
            eventData.valid = d.valid;
            eventData.mismatches = comparison?.mismatches ?? null;
            eventData.phoneConfirmed = phoneConfirmation !== null;
            break;
          }
          case 'resolve': {
            const entry = t.registryEntryId
              ? await m.findOne(RegistryEntry, { where: { id: t.registryEntryId } })
              : null;
            const deliverTo = entry?.email ? 'EMAIL' : entry?.phone ? 'PHONE' : 'PICKUP';
            if (t.type === 'RESET_PASSWORD') {
              const result = await connector.resetPassword({
                ticketId: t.id,
                userId: entry?.userId ?? t.requesterUserId,
              });
              const secret = await m.save(
                m.create(OneTimeSecret, {
                  ticketId: t.id,
                  purpose: 'TEMPORARY_PASSWORD',
                  sealed: pii.encrypt(result.temporaryPassword),
                  expiresAt: new Date(now.getTime() + config.TEMP_SECRET_TTL_MINUTES * 60_000),
                }),
              );
              temporaryPassword = result.temporaryPassword;
              t.resolution = {
                kind: 'PASSWORD_RESET',
                connector: connector.name,
                secretId: secret.id,
                deliverTo,
              };
            } else {
              const result = await connector.lookupUserId({
                ticketId: t.id,
                registryEntryId: entry?.id ?? null,
              });
              t.resolution = {
                kind: 'USER_ID_FOUND',
                connector: connector.name,
                found: result.found,
                deliverTo,
              };
            }
            eventData.connector = connector.name;
            eventData.deliverTo = deliverTo;
            break;
          }
          case 'reject': {
            const code = (data as { reasonCode: string }).reasonCode;
            const reason = await m.findOne(RejectReason, { where: { code, active: true } });
            if (!reason) throw invalid('data.reasonCode', 'not a reason in the catalogue');
            t.rejectReasonCode = code;
            t.rejectNote = input.reason?.trim() ?? null;
            eventData.reasonCode = code;
            break;
          }
          case 'archive': {
            const d = data as { archiveNumber: string; retentionYears?: number };
            const office = await m.findOneOrFail(Office, { where: { id: t.officeId } });
            const until = new Date(now);
            until.setUTCFullYear(
              until.getUTCFullYear() + (d.retentionYears ?? office.retentionYears),
            );
            t.archiveNumber = d.archiveNumber.trim();
            t.retainUntil = until.toISOString().slice(0, 10);
            t.closedAt = now;
            eventData.archiveNumber = t.archiveNumber;
            eventData.retainUntil = t.retainUntil;
            break;
          }
          case 'document_added':
            eventData.documentId = (data as { documentId?: string }).documentId ?? null;
            break;
          case 'classify':
            eventData.type = (data as { type: TicketType }).type;
            break;
          case 'open':
          case 'ask_to_complete':
          case 'notify':
            break;
        }

        // A hand-over (classify) continues in the definition of the type just named, at its
        // initial step; the step row of this definition ends like any other.
        let target = def;
        let to = decision.to;
        if (decision.transition.handoff) {
          const type = (data as { type: TicketType }).type;
          const office = await m.findOneOrFail(Office, { where: { id: t.officeId } });
          target = selectDefinition(type, t.requesterSpseRole, office);
          to = target.initialStep;
          t.type = type;
          t.workflowId = target.id;
          eventData.workflow = target.id;
        }
        const dueAt = await moveDeadline(m, t, target, to, now);
        const from = t.step;
        t.step = to;
        t.stepStartedAt = now;
        t.stepDueAt = dueAt;
        t.stepBreached = false;
        t.version += 1;
        t.updatedAt = now;
        await m.save(t);
        await insertRow(m, TicketEvent, {
          ticketId: t.id,
          at: now,
          ...actorColumns(actor, principal),
          action: input.action,
          fromStep: from,
          toStep: to,
          reason: input.reason?.trim() ?? null,
          data: eventData,
        });
        await writeEffects(m, t, decision.effects, {});
        return t;
      });
      return temporaryPassword ? { ticket, temporaryPassword } : { ticket };
    },

    /**
     * Adds to the conversation: a message the requester sent (through the bot or the intake) or a
     * staff reply, which goes out as a notice to the contact the request came from.
     */
    async addMessage(
      ticketId: string,
      input: { body: string; externalId?: string | null },
      principal: Principal,
      actor: Actor,
    ): Promise<TicketMessage> {
      const body = input.body.trim();
      if (!body) throw invalid('body', 'required');
      const inbound = principal.kind === 'service';
      return dataSource.transaction(async (m) => {
        const t = await m.findOne(Ticket, { where: { id: ticketId } });
        if (!t) throw new AppError('NOT_FOUND');
        if (t.closedAt) throw new AppError('TICKET_CLOSED');
        const message = m.create(TicketMessage, {
          ticketId: t.id,
          direction: inbound ? 'IN' : 'OUT',
          channel: t.channel,
          body: body.slice(0, 20_000),
          authorType: inbound ? 'REQUESTER' : 'STAFF',
          authorId: inbound ? null : actor.id,
          externalId: input.externalId ?? null,
        });
        await m.save(message);
        // A staff reply answers a "talk to staff" request from the bot.
        if (!inbound && t.needsPersonSince) {
          await m.update(Ticket, { id: t.id }, { needsPersonSince: null });
        }
        if (!inbound && t.contactKind !== 'NONE') {
          await enqueueOutbox(m, queueNames.notifications, 'notify.requester', {
            ticketId: t.id,
            template: 'staff-reply',
            recipient: 'REQUESTER_CONTACT',
            messageId: message.id,
          });
        }
        return message;
      });
    },

    async rejectReasons(): Promise<RejectReason[]> {
      return dataSource
        .getRepository(RejectReason)
        .find({ where: { active: true }, order: { code: 'ASC' } });
    },
  };
}
