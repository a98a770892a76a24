import type { EntityManager } from 'typeorm';

/** Writes an effect in the caller's transaction; the relay publishes it after commit. */
export async function enqueueOutbox(
  manager: EntityManager,
  queue: string,
  name: string,
  payload: Record<string, unknown>,
): Promise<string> {
  const rows: { id: string }[] = await manager.query(
    'INSERT INTO outbox (queue, name, payload) VALUES ($1, $2, $3) RETURNING id',
    [queue, name, JSON.stringify(payload)],
  );
  const id = rows[0]?.id;
  if (!id) throw new Error('outbox insert returned no id');
  return id;
}
