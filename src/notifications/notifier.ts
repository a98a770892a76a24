import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config';
import { queueNames, type JobPayloads } from '../jobs/queues';
import { preparedQuery } from '../db/prepared';
import { RegistryEntry } from '../registry/registry-entry.entity';
import type { Clock } from '../shared/clock';
import type { PiiCipher } from '../shared/pii';
import { Ticket } from '../tickets/ticket.entity';
import {
  addressOf,
  BSUID_PATTERN,
  checkChatId,
  SIMULATOR_CHAT_PATTERN,
  checkEmail,
  checkIndonesianMobile,
  domainOf,
  maskEmail,
  maskPhoneOrChat,
  noticeMessageId,
  replyAddress,
  scrubError,
  ticketThreadId,
  type RecipientCheck,
} from './addressing';
import { classifyMailError, type DeliveryFailure, type Mailer } from './mailer';
import {
  loadNoticeData,
  NoticeCancelled,
  readOffice,
  NoticeUnbuildable,
  renderNoticeEmail,
  renderNoticeWhatsApp,
  noticeTicketFromRow,
  noticeTicketSelect,
  type AnyNotice,
  type NoticeTicket,
} from './notice-data';
import {
  Notification,
  type NotificationChannel,
  type NotificationStatus,
  type RecipientKind,
} from './notification.entity';
import { TemplateRenderError, type NotificationTemplates, type OfficeInfo } from './templates';
import { TemplateDataError } from './format';
import { noticeTemplates } from '../workflow/workflow.types';

/** A payload value as text, whatever the outbox row held. */
const asText = (v: unknown): string =>
  typeof v === 'string' ? v : v === undefined ? 'undefined' : JSON.stringify(v);

/** The part of a Cloud API webhook the status update reads. */
interface WebhookPayload {
  entry?: {
    changes?: {
      value?: {
        statuses?: {
          id?: unknown;
          status?: unknown;
          timestamp?: string;
          errors?: { code?: number; title?: string; message?: string }[];
        }[];
      };
    }[];
  }[];
}

/** What the fan-out reads of a ticket. */
type TicketContact = Pick<
  Ticket,
  'id' | 'language' | 'registryEntryId' | 'contactKind' | 'contactAddress'
>;

/** A notifications row as raw SQL returns it (snake_case), as the entity. */
export function notificationFromRow(r: Record<string, unknown>): Notification {
  const n = new Notification();
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));
  Object.assign(n, {
    id: r.id,
    outboxId: r.outbox_id,
    ticketId: r.ticket_id,
    event: r.event,
    channel: r.channel,
    language: r.language,
    recipientKind: r.recipient_kind,
    recipientSealed: r.recipient_sealed,
    recipientHash: r.recipient_hash,
    recipientMasked: r.recipient_masked,
    staffUserId: r.staff_user_id ?? null,
    secretId: r.secret_id ?? null,
    messageId: r.message_id ?? null,
    step: r.step ?? null,
    status: r.status,
    attempts: Number(r.attempts),
    uncertainAttempts: Number(r.uncertain_attempts),
    lastError: r.last_error ?? null,
    providerMessageId: r.provider_message_id ?? null,
    leaseUntil: date(r.lease_until),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    sentAt: date(r.sent_at),
    deliveredAt: date(r.delivered_at),
    readAt: date(r.read_at),
  });
  return n;
}

/** Where a notice goes, before it is recorded. */
interface Recipient {
  channel: NotificationChannel;
  kind: RecipientKind;
  check: RecipientCheck;
  /** What to seal and hash when the address is invalid (so the record shows what was tried). */
  raw: string;
  staffUserId?: string;
  language: 'id' | 'en';
}

export type SendOutcome =
  | { outcome: 'sent'; providerId: string; uncertain: boolean }
  | { outcome: 'skipped'; status: NotificationStatus | 'missing' }
  | { outcome: 'cancelled'; reason: string };

/** A send failed; `permanent` or `final` failures made the notice dead. */
export class SendFailed extends Error {
  constructor(
    readonly failure: DeliveryFailure,
    readonly dead: boolean,
  ) {
    super(`${failure.code}: ${failure.detail}`);
    this.name = 'SendFailed';
  }
}

/** Another worker holds the notice (its lease is live); try again later. */
export class NoticeBusy extends Error {
  constructor() {
    super('another worker is sending this notice');
    this.name = 'NoticeBusy';
  }
}

