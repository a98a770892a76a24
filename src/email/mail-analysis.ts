import { createHash } from 'node:crypto';
import type { AddressObject, Attachment, HeaderValue, ParsedMail } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { normaliseEmail } from '../registry/registry-csv';
import type { DocumentKind, TicketType } from '../workflow/workflow.types';

/**
 * The pure half of the email intake: what a parsed mail is (a request, an automatic reply, a
 * bounce, our own mail coming back), which ticket it may belong to, its type, its text without
 * the quoted history, and which attachments are candidate documents. MIME itself is mailparser's
 * job; this module only reads what mailparser produced.
 */

/** `<abc@x>` or `abc@x` -> `abc@x`; null when empty or absurdly long. */
export function normaliseMessageId(value: string | undefined | null): string | null {
  if (!value) return null;
  const v = value.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  if (v === '' || v.length > 250 || /[\s<>]/.test(v)) return null;
  return v;
}

/** Trace headers that a relay adds: the same message via two relays must hash alike. */
const TRACE_HEADERS = new Set([
  'received',
  'return-path',
  'delivered-to',
  'x-original-to',
  'x-received',
  'arc-seal',
  'arc-message-signature',
  'arc-authentication-results',
  'authentication-results',
  'received-spf',
  'dkim-signature',
  'x-google-smtp-source',
]);

/**
 * The dedupe key of a mail: sha256 of its Message-ID, or, without one, of its headers (trace
 * headers left out) and its body.
 */
export function dedupeKeyOf(raw: Buffer, messageId: string | null): string {
  const hash = createHash('sha256');
  if (messageId) return hash.update(`mid:${messageId.toLowerCase()}`).digest('hex');
  const { headerText, bodyStart } = splitHeader(raw);
  const kept = unfoldHeaderLines(headerText).filter((line) => {
    const name = line.slice(0, line.indexOf(':')).trim().toLowerCase();
    return !TRACE_HEADERS.has(name);
  });
  hash.update('raw:');
  hash.update(kept.join('\n'));
  hash.update('\n\n');
  hash.update(raw.subarray(bodyStart));
  return hash.digest('hex');
}

/** True when `raw` holds nothing but whitespace (an empty DATA, a blank IMAP message). */
export function isBlank(raw: Buffer, from = 0): boolean {
  for (let i = from; i < raw.length; i++) {
    const b = raw[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}

/** The header block ends at the first empty line (RFC 5322 §2.1); a mail without one is all header. */
export function splitHeader(raw: Buffer): { headerText: string; bodyStart: number } {
  const crlf = raw.indexOf('\r\n\r\n');
  // Only an LF-only break before the CRLF one matters: no scan through the rest of the mail.
  const lf = (crlf >= 0 ? raw.subarray(0, crlf + 1) : raw).indexOf('\n\n');
  let end = -1;
  let sep = 0;
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) {
    end = crlf;
    sep = 4;
  } else if (lf >= 0) {
    end = lf;
    sep = 2;
  }
  if (end < 0) return { headerText: raw.toString('latin1'), bodyStart: raw.length };
  return { headerText: raw.subarray(0, end).toString('latin1'), bodyStart: end + sep };
}

/**
 * What storing a mail needs before the job parses it: its Message-ID and the sender's address,
 * read from the header block alone (the address by nodemailer's address parser). The job's full
 * mailparser parse decides everything else.
 */
export function storeHints(raw: Buffer): { messageId: string | null; sender: string | null } {
  const { headerText } = splitHeader(raw.subarray(0, 262_144));
  const lines = unfoldHeaderLines(headerText);
  const value = (name: string) => {
    const line = lines.find((l) => l.slice(0, name.length + 1).toLowerCase() === `${name}:`);
    return line?.slice(name.length + 1).trim();
  };
  const id = /<[^<>\s]+>/.exec(value('message-id') ?? '')?.[0] ?? null;
  const from = addressparser(value('from') ?? '', { flatten: true })[0]?.address;
  return { messageId: normaliseMessageId(id), sender: from ? normaliseEmail(from) : null };
}

function unfoldHeaderLines(headerText: string): string[] {
  return headerText
    .replace(/\r\n/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split('\n')
    .filter((l) => l.includes(':'));
}

const headerText = (value: HeaderValue | undefined): string => {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(' ');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'value' in value) {
    const v = (value as { value: unknown }).value;
    return typeof v === 'string' ? v : '';
  }
  if (typeof value === 'object' && 'text' in value) {
    const t = (value as { text: unknown }).text;
    return typeof t === 'string' ? t : '';
  }
  return '';
};

export function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  const list = Array.isArray(field) ? field : [field];
  const out: string[] = [];
  const walk = (entries: AddressObject['value']) => {
    for (const e of entries) {
      if (e.address) out.push(e.address);
      if (e.group) walk(e.group);
    }
  };
  for (const f of list) walk(f.value);
  return out;
}

