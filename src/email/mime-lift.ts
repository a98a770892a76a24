import { randomBytes } from 'node:crypto';
import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * Parsing a mail with its attachments decoded natively. mailparser splits a mail line by line in
 * JavaScript and decodes base64 through a stream: for a 200 KB PDF that is most of the intake's
 * CPU time per mail. So the large base64 bodies of non-text leaf parts are lifted out first: each
 * is replaced by a random token (one base64 line), the token mail is parsed by mailparser as usual
 * (headers, structure, text, names: mailparser decides everything), and each attachment whose
 * content is exactly a token gets the lifted body back, decoded by `Buffer.from(.., 'base64')`.
 *
 * The lifting is only an optimisation and never decides anything: a body is lifted only when it
 * is nothing but base64 lines (padding at its end only: the same bytes as libbase64 gives), and
 * the result is used only when every token came back as the whole content of exactly one
 * attachment, i.e. mailparser saw each lifted body as one attachment's body. Anything else (a
 * boundary read differently, a token in a text part) parses the original mail with mailparser.
 */

export interface LiftedBody {
  token: Buffer;
  content: Buffer;
}

/** Bodies smaller than this stay with mailparser: lifting them would save nothing. */
const MIN_LIFT_BYTES = 8192;
/** Parts deeper than this are left alone (mailparser has its own limits). */
const MAX_DEPTH = 8;

interface PartHeaders {
  contentType: string;
  boundary: string | null;
  encoding: string;
}

/** The header block of a part starting at `start`: its end (after the empty line) and the fields. */
function readPartHeaders(raw: Buffer, start: number, end: number) {
  // The header block ends at the first empty line; a part without one is left to mailparser.
  let headerEnd = -1;
  let bodyStart = end;
  for (let at = start; at < end;) {
    const nl = raw.indexOf(0x0a, at);
    if (nl < 0 || nl >= end) break;
    if (nl === at || (nl === at + 1 && raw[at] === 0x0d)) {
      headerEnd = at;
      bodyStart = nl + 1;
      break;
    }
    at = nl + 1;
  }
  // A part that opens with an empty line has no header fields at all: nothing to read here.
  if (headerEnd <= start) return null;
  const lines = raw
    .toString('latin1', start, headerEnd)
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/);
  const field = (name: string) => {
    const found = lines.filter((l) => l.slice(0, name.length + 1).toLowerCase() === `${name}:`);
    // A field given twice may be read either way: leave such a part to mailparser.
    return found.length === 1 ? (found[0] ?? '').slice(name.length + 1).trim() : null;
  };
  const contentType = field('content-type');
  // Without its own Content-Type a part is text (or a digest's message): never lifted.
  if (!contentType) return null;
  const boundary = /;\s*boundary\s*=\s*(?:"([^"\\]+)"|([^;\s"]+))\s*(?:;|$)/i.exec(contentType);
  const headers: PartHeaders = {
    contentType: (contentType.split(';')[0] ?? '').trim().toLowerCase(),
    boundary: boundary ? (boundary[1] ?? boundary[2] ?? null) : null,
    encoding: (field('content-transfer-encoding') ?? '').toLowerCase(),
  };
  return { headers, bodyStart };
}

/** Base64 alphabet values; -2 a line break, -3 padding, -1 anything else. */
const BASE64 = new Int8Array(256).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < ALPHABET.length; i++) BASE64[ALPHABET.charCodeAt(i)] = i;
BASE64[0x0d] = -2;
BASE64[0x0a] = -2;
BASE64[0x3d] = -3;

/**
 * The bytes of a base64 body of whole lines, or null unless it is nothing but the base64 alphabet
 * and line breaks, in whole quartets, padded (at most twice) only at its very end: exactly the
 * input on which libbase64 (mailparser's decoder) and `Buffer.from(.., 'base64')` agree. Read
 * straight from the mail's bytes: no string of the body, no second pass.
 */
export function decodeBase64Lines(raw: Buffer, start: number, end: number): Buffer | null {
  const out = Buffer.allocUnsafe(Math.floor(((end - start) * 3) / 4) + 3);
  let length = 0;
  let quartet = 0;
  let inQuartet = 0;
  let padding = 0;
  for (let i = start; i < end; i++) {
    const v = BASE64[raw[i] ?? 0] ?? -1;
    if (v >= 0) {
      if (padding > 0) return null;
      quartet = (quartet << 6) | v;
      if (++inQuartet === 4) {
        out[length++] = (quartet >> 16) & 0xff;
        out[length++] = (quartet >> 8) & 0xff;
        out[length++] = quartet & 0xff;
        quartet = 0;
        inQuartet = 0;
      }
    } else if (v === -3) {
      padding++;
      if (inQuartet + padding > 4 || inQuartet < 2) return null;
    } else if (v !== -2) {
      return null;
    }
  }
  if (padding > 0) {
    if (inQuartet + padding !== 4) return null;
    // 2 characters and `==`: one byte; 3 and `=`: two (the left-over bits are dropped).
    if (inQuartet === 2) out[length++] = (quartet >> 4) & 0xff;
    else {
      out[length++] = (quartet >> 10) & 0xff;
      out[length++] = (quartet >> 2) & 0xff;
    }
  } else if (inQuartet !== 0) {
    return null;
  }
  return out.subarray(0, length);
}

