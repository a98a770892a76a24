import type { DataSource } from 'typeorm';
import type { DocumentStorage } from '../documents/storage';
import type { Clock } from '../shared/clock';

/** Outcomes of a mail that made or joined no ticket and needs nobody's attention. */
export const unroutedStatuses = [
  'BOUNCE',
  'IGNORED_AUTOMATIC',
  'IGNORED_LOOP',
  'REJECTED_MALFORMED',
] as const;

/**
 * Deletes the stored raw mail of mails that made no ticket (bounces, automatic replies, loops,
 * malformed mail) once older than the retention: they hold addresses and text nobody works on.
 * The row stays (no personal data; it keeps a resent copy a duplicate). A mail that joined a
 * ticket goes with the ticket's retention; a FAILED one waits for a supervisor and is kept.
 */
export async function purgeUnroutedEmails(
  dataSource: DataSource,
  storage: DocumentStorage,
  clock: Clock,
  retentionDays: number,
): Promise<{ deleted: number }> {
  const cutoff = new Date(clock.now().getTime() - retentionDays * 86_400_000);
  let deleted = 0;
  for (;;) {
    const due = await dataSource.query<{ id: string; storage_key: string }[]>(
      `SELECT id, storage_key FROM inbound_emails
        WHERE status = ANY($1) AND ticket_id IS NULL AND raw_deleted_at IS NULL
          AND received_at < $2
        ORDER BY received_at LIMIT 200`,
      [unroutedStatuses, cutoff],
    );
    if (due.length === 0) return { deleted };
    for (const row of due) {
      // The file first: a crash in between leaves a row that the next run deletes again
      // (deleting a missing file is not an error), never a file that no row points at.
      await storage.delete(row.storage_key);
      await dataSource.query(
        'UPDATE inbound_emails SET raw_deleted_at = $2 WHERE id = $1 AND raw_deleted_at IS NULL',
        [row.id, clock.now()],
      );
      deleted++;
    }
  }
}
