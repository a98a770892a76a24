import { constantTimeEqual } from '../shared/constant-time';
import { normaliseEmail, normalisePhone } from '../registry/registry-csv';
import type { PiiCipher } from '../shared/pii';

/**
 * Addresses of outgoing notices: validation, masking for display, and the Message-ID and reply
 * address the email intake threads on.
 */

/** `budi.pribadi@gmail.com` -> `bu**********@gmail.com`. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  const local = address.slice(0, at);
  const keep = local.length <= 2 ? 1 : 2;
  return `${local.slice(0, keep)}${'*'.repeat(Math.max(3, local.length - keep))}${address.slice(at)}`;
}

/** `+6281234567890` -> `+62812*****890`; a chat id keeps its suffix (`@c.us`, `@lid`). */
export function maskPhoneOrChat(value: string): string {
  const at = value.indexOf('@');
  const head = at >= 0 ? value.slice(0, at) : value;
  const tail = at >= 0 ? value.slice(at) : '';
  if (head.length <= 6) return `${'*'.repeat(head.length)}${tail}`;
  const start = head.startsWith('+') ? 6 : 5;
  return `${head.slice(0, start)}${'*'.repeat(Math.max(3, head.length - start - 3))}${head.slice(-3)}${tail}`;
}

/** Removes email addresses and long digit runs from a provider's error text before it is stored. */
export function scrubError(text: string): string {
  return text
    .replace(/[^\s<>"'()[\]]+@[^\s<>"'()[\]]+/g, '<address>')
    .replace(/\+?\d[\d ]{7,}\d/g, '<number>')
    .replace(/[\r\n\t]+/g, ' ')
    .slice(0, 400);
}

export type RecipientCheck =
  | { ok: true; address: string }
  | { ok: false; code: 'INVALID_EMAIL' | 'INVALID_PHONE' | 'INVALID_CHAT_ID' };

/** A deliverable email address, lower-cased, or why not. */
export function checkEmail(value: string | null | undefined): RecipientCheck {
  const email = value ? normaliseEmail(value) : null;
  return email ? { ok: true, address: email } : { ok: false, code: 'INVALID_EMAIL' };
}

/**
 * An Indonesian mobile number in E.164 (`+628...`), or why not: WhatsApp needs a mobile number,
 * and a landline (`021...`) or a foreign number is a permanent failure, not a retry.
 */
export function checkIndonesianMobile(value: string | null | undefined): RecipientCheck {
  const phone = value ? normalisePhone(value) : null;
  return phone?.startsWith('+628')
    ? { ok: true, address: phone }
    : { ok: false, code: 'INVALID_PHONE' };
}

/** A Cloud API business-scoped user id (`ID.…`): a user known without a phone number. */
export const BSUID_PATTERN = /^[A-Z]{2}(\.[A-Z]{2,5})?\.[A-Za-z0-9]{1,128}$/;

/** The web chat simulator's chat id (`sim:<uuid>`): the bot delivers to it like to WhatsApp. */
export const SIMULATOR_CHAT_PATTERN =
  /^sim:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A WhatsApp chat id as the transports give it (`<digits>@c.us` or `<digits>@lid`, the Cloud
 * API's business-scoped user id, or the chat simulator's `sim:<uuid>`); opaque.
 */
export function checkChatId(value: string | null | undefined): RecipientCheck {
  return value &&
    (/^[0-9]{5,20}@(c\.us|lid|s\.whatsapp\.net)$/.test(value) ||
      BSUID_PATTERN.test(value) ||
      SIMULATOR_CHAT_PATTERN.test(value))
    ? { ok: true, address: value }
    : { ok: false, code: 'INVALID_CHAT_ID' };
}

/** The address part of `Name <local@domain>` or of a bare address. */
export function addressOf(mailbox: string): string {
  const m = /<([^>]+)>\s*$/.exec(mailbox);
  return (m?.[1] ?? mailbox).trim();
}

export function domainOf(address: string): string {
  return addressOf(address).split('@')[1] ?? 'loket.localhost';
}

/**
 * Our Message-ID for a notice: the ticket code and the notification id, so a bounce or a reply
 * that quotes it finds both. Stable across retries, so a resend after a crash is recognisable.
 */
export function noticeMessageId(ticketCode: string, notificationId: string, domain: string) {
  return `<${ticketCode}.${notificationId}@${domain}>`;
}

/** The thread root every notice of a ticket refers to, so mail clients keep one conversation. */
export function ticketThreadId(ticketCode: string, domain: string) {
  return `<${ticketCode}@${domain}>`;
}

/** `LKT-202611-00001.<uuid>` from our Message-ID, or null when it is not ours. */
export function parseNoticeMessageId(
  messageId: string,
  domain: string,
): { ticketCode: string; notificationId: string } | null {
  const m = /^<?([A-Z]+-\d{4,6}-\d{5,})\.([0-9a-f-]{36})@([^>]+)>?$/i.exec(messageId.trim());
  if (!m?.[1] || !m[2] || m[3]?.toLowerCase() !== domain.toLowerCase()) return null;
  return { ticketCode: m[1].toUpperCase(), notificationId: m[2].toLowerCase() };
}

const tokenMac = (pii: PiiCipher, code: string) =>
  Buffer.from(pii.hash(`reply-to:${code.toUpperCase()}`), 'base64url')
    .toString('hex')
    .slice(0, 10);

/**
 * `helpdesk+lkt-202611-00001.3f9a0c1b2d@kantor.go.id`: a reply to it joins the ticket. The tag is
 * keyed, so a guessed ticket code alone cannot post into someone else's ticket.
 */
export function replyAddress(pii: PiiCipher, replyMailbox: string, ticketCode: string): string {
  const [local, domain] = addressOf(replyMailbox).split('@');
  return `${local ?? 'helpdesk'}+${ticketCode.toLowerCase()}.${tokenMac(pii, ticketCode)}@${domain ?? 'loket.localhost'}`;
}

/** The ticket code a reply address names, when its tag is genuine; null otherwise. */
export function parseReplyAddress(pii: PiiCipher, address: string): string | null {
  const m = /^[^+@]+\+([a-z]+-\d{4,6}-\d{5,})\.([0-9a-f]{10})@/i.exec(addressOf(address));
  if (!m?.[1] || !m[2]) return null;
  const code = m[1].toUpperCase();
  return constantTimeEqual(tokenMac(pii, code), m[2].toLowerCase()) ? code : null;
}
