import type { DataSource } from 'typeorm';

/** Polls `what` until `ok` accepts its value; fails with the last value after `timeoutMs`. */
export async function eventually<T>(
  what: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Retries `assertion` (jest expectations) until it passes; rethrows its last failure. */
export async function eventuallyExpect(
  assertion: () => unknown,
  timeoutMs = 5000,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

export interface NotificationRow {
  id: string;
  status: string;
  provider_message_id: string | null;
  last_error: string | null;
  attempts: number;
}

/** The delivery record of a ticket's notice, once it has reached `status`. */
export async function notificationReaching(
  dataSource: DataSource,
  ticketId: string,
  event: string,
  status: string,
  timeoutMs = 15_000,
): Promise<NotificationRow> {
  const rows = await eventually(
    () =>
      dataSource.query<NotificationRow[]>(
        `SELECT id, status, provider_message_id, last_error, attempts
           FROM notifications WHERE ticket_id = $1 AND event = $2`,
        [ticketId, event],
      ),
    (found) => found[0]?.status === status,
    timeoutMs,
  );
  const [row] = rows;
  if (!row) throw new Error(`no ${event} record`);
  return row;
}
