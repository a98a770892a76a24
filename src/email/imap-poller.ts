import { ImapFlow } from 'imapflow';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { IntakeRefused, type EmailIntake, type StoreResult } from './intake';

type ImapConfig = Pick<
  Config,
  | 'IMAP_URL'
  | 'IMAP_USER'
  | 'IMAP_PASSWORD'
  | 'IMAP_MAILBOX'
  | 'IMAP_PROCESSED_MAILBOX'
  | 'SMTP_INTAKE_MAX_BYTES'
>;

export interface PollResult {
  stored: number;
  duplicates: number;
  /** Too large or empty: flagged in the mailbox, not stored. */
  refused: number;
}

/** Keyword set on mail the intake will not take (too large, empty), so staff can find it. */
export const REFUSED_KEYWORD = '$LoketRefused';

/**
 * One pass over the intake mailbox: every message after the stored cursor (UIDVALIDITY + last
 * UID) is stored (file and row) and only then moved to IMAP_PROCESSED_MAILBOX or flagged \Seen,
 * and the cursor advances. A crash between any two of these repeats the message at worst, and the
 * Message-ID dedupe makes that a no-op. When UIDVALIDITY changes (the mailbox was rebuilt) the
 * whole mailbox is read again, with the same dedupe (RFC 9051 §2.3.1.1).
 */
export async function pollImapOnce(deps: {
  intake: EmailIntake;
  dataSource: DataSource;
  config: ImapConfig;
  onStored: (stored: StoreResult) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
}): Promise<PollResult> {
  const { intake, dataSource, config, log } = deps;
  if (!config.IMAP_URL || !config.IMAP_USER) throw new Error('IMAP_URL and IMAP_USER are not set');
  const url = new URL(config.IMAP_URL);
  const secure = url.protocol === 'imaps:';
  const client = new ImapFlow({
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    auth: { user: config.IMAP_USER, pass: config.IMAP_PASSWORD ?? '' },
    logger: false,
    disableAutoIdle: true,
  });
  // A connection error after connect() surfaces here instead of as an unhandled 'error' event.
  client.on('error', (err: Error) => {
    log('warn', `imap intake: ${err.message}`);
  });
  const result: PollResult = { stored: 0, duplicates: 0, refused: 0 };
  const mailbox = config.IMAP_MAILBOX;
  await client.connect();
  try {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const opened = client.mailbox;
      if (!opened) throw new Error('mailbox not open');
      const uidValidity = String(opened.uidValidity);
      const rows: { uid_validity: string; last_uid: string }[] = await dataSource.query(
        'SELECT uid_validity, last_uid FROM inbound_mailbox_cursors WHERE mailbox = $1',
        [mailbox],
      );
      const cursor = rows[0];
      let lastUid = cursor?.uid_validity === uidValidity ? Number(cursor.last_uid) : 0;
      if (cursor && cursor.uid_validity !== uidValidity)
        log('warn', 'imap intake: UIDVALIDITY changed; reading the whole mailbox again');
      // Sizes first (no bodies), so an oversized message is never downloaded.
      const pending: { uid: number; size: number }[] = [];
      for await (const msg of client.fetch(
        `${String(lastUid + 1)}:*`,
        { uid: true, size: true },
        { uid: true },
      )) {
        // `n:*` also returns the last message when its UID is below n.
        if (msg.uid > lastUid) pending.push({ uid: msg.uid, size: msg.size ?? 0 });
      }
      pending.sort((a, b) => a.uid - b.uid);
      for (const { uid, size } of pending) {
        const done = async () => {
          if (config.IMAP_PROCESSED_MAILBOX)
            await client.messageMove(String(uid), config.IMAP_PROCESSED_MAILBOX, { uid: true });
          else await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
        };
        if (size > config.SMTP_INTAKE_MAX_BYTES) {
          log('warn', `imap intake: uid ${String(uid)} refused, over the size limit`);
          await client.messageFlagsAdd(String(uid), ['\\Seen', REFUSED_KEYWORD], { uid: true });
          result.refused++;
        } else {
          const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
          const raw = msg ? (msg.source ?? Buffer.alloc(0)) : Buffer.alloc(0);
          try {
            const stored = await intake.store(raw, { source: 'IMAP' });
            if (stored.duplicate) result.duplicates++;
            else {
              result.stored++;
              deps.onStored(stored);
            }
            await done();
          } catch (err) {
            if (!(err instanceof IntakeRefused)) throw err;
            log('warn', `imap intake: uid ${String(uid)} refused (${err.reason})`);
            await client.messageFlagsAdd(String(uid), ['\\Seen', REFUSED_KEYWORD], { uid: true });
            result.refused++;
          }
        }
        lastUid = uid;
        await dataSource.query(
          `INSERT INTO inbound_mailbox_cursors (mailbox, uid_validity, last_uid, updated_at)
           VALUES ($1, $2, $3, clock_timestamp())
           ON CONFLICT (mailbox) DO UPDATE SET uid_validity = $2, last_uid = $3, updated_at = clock_timestamp()`,
          [mailbox, uidValidity, String(lastUid)],
        );
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => undefined);
  }
  return result;
}