/** The first From mailbox: its (normalised) address and display name. */
export function senderOf(parsed: ParsedMail): { address: string | null; name: string } {
  const first = parsed.from?.value[0];
  const address = first?.address ? normaliseEmail(first.address) : null;
  // Control characters (an encoded CR/LF in a display name) never reach a stored name.
  const name = (first?.name ?? '')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
  return { address, name };
}

export type MailKind =
  | { kind: 'loop'; reason: string }
  | { kind: 'bounce'; reason: string }
  | { kind: 'automatic'; reason: string }
  | { kind: 'request' };

export interface OwnAddresses {
  /** Loket's own mailboxes (MAIL_FROM, the reply mailbox, the intake recipients), lower-case. */
  mailboxes: readonly string[];
  /** The domain of Loket's Message-IDs. */
  messageIdDomain: string;
}

const AUTOMATIC_SENDER =
  /^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|noreply-[^@]*|bounces?)([+.-][^@]*)?@/i;

/** Local part of a mailbox without its `+tag`, with the domain: `helpdesk+x@d` -> `helpdesk@d`. */
const untagged = (address: string) => address.replace(/\+[^@]*@/, '@').toLowerCase();

/**
 * What a mail is, before any routing (RFC 3834 and common practice, research C.7). Order matters:
 * our own mail coming back is a loop even when it is also automatic; a delivery report is a
 * bounce even though it is automatic too.
 */
export function classifyMail(parsed: ParsedMail, own: OwnAddresses): MailKind {
  const h = parsed.headers;
  const from = senderOf(parsed).address;
  const ownMailboxes = new Set(own.mailboxes.map(untagged));
  if (from && ownMailboxes.has(untagged(from))) return { kind: 'loop', reason: 'own-address' };
  const ownId = normaliseMessageId(parsed.messageId);
  if (ownId && /^[A-Z]+-\d{4,6}-\d{5,}\.[0-9a-f-]{36}@/i.test(ownId)) {
    if (ownId.toLowerCase().endsWith(`@${own.messageIdDomain.toLowerCase()}`))
      return { kind: 'loop', reason: 'own-message-id' };
  }

  const contentType = h.get('content-type') as
    { value?: unknown; params?: Record<string, unknown> } | undefined;
  const ctValue = typeof contentType?.value === 'string' ? contentType.value.toLowerCase() : '';
  const reportType = contentType?.params?.['report-type'];
  if (
    ctValue === 'multipart/report' &&
    typeof reportType === 'string' &&
    reportType.toLowerCase() === 'delivery-status'
  )
    return { kind: 'bounce', reason: 'delivery-status-report' };
  if (h.has('x-failed-recipients')) return { kind: 'bounce', reason: 'x-failed-recipients' };
  // The envelope sender, as the receiving server recorded it (RFC 5321 §4.4): `<>` for a bounce.
  const nullSender = rawHeaderValues(parsed, 'return-path').some((v) => v.trim() === '<>');
  if (nullSender && from && /^(mailer-daemon|postmaster)@/i.test(from))
    return { kind: 'bounce', reason: 'mailer-daemon' };

  const autoSubmitted = headerText(h.get('auto-submitted')).trim().toLowerCase();
  if (autoSubmitted && !autoSubmitted.startsWith('no'))
    return { kind: 'automatic', reason: 'auto-submitted' };
  const precedence = headerText(h.get('precedence')).trim().toLowerCase();
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence))
    return { kind: 'automatic', reason: `precedence-${precedence}` };
  if (h.has('x-autoreply') || h.has('x-autorespond') || h.has('x-autogenerated'))
    return { kind: 'automatic', reason: 'x-autoreply' };
  // mailparser folds List-* headers into one `list` entry: read the header lines themselves.
  const sent = (name: string) => parsed.headerLines.some((l) => l.key === name);
  if (sent('list-id') || sent('list-unsubscribe'))
    return { kind: 'automatic', reason: 'mailing-list' };
  // No usable From at all is still a request: the helpdesk sees it, nobody is answered.
  if (from && AUTOMATIC_SENDER.test(from)) return { kind: 'automatic', reason: 'automatic-sender' };
  if (nullSender) return { kind: 'automatic', reason: 'null-sender' };
  return { kind: 'request' };
}

/** Ticket codes as Loket writes them: `LKT-2611-00042`. */
const TICKET_CODE = /\b(LKT-\d{4,6}-\d{5,})\b/i;

