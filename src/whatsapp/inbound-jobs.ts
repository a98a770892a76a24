import type { JobDataHook } from '../outbox/outbox-relay';
import { messageValues, sealMessageValues } from './inbound-seal';

/**
 * The outbox relay's hook for `whatsapp.messages`: each job carries its webhook's messages sealed
 * (`{ eventId, sealed }`), read in one query per pass, so the bot need not read them back through
 * the API. A payload that is too large, or an event no longer stored, keeps `{ eventId }` only.
 */
export function sealedInboundJobs(key: Buffer): JobDataHook {
  return async (rows, manager) => {
    const out = new Map<string, Record<string, unknown>>();
    const wanted = new Map<string, string>(); // event id -> outbox id
    for (const row of rows) {
      const eventId = row.payload.eventId;
      if (row.name === 'whatsapp.messages' && typeof eventId === 'string')
        wanted.set(eventId, row.id);
    }
    if (wanted.size === 0) return out;
    const events: { id: string; payload: Record<string, unknown> }[] = await manager.query(
      'SELECT id, payload FROM whatsapp_webhook_events WHERE id = ANY($1::uuid[])',
      [[...wanted.keys()]],
    );
    for (const event of events) {
      const outboxId = wanted.get(event.id);
      if (!outboxId) continue;
      const sealed = sealMessageValues(key, event.id, messageValues(event.payload));
      if (sealed) out.set(outboxId, { eventId: event.id, sealed });
    }
    return out;
  };
}