/** Start offsets of the delimiter lines `--boundary` in [from, end), each with the line's end. */
function delimiters(raw: Buffer, boundary: string, from: number, end: number) {
  const found: { lineStart: number; next: number; close: boolean }[] = [];
  const marker = Buffer.from(`--${boundary}`, 'latin1');
  let at = from;
  while (at < end) {
    const hit = raw.indexOf(marker, at);
    if (hit < 0 || hit + marker.length > end) break;
    at = hit + marker.length;
    if (hit !== from && raw[hit - 1] !== 0x0a) continue;
    let i = hit + marker.length;
    let close = false;
    if (raw[i] === 0x2d && raw[i + 1] === 0x2d) {
      close = true;
      i += 2;
    }
    while (raw[i] === 0x20 || raw[i] === 0x09) i++;
    if (raw[i] === 0x0d) i++;
    if (i < raw.length && raw[i] !== 0x0a) continue;
    found.push({ lineStart: hit, next: Math.min(i + 1, raw.length), close });
  }
  return found;
}

/**
 * Lifts the large base64 bodies of non-text leaf parts out of `raw`; null when there is none.
 * Pure: `reduced` is the mail with each lifted body replaced by its token's base64 line.
 */
export function liftBase64Bodies(raw: Buffer): { reduced: Buffer; lifted: LiftedBody[] } | null {
  const regions: { start: number; end: number; content: Buffer }[] = [];

  const visit = (start: number, end: number, depth: number) => {
    const part = readPartHeaders(raw, start, end);
    if (!part || depth > MAX_DEPTH) return;
    const { headers, bodyStart } = part;
    if (headers.contentType.startsWith('multipart/')) {
      if (!headers.boundary) return;
      const delims = delimiters(raw, headers.boundary, bodyStart, end);
      for (let k = 0; k + 1 < delims.length; k++) {
        const open = delims[k];
        const close = delims[k + 1];
        if (!open || !close || open.close) break;
        // The line break before the next delimiter belongs to the delimiter (RFC 2046 §5.1.1).
        visit(open.next, close.lineStart, depth + 1);
      }
      return;
    }
    if (
      headers.encoding !== 'base64' ||
      headers.contentType.startsWith('text/') ||
      headers.contentType.startsWith('message/') ||
      end - bodyStart < MIN_LIFT_BYTES
    )
      return;
    // Whole lines only: the body ends with its last line break (the one before the delimiter).
    let bodyEnd = end;
    if (raw[bodyEnd - 1] === 0x0a) bodyEnd--;
    if (raw[bodyEnd - 1] === 0x0d) bodyEnd--;
    const content = decodeBase64Lines(raw, bodyStart, bodyEnd);
    if (content) regions.push({ start: bodyStart, end: bodyEnd, content });
  };
  visit(0, raw.length, 0);
  if (regions.length === 0) return null;

  const pieces: Buffer[] = [];
  const lifted: LiftedBody[] = [];
  let at = 0;
  for (const r of regions) {
    const token = randomBytes(18);
    lifted.push({ token, content: r.content });
    pieces.push(raw.subarray(at, r.start), Buffer.from(token.toString('base64'), 'latin1'));
    at = r.end;
  }
  pieces.push(raw.subarray(at));
  return { reduced: Buffer.concat(pieces), lifted };
}

export type ParseOptions = NonNullable<Parameters<typeof simpleParser>[1]>;

/**
 * mailparser's `simpleParser` result for `raw`, with large base64 attachments decoded natively
 * (see above). Falls back to parsing `raw` itself whenever the lifted parse does not add up.
 */
export async function parseMail(raw: Buffer, options: ParseOptions): Promise<ParsedMail> {
  const lift = liftBase64Bodies(raw);
  if (!lift) return simpleParser(raw, options);
  let parsed: ParsedMail;
  try {
    parsed = await simpleParser(lift.reduced, options);
  } catch {
    return simpleParser(raw, options);
  }
  // Each token is in the token mail once; it must be the whole content of one attachment (so
  // mailparser saw exactly the lifted body as that attachment's body, and decoded it as base64
  // and nothing else: random bytes survive no other treatment). Restored only if all of them are.
  const matches: { attachment: ParsedMail['attachments'][number]; body: LiftedBody }[] = [];
  for (const a of parsed.attachments) {
    const body = lift.lifted.find((l) => a.content.equals(l.token));
    if (body) matches.push({ attachment: a, body });
  }
  if (
    matches.length !== lift.lifted.length ||
    new Set(matches.map((m) => m.body)).size !== lift.lifted.length
  )
    return simpleParser(raw, options);
  for (const { attachment, body } of matches) {
    attachment.content = body.content;
    attachment.size = body.content.length;
  }
  return parsed;
}