export interface RoutingHints {
  /** Ticket codes named by a genuine reply-address tag (checked by the caller's parser). */
  replyTokens: string[];
  /** Message-IDs the mail answers (In-Reply-To first, then References, newest first). */
  referencedIds: string[];
  /** A ticket code in the subject. */
  subjectCode: string | null;
}

/** Every value of a header as sent (mailparser's `headers` map keeps one per name). */
export function rawHeaderValues(parsed: ParsedMail, name: string): string[] {
  return parsed.headerLines
    .filter((l) => l.key === name)
    .map((l) => l.line.slice(l.line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' '));
}

export function routingHints(
  parsed: ParsedMail,
  parseReplyAddress: (address: string) => string | null,
): RoutingHints {
  // The envelope recipients as the receiving server recorded them, then the header recipients.
  const envelopeTo = [
    ...rawHeaderValues(parsed, 'delivered-to'),
    ...rawHeaderValues(parsed, 'x-original-to'),
  ]
    .flatMap((v) => v.split(/[\s,<>]+/))
    .filter((a) => a.includes('@'));
  const recipients = [...envelopeTo, ...addressesOf(parsed.to), ...addressesOf(parsed.cc)].slice(
    0,
    100,
  );
  const replyTokens = [
    ...new Set(recipients.map(parseReplyAddress).filter((c): c is string => c !== null)),
  ];
  const refs = Array.isArray(parsed.references)
    ? parsed.references
    : parsed.references
      ? [parsed.references]
      : [];
  const referencedIds = [
    ...new Set(
      [parsed.inReplyTo ?? '', ...refs.reverse()]
        .flatMap((r) => r.split(/\s+/))
        .map(normaliseMessageId)
        .filter((r): r is string => r !== null),
    ),
  ].slice(0, 50);
  const subjectCode = TICKET_CODE.exec(parsed.subject ?? '')?.[1]?.toUpperCase() ?? null;
  return { replyTokens, referencedIds, subjectCode };
}

const RESET_WORDS = [
  /\blupa\s+(?:password|kata\s*sandi|sandi|pass)\b/,
  /\breset\b/,
  /\bkata\s*sandi\b/,
  /\bpassword\b/,
  /\batur\s+ulang\b/,
  /\bforgot(?:ten)?\s+(?:my\s+)?password\b/,
];
const USER_ID_WORDS = [
  /\buser\s*-?\s*id\b/,
  /\blupa\s+user(?:name)?\b/,
  /\busername\b/,
  /\bnama\s+pengguna\b/,
  /\bforgot(?:ten)?\s+(?:my\s+)?user(?:name)?\b/,
];

/**
 * The request type from Indonesian and English keywords: the subject decides when it names one
 * type; otherwise the body; a mail that names both or neither is left for the helpdesk.
 */
export function guessTicketType(subject: string, body: string): TicketType | null {
  const pick = (text: string): TicketType | null | 'BOTH' => {
    const t = text.toLowerCase();
    // "lupa user id" also says "lupa"; "reset user id" is a user-ID request, not a reset.
    const userId = USER_ID_WORDS.some((w) => w.test(t));
    const reset = RESET_WORDS.some((w) =>
      w.test(t.replace(/\breset\s+user\s*-?\s*id\b/g, 'user id')),
    );
    if (userId && reset) return 'BOTH';
    if (userId) return 'USER_ID_INFO';
    if (reset) return 'RESET_PASSWORD';
    return null;
  };
  const fromSubject = pick(subject);
  if (fromSubject === 'BOTH') return null;
  if (fromSubject) return fromSubject;
  const fromBody = pick(body.slice(0, 5000));
  return fromBody === 'BOTH' ? null : fromBody;
}

/** Lines that open quoted history in replies from Gmail, Outlook, Apple Mail and Thunderbird. */
const QUOTE_OPENERS: readonly RegExp[] = [
  // Gmail / Apple Mail / Thunderbird: "On <date>, <name> wrote:" (may wrap onto two lines)
  /^[ \t]*(?:On|Pada)\b[^\n]{0,300}(?:\n[^\n]{0,300})?\b(?:wrote|menulis)\s*:[ \t]*$/m,
  // Outlook: a rule or "-----Original Message-----", then From:/Dari: with Sent:/Dikirim:
  /^[ \t]*-{2,}\s*(?:Original Message|Pesan Asli|Pesan Awal)\s*-{2,}[ \t]*$/im,
  /^[ \t]*_{10,}[ \t]*\n[ \t]*(?:From|Dari)\s*:/im,
  /^[ \t]*(?:From|Dari)\s*:[^\n]*\n[ \t]*(?:Sent|Dikirim|Date|Tanggal)\s*:[^\n]*\n/im,
];

