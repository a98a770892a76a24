import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config';
import { scrubError } from './addressing';

/** One outgoing email, composed; nodemailer builds the MIME. */
export interface OutgoingMail {
  /** The notification id; names the .eml file when there is no SMTP server. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  replyTo: string;
  references: string[];
  ticketCode: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'files';
  /** Resolves when the server accepted the message; rejects with the transport's error. */
  send(mail: OutgoingMail): Promise<{ providerId: string }>;
  close(): void;
}

/**
 * Pooled SMTP when SMTP_URL is set; otherwise each message is written as an .eml file under
 * LOKET_DATA_DIR/mail (written whole, then renamed, so a reader never sees half a message).
 */
export function createMailer(config: Config): Mailer {
  const from = config.MAIL_FROM;
  const compose = (mail: OutgoingMail) => ({
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    replyTo: mail.replyTo,
    references: mail.references,
    headers: {
      // RFC 3834: an automatic message; well-behaved auto-responders do not answer it.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'X-Loket-Ticket': mail.ticketCode,
    },
  });
  if (config.SMTP_URL) {
    const transport: Transporter = nodemailer.createTransport({
      url: config.SMTP_URL,
      pool: true,
      maxConnections: config.SMTP_POOL_SIZE,
      maxMessages: 500,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
      // No logger: nodemailer would log message bodies (a temporary password) at debug level.
      logger: false,
    });
    return {
      kind: 'smtp',
      async send(mail) {
        const info = (await transport.sendMail(compose(mail))) as { messageId?: string };
        return { providerId: info.messageId ?? mail.messageId };
      },
      close: () => {
        transport.close();
      },
    };
  }
  const dir = join(config.LOKET_DATA_DIR, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return {
    kind: 'files',
    async send(mail) {
      const info = (await transport.sendMail(compose(mail))) as { message: Buffer };
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const file = join(dir, `${mail.id}.eml`);
      writeFileSync(`${file}.tmp`, info.message, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
      return { providerId: mail.messageId };
    },
    close: () => undefined,
  };
}

export interface DeliveryFailure {
  /** Retrying cannot help (a 5xx answer, a malformed address). */
  permanent: boolean;
  /** Stable code for the record and the API: SMTP_5XX, SMTP_4XX, CONNECTION, ... */
  code: string;
  /** Short and scrubbed: no addresses, no numbers, no message content. */
  detail: string;
  /** The message may have been accepted anyway (the connection broke after DATA). */
  uncertain?: boolean;
}

interface NodemailerError {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** What an SMTP or transport error means for the notice. */
export function classifyMailError(err: unknown): DeliveryFailure {
  const e = (typeof err === 'object' && err ? err : {}) as NodemailerError;
  const said = scrubError(e.response ?? e.message ?? String(err));
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500) {
      return { permanent: true, code: `SMTP_${e.responseCode}`, detail: said };
    }
    return { permanent: false, code: `SMTP_${e.responseCode}`, detail: said };
  }
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') {
    return { permanent: true, code: e.code, detail: said };
  }
  // No answer to the message body: the server may have taken it before the line broke.
  const uncertain = e.command === 'DATA' || e.command === 'BDAT';
  return { permanent: false, code: e.code ?? 'SEND_FAILED', detail: said, uncertain };
}
