import type { DataSource } from 'typeorm';
import type { DocumentStorage } from '../documents/storage';
import { TicketDocument } from '../documents/document.entity';
import { queueNames } from '../jobs/queues';
import { enqueueOutbox } from '../outbox/outbox';
import type { Clock } from '../shared/clock';
import { insertRow } from '../db/insert';
import { Ticket, TicketEvent } from './ticket.entity';

/**
 * Marks every open step that passed its due time as breached: once per step, with an event on the
 * ticket and a notice to the supervisors, in one transaction. Safe to run on several workers.
 */
export async function scanDeadlines(dataSource: DataSource, clock: Clock): Promise<number> {
  return dataSource.transaction(async (m) => {
    const now = clock.now();
    // Wrapped in a SELECT: for a bare UPDATE, TypeORM's query() returns [rows, rowCount].
    // The ticket rows are locked here too, skipping those an action holds: an action locks its
    // ticket and then ends the step's deadline row, so waiting for the ticket later, while holding
    // the deadline row, would deadlock with it. A skipped step is taken on the next scan.
    const breached: { id: string; ticket_id: string; step: string; due_at: Date }[] = await m.query(
      `WITH marked AS (
         UPDATE ticket_step_deadlines d SET breached_at = $1
          WHERE d.id IN (SELECT sd.id FROM ticket_step_deadlines sd
                           JOIN tickets t ON t.id = sd.ticket_id
                          WHERE sd.ended_at IS NULL AND sd.breached_at IS NULL AND sd.due_at < $1
                          ORDER BY sd.due_at LIMIT 500 FOR UPDATE OF sd, t SKIP LOCKED)
          RETURNING d.id, d.ticket_id, d.step, d.due_at)
       SELECT id, ticket_id, step, due_at FROM marked ORDER BY due_at, id`,
      [now],
    );
    for (const b of breached) {
      await m.update(Ticket, { id: b.ticket_id, step: b.step }, { stepBreached: true });
      await insertRow(m, TicketEvent, {
        ticketId: b.ticket_id,
        at: now,
        actorType: 'SYSTEM',
        actorId: null,
        actorLabel: 'deadline scanner',
        actorRole: 'SYSTEM',
        action: 'deadline.breached',
        fromStep: b.step,
        toStep: b.step,
        reason: null,
        data: { dueAt: new Date(b.due_at).toISOString() },
      });
      await enqueueOutbox(m, queueNames.notifications, 'notify.staff', {
        ticketId: b.ticket_id,
        template: 'deadline-breached',
        roles: ['SUPERVISOR'],
        step: b.step,
      });
    }
    return breached.length;
  });
}

/**
 * The archive's retention: once an archived ticket's retention date has passed, its documents
 * and the requester's personal data are deleted; the ticket stays as a stub (code, type, steps,
 * dates, archive number) so reports and the audit trail still add up.
 */
export async function purgeExpiredTickets(
  dataSource: DataSource,
  storage: DocumentStorage,
  clock: Clock,
): Promise<number> {
  const now = clock.now();
  const today = now.toISOString().slice(0, 10);
  const due = await dataSource
    .getRepository(Ticket)
    .createQueryBuilder('t')
    .select(['t.id'])
    .where('t.closed_at IS NOT NULL AND t.purged_at IS NULL AND t.retain_until < :today', { today })
    .limit(200)
    .getMany();
  let count = 0;
  for (const { id } of due) {
    const docs = await dataSource.getRepository(TicketDocument).find({ where: { ticketId: id } });
    for (const d of docs) {
      if (!d.deletedAt) await storage.delete(d.storageKey);
    }
    // The raw mails the email intake kept for this ticket hold the same personal data.
    const mails = await dataSource.query<{ storage_key: string }[]>(
      'SELECT storage_key FROM inbound_emails WHERE ticket_id = $1',
      [id],
    );
    for (const mail of mails) await storage.delete(mail.storage_key);
    const purged = await dataSource.transaction(async (m) => {
      // Claims the ticket: a run that overlaps this one (a retried job) finds it taken and
      // writes nothing twice.
      const claimed: unknown[] = await m.query(
        `WITH claimed AS (UPDATE tickets SET purged_at = $2 WHERE id = $1 AND purged_at IS NULL
                          RETURNING id)
         SELECT id FROM claimed`,
        [id, now],
      );
      if (claimed.length === 0) return false;
      await m.update(TicketDocument, { ticketId: id }, { deletedAt: now, fileName: 'dihapus' });
      await m.update(
        Ticket,
        { id },
        {
          requesterName: '(dihapus)',
          requesterUserId: null,
          requesterNikEncrypted: null,
          requesterNikHash: null,
          requesterNikMasked: null,
          requesterNip: null,
          requesterAgency: null,
          requesterEmail: null,
          requesterPhone: null,
          contactAddress: null,
          validity: null,
          rejectNote: null,
          purgedAt: now,
        },
      );
      await m.query(`UPDATE ticket_messages SET body = '(dihapus)' WHERE ticket_id = $1`, [id]);
      await m.query(`UPDATE inbound_emails SET rejected_files = '[]' WHERE ticket_id = $1`, [id]);
      await insertRow(m, TicketEvent, {
        ticketId: id,
        at: now,
        actorType: 'SYSTEM',
        actorId: null,
        actorLabel: 'retention',
        actorRole: 'SYSTEM',
        action: 'retention.purged',
        fromStep: null,
        toStep: null,
        reason: null,
        data: { documents: docs.length },
      });
      return true;
    });
    if (purged) count++;
  }
  return count;
}
