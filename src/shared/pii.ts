import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Field encryption for personal data (NIK): AES-256-GCM with a random 96-bit IV per value, plus a
 * keyed HMAC-SHA256 "blind index" for exact lookups. Uses node:crypto only; nothing hand-rolled.
 * Ciphertext format: `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`, so keys can rotate later.
 */
export interface PiiCipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  hash(value: string): string;
}

export function parseKey(value: string, minBytes: number, name: string): Buffer {
  const key =
    /^[0-9a-fA-F]+$/.test(value) && value.length % 2 === 0
      ? Buffer.from(value, 'hex')
      : Buffer.from(value, 'base64');
  if (key.length < minBytes)
    throw new Error(`${name} must be at least ${minBytes} bytes (base64 or hex)`);
  return key;
}

export function createPiiCipher(encryptionKey: Buffer, hashKey: Buffer): PiiCipher {
  if (encryptionKey.length !== 32) throw new Error('encryption key must be 32 bytes');
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
        ct.toString('base64url'),
      ].join('.');
    },
    decrypt(sealed) {
      const [version, iv, tag, ct] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || ct === undefined) {
        throw new Error('unknown ciphertext format');
      }
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ct, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
    hash(value) {
      return createHmac('sha256', hashKey).update(value, 'utf8').digest('base64url');
    },
  };
}

/** `3171234567890001` -> `3171********0001`: the first four (region) and last four digits stay. */
export function maskNik(nik: string): string {
  if (nik.length <= 8) return '*'.repeat(nik.length);
  return `${nik.slice(0, 4)}${'*'.repeat(nik.length - 8)}${nik.slice(-4)}`;
}