export interface SendQueues {
  email: Pick<Queue, 'add' | 'getJob'>;
  whatsapp: Pick<Queue, 'add' | 'getJob'>;
  /** Notices to a chat simulator chat: the same jobs, consumed by the simulator transport. */
  simulator: Pick<Queue, 'add' | 'getJob'>;
}

export interface NotifierDeps {
  dataSource: DataSource;
  pii: PiiCipher;
  templates: NotificationTemplates;
  config: Config;
  clock: Clock;
  /** Logs an operator-facing line (never with message content). */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

const sealedOf = (pii: PiiCipher, r: Recipient) =>
  pii.encrypt(r.check.ok ? r.check.address : r.raw);
const hashOf = (pii: PiiCipher, channel: string, address: string) =>
  pii.hash(`notify:${channel}:${address}`);
const maskOf = (r: Recipient) => {
  const value = r.check.ok ? r.check.address : r.raw;
  if (!value) return '(kosong)';
  const masked = r.channel === 'EMAIL' ? maskEmail(value) : maskPhoneOrChat(value);
  // The column holds 100; a 254-character address must not make the record (and the notice) fail.
  return masked.length <= 100 ? masked : `${masked.slice(0, 40)}…${masked.slice(-59)}`;
};

/** How the send job of a notice is queued (the job id is the notification id). */
export function sendJobOptions(config: Config) {
  return {
    attempts: config.NOTIFY_ATTEMPTS,
    backoff: { type: 'exponential', delay: config.NOTIFY_RETRY_DELAY_MS, jitter: 0.2 },
    removeOnComplete: { age: 7 * 24 * 3600, count: 50_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
  };
}

export function createNotifier(deps: NotifierDeps) {
  const { dataSource, pii, templates, config, clock } = deps;
  const sql = preparedQuery(dataSource);
  const log = deps.log ?? (() => undefined);
  const mailDomain = domainOf(config.MAIL_FROM);
  // Offices change rarely; a minute's cache spares a query per notice.
  const officeCache = new Map<string, { at: number; info: Promise<OfficeInfo> }>();
  const officeOf = (m: EntityManager, officeId: string) => {
    const hit = officeCache.get(officeId);
    if (hit && Date.now() - hit.at < 60_000) return hit.info;
    const info = readOffice(m, officeId);
    officeCache.set(officeId, { at: Date.now(), info });
    info.catch(() => officeCache.delete(officeId));
    return info;
  };
  const replyMailbox = config.MAIL_REPLY_ADDRESS ?? addressOf(config.MAIL_FROM);

  async function requesterRecipients(
    m: EntityManager,
    ticket: TicketContact,
    who: 'CONTACT_OF_RECORD' | 'REQUESTER_CONTACT',
  ): Promise<Recipient[]> {
    const language = ticket.language;
    if (who === 'CONTACT_OF_RECORD') {
      const entry = ticket.registryEntryId
        ? await m.findOne(RegistryEntry, { where: { id: ticket.registryEntryId } })
        : null;
      if (entry?.email) {
        return [
          {
            channel: 'EMAIL',
            kind: who,
            check: checkEmail(entry.email),
            raw: entry.email,
            language,
          },
        ];
      }
      if (entry?.phone) {
        return [
          {
            channel: 'WHATSAPP',
            kind: who,
            check: checkIndonesianMobile(entry.phone),
            raw: entry.phone,
            language,
          },
        ];
      }
      return [];
    }
    const address = ticket.contactAddress ?? '';
    switch (ticket.contactKind) {
      case 'EMAIL':
        return [
          { channel: 'EMAIL', kind: who, check: checkEmail(address), raw: address, language },
        ];
      case 'WHATSAPP':
        return [
          {
            channel: 'WHATSAPP',
            kind: who,
            check:
              address.includes('@') ||
              BSUID_PATTERN.test(address) ||
              SIMULATOR_CHAT_PATTERN.test(address)
                ? checkChatId(address)
                : checkIndonesianMobile(address),
            raw: address,
            language,
          },
        ];
      case 'PHONE':
        return [
          {
            channel: 'WHATSAPP',
            kind: who,
            check: checkIndonesianMobile(address),
            raw: address,
            language,
          },
        ];
      case 'NONE':
        return [];
    }
  }

  async function staffRecipients(m: EntityManager, roles: string[]): Promise<Recipient[]> {
    const staff: { id: string; email: string }[] = await m.query(
      `SELECT id, email FROM staff_users
        WHERE role = ANY($1) AND disabled_at IS NULL AND email IS NOT NULL ORDER BY username`,
      [roles],
    );
    return staff.map((s) => ({
      channel: 'EMAIL' as const,
      kind: 'STAFF' as const,
      check: checkEmail(s.email),
      raw: s.email,
      staffUserId: s.id,
      language: 'id' as const,
    }));
  }

  function jobFor(n: Notification): {
    queue: keyof SendQueues;
    name: 'email.send' | 'whatsapp.send';
    data: JobPayloads['email.send'] | JobPayloads['whatsapp.send'];
  } {
    if (n.channel === 'EMAIL') {
      return { queue: 'email', name: 'email.send', data: { notificationId: n.id } };
    }
    const address = pii.decrypt(n.recipientSealed);
    return {
      queue: SIMULATOR_CHAT_PATTERN.test(address) ? 'simulator' : 'whatsapp',
      name: 'whatsapp.send',
      data: {
        notificationId: n.id,
        template: n.event,
        language: n.language,
        recipientType: address.includes('@') || address.startsWith('sim:') ? 'CHAT_ID' : 'PHONE',
      },
    };
  }

  /** The queue a notice's send job goes to (email, WhatsApp, or the chat simulator). */
  function queueOf(n: Notification): keyof SendQueues {
    return jobFor(n).queue;
  }

  async function enqueueSend(queues: SendQueues, n: Notification) {
    const job = jobFor(n);
    await queues[job.queue].add(job.name, job.data, { ...sendJobOptions(config), jobId: n.id });
  }

  /**
   * Moves a notice to its final or retry state after a failed attempt. With `attempt`, only the
   * holder of that attempt may do so: a worker whose lease lapsed cannot undo a newer claim.
   * An uncertain failure (the connection broke after the message was handed over) is counted.
   */
  async function recordFailure(
    id: string,
    failure: DeliveryFailure,
    dead: boolean,
    attempt?: number,
  ) {
    await dataSource.query(
      `UPDATE notifications SET status = $2, last_error = $3, lease_until = NULL,
         uncertain_attempts = uncertain_attempts + $5::int, updated_at = clock_timestamp()
       WHERE id = $1 AND status NOT IN ('sent', 'cancelled')
         AND ($4::int IS NULL OR (status = 'sending' AND attempts = $4::int))`,
      [
        id,
        dead ? 'dead' : 'failed',
        `${failure.code}: ${failure.detail}`.slice(0, 500),
        attempt ?? null,
        failure.uncertain ? 1 : 0,
      ],
    );
  }

  /** The outbox row's job did its work; the sweeper leaves it alone from now on. */
  async function markProcessed(outboxId: string) {
    await dataSource.query(
      'UPDATE outbox SET processed_at = clock_timestamp() WHERE id = $1 AND processed_at IS NULL',
      [outboxId],
    );
  }

  async function recordCancelled(id: string, reason: string) {
    await dataSource.query(
      `UPDATE notifications SET status = 'cancelled', last_error = $2, lease_until = NULL,
        updated_at = clock_timestamp() WHERE id = $1 AND status <> 'sent'`,
      [id, `CANCELLED: ${reason}`.slice(0, 500)],
    );
  }

  /**
   * Takes the notice for one attempt: queued or failed (or sending with a lapsed lease, i.e. a
   * worker died mid-send) becomes sending with a lease. Null when there is nothing to send.
   */
  async function claim(
    id: string,
  ): Promise<
    | { claimed: Notification; ticket: NoticeTicket | null; uncertain: boolean }
    | { claimed: null; status: NotificationStatus | 'missing' }
  > {
    const rows = await sql<Record<string, unknown> & { previous_status: string }>(
      'notify-claim',
      // A CTE read by a SELECT: rows come back as rows whatever runs the query (TypeORM returns a
      // top-level UPDATE ... RETURNING as [rows, count]).
      `WITH prev AS (
         SELECT id, status FROM notifications WHERE id = $1 FOR UPDATE
       ), claimed AS (
         UPDATE notifications n SET status = 'sending', attempts = n.attempts + 1,
           uncertain_attempts = n.uncertain_attempts + (prev.status = 'sending')::int,
           lease_until = clock_timestamp() + make_interval(secs => $2),
           updated_at = clock_timestamp()
         FROM prev
         WHERE n.id = prev.id AND (prev.status IN ('queued', 'failed')
           OR (prev.status = 'sending' AND n.lease_until < clock_timestamp()))
         RETURNING n.*, prev.status AS previous_status
       )
       SELECT c.*, ${noticeTicketSelect('t', 't_')}
         FROM claimed c LEFT JOIN tickets t ON t.id = c.ticket_id`,
      [id, config.NOTIFY_LEASE_SECONDS],
    );
    const row = rows[0];
    if (!row) {
      const current = await dataSource.getRepository(Notification).findOne({ where: { id } });
      if (current?.status === 'sending') throw new NoticeBusy();
      return { claimed: null, status: current?.status ?? 'missing' };
    }
    return {
      claimed: notificationFromRow(row),
      ticket: noticeTicketFromRow(row, 't_'),
      uncertain: row.previous_status === 'sending',
    };
  }

  /**
   * Records the provider's acceptance at once, and deletes the one-time secret once no other
   * notice still needs it: a resend after this point would print no password.
   */
  async function recordSent(id: string, providerId: string) {
    await sql(
      'notify-sent',
      `WITH done AS (
         UPDATE notifications SET status = 'sent', sent_at = clock_timestamp(),
           provider_message_id = $2, last_error = NULL, lease_until = NULL,
           updated_at = clock_timestamp()
         WHERE id = $1 RETURNING secret_id
       )
       DELETE FROM one_time_secrets s USING done
        WHERE s.id = done.secret_id AND NOT EXISTS (
          SELECT 1 FROM notifications o WHERE o.secret_id = done.secret_id AND o.id <> $1
             AND o.status IN ('queued', 'sending', 'failed'))`,
      [id, providerId.slice(0, 300)],
    );
  }

  const asFailure = (err: unknown): DeliveryFailure | null => {
    if (err instanceof NoticeUnbuildable) {
      return { permanent: true, code: err.code, detail: err.message };
    }
    if (err instanceof TemplateRenderError || err instanceof TemplateDataError) {
      // The message names the template and the field, never a value.
      return { permanent: true, code: 'TEMPLATE', detail: err.message.slice(0, 300) };
    }
    return null;
  };

  /** Loads and renders a claimed notice; a permanent problem kills it, a cancellation ends it. */
  async function prepare(
    n: Notification,
    ticket?: NoticeTicket | null,
  ): Promise<{ ticket: NoticeTicket; notice: AnyNotice } | { stop: SendOutcome }> {
    try {
      return await loadNoticeData(dataSource.manager, n, pii, clock.now(), officeOf, sql, ticket);
    } catch (err) {
      if (err instanceof NoticeCancelled) {
        await recordCancelled(n.id, err.reason);
        return { stop: { outcome: 'cancelled', reason: err.reason } };
      }
      const failure = asFailure(err);
      if (failure) {
        await recordFailure(n.id, failure, true, n.attempts);
        throw new SendFailed(failure, true);
      }
      // Nothing was sent (e.g. the database hiccupped): give the lease back, so the retry is
      // not mistaken for a crash mid-send.
      await recordFailure(
        n.id,
        { permanent: false, code: 'PREPARE', detail: err instanceof Error ? err.name : 'error' },
        false,
        n.attempts,
      ).catch(() => undefined);
      throw err;
    }
  }

  return {
    mailDomain,

    /**
     * The notify job: records one delivery row per recipient and channel (idempotent: a retried
     * job finds its rows) and queues a send job for each row still to send. Invalid addresses are
     * recorded as dead at once, never retried and never dropped silently.
     */
    async fanOut<N extends 'notify.requester' | 'notify.staff'>(
      outboxId: string,
      name: N,
      payload: JobPayloads[N],
      queues: SendQueues,
    ): Promise<{ recorded: number; queued: number; invalid: number }> {
      // The hot path: raw statements with the columns needed, no explicit transaction (each
      // statement is atomic and a rerun is idempotent).
      const m = dataSource.manager;
      const [ticket] = await sql<TicketContact & { purged: boolean }>(
        'notify-fanout-ticket',
        `SELECT id, language, registry_entry_id AS "registryEntryId", contact_kind AS "contactKind",
                contact_address AS "contactAddress", purged_at IS NOT NULL AS purged
           FROM tickets WHERE id = $1`,
        [payload.ticketId],
      );
      let rows: Notification[] = [];
      if (ticket && !ticket.purged) {
        const recipients =
          name === 'notify.staff'
            ? await staffRecipients(m, (payload as JobPayloads['notify.staff']).roles)
            : await requesterRecipients(
                m,
                ticket,
                (payload as JobPayloads['notify.requester']).recipient,
              );
        const p = payload as Partial<JobPayloads['notify.requester'] & JobPayloads['notify.staff']>;
        const known = (noticeTemplates as readonly string[]).includes(payload.template);
        const values: unknown[] = [outboxId, ticket.id];
        const tuples = recipients.map((r) => {
          const address = r.check.ok ? r.check.address : r.raw;
          const problem = !known
            ? 'UNKNOWN_TEMPLATE: no such notice template'
            : r.check.ok
              ? null
              : `${r.check.code}: ${
                  r.check.code === 'INVALID_PHONE'
                    ? 'not an Indonesian mobile number'
                    : 'not a valid address'
                }`;
          const first = values.length + 1;
          values.push(
            randomUUID(),
            asText(payload.template).slice(0, 40),
            r.channel,
            r.language,
            r.kind,
            sealedOf(pii, r),
            hashOf(pii, r.channel, address),
            maskOf(r),
            r.staffUserId ?? null,
            p.secretId ?? null,
            p.messageId ?? null,
            p.step ?? null,
            problem ? 'dead' : 'queued',
            problem,
          );
          const at = (k: number) => `$${String(first + k)}`;
          return `(${at(0)}::uuid, $1::uuid, $2::uuid, ${Array.from({ length: 13 }, (_, k) => at(k + 1)).join(', ')})`;
        });
        if (tuples.length > 0) {
          // Recorded and marked processed in one statement: if the send jobs are lost after
          // this, the sweeper finds the queued records; if the job reruns, the conflict keeps
          // one record per recipient.
          const inserted = await sql<Record<string, unknown>>(
            `notify-fanout-insert-${String(tuples.length)}`,
            `WITH ins AS (
               INSERT INTO notifications (id, outbox_id, ticket_id, event, channel, language,
                 recipient_kind, recipient_sealed, recipient_hash, recipient_masked, staff_user_id,
                 secret_id, message_id, step, status, last_error)
               VALUES ${tuples.join(', ')}
               ON CONFLICT (outbox_id, channel, recipient_hash) DO NOTHING
               RETURNING *
             ), done AS (
               UPDATE outbox SET processed_at = clock_timestamp()
                WHERE id = $1 AND processed_at IS NULL
             )
             SELECT * FROM ins`,
            values,
          );
          rows = inserted.map(notificationFromRow);
          if (rows.length < tuples.length) {
            rows = await m.find(Notification, { where: { outboxId } });
          }
        }
      }
      if (rows.length === 0) await markProcessed(outboxId);
      let queued = 0;
      for (const n of rows) {
        if (n.status !== 'queued' && n.status !== 'failed') continue;
        await enqueueSend(queues, n);
        queued++;
      }
      const invalid = rows.filter((r) => r.status === 'dead' && r.attempts === 0).length;
      if (invalid > 0) log('warn', `notice ${outboxId}: ${invalid} recipient(s) not deliverable`);
      return { recorded: rows.length, queued, invalid };
    },

    /**
     * The email-send job. Checks the record first (a sent notice is never sent again), renders
     * at send time, sends, and records the acceptance at once.
     */
    async sendEmail(id: string, mailer: Mailer, finalAttempt: boolean): Promise<SendOutcome> {
      const c = await claim(id);
      if (!c.claimed) return { outcome: 'skipped', status: c.status };
      const n = c.claimed;
      if (c.uncertain) {
        log(
          'warn',
          `notification ${id}: the previous attempt stopped while sending; sending again with the same Message-ID (a duplicate is possible)`,
        );
      }
      const prepared = await prepare(n, c.ticket);
      if ('stop' in prepared) return prepared.stop;
      const { ticket, notice } = prepared;
      let messageId = '';
      try {
        const rendered = renderNoticeEmail(templates, notice, n.language);
        messageId = noticeMessageId(ticket.code, n.id, mailDomain);
        await mailer.send({
          id: n.id,
          to: pii.decrypt(n.recipientSealed),
          ...rendered,
          messageId,
          replyTo: replyAddress(pii, replyMailbox, ticket.code),
          references: [ticketThreadId(ticket.code, mailDomain)],
          ticketCode: ticket.code,
        });
      } catch (err) {
        const failure = asFailure(err) ?? classifyMailError(err);
        const dead = failure.permanent || finalAttempt;
        await recordFailure(n.id, failure, dead, n.attempts);
        if (failure.uncertain) {
          log(
            'warn',
            `notification ${id}: the connection broke after the message was handed over; a duplicate is possible`,
          );
        }
        throw new SendFailed(failure, dead);
      }
      await recordSent(n.id, messageId);
      return { outcome: 'sent', providerId: messageId, uncertain: c.uncertain };
    },

    /**
     * The bot's half of a WhatsApp notice: claim it and get the recipient, the text and the
     * approved template to use when the 24-hour window is closed.
     */
    async claimWhatsApp(id: string): Promise<
      | {
          claimed: true;
          notification: Notification;
          to: string;
          text: string;
          notice: AnyNotice;
          uncertain: boolean;
        }
      | { claimed: false; status: NotificationStatus | 'missing' | 'cancelled' }
    > {
      const existing = await dataSource.getRepository(Notification).findOne({ where: { id } });
      if (existing?.channel !== 'WHATSAPP') return { claimed: false, status: 'missing' };
      const c = await claim(id);
      if (!c.claimed) return { claimed: false, status: c.status };
      const prepared = await prepare(c.claimed, c.ticket);
      if ('stop' in prepared) return { claimed: false, status: 'cancelled' };
      let text: string;
      try {
        text = renderNoticeWhatsApp(templates, prepared.notice, c.claimed.language);
      } catch (err) {
        const failure = asFailure(err) ?? {
          permanent: true,
          code: 'TEMPLATE',
          detail: err instanceof Error ? err.message.slice(0, 300) : 'render failed',
        };
        await recordFailure(id, failure, true, c.claimed.attempts);
        throw new SendFailed(failure, true);
      }
      return {
        claimed: true,
        notification: c.claimed,
        to: pii.decrypt(c.claimed.recipientSealed),
        text,
        notice: prepared.notice,
        uncertain: c.uncertain,
      };
    },

    /** The bot reports the outcome of a WhatsApp send it claimed. */
    async reportWhatsApp(
      id: string,
      result:
        | { ok: true; providerMessageId: string }
        | {
            ok: false;
            permanent: boolean;
            code: string;
            detail: string;
            finalAttempt: boolean;
            /** The attempt the claim gave; a stale bot cannot undo a newer claim. */
            attempt?: number;
            /** The send may have gone out (a timeout after hand-over). */
            uncertain?: boolean;
          },
    ): Promise<NotificationStatus | 'missing'> {
      const n = await dataSource.getRepository(Notification).findOne({ where: { id } });
      if (n?.channel !== 'WHATSAPP') return 'missing';
      if (n.status !== 'sending') return n.status;
      if (result.ok) {
        await recordSent(id, result.providerMessageId);
        return 'sent';
      }
      const dead = result.permanent || result.finalAttempt;
      await recordFailure(
        id,
        {
          permanent: result.permanent,
          code: result.code,
          detail: scrubError(result.detail),
          uncertain: result.uncertain ?? false,
        },
        dead,
        result.attempt,
      );
      const after = await dataSource.getRepository(Notification).findOne({ where: { id } });
      return after?.status ?? 'missing';
    },

    /**
     * Delivery statuses from a stored Cloud API webhook: delivered and read are noted on the
     * record; failed makes a sent WhatsApp notice dead (listed for supervisors) with Meta's code.
     * Order is not guaranteed and repeats happen: every update only moves forward.
     */
    async applyWhatsAppStatuses(outboxId: string, eventId: string): Promise<number> {
      const [event] = await dataSource.query<{ payload: WebhookPayload }[]>(
        'SELECT payload FROM whatsapp_webhook_events WHERE id = $1',
        [eventId],
      );
      let applied = 0;
      for (const entry of event?.payload.entry ?? []) {
        for (const change of entry.changes ?? []) {
          for (const st of change.value?.statuses ?? []) {
            if (typeof st.id !== 'string' || typeof st.status !== 'string') continue;
            const at = new Date(Number(st.timestamp ?? 0) * 1000 || Date.now());
            if (st.status === 'delivered' || st.status === 'read') {
              await dataSource.query(
                `UPDATE notifications SET delivered_at = coalesce(delivered_at, $2),
                   read_at = CASE WHEN $3 THEN coalesce(read_at, $2) ELSE read_at END
                 WHERE provider_message_id = $1 AND channel = 'WHATSAPP'`,
                [st.id, at, st.status === 'read'],
              );
              applied++;
            } else if (st.status === 'failed') {
              const error = st.errors?.[0];
              await dataSource.query(
                `UPDATE notifications SET status = 'dead', last_error = $2, updated_at = clock_timestamp()
                 WHERE provider_message_id = $1 AND channel = 'WHATSAPP' AND status = 'sent'`,
                [
                  st.id,
                  `CLOUD_${String(error?.code ?? 'FAILED')}: ${scrubError(
                    error?.title ?? error?.message ?? 'delivery failed',
                  )}`.slice(0, 500),
                ],
              );
              applied++;
            }
          }
        }
      }
      await markProcessed(outboxId);
      return applied;
    },

    /** A job gave up without recording why (e.g. its attempts ran out while busy): make it dead. */
    recordFailure,

    enqueueSend,
    queueOf,

    /**
     * Re-queues what Redis may have lost: outbox rows published but never processed, and notices
     * still to send whose job is gone. Both are idempotent (job id = row id).
     */
    async sweep(
      queues: SendQueues & { notify: Pick<Queue, 'getJob'> },
    ): Promise<{ outbox: number; notices: number }> {
      const after = config.NOTIFY_SWEEP_AFTER_SECONDS;
      // Outbox rows whose notify job never finished: publish them again. A job that ended
      // (failed for good, e.g. a long database outage) still holds the id, so it goes first and
      // its reason is kept on the row.
      const unprocessed = await dataSource.query<{ id: string }[]>(
        `SELECT id FROM outbox
          WHERE processed_at IS NULL AND published_at IS NOT NULL AND queue = $2
            AND published_at < clock_timestamp() - make_interval(secs => $1)
          ORDER BY published_at LIMIT 500`,
        [after, queueNames.notifications],
      );
      for (const { id } of unprocessed) {
        const job = await queues.notify.getJob(id);
        const state = job ? await job.getState() : 'missing';
        if (
          state !== 'missing' &&
          state !== 'unknown' &&
          state !== 'failed' &&
          state !== 'completed'
        ) {
          continue; // still waiting, delayed or running
        }
        const reason = state === 'failed' ? (job?.failedReason ?? 'failed') : null;
        if (job && (state === 'failed' || state === 'completed')) await job.remove();
        await dataSource.query(
          `UPDATE outbox SET published_at = NULL, last_error = coalesce($2, last_error)
            WHERE id = $1 AND processed_at IS NULL`,
          [id, reason ? `notify job failed: ${reason}`.slice(0, 500) : null],
        );
      }
      // Notices still to send whose job is gone or ended; per channel, so a backlog on one (the
      // bot offline) does not hide lost jobs of the other.
      let notices = 0;
      for (const channel of ['EMAIL', 'WHATSAPP'] as const) {
        const stuck = await dataSource.query<Record<string, unknown>[]>(
          `SELECT * FROM notifications
            WHERE channel = $2
              AND (status IN ('queued', 'failed')
                   OR (status = 'sending' AND lease_until < clock_timestamp()))
              AND updated_at < clock_timestamp() - make_interval(secs => $1)
            ORDER BY updated_at LIMIT 500`,
          [after, channel],
        );
        for (const row of stuck) {
          const n = notificationFromRow(row);
          const queue = queues[queueOf(n)];
          const job = await queue.getJob(n.id);
          const state = job ? await job.getState() : 'missing';
          if (state === 'failed' && n.status === 'failed') {
            // Out of attempts, but the worker died before recording it.
            await recordFailure(
              n.id,
              { permanent: false, code: 'ATTEMPTS', detail: 'no attempts left' },
              true,
            );
            continue;
          }
          if (
            state === 'missing' ||
            state === 'unknown' ||
            state === 'completed' ||
            state === 'failed'
          ) {
            // A `sending` row goes back too: its next claim counts the uncertain attempt. A
            // `queued` one with an ended job is a supervisor's retry that Redis did not take.
            if (job && state !== 'missing' && state !== 'unknown') await job.remove();
            await enqueueSend(queues, n);
            notices++;
          }
        }
      }
      return { outbox: unprocessed.length, notices };
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
