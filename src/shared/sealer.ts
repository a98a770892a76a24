import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for what Loket keeps in Redis that holds personal data (the bot's conversation state,
 * the chat simulator's queued messages and uploads): nothing personal sits there in clear. Each use
 * derives its own key (HKDF-SHA256, a distinct `info`) from a secret its processes already share,
 * so a value sealed for one use never opens in another.
 */
export interface Sealer {
  /** `context` (for example the Redis key) is authenticated too: a value moved elsewhere fails. */
  seal(plain: Buffer, context?: string): Buffer;
  /** Null when the value was not sealed with this key and context (a rotated secret): absent. */
  open(sealed: Buffer, context?: string): Buffer | null;
}

const IV = 12;
const TAG = 16;

export function createSealer(secret: string, info: string, salt = 'loket'): Sealer {
  if (!secret) throw new Error('a sealer needs a secret');
  return sealerWithKey(Buffer.from(hkdfSync('sha256', secret, salt, info, 32)));
}

/** A sealer with a key derived already (32 bytes), e.g. one another process handed over. */
export function sealerWithKey(key: Buffer): Sealer {
  if (key.length !== 32) throw new Error('a sealer key is 32 bytes');
  return {
    seal(plain, context) {
      const iv = randomBytes(IV);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      if (context !== undefined) cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    open(sealed, context) {
      if (sealed.length < IV + TAG) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
        decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
        if (context !== undefined) decipher.setAAD(Buffer.from(context, 'utf8'));
        return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
      } catch {
        return null;
      }
    },
  };
}

/** Bytes a sealed value adds to its plain text. */
export const SEAL_OVERHEAD = IV + TAG;
export const SEAL_IV_BYTES = IV;
export const SEAL_TAG_BYTES = TAG;
