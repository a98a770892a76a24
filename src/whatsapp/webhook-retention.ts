import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';

/**
 * Deletes the stored Cloud API webhooks older than the retention (their raw payloads hold phone
 * numbers and message text). One still waiting to be handed on (an outbox row not yet published
 * to its queue) is kept whatever its age, so a long Redis outage loses nothing.
 */
export async function purgeWebhookEvents(
  dataSource: DataSource,
  clock: Clock,
  retentionDays: number,
): Promise<{ deleted: number }> {
  const cutoff = new Date(clock.now().getTime() - retentionDays * 86_400_000);
  const rows = await dataSource.query<{ n: number }[]>(
    `WITH gone AS (
       DELETE FROM whatsapp_webhook_events e
        WHERE e.received_at < $1
          AND NOT EXISTS (
            SELECT 1 FROM outbox o
             WHERE o.published_at IS NULL
               AND o.name IN ('whatsapp.statuses', 'whatsapp.messages')
               AND o.payload->>'eventId' = e.id::text)
       RETURNING 1)
     SELECT count(*)::int AS n FROM gone`,
    [cutoff],
  );
  return { deleted: rows[0]?.n ?? 0 };
}
