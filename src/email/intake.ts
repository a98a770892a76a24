import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../audit/audit.service';
import type { Principal } from '../auth/auth.service';
import type { Config } from '../config';
import { insertRow } from '../db/insert';
import type { TicketDocument } from '../documents/document.entity';
import { safeDownloadName, sniffDocumentType } from '../documents/file-type';
import type { DocumentStorage } from '../documents/storage';
import {
  addressOf,
  domainOf,
  parseNoticeMessageId,
  parseReplyAddress,
} from '../notifications/addressing';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import type { PiiCipher } from '../shared/pii';
import { Ticket, TicketMessage } from '../tickets/ticket.entity';
import type { TicketsService } from '../tickets/tickets.service';
import { decide } from '../workflow/decide';
import { workflowDefinitions } from '../workflow/definitions';
import type { InboundEmailStatus } from './inbound-email.entity';
import {
  classifyMail,
  dedupeKeyOf,
  displayFileName,
  documentCandidates,
  documentKindFromName,
  guessTicketType,
  isBlank,
  normaliseMessageId,
  readDeliveryReport,
  routingHints,
  senderOf,
  storeHints,
  trimQuotedText,
  type OwnAddresses,
} from './mail-analysis';

/** The intake acts as this service principal (role INTAKE) in the workflow and the audit trail. */
export const intakePrincipal: Principal = {
  kind: 'service',
  id: 'email-intake',
  name: 'Email intake',
  role: 'INTAKE',
};
export const intakeActor: Actor = { type: 'SERVICE', id: 'email-intake', label: 'Email intake' };

/** Attachments per mail that may become documents; the rest are named as not accepted. */
export const MAX_DOCUMENTS_PER_MAIL = 10;

/** A mail the intake refuses before storing it (SMTP answers with the code). */
export class IntakeRefused extends Error {
  constructor(
    readonly reason: 'EMPTY' | 'TOO_LARGE',
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'IntakeRefused';
  }
}

export interface StoreResult {
  id: string;
  /** The BullMQ job id: derived from the Message-ID (or the content hash), so a re-add is a no-op. */
  jobId: string;
  duplicate: boolean;
  /** The stored row's `sender_hash` (a new row only), so `process` need not read the row first. */
  senderHash?: string | null;
}

/** What the caller of `store` still holds of a stored mail: `process` then skips reading it back. */
export interface StoredMail {
  raw: Buffer;
  senderHash: string | null;
}

export type ProcessOutcome =
  | {
      status: Exclude<InboundEmailStatus, 'RECEIVED'>;
      ticketId: string | null;
      detail: string | null;
    }
  | { status: 'SKIPPED' };

export type EmailIntake = ReturnType<typeof createEmailIntake>;

export const jobIdOf = (dedupeKey: string) => `mail-${dedupeKey}`;

