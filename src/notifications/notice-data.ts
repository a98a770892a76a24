import type { EntityManager } from 'typeorm';
import { StaffUser } from '../auth/staff-user.entity';
import { Office } from '../offices/office.entity';
import { OneTimeSecret } from '../outbox/outbox.entity';
import { RegistryEntry } from '../registry/registry-entry.entity';
import type { PreparedQuery } from '../db/prepared';
import type { PiiCipher } from '../shared/pii';
import {
  RejectReason,
  Ticket,
  TicketEvent,
  TicketMessage,
  TicketStepDeadline,
} from '../tickets/ticket.entity';
import { stepOf } from '../workflow/decide';
import { workflowDefinitions } from '../workflow/definitions';
import type { NoticeTemplate } from '../workflow/workflow.types';
import type { Notification } from './notification.entity';
import type { NoticeData, NotificationTemplates, OfficeInfo, RenderedEmail } from './templates';

/** What a notice reads of its ticket. */
export type NoticeTicket = Pick<
  Ticket,
  | 'id'
  | 'code'
  | 'officeId'
  | 'type'
  | 'requesterName'
  | 'requesterUserId'
  | 'registryEntryId'
  | 'missingDocuments'
  | 'rejectReasonCode'
  | 'rejectNote'
  | 'workflowId'
  | 'step'
  | 'stepDueAt'
  | 'assigneeId'
  | 'createdAt'
  | 'purgedAt'
  | 'channel'
>;

const noticeTicketColumns: Record<keyof NoticeTicket, string> = {
  id: 'id',
  code: 'code',
  officeId: 'office_id',
  type: 'type',
  requesterName: 'requester_name',
  requesterUserId: 'requester_user_id',
  registryEntryId: 'registry_entry_id',
  missingDocuments: 'missing_documents',
  rejectReasonCode: 'reject_reason_code',
  rejectNote: 'reject_note',
  workflowId: 'workflow_id',
  step: 'step',
  stepDueAt: 'step_due_at',
  assigneeId: 'assignee_id',
  createdAt: 'created_at',
  purgedAt: 'purged_at',
  channel: 'channel',
};

/** The SELECT list of a notice's ticket columns, as `<prefix><field>`. */
export function noticeTicketSelect(alias: string, prefix: string): string {
  return Object.entries(noticeTicketColumns)
    .map(([field, column]) => `${alias}.${column} AS "${prefix}${field}"`)
    .join(', ');
}

/** The ticket from a row selected with `noticeTicketSelect`; null when the join found none. */
export function noticeTicketFromRow(
  row: Record<string, unknown>,
  prefix: string,
): NoticeTicket | null {
  if (row[`${prefix}id`] === null || row[`${prefix}id`] === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const field of Object.keys(noticeTicketColumns)) out[field] = row[`${prefix}${field}`];
  return out as NoticeTicket;
}

/** A notice and its data, typed together. */
export type AnyNotice = { [K in NoticeTemplate]: { name: K; data: NoticeData[K] } }[NoticeTemplate];

/** The notice no longer applies (its ticket was purged, the staff reply is gone): cancel it. */
export class NoticeCancelled extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'NoticeCancelled';
  }
}

/** The notice cannot be built and never will be (an expired secret, missing data): dead now. */
export class NoticeUnbuildable extends Error {
  constructor(
    readonly code: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'NoticeUnbuildable';
  }
}

export function renderNoticeEmail(
  templates: NotificationTemplates,
  notice: AnyNotice,
  lang: 'id' | 'en',
): RenderedEmail {
  return templates.renderEmail(notice.name, lang, notice.data);
}

export function renderNoticeWhatsApp(
  templates: NotificationTemplates,
  notice: AnyNotice,
  lang: 'id' | 'en',
): string {
  if (notice.name === 'deadline-breached') {
    throw new NoticeUnbuildable('NO_WHATSAPP_TEMPLATE', 'staff alerts go by email only');
  }
  return templates.renderWhatsApp(notice.name, lang, notice.data);
}

/** The office a notice speaks for, as the notices print it. */
export async function readOffice(m: EntityManager, officeId: string): Promise<OfficeInfo> {
  const office = await m.findOne(Office, { where: { id: officeId } });
  return { name: office?.name ?? 'Helpdesk', timeZone: office?.timeZone ?? 'Asia/Jakarta' };
}

/**
 * Reads what a notice prints, at send time: the ticket as it is now, the office, and for a
 * password reset the one-time secret (decrypted here and nowhere else).
 */
