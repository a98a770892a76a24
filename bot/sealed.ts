import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for what the bot keeps in Redis (conversation state with the NIK being collected,
 * queued messages, documents waiting for a request): nothing personal sits there in clear. The key
 * is derived (HKDF-SHA256) from a secret the bot already holds, its API token.
 */
export interface Sealer {
  seal(plain: Buffer): Buffer;
  /** Null when the value was not sealed with this key (a rotated token): treated as absent. */
  open(sealed: Buffer): Buffer | null;
}

export function createSealer(secret: string): Sealer {
  const key = Buffer.from(hkdfSync('sha256', secret, 'loket-bot', 'redis-state-v1', 32));
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      if (sealed.length < 28) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
        decipher.setAuthTag(sealed.subarray(12, 28));
        return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
      } catch {
        return null;
      }
    },
  };
}
