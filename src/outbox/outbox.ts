import type { EntityManager } from 'typeorm';

/** Writes an effect in the caller's transaction; the relay publishes it after commit. */
export async function enqueueOutbox(
  manager: EntityManager,
  queue: string,
  name: string,
  payload: Record<string, unknown>,
): Promise<string> {
  // clock_timestamp(), not the column default now(): now() is the transaction's start, so rows
  // written in one transaction would tie and the relay (ORDER BY created_at, id) would publish
  // them in random uuid order.
  const rows: { id: string }[] = await manager.query(
    'INSERT INTO outbox (queue, name, payload, created_at) VALUES ($1, $2, $3, clock_timestamp()) RETURNING id',
    [queue, name, JSON.stringify(payload)],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error('outbox insert returned no id');
  return id;
}