export async function loadNoticeData(
  m: EntityManager,
  n: Notification,
  pii: PiiCipher,
  now: Date,
  officeOf: (m: EntityManager, officeId: string) => Promise<OfficeInfo> = readOffice,
  sql: PreparedQuery = async <T>(_name: string, text: string, values: unknown[]) =>
    m.query<T[]>(text, values),
  /** The ticket, when the caller read it already (null: it does not exist). */
  preloaded?: NoticeTicket | null,
): Promise<{ ticket: NoticeTicket; notice: AnyNotice }> {
  // Raw and only the columns a notice reads: this runs once per message sent (the email sender
  // reads them with its claim, in the same statement).
  const ticket =
    preloaded !== undefined
      ? preloaded
      : noticeTicketFromRow(
          (
            await sql<Record<string, unknown>>(
              'notice-ticket',
              `SELECT ${noticeTicketSelect('t', 't_')} FROM tickets t WHERE t.id = $1`,
              [n.ticketId],
            )
          )[0] ?? {},
          't_',
        );
  if (!ticket) throw new NoticeCancelled('the ticket no longer exists');
  if (ticket.purgedAt) throw new NoticeCancelled("the ticket's personal data were purged");
  const officeInfo = await officeOf(m, ticket.officeId);
  const base = { name: ticket.requesterName, ticketCode: ticket.code, office: officeInfo };
  const lang = n.language;

  const userIdOfRecord = async () => {
    const entry = ticket.registryEntryId
      ? await m.findOne(RegistryEntry, { where: { id: ticket.registryEntryId } })
      : null;
    const userId = entry?.userId ?? ticket.requesterUserId;
    if (!userId) throw new NoticeUnbuildable('NO_USER_ID', 'the ticket has no user ID to send');
    return userId;
  };

  switch (n.event) {
    case 'ticket-received': {
      // An emailed request: the attachments the intake could not accept are named.
      const rejected =
        ticket.channel === 'EMAIL'
          ? await sql<{ rejected_files: string[] }>(
              'notice-inbound-rejected',
              `SELECT rejected_files FROM inbound_emails WHERE ticket_id = $1 AND status = 'TICKET_CREATED' LIMIT 1`,
              [ticket.id],
            )
          : [];
      return {
        ticket,
        notice: {
          name: n.event,
          data: {
            ...base,
            requestType: ticket.type ?? 'UNCLASSIFIED',
            receivedAt: ticket.createdAt,
            rejectedFiles: rejected[0]?.rejected_files ?? null,
          },
        },
      };
    }
    case 'documents-missing': {
      const event = await m.findOne(TicketEvent, {
        where: { ticketId: ticket.id, action: 'completeness_result' },
        order: { id: 'DESC' },
      });
      if (ticket.missingDocuments.length === 0) {
        throw new NoticeCancelled('the file is complete now');
      }
      return {
        ticket,
        notice: {
          name: n.event,
          data: {
            ...base,
            requestType: ticket.type ?? 'UNCLASSIFIED',
            missingDocuments: ticket.missingDocuments,
            note: event?.reason ?? null,
          },
        },
      };
    }
    case 'request-rejected': {
      const reason = ticket.rejectReasonCode
        ? await m.findOne(RejectReason, { where: { code: ticket.rejectReasonCode } })
        : null;
      if (!reason) throw new NoticeUnbuildable('NO_REASON', 'the ticket has no reject reason');
      return {
        ticket,
        notice: {
          name: n.event,
          data: {
            ...base,
            requestType: ticket.type ?? 'UNCLASSIFIED',
            reasonLabel: lang === 'en' ? reason.labelEn : reason.labelId,
            note: ticket.rejectNote,
          },
        },
      };
    }
    case 'password-reset': {
      const secret = n.secretId
        ? await m.findOne(OneTimeSecret, { where: { id: n.secretId } })
        : null;
      if (secret && (secret.ticketId !== ticket.id || n.recipientKind !== 'CONTACT_OF_RECORD')) {
        // Only the ticket's own secret, and only to the registry's contact of record.
        throw new NoticeUnbuildable('SECRET_MISMATCH', 'the secret does not belong to this notice');
      }
      if (!secret || secret.expiresAt.getTime() <= now.getTime()) {
        throw new NoticeUnbuildable(
          'SECRET_EXPIRED',
          'the temporary password expired before it could be sent; reset the password again',
        );
      }
      return {
        ticket,
        notice: {
          name: n.event,
          data: {
            ...base,
            userId: await userIdOfRecord(),
            temporaryPassword: pii.decrypt(secret.sealed),
            expiresAt: secret.expiresAt,
          },
        },
      };
    }
    case 'user-id-info':
      return {
        ticket,
        notice: { name: n.event, data: { ...base, userId: await userIdOfRecord() } },
      };
    case 'pickup-in-person':
      return {
        ticket,
        notice: { name: n.event, data: { ...base, requestType: ticket.type ?? 'UNCLASSIFIED' } },
      };
    case 'staff-reply': {
      const message = n.messageId
        ? await m.findOne(TicketMessage, { where: { id: n.messageId } })
        : null;
      if (!message) throw new NoticeCancelled('the staff reply no longer exists');
      const author = message.authorId
        ? await m.findOne(StaffUser, { where: { id: message.authorId } })
        : null;
      return {
        ticket,
        notice: {
          name: n.event,
          data: { ...base, message: message.body, staffName: author?.fullName ?? null },
        },
      };
    }
    case 'deadline-breached': {
      const def = workflowDefinitions.get(ticket.workflowId);
      const stepId = n.step ?? ticket.step;
      const label = def ? stepOf(def, stepId).label : { id: stepId, en: stepId };
      const deadline = await m.findOne(TicketStepDeadline, {
        where: { ticketId: ticket.id, step: stepId },
        order: { startedAt: 'DESC' },
      });
      const dueAt = deadline?.dueAt ?? ticket.stepDueAt;
      if (!dueAt) throw new NoticeUnbuildable('NO_DEADLINE', 'the step has no deadline');
      const assignee = ticket.assigneeId
        ? await m.findOne(StaffUser, { where: { id: ticket.assigneeId } })
        : null;
      return {
        ticket,
        notice: {
          name: n.event,
          data: {
            ticketCode: ticket.code,
            office: officeInfo,
            requestType: ticket.type ?? 'UNCLASSIFIED',
            stepLabel: lang === 'en' ? label.en : label.id,
            dueAt,
            assigneeName: assignee?.fullName ?? null,
          },
        },
      };
    }
  }
}