/**
 * The new text of a reply: quoted history (the first quote opener and everything after it, and
 * `>` lines at the end) and the signature after `-- ` removed. A forwarded message is kept whole:
 * what was forwarded is the request.
 */
export function trimQuotedText(text: string): string {
  let t = text.replace(/\r\n/g, '\n');
  if (
    /^[ \t]*-{2,}\s*(?:Forwarded message|Pesan yang diteruskan|Pesan terusan)\s*-{2,}/im.test(t)
  ) {
    return t.trim();
  }
  if (/^Begin forwarded message:/im.test(t)) return t.trim();
  let cut = t.length;
  for (const opener of QUOTE_OPENERS) {
    const m = opener.exec(t);
    if (m && m.index < cut) cut = m.index;
  }
  t = t.slice(0, cut);
  const sig = /^-- ?$/m.exec(t);
  if (sig) t = t.slice(0, sig.index);
  const lines = t.split('\n');
  while (lines.length > 0 && /^\s*(>.*)?$/.test(lines[lines.length - 1] ?? '')) lines.pop();
  const trimmed = lines.join('\n').trim();
  // A reply that is only a quote (or an empty body) keeps the original text rather than nothing.
  return trimmed === '' ? text.replace(/\r\n/g, '\n').trim() : trimmed;
}

/**
 * Attachments that are offered as documents: everything except images embedded in the HTML
 * body by Content-ID (signature logos, inline pictures): those are not documents.
 */
export function documentCandidates(parsed: ParsedMail): Attachment[] {
  return parsed.attachments.filter((a) => {
    if (a.related) return false;
    const inlineImage =
      a.contentDisposition === 'inline' &&
      a.contentId !== undefined &&
      a.contentType.startsWith('image/') &&
      (parsed.html === false ? '' : (parsed.html ?? '')).includes(
        `cid:${a.contentId.replace(/^<|>$/g, '')}`,
      );
    return !inlineImage;
  });
}

/** A sender's file name as we may print it in the acknowledgement: no control characters, short. */
export function displayFileName(name: string | undefined): string {
  const clean = (name ?? '')
    .replace(/[\p{Cc}\p{Cf}]+/gu, ' ')
    .split(/[/\\]/)
    .at(-1)
    ?.replace(/\s+/g, ' ')
    .trim();
  if (!clean) return 'lampiran';
  return clean.length > 80 ? `${clean.slice(0, 77)}...` : clean;
}

/** The document kind a file name suggests; the helpdesk checks it at the completeness step. */
export function documentKindFromName(name: string | undefined): DocumentKind {
  const n = (name ?? '').toLowerCase().replace(/[_.-]+/g, ' ');
  if (/\b(formulir|form|permohonan)\b/.test(n)) return 'REQUEST_FORM';
  if (/\b(sk|penunjukan|surat keputusan|keputusan)\b/.test(n)) return 'SK_PENUNJUKAN';
  if (/\b(spp|perintah pemeriksaan|surat perintah)\b/.test(n)) return 'SURAT_PERINTAH_PEMERIKSAAN';
  if (/\b(ktp|e ktp|identitas)\b/.test(n)) return 'KTP';
  return 'OTHER';
}

/** The delivery report of a bounce: the action, status code and the ids of what bounced. */
export function readDeliveryReport(parsed: ParsedMail): {
  failed: boolean;
  status: string | null;
  referencedIds: string[];
} {
  const texts: string[] = [parsed.text ?? ''];
  for (const a of parsed.attachments) {
    if (
      a.contentType === 'message/delivery-status' ||
      a.contentType === 'message/rfc822' ||
      a.contentType === 'text/rfc822-headers' ||
      a.contentType === 'message/global-headers' ||
      a.contentType === 'message/global-delivery-status'
    ) {
      texts.push(a.content.subarray(0, 65_536).toString('utf8'));
    }
  }
  const all = texts.join('\n');
  const actions = [...all.matchAll(/^Action:\s*([a-z]+)/gim)].map((m) =>
    (m[1] ?? '').toLowerCase(),
  );
  const status = /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im.exec(all)?.[1] ?? null;
  // A report that only says "delayed" (or "delivered", "relayed") is not a failure.
  const failed =
    actions.length === 0 ? status === null || status.startsWith('5') : actions.includes('failed');
  const ids = [...all.matchAll(/^(?:Message-ID|In-Reply-To|References)\s*:\s*([^\n]+)$/gim)]
    .flatMap((m) => (m[1] ?? '').split(/\s+/))
    .map(normaliseMessageId)
    .filter((id): id is string => id !== null);
  return { failed, status, referencedIds: [...new Set(ids)] };
}
