import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import {
  decodeBase64Lines,
  liftBase64Bodies,
  parseMail,
  type ParseOptions,
} from '../../src/email/mime-lift';

const options: ParseOptions = {
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  maxHtmlLengthToParse: 2_000_000,
  checksumAlgo: false,
};

/** What the intake reads of a parsed mail. */
const view = (p: ParsedMail) => ({
  subject: p.subject,
  from: p.from?.text,
  to: Array.isArray(p.to) ? p.to.map((t) => t.text) : p.to?.text,
  messageId: p.messageId,
  text: p.text,
  html: p.html,
  headerLines: p.headerLines,
  attachments: p.attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    contentDisposition: a.contentDisposition,
    contentId: a.contentId,
    related: a.related,
    size: a.size,
    sha: a.content.toString('base64'),
  })),
});

async function expectSameAsMailparser(raw: Buffer) {
  expect(view(await parseMail(raw, options))).toEqual(view(await simpleParser(raw, options)));
}

const compose = (mail: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> =>
  new MailComposer(mail).compile().build();

const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(200 * 1024)]);
const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(50_000)]);

describe('parseMail: large base64 attachments decoded natively, the same result as mailparser', () => {
  test('every mail fixture', async () => {
    const dir = join(__dirname, '..', 'fixtures', 'email');
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.eml')))
      await expectSameAsMailparser(readFileSync(join(dir, name)));
  });

  test('text, HTML with an inline image, a PDF and a JPEG: both attachments lifted', async () => {
    const raw = await compose({
      from: 'Budi <budi@contoh.go.id>',
      to: 'helpdesk@lpse.example.go.id',
      subject: 'Permohonan reset password',
      text: 'Terlampir formulir.',
      html: '<p>Terlampir <img src="cid:logo@x"></p>',
      attachments: [
        { filename: 'formulir.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'sk.jpg', content: jpeg, contentType: 'image/jpeg' },
        { filename: 'logo.png', content: randomBytes(20_000), cid: 'logo@x' },
      ],
    });
    expect(liftBase64Bodies(raw)?.lifted).toHaveLength(3);
    expect(liftBase64Bodies(raw)?.reduced.length).toBeLessThan(10_000);
    await expectSameAsMailparser(raw);
  });

  test('LF line endings, a quoted boundary, a single-part PDF mail', async () => {
    const crlf = await compose({
      from: 'a@contoh.go.id',
      subject: 'x',
      text: 'y',
      attachments: [{ filename: 'f.pdf', content: pdf }],
    });
    const lf = Buffer.from(crlf.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect(liftBase64Bodies(lf)?.lifted).toHaveLength(1);
    await expectSameAsMailparser(lf);
    const b64 = pdf.toString('base64').replace(/.{76}/g, '$&\r\n');
    const single = Buffer.from(
      `From: a@contoh.go.id\r\nSubject: scan\r\nMIME-Version: 1.0\r\nContent-Type: application/pdf; name="scan.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`,
    );
    expect(liftBase64Bodies(single)?.lifted).toHaveLength(1);
    await expectSameAsMailparser(single);
  });

  const multipart = (boundaryParam: string, boundary: string, partHeaders: string, body: string) =>
    Buffer.from(
      `From: a@contoh.go.id\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; ${boundaryParam}\r\n\r\n` +
        `--${boundary}\r\nContent-Type: text/plain\r\n\r\nHalo.\r\n` +
        `--${boundary}\r\n${partHeaders}\r\n\r\n${body}\r\n--${boundary}--\r\n`,
      'latin1',
    );
  const lines = pdf.toString('base64').replace(/.{76}/g, '$&\r\n');

  test.each([
    [
      'a padded line in the middle (libbase64 decodes segment by segment)',
      'boundary="b1"',
      'b1',
      'Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64',
      `${Buffer.from('ab').toString('base64')}\r\n${lines}`,
      0,
    ],
    [
      'not base64 characters in the body',
      'boundary=b2',
      'b2',
      'Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64',
      `${lines}\r\n*** not base64 ***`,
      0,
    ],
    [
      'a text part in base64 (mailparser decodes its charset)',
      'boundary=b3',
      'b3',
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64',
      Buffer.from('Halo '.repeat(5000)).toString('base64').replace(/.{76}/g, '$&\r\n'),
      0,
    ],
    [
      'two Content-Type fields',
      'boundary=b4',
      'b4',
      'Content-Type: application/pdf\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64',
      lines,
      0,
    ],
    [
      'a boundary given twice (read one way here, maybe another by mailparser)',
      'boundary=b5; boundary=b6',
      'b5',
      'Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64',
      lines,
      1,
    ],
    [
      'a part that says base64 but is not in quartets',
      'boundary=b7',
      'b7',
      'Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64',
      `${lines}QQ`,
      0,
    ],
  ])('%s: the same as mailparser', async (_name, param, boundary, headers, body, lifted) => {
    const raw = multipart(param, boundary, headers, body);
    expect(liftBase64Bodies(raw)?.lifted.length ?? 0).toBe(lifted);
    await expectSameAsMailparser(raw);
  });

  test('a nested multipart: the attachment inside multipart/related inside multipart/mixed', async () => {
    const raw = Buffer.from(
      'From: a@contoh.go.id\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\npreamble\r\n' +
        '--outer\r\nContent-Type: multipart/related; boundary="inner"\r\n\r\n' +
        '--inner\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Halo</p>\r\n' +
        `--inner\r\nContent-Type: image/jpeg\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <x@y>\r\n\r\n${jpeg.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n--inner--\r\n` +
        `--outer\r\nContent-Type: application/pdf; name=f.pdf\r\nContent-Disposition: attachment; filename=f.pdf\r\nContent-Transfer-Encoding: BASE64\r\n\r\n${lines}\r\n--outer--\r\nepilogue\r\n`,
      'latin1',
    );
    expect(liftBase64Bodies(raw)?.lifted).toHaveLength(2);
    await expectSameAsMailparser(raw);
  });
});

describe('decodeBase64Lines', () => {
  const decode = (s: string) => decodeBase64Lines(Buffer.from(s, 'latin1'), 0, s.length);

  test('the bytes Buffer.from gives, for every length and line length', () => {
    for (let n = 0; n < 80; n++) {
      const data = randomBytes(n);
      for (const width of [4, 76, 1000]) {
        const text = data
          .toString('base64')
          .replace(new RegExp(`.{${String(width)}}`, 'g'), '$&\r\n');
        expect(decode(text)?.equals(data)).toBe(true);
        expect(decode(text.replace(/\r\n/g, '\n'))?.equals(data)).toBe(true);
      }
    }
  });

  test.each([
    ['padding in the middle', 'QQ==QUJD'],
    ['a character outside the alphabet', 'QUJD*UJD'],
    ['url-safe alphabet', 'QU-_'],
    ['not whole quartets', 'QUJDQ'],
    ['three padding characters', 'Q==='],
    ['padding too early', 'QUJD='],
    ['a space', 'QUJD QUJD'],
  ])('null for %s', (_name, text) => {
    expect(decode(text)).toBeNull();
  });
});
