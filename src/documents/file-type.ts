/**
 * What an uploaded document really is, from its first bytes (ASVS 5.0.0 5.2.2): the name and the
 * declared content type of an upload are the sender's claims and are never trusted. Loket accepts
 * the three kinds of file a request needs (scans and photos of the form, the SK, the KTP): PDF,
 * JPEG and PNG. Everything else, including executables, archives and Office files, HTML and SVG
 * (script), GIF and anything too short to tell, is refused.
 *
 * The signatures are written out here rather than taken from the `file-type` package: its current
 * releases are ESM-only, which this CommonJS project and Jest cannot load, and the last CommonJS
 * line (16.x) is no longer maintained. Three fixed prefixes need no library.
 *
 * Every signature must start at offset 0. PDF readers tolerate a header anywhere in the first
 * kilobyte, which is exactly how PDF polyglots are built, so a `%PDF-` after other bytes is refused.
 */

export type DocumentMime = 'application/pdf' | 'image/jpeg' | 'image/png';
export type DocumentExt = 'pdf' | 'jpg' | 'png';

export interface DocumentType {
  mime: DocumentMime;
  ext: DocumentExt;
}

interface Signature extends DocumentType {
  magic: Buffer;
}

const signatures: readonly Signature[] = [
  // `%PDF-` (ISO 32000-1 §7.5.2, the header line `%PDF-1.n` / `%PDF-2.0`)
  { mime: 'application/pdf', ext: 'pdf', magic: Buffer.from('%PDF-', 'latin1') },
  // SOI marker FF D8 followed by the first marker's FF (JFIF APP0, Exif APP1, DQT, ...)
  { mime: 'image/jpeg', ext: 'jpg', magic: Buffer.from([0xff, 0xd8, 0xff]) },
  // PNG signature (RFC 2083 §3.1)
  {
    mime: 'image/png',
    ext: 'png',
    magic: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
];

/** Bytes of the head of a file that `sniffDocumentType` needs (the longest signature). */
export const DOCUMENT_SNIFF_BYTES = Math.max(...signatures.map((s) => s.magic.length));

export const documentExtensions: readonly DocumentExt[] = signatures.map((s) => s.ext);

/**
 * The type of a document from its first bytes, or null when it is not a PDF, JPEG or PNG.
 * `head` may be the whole file or just its first `DOCUMENT_SNIFF_BYTES` bytes or more.
 */
export function sniffDocumentType(head: Buffer): DocumentType | null {
  for (const { mime, ext, magic } of signatures) {
    if (head.length >= magic.length && head.subarray(0, magic.length).equals(magic)) {
      return { mime, ext };
    }
  }
  return null;
}

export const MAX_DOWNLOAD_NAME = 100;
const FALLBACK_NAME = 'dokumen';
/** Names Windows reserves for devices, with or without an extension. */
const WINDOWS_DEVICE = /^(?:con|prn|aux|nul|com\d|lpt\d)$/i;

/**
 * A file name that is safe in a `Content-Disposition` header and on any file system (ASVS 5.0.0
 * 5.4.2): ASCII letters, digits, `_` and `-` only, plus the one extension of the sniffed type
 * (never the sender's). The last path segment is kept (`../../etc/passwd` -> `passwd.pdf`),
 * accents are dropped (`Surat Permohonan Désy` -> `Surat_Permohonan_Desy`), every other
 * character, including dots (no double extensions), control characters and CR/LF, becomes `_`,
 * and the result is at most 100 characters. An empty result becomes `dokumen.<ext>`.
 */
export function safeDownloadName(originalName: string, ext: DocumentExt): string {
  if (!documentExtensions.includes(ext)) throw new Error('unknown document extension');
  const lastSegment = originalName.split(/[/\\]/).at(-1) ?? '';
  // The sender's extension goes (whatever it claims); the sniffed one is added below.
  const withoutExt = lastSegment.replace(/\.[A-Za-z0-9]{1,8}\s*$/, '');
  let base = withoutExt
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/_{2,}/g, '_')
    // No leading `-` (read as an option by command-line tools) and no dangling `_`.
    .replace(/^[_-]+/, '')
    .replace(/_+$/, '');
  const room = MAX_DOWNLOAD_NAME - ext.length - 1;
  if (base.length > room) base = base.slice(0, room).replace(/_+$/, '');
  if (base === '') base = FALLBACK_NAME;
  if (WINDOWS_DEVICE.test(base)) base = `${base}_`;
  return `${base}.${ext}`;
}
