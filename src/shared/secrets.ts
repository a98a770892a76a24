import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config';
import { inboundKeyFrom } from '../whatsapp/inbound-seal';
import { createPiiCipher, parseKey, type PiiCipher } from './pii';

export interface Secrets {
  jwtSecret: string;
  pii: PiiCipher;
  /** Seals the messages of a Cloud API webhook in their bot job (src/whatsapp/inbound-seal.ts). */
  whatsappInboundKey: Buffer;
}

interface GeneratedSecrets {
  jwtSecret: string;
  encryptionKey: string;
  hashKey: string;
}

/**
 * Secrets come from config. Outside production, a missing one is generated once and kept in
 * LOKET_DATA_DIR/secrets.json (mode 0600), so `npm start` needs no setup and data stays readable
 * across restarts. In production the config schema already demands every secret.
 */
export function resolveSecrets(config: Config): Secrets {
  let generated: GeneratedSecrets | undefined;
  const needGenerated =
    config.JWT_SECRET === undefined ||
    config.LOKET_ENCRYPTION_KEY === undefined ||
    config.LOKET_HASH_KEY === undefined;
  if (needGenerated) {
    if (config.NODE_ENV === 'production') throw new Error('secrets are required in production');
    generated = loadOrCreateGenerated(config.LOKET_DATA_DIR);
  }
  const jwtSecret = config.JWT_SECRET ?? generated?.jwtSecret ?? '';
  const encryptionKey = parseKey(
    config.LOKET_ENCRYPTION_KEY ?? generated?.encryptionKey ?? '',
    32,
    'LOKET_ENCRYPTION_KEY',
  );
  const hashKey = parseKey(config.LOKET_HASH_KEY ?? generated?.hashKey ?? '', 32, 'LOKET_HASH_KEY');
  return {
    jwtSecret,
    pii: createPiiCipher(encryptionKey, hashKey),
    whatsappInboundKey: inboundKeyFrom(encryptionKey),
  };
}

function loadOrCreateGenerated(dataDir: string): GeneratedSecrets {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as GeneratedSecrets;
  mkdirSync(dataDir, { recursive: true });
  const secrets: GeneratedSecrets = {
    jwtSecret: randomBytes(48).toString('base64url'),
    encryptionKey: randomBytes(32).toString('base64'),
    hashKey: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}
