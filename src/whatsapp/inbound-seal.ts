import { hkdfSync } from 'node:crypto';
import { SEAL_IV_BYTES, SEAL_TAG_BYTES, sealerWithKey } from '../shared/sealer';

/**
 * The messages of a stored Cloud API webhook as they ride in a `whatsapp.messages` job: sealed
 * (AES-256-GCM, the event id as associated data, so a sealed body cannot be moved to another job),
 * so no message text or phone number sits in Redis in clear. The outbox relay seals them when it
 * hands the job on; the bot opens them with the same key, which it asks the API for once with its
 * BOT token (`GET /api/bot/whatsapp-inbound-key`). A job without a sealed body, or one the bot
 * cannot open (a rotated key), is read back through the API by its event id as before.
 */

/** The key: derived (HKDF-SHA256) from LOKET_ENCRYPTION_KEY, used for nothing else. */
export function inboundKeyFrom(encryptionKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', encryptionKey, 'loket', 'whatsapp-inbound-v1', 32));
}

/** Payloads larger than this go by id only (the bot reads them through the API). */
export const MAX_SEALED_BYTES = 64 * 1024;

/** The change values of a stored webhook that carry messages (statuses stay with the workers). */
export function messageValues(payload: Record<string, unknown>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const entries = Array.isArray(payload.entry) ? (payload.entry as unknown[]) : [];
  for (const entry of entries) {
    const changes = (entry as { changes?: unknown }).changes;
    for (const change of Array.isArray(changes) ? (changes as unknown[]) : []) {
      const value = (change as { value?: unknown }).value;
      if (typeof value !== 'object' || value === null) continue;
      const v = value as Record<string, unknown>;
      if (!Array.isArray(v.messages) || v.messages.length === 0) continue;
      out.push({
        metadata: v.metadata ?? null,
        contacts: Array.isArray(v.contacts) ? v.contacts : [],
        messages: v.messages,
      });
    }
  }
  return out;
}

/** `v1.<iv>.<tag>.<ciphertext>` (base64url) of the values' JSON; null when too large. */
export function sealMessageValues(
  key: Buffer,
  eventId: string,
  values: Record<string, unknown>[],
): string | null {
  const plain = Buffer.from(JSON.stringify(values), 'utf8');
  if (plain.length > MAX_SEALED_BYTES) return null;
  const sealed = sealerWithKey(key).seal(plain, eventId);
  const tagEnd = SEAL_IV_BYTES + SEAL_TAG_BYTES;
  return [
    'v1',
    sealed.subarray(0, SEAL_IV_BYTES).toString('base64url'),
    sealed.subarray(SEAL_IV_BYTES, tagEnd).toString('base64url'),
    sealed.subarray(tagEnd).toString('base64url'),
  ].join('.');
}

/** The values, or null when the body was not sealed with this key for this event. */
export function openMessageValues(
  key: Buffer,
  eventId: string,
  sealed: string,
): Record<string, unknown>[] | null {
  const [version, iv, tag, ct, extra] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || ct === undefined || extra !== undefined) return null;
  const ivBytes = Buffer.from(iv, 'base64url');
  const tagBytes = Buffer.from(tag, 'base64url');
  // GCM would accept a shortened tag: only the full 16 bytes count.
  if (ivBytes.length !== SEAL_IV_BYTES || tagBytes.length !== SEAL_TAG_BYTES) return null;
  const plain = sealerWithKey(key).open(
    Buffer.concat([ivBytes, tagBytes, Buffer.from(ct, 'base64url')]),
    eventId,
  );
  if (!plain) return null;
  try {
    const values = JSON.parse(plain.toString('utf8')) as unknown;
    return Array.isArray(values) ? (values as Record<string, unknown>[]) : null;
  } catch {
    return null;
  }
}
