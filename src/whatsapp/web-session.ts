import type { Redis } from 'ioredis';

/**
 * The whatsapp-web.js session's state as the bot instance that holds it publishes it, for the
 * SUPERVISOR's pairing page (GET /api/whatsapp/session). The pairing QR is in it while pairing is
 * needed: it links a phone to the bot, so only that route (SUPERVISOR) reads it, and it is never
 * logged. The key expires when no bot refreshes it (the bot is down: state `offline`).
 */
export type WebSessionState =
  'starting' | 'needs_pairing' | 'authenticated' | 'ready' | 'disconnected' | 'standby' | 'stopped';

export interface WebSessionStatus {
  state: WebSessionState;
  /** The QR payload to scan (state needs_pairing), as whatsapp-web.js gives it. */
  qr?: string;
  /** Why it is disconnected / needs pairing (a WhatsApp state or LOGOUT), no personal data. */
  reason?: string;
  updatedAt: string;
}

export const webSessionKeys = (prefix: string) => ({
  status: `${prefix}:wa:web:status`,
  lock: `${prefix}:wa:web:lock`,
  pairRequest: `${prefix}:wa:web:pair-request`,
});

export async function writeWebSessionStatus(
  redis: Redis,
  prefix: string,
  status: WebSessionStatus,
  ttlSeconds: number,
): Promise<void> {
  await redis.set(webSessionKeys(prefix).status, JSON.stringify(status), 'EX', ttlSeconds);
}

export async function readWebSessionStatus(
  redis: Redis,
  prefix: string,
): Promise<WebSessionStatus | null> {
  const raw = await redis.get(webSessionKeys(prefix).status);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as WebSessionStatus;
  } catch {
    return null;
  }
}
