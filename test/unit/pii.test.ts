import { randomBytes } from 'node:crypto';
import { createPiiCipher, maskNik, parseKey } from '../../src/shared/pii';

describe('personal data protection', () => {
  const cipher = createPiiCipher(randomBytes(32), randomBytes(32));
  const nik = '3171234567890001';

  test('NIK round-trips through AES-256-GCM and the ciphertext does not contain it', () => {
    const sealed = cipher.encrypt(nik);
    expect(sealed).not.toContain(nik);
    expect(sealed.startsWith('v1.')).toBe(true);
    expect(cipher.decrypt(sealed)).toBe(nik);
    expect(cipher.encrypt(nik)).not.toBe(sealed);
  });

  test('a tampered ciphertext is refused', () => {
    const parts = cipher.encrypt(nik).split('.');
    const ct = Buffer.from(parts[3] ?? '', 'base64url');
    ct[0] = (ct[0] ?? 0) ^ 1;
    parts[3] = ct.toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
  });

  test('another key cannot decrypt, and the keyed hash depends on the key', () => {
    const other = createPiiCipher(randomBytes(32), randomBytes(32));
    expect(() => other.decrypt(cipher.encrypt(nik))).toThrow();
    expect(cipher.hash(nik)).toBe(cipher.hash(nik));
    expect(other.hash(nik)).not.toBe(cipher.hash(nik));
  });

  test('NIK is masked to its first and last four digits', () => {
    expect(maskNik(nik)).toBe('3171********0001');
  });

  test('keys are read from hex or base64 and must be long enough', () => {
    expect(parseKey('ab'.repeat(32), 32, 'K')).toHaveLength(32);
    expect(parseKey(randomBytes(32).toString('base64'), 32, 'K')).toHaveLength(32);
    expect(() => parseKey('c2hvcnQ=', 32, 'K')).toThrow(/at least 32 bytes/);
    expect(() => createPiiCipher(randomBytes(16), randomBytes(32))).toThrow();
  });
});
