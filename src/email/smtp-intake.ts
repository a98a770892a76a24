import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import type { Config } from '../config';
import { addressOf } from '../notifications/addressing';
import { normaliseEmail } from '../registry/registry-csv';
import { constantTimeEqual } from '../shared/constant-time';
import { IntakeRefused, type EmailIntake, type StoreResult } from './intake';
import { isBlank } from './mail-analysis';

export interface SmtpIntake {
  port: number;
  close(): Promise<void>;
}

type SmtpConfig = Pick<
  Config,
  | 'NODE_ENV'
  | 'MAIL_FROM'
  | 'MAIL_REPLY_ADDRESS'
  | 'SMTP_INTAKE_HOST'
  | 'SMTP_INTAKE_PORT'
  | 'SMTP_INTAKE_RECIPIENTS'
  | 'SMTP_INTAKE_MAX_BYTES'
  | 'SMTP_INTAKE_MAX_RECIPIENTS'
  | 'SMTP_INTAKE_TLS_KEY'
  | 'SMTP_INTAKE_TLS_CERT'
  | 'SMTP_INTAKE_AUTH_USER'
  | 'SMTP_INTAKE_AUTH_PASSWORD'
>;

const smtpError = (responseCode: number, message: string) =>
  Object.assign(new Error(message), { responseCode });

/** The mailboxes the listener accepts mail for; `helpdesk+tag@d` counts as `helpdesk@d`. */
export function intakeRecipients(config: SmtpConfig): Set<string> {
  const list = config.SMTP_INTAKE_RECIPIENTS
    ? config.SMTP_INTAKE_RECIPIENTS.split(',')
    : [config.MAIL_REPLY_ADDRESS ?? config.MAIL_FROM];
  return new Set(
    list.map((a) => normaliseEmail(addressOf(a))).filter((a): a is string => a !== null),
  );
}

/** Header lines the listener prepends, as a final delivery agent does (RFC 5321 §4.4). */
function traceHeaders(session: SMTPServerSession): string {
  const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
  const safe = (a: string) => a.replace(/[^\x21-\x7e]/g, '');
  const lines = [`Return-Path: <${safe(from)}>`];
  for (const r of session.envelope.rcptTo) lines.push(`Delivered-To: ${safe(r.address)}`);
  return `${lines.join('\r\n')}\r\n`;
}

/**
 * The SMTP listener an office's mail server forwards to. It is not a relay: only the configured
 * helpdesk mailboxes (and their +tag forms) are accepted as recipients, at most
 * SMTP_INTAKE_MAX_RECIPIENTS of them. A message over the size limit is refused with 552 before
 * anything is stored; any other message is answered 250 only once it is stored (raw file and
 * row), so a failure there makes the sending server retry (451) and nothing accepted is lost.
 */