export interface EmailIntakeDeps {
  dataSource: DataSource;
  storage: DocumentStorage;
  tickets: TicketsService;
  pii: PiiCipher;
  clock: Clock;
  config: Pick<
    Config,
    | 'MAIL_FROM'
    | 'MAIL_REPLY_ADDRESS'
    | 'SMTP_INTAKE_RECIPIENTS'
    | 'SMTP_INTAKE_MAX_BYTES'
    | 'UPLOAD_MAX_BYTES'
    | 'EMAIL_ACK_LIMIT_PER_HOUR'
  >;
  /** Log lines carry ids and reason codes, never addresses or text. */
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

/** Loket's own mailboxes: MAIL_FROM, the reply mailbox and the intake's recipients. */
export function ownMailboxes(config: EmailIntakeDeps['config']): string[] {
  const list = [config.MAIL_FROM, config.MAIL_REPLY_ADDRESS ?? config.MAIL_FROM];
  if (config.SMTP_INTAKE_RECIPIENTS) list.push(...config.SMTP_INTAKE_RECIPIENTS.split(','));
  return [
    ...new Set(list.map((a) => addressOf(a).trim().toLowerCase()).filter((a) => a.includes('@'))),
  ];
}

const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/**
 * The email intake: `store` keeps a raw mail (file, then row) before anyone acknowledges it;
 * `process` turns a stored mail into a ticket, a thread entry or a bounce, exactly once.
 */
export function createEmailIntake(deps: EmailIntakeDeps) {
  const { dataSource, storage, tickets, pii, clock, config } = deps;
  const log = deps.log ?? (() => undefined);
  const own: OwnAddresses = {
    mailboxes: ownMailboxes(config),
    messageIdDomain: domainOf(config.MAIL_FROM),
  };

  async function finish(
    m: EntityManager,
    id: string,
    status: Exclude<InboundEmailStatus, 'RECEIVED'>,
    extra: {
      ticketId?: string | null;
      detail?: string | null;
      acknowledged?: boolean;
      rejectedFiles?: string[];
    } = {},
  ) {
    await m.query(
      `UPDATE inbound_emails SET status = $2, ticket_id = $3, detail = $4, acknowledged = $5,
         rejected_files = $6, processed_at = clock_timestamp(), attempts = attempts + 1
       WHERE id = $1`,
      [
        id,
        status,
        extra.ticketId ?? null,
        extra.detail?.slice(0, 200) ?? null,
        extra.acknowledged ?? false,
        JSON.stringify(extra.rejectedFiles ?? []),
      ],
    );
  }

  /** The ticket a request answers, by the rules of issue 7, or null. */
  async function findThread(
    parsed: ParsedMail,
    sender: string | null,
  ): Promise<{ ticket: Ticket; via: string } | null> {
    const hints = routingHints(parsed, (a) => parseReplyAddress(pii, a));
    const byCode = (code: string) => dataSource.getRepository(Ticket).findOne({ where: { code } });
    // 1. The keyed reply address: only Loket could have written it.
    for (const code of hints.replyTokens) {
      const t = await byCode(code);
      if (t) return { ticket: t, via: 'reply-address' };
    }
    // 2. A Message-ID that Loket sent (recorded on the notice), from In-Reply-To / References.
    const ours = hints.referencedIds
      .map((id) => ({ id, parsed: parseNoticeMessageId(id, own.messageIdDomain) }))
      .filter((x) => x.parsed !== null);
    for (const { id } of ours) {
      const rows: { ticket_id: string }[] = await dataSource.query(
        `SELECT ticket_id FROM notifications WHERE provider_message_id = $1 AND channel = 'EMAIL' LIMIT 1`,
        [`<${id}>`],
      );
      const ticketId = rows[0]?.ticket_id;
      if (ticketId) {
        const t = await dataSource.getRepository(Ticket).findOne({ where: { id: ticketId } });
        if (t) return { ticket: t, via: 'references' };
      }
    }
    // 3. Weak hints (the thread root `<CODE@domain>`, a code in the subject) are guessable: they
    //    join only when the sender is the ticket's own contact, else the mail opens a new ticket.
    const weak = [
      ...hints.referencedIds
        .map(
          (id) =>
            new RegExp(`^([A-Z]+-\\d{4,6}-\\d{5,})@${escapeRe(own.messageIdDomain)}$`, 'i').exec(
              id,
            )?.[1],
        )
        .filter((c): c is string => Boolean(c))
        .map((c) => c.toUpperCase()),
      ...(hints.subjectCode ? [hints.subjectCode] : []),
    ];
    for (const code of [...new Set(weak)]) {
      const t = await byCode(code);
      if (t && sender && (t.contactAddress === sender || t.requesterEmail === sender))
        return { ticket: t, via: 'subject-code' };
    }
    return null;
  }

  interface StoredDocument {
    key: string;
    size: number;
    sha256: string;
    mime: string;
    fileName: string;
    kind: TicketDocument['kind'];
  }

  /** Stores the attachments that pass the document rules; names the ones that do not. */
  async function storeAttachments(parsed: ParsedMail) {
    const accepted: StoredDocument[] = [];
    const rejected: string[] = [];
    const reasons: string[] = [];
    for (const a of documentCandidates(parsed)) {
      const name = displayFileName(a.filename);
      const type = a.size > 0 ? sniffDocumentType(a.content.subarray(0, 16)) : null;
      let reason: string | null = null;
      if (a.size === 0) reason = 'empty';
      else if (a.size > config.UPLOAD_MAX_BYTES) reason = 'too-large';
      else if (!type) reason = 'type';
      else if (accepted.length >= MAX_DOCUMENTS_PER_MAIL) reason = 'too-many';
      if (reason || !type) {
        rejected.push(name);
        reasons.push(reason ?? 'type');
        continue;
      }
      // One directory per month, not per mail: a new directory costs a mkdir and its fsync.
      const key = `tickets/mail/${clock.now().toISOString().slice(0, 7)}/${randomUUID()}`;
      const stored = await storage.putBuffer(key, a.content);
      accepted.push({
        key,
        size: stored.size,
        sha256: stored.sha256,
        mime: type.mime,
        fileName: safeDownloadName(a.filename ?? '', type.ext),
        kind: documentKindFromName(a.filename),
      });
    }
    return { accepted, rejected, reasons };
  }

  /**
   * The documents and their `document.uploaded` events (plain SQL: this runs per mail), each
   * document and its event in one statement.
   */
  async function insertDocuments(m: EntityManager, ticket: Ticket, docs: StoredDocument[]) {
    const ids: string[] = [];
    for (const d of docs) {
      const id = randomUUID();
      await m.query(
        `WITH d AS (
           INSERT INTO documents (id, ticket_id, kind, file_name, content_type, size_bytes, sha256,
             storage_key, uploaded_by_type, uploaded_by_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10))
         INSERT INTO ticket_events (ticket_id, at, actor_type, actor_id, actor_label, actor_role,
           action, from_step, to_step, reason, data)
         VALUES ($2, $11, $9, $10, $12, 'INTAKE', 'document.uploaded', $13, $13, NULL, $14)`,
        [
          id,
          ticket.id,
          d.kind,
          d.fileName,
          d.mime,
          d.size,
          d.sha256,
          d.key,
          intakeActor.type,
          intakeActor.id,
          clock.now(),
          intakeActor.label,
          ticket.step,
          JSON.stringify({ documentId: id, kind: d.kind, sizeBytes: d.size, sha256: d.sha256 }),
        ],
      );
      ids.push(id);
    }
    return ids;
  }

  /**
   * Locks a stored mail's row in `m`; `received` when it still waits to be processed. With
   * `acksOf` (a sender hash), the same statement also counts the acknowledgements that sender got
   * in the last hour (the loop breaker of RFC 3834 §2): one round trip instead of two.
   */
  async function lockReceived(
    m: EntityManager,
    id: string,
    acksOf?: string | null,
  ): Promise<{ received: boolean; ackAllowed: boolean }> {
    const rows: { status: string; acks: string | null }[] = await m.query(
      `SELECT status,
              CASE WHEN $2::varchar IS NULL THEN NULL ELSE
                (SELECT count(*) FROM inbound_emails
                  WHERE sender_hash = $2 AND acknowledged AND received_at > $3) END AS acks
         FROM inbound_emails WHERE id = $1 FOR UPDATE`,
      [id, acksOf ?? null, new Date(clock.now().getTime() - 3_600_000)],
    );
    const row = rows[0];
    return {
      received: row?.status === 'RECEIVED',
      ackAllowed: row?.acks != null && Number(row.acks) < config.EMAIL_ACK_LIMIT_PER_HOUR,
    };
  }

  return {
    /**
     * Stores a raw mail: the file first, then the row (ON CONFLICT on the dedupe key). Resolves
     * only when both are durable; a duplicate leaves nothing stored and resolves with `duplicate`.
     */
    async store(raw: Buffer, meta: { source: 'SMTP' | 'IMAP' }): Promise<StoreResult> {
      if (isBlank(raw)) throw new IntakeRefused('EMPTY', 554, 'Empty message');
      if (raw.length > config.SMTP_INTAKE_MAX_BYTES)
        throw new IntakeRefused('TOO_LARGE', 552, 'Message exceeds fixed maximum message size');
      const { messageId, sender } = storeHints(raw);
      const dedupeKey = dedupeKeyOf(raw, messageId);
      const jobId = jobIdOf(dedupeKey);
      const id = randomUUID();
      const now = clock.now();
      const key = `inbound/${now.toISOString().slice(0, 7)}/${id}.eml`;
      const senderHash = sender ? pii.hash(sender) : null;
      await storage.putBuffer(key, raw, { hash: false });
      const rows: { id: string }[] = await dataSource.query(
        `INSERT INTO inbound_emails (id, dedupe_key, has_message_id, source, storage_key, size_bytes,
           sender_hash, status, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'RECEIVED', $8)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
        [id, dedupeKey, messageId !== null, meta.source, key, raw.length, senderHash, now],
      );
      if (!rows[0]) {
        // Stored before (or arriving twice at once): the first copy is kept, this file goes.
        await storage.delete(key);
        const other: { id: string }[] = await dataSource.query(
          'SELECT id FROM inbound_emails WHERE dedupe_key = $1',
          [dedupeKey],
        );
        return { id: other[0]?.id ?? id, jobId, duplicate: true };
      }
      return { id, jobId, duplicate: false, senderHash };
    },

    /** Ids of stored mails still waiting (for the sweeper: Redis may have lost their jobs). */
    async pending(olderThanMs: number, limit = 100): Promise<{ id: string; jobId: string }[]> {
      const rows: { id: string; dedupe_key: string; attempts: number }[] = await dataSource.query(
        `SELECT id, dedupe_key, attempts FROM inbound_emails
          WHERE status = 'RECEIVED' AND received_at < $1
          ORDER BY received_at LIMIT $2`,
        [new Date(clock.now().getTime() - olderThanMs), limit],
      );
      // A mail sent back to RECEIVED after it FAILED gets a job id of its own: BullMQ keeps the
      // failed job under the first one and would ignore a new job with that id.
      return rows.map((r) => ({
        id: r.id,
        jobId:
          r.attempts > 0
            ? `${jobIdOf(r.dedupe_key)}-r${String(r.attempts)}`
            : jobIdOf(r.dedupe_key),
      }));
    },

    /**
     * Processes one stored mail. Everything it writes (ticket, thread entry, documents, the
     * mail's outcome) commits in one transaction under the mail's row lock, so a retry after a
     * crash finds the mail processed or not at all: never a second ticket. `held`: the raw mail
     * (as stored) and its sender hash from the caller that just stored it, so neither the row nor
     * the file is read back; the row's status is still checked under its lock.
     */
    async process(id: string, held?: StoredMail): Promise<ProcessOutcome> {
      let raw: Buffer;
      let row: { sender_hash: string | null };
      if (held) {
        raw = held.raw;
        row = { sender_hash: held.senderHash };
      } else {
        const rows = await dataSource.query<
          { status: InboundEmailStatus; storage_key: string; sender_hash: string | null }[]
        >('SELECT status, storage_key, sender_hash FROM inbound_emails WHERE id = $1', [id]);
        const found = rows[0];
        if (found?.status !== 'RECEIVED') return { status: 'SKIPPED' };
        raw = await readAll(await storage.get(found.storage_key));
        row = found;
      }
      let parsed: ParsedMail;
      try {
        // The text part is what the thread keeps: no HTML rendering of it, no link detection.
        // No MD5 of each attachment either (`checksum`, never read): storage hashes what it keeps.
        parsed = await simpleParser(raw, {
          skipImageLinks: true,
          skipTextToHtml: true,
          skipTextLinks: true,
          maxHtmlLengthToParse: 2_000_000,
          checksumAlgo: false,
        });
      } catch {
        return settle(id, 'REJECTED_MALFORMED', { detail: 'unparseable' });
      }
      const { address: sender, name: senderName } = senderOf(parsed);
      const kind = classifyMail(parsed, own);
      const messageId = normaliseMessageId(parsed.messageId);

      if (kind.kind === 'loop') return settle(id, 'IGNORED_LOOP', { detail: kind.reason });

      if (kind.kind === 'bounce') {
        const report = readDeliveryReport(parsed);
        if (!report.failed)
          return settle(id, 'BOUNCE', { detail: `not-failed status=${report.status ?? '-'}` });
        const ours = report.referencedIds.filter((r) =>
          parseNoticeMessageId(r, own.messageIdDomain),
        );
        return dataSource.transaction(async (m) => {
          if (!(await lockReceived(m, id)).received) return { status: 'SKIPPED' } as const;
          let matched = 0;
          let ticketId: string | null = null;
          for (const ref of ours) {
            // A bounce is final for that notice: `dead`, never retried automatically (a retry
            // would bounce again, and the next bounce would retry again: a loop). Staff see it
            // and may resend once the address is corrected.
            // TypeORM answers an UPDATE ... RETURNING with [rows, count].
            const result = await m.query<[{ ticket_id: string }[], number]>(
              `UPDATE notifications SET status = 'dead', last_error = $2, lease_until = NULL,
                 updated_at = clock_timestamp()
               WHERE provider_message_id = $1 AND channel = 'EMAIL' AND status = 'sent'
               RETURNING ticket_id`,
              [`<${ref}>`, `BOUNCED ${report.status ?? '5.0.0'}`],
            );
            const updated = result[0];
            matched += updated.length;
            ticketId = updated[0]?.ticket_id ?? ticketId;
          }
          const detail = `matched=${String(matched)} status=${report.status ?? '-'}`;
          await finish(m, id, 'BOUNCE', { ticketId, detail });
          log('info', `inbound ${id}: bounce, ${detail}`);
          return { status: 'BOUNCE', ticketId, detail } as const;
        });
      }

      const text = trimQuotedText(parsed.text ?? '');
      const subject = (parsed.subject ?? '')
        .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
        .trim()
        .slice(0, 300);
      const body = [subject, text].filter((s) => s !== '').join('\n\n') || '(kosong)';
      const thread = await findThread(parsed, sender);

      if (kind.kind === 'automatic') {
        // An out-of-office or other automatic mail: never a new ticket, never an answer; one that
        // answers an open ticket is kept in its thread (staff may want to know), without files.
        if (!thread || thread.ticket.closedAt)
          return settle(id, 'IGNORED_AUTOMATIC', { detail: kind.reason });
        return dataSource.transaction(async (m) => {
          if (!(await lockReceived(m, id)).received) return { status: 'SKIPPED' } as const;
          await addThreadMessage(m, thread.ticket, body, messageId, {
            inboundEmailId: id,
            via: thread.via,
            automatic: kind.reason,
          });
          const detail = `automatic:${kind.reason} via=${thread.via}`;
          await finish(m, id, 'THREAD_JOINED', { ticketId: thread.ticket.id, detail });
          return { status: 'THREAD_JOINED', ticketId: thread.ticket.id, detail } as const;
        });
      }

      const files = await storeAttachments(parsed);
      const cleanup = async () => {
        for (const d of files.accepted) await storage.delete(d.key).catch(() => undefined);
      };
      let outcome: ProcessOutcome;
      let documentIds: string[] = [];
      try {
        // A new ticket's code is taken before the transaction, never while it holds a connection.
        const plan =
          thread && !thread.ticket.closedAt
            ? ({ kind: 'join', thread } as const)
            : ({ kind: 'create', reserved: await tickets.reserveCode() } as const);
        outcome = await dataSource.transaction(async (m) => {
          // A new ticket may be acknowledged: its sender's recent acknowledgements come with the lock.
          const lock = await lockReceived(
            m,
            id,
            plan.kind === 'create' && sender !== null ? row.sender_hash : null,
          );
          if (!lock.received) return { status: 'SKIPPED' } as const;
          const rejectedDetail =
            files.reasons.length > 0 ? ` rejected=${files.reasons.join(',')}` : '';
          if (plan.kind === 'join') {
            const { thread } = plan;
            await addThreadMessage(m, thread.ticket, body, messageId, {
              inboundEmailId: id,
              via: thread.via,
              documents: files.accepted.length,
              // Refused attachments are named to staff here (a reply gets no acknowledgement).
              refusedFiles: files.rejected,
            });
            documentIds = await insertDocuments(m, thread.ticket, files.accepted);
            const detail = `via=${thread.via} documents=${String(files.accepted.length)}${rejectedDetail}`;
            await finish(m, id, 'THREAD_JOINED', {
              ticketId: thread.ticket.id,
              detail,
              rejectedFiles: files.rejected,
            });
            return { status: 'THREAD_JOINED', ticketId: thread.ticket.id, detail } as const;
          }
          const acknowledge = sender !== null && lock.ackAllowed;
          const name = [senderName, sender?.split('@')[0] ?? ''].find((n) => n !== '') ?? 'Pemohon';
          const ticket = await tickets.create(
            {
              type: guessTicketType(subject, text),
              channel: 'EMAIL',
              language: 'id',
              requester: { name, email: sender },
              contact: sender ? { kind: 'EMAIL', address: sender } : { kind: 'NONE' },
              message: body,
              messageExternalId: messageId,
              acknowledge,
            },
            intakePrincipal,
            intakeActor,
            { manager: m, reserved: plan.reserved },
          );
          documentIds = await insertDocuments(m, ticket, files.accepted);
          const detail = `type=${ticket.type ?? 'UNCLASSIFIED'} documents=${String(files.accepted.length)}${rejectedDetail}${thread ? ' reply-to-closed' : ''}${acknowledge ? '' : ' no-ack'}`;
          await finish(m, id, 'TICKET_CREATED', {
            ticketId: ticket.id,
            detail,
            acknowledged: acknowledge,
            rejectedFiles: files.rejected,
          });
          return { status: 'TICKET_CREATED', ticketId: ticket.id, detail } as const;
        });
      } catch (err) {
        await cleanup();
        throw err;
      }
      if (outcome.status === 'SKIPPED') {
        await cleanup();
        return outcome;
      }
      log(
        'info',
        `inbound ${id}: ${outcome.status} ticket=${outcome.ticketId ?? '-'} ${outcome.detail ?? ''}`,
      );
      // A document answering "please complete your file" sends the ticket back to the check.
      if (outcome.status === 'THREAD_JOINED' && outcome.ticketId && documentIds[0])
        await documentAdded(outcome.ticketId, documentIds[0]);
      return outcome;
    },
  };

  async function settle(
    id: string,
    status: Exclude<InboundEmailStatus, 'RECEIVED'>,
    extra: { detail: string },
  ): Promise<ProcessOutcome> {
    const done = await dataSource.transaction(async (m) => {
      if (!(await lockReceived(m, id)).received) return false;
      await finish(m, id, status, extra);
      return true;
    });
    if (!done) return { status: 'SKIPPED' };
    log('info', `inbound ${id}: ${status} ${extra.detail}`);
    return { status, ticketId: null, detail: extra.detail };
  }

  /** A mail in a ticket's thread, and an `email.received` event saying how it got there. */
  async function addThreadMessage(
    m: EntityManager,
    ticket: Ticket,
    body: string,
    externalId: string | null,
    eventData: Record<string, unknown>,
  ) {
    await insertRow(m, TicketMessage, {
      ticketId: ticket.id,
      direction: 'IN',
      channel: 'EMAIL',
      body: body.slice(0, 20_000),
      authorType: 'REQUESTER',
      authorId: null,
      externalId: externalId?.slice(0, 255) ?? null,
    });
    await m.query(
      `INSERT INTO ticket_events (ticket_id, at, actor_type, actor_id, actor_label, actor_role,
         action, from_step, to_step, reason, data)
       VALUES ($1, $2, $3, $4, $5, 'INTAKE', 'email.received', $6, $6, NULL, $7)`,
      [
        ticket.id,
        clock.now(),
        intakeActor.type,
        intakeActor.id,
        intakeActor.label,
        ticket.step,
        JSON.stringify(eventData),
      ],
    );
  }

  async function documentAdded(ticketId: string, documentId: string) {
    const current = await tickets.get(ticketId);
    const def = workflowDefinitions.get(current.workflowId);
    if (!def || !decide(current, 'document_added', { role: 'INTAKE' }, def).ok) return;
    try {
      await tickets.act(
        ticketId,
        { action: 'document_added', version: current.version, data: { documentId } },
        intakePrincipal,
        intakeActor,
      );
    } catch (err) {
      // Someone acted on the ticket meanwhile; the documents are attached either way.
      if (!(err instanceof AppError)) throw err;
    }
  }
}

function escapeRe(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