export async function startSmtpIntake(deps: {
  intake: EmailIntake;
  config: SmtpConfig;
  /**
   * Called after a mail is stored and acknowledged, with the raw mail as stored (so it need not
   * be read back); enqueue failures are left to the sweeper.
   */
  onStored: (stored: StoreResult, raw: Buffer) => void;
  log: (level: 'info' | 'warn' | 'error', message: string) => void;
  port?: number;
}): Promise<SmtpIntake> {
  const { intake, config, log } = deps;
  const allowed = intakeRecipients(config);
  const tls = Boolean(config.SMTP_INTAKE_TLS_KEY && config.SMTP_INTAKE_TLS_CERT);
  const authUser = config.SMTP_INTAKE_AUTH_USER;
  const authPassword = config.SMTP_INTAKE_AUTH_PASSWORD;
  const maxBytes = config.SMTP_INTAKE_MAX_BYTES;
  // One log line per session and reason (5,000 refused recipients are one line, not 5,000).
  const noted = new Map<string, Set<string>>();
  const noteOnce = (session: SMTPServerSession, key: string, message: string) => {
    const seen = noted.get(session.id) ?? new Set<string>();
    if (seen.has(key)) return;
    seen.add(key);
    noted.set(session.id, seen);
    log('warn', `smtp intake: session ${session.id}: ${message}`);
  };
  const disabled: string[] = [];
  if (!tls) disabled.push('STARTTLS');
  if (!authUser) disabled.push('AUTH');

  const server = new SMTPServer({
    banner: 'Loket email intake',
    logger: false,
    disableReverseLookup: true,
    size: maxBytes,
    // Refused at the end of DATA with 552 (RFC 1870 §6.2); the excess is not kept in memory.
    rejectOversized: true,
    // Each connection may hold up to SMTP_INTAKE_MAX_BYTES in memory while its DATA arrives.
    maxClients: 20,
    socketTimeout: 60_000,
    closeTimeout: 5_000,
    disabledCommands: disabled,
    authOptional: !authUser,
    authMethods: ['PLAIN', 'LOGIN'],
    // AUTH in clear text only outside production (a local test); in production after STARTTLS.
    allowInsecureAuth: config.NODE_ENV !== 'production',
    ...(tls
      ? {
          key: readFileSync(config.SMTP_INTAKE_TLS_KEY ?? ''),
          cert: readFileSync(config.SMTP_INTAKE_TLS_CERT ?? ''),
        }
      : {}),
    onAuth(auth, _session, callback) {
      const ok =
        authUser !== undefined &&
        authPassword !== undefined &&
        auth.method !== 'XOAUTH2' &&
        constantTimeEqual(auth.username ?? '', authUser) &&
        constantTimeEqual(auth.password ?? '', authPassword);
      if (!ok) {
        log('warn', 'smtp intake: authentication failed');
        callback(smtpError(535, 'Authentication credentials invalid'));
        return;
      }
      callback(null, { user: 'intake' });
    },
    onClose(session, callback) {
      noted.delete(session.id);
      callback();
    },
    onRcptTo(address, session, callback) {
      if (session.envelope.rcptTo.length >= config.SMTP_INTAKE_MAX_RECIPIENTS) {
        noteOnce(session, 'too-many', 'recipients over the limit refused (452)');
        callback(smtpError(452, 'Too many recipients'));
        return;
      }
      const mailbox = normaliseEmail(address.address.replace(/\+[^@]*@/, '@'));
      if (!mailbox || !allowed.has(mailbox)) {
        // Never a relay: anything but the helpdesk's own mailboxes is refused.
        noteOnce(session, 'not-ours', 'recipient refused, not an intake mailbox (550)');
        callback(smtpError(550, 'Mailbox unavailable'));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        // Past the limit nothing more is kept; the message is refused below.
        if (bytes <= maxBytes) chunks.push(chunk);
      });
      stream.on('error', () => {
        callback(smtpError(451, 'Local error in processing'));
      });
      stream.on('end', () => {
        if (stream.sizeExceeded || bytes > maxBytes) {
          log('warn', `smtp intake: message refused, over ${String(maxBytes)} bytes`);
          callback(smtpError(552, 'Message exceeds fixed maximum message size'));
          return;
        }
        const trace = Buffer.from(traceHeaders(session), 'latin1');
        const raw = Buffer.concat([trace, ...chunks]);
        (isBlank(raw, trace.length)
          ? Promise.reject(new IntakeRefused('EMPTY', 554, 'Empty message'))
          : intake.store(raw, { source: 'SMTP' })
        ).then(
          (stored) => {
            if (stored.duplicate) log('info', `smtp intake: duplicate of inbound ${stored.id}`);
            callback(null, `Stored as ${stored.id}`);
            if (!stored.duplicate) deps.onStored(stored, raw);
          },
          (err: unknown) => {
            if (err instanceof IntakeRefused) {
              log('warn', `smtp intake: message refused (${err.reason})`);
              callback(smtpError(err.responseCode, err.message));
              return;
            }
            // Storage or database trouble: the sending server keeps the message and retries.
            log(
              'error',
              `smtp intake: could not store a message: ${err instanceof Error ? err.name : 'error'}`,
            );
            callback(smtpError(451, 'Local error in processing, try again later'));
          },
        );
      });
    },
  });
  server.on('error', (err) => {
    log('error', `smtp intake: ${err.message}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(deps.port ?? config.SMTP_INTAKE_PORT, config.SMTP_INTAKE_HOST, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
