import { simpleParser } from 'mailparser';
import { ConfigError, loadConfig } from '../../src/config';
import { intakeMode } from '../../src/email/email-workers';
import {
  classifyMail,
  dedupeKeyOf,
  documentKindFromName,
  guessTicketType,
  normaliseMessageId,
  readDeliveryReport,
  splitHeader,
  storeHints,
  trimQuotedText,
} from '../../src/email/mail-analysis';
import { intakeRecipients } from '../../src/email/smtp-intake';

const own = { mailboxes: ['helpdesk@lpse.example.go.id'], messageIdDomain: 'lpse.example.go.id' };
const mail = (headers: string, body = 'Halo.') =>
  simpleParser(Buffer.from(`${headers.trim().replace(/\n/g, '\r\n')}\r\n\r\n${body}\r\n`));

describe('request type from keywords', () => {
  test.each([
    ['Lupa password SPSE', '', 'RESET_PASSWORD'],
    ['Mohon reset akun', '', 'RESET_PASSWORD'],
    ['Permohonan', 'saya lupa kata sandi akun saya', 'RESET_PASSWORD'],
    ['Forgot my password', '', 'RESET_PASSWORD'],
    ['Informasi User ID', '', 'USER_ID_INFO'],
    ['Permohonan', 'saya lupa user akun SPSE', 'USER_ID_INFO'],
    ['Permohonan', 'mohon info userid saya', 'USER_ID_INFO'],
    ['Reset user ID', '', 'USER_ID_INFO'],
    // The subject decides over the body; naming both, or neither, is for the helpdesk.
    ['Lupa user ID', 'lalu password saya juga mau direset', 'USER_ID_INFO'],
    ['Lupa user ID dan password', '', null],
    ['Tidak bisa login', 'mohon bantuan', null],
  ])('%s / %s -> %s', (subject, body, type) => {
    expect(guessTicketType(subject, body)).toBe(type);
  });
});

describe('quoted history is trimmed', () => {
  test.each([
    [
      'Gmail (English, wrapped)',
      'Terima kasih.\n\nOn Mon, 23 Nov 2026 at 09:05, Loket Helpdesk <\nhelpdesk@x.go.id> wrote:\n> lama\n',
    ],
    [
      'Gmail (Indonesian)',
      'Terima kasih.\n\nPada Sen, 23 Nov 2026 pukul 09.05 Loket <helpdesk@x.go.id> menulis:\n> lama\n',
    ],
    ['Outlook', 'Terima kasih.\n\n-----Original Message-----\nFrom: Loket\nSent: Monday\n'],
    [
      'Outlook (rule)',
      'Terima kasih.\n\n________________________________\nFrom: Loket <helpdesk@x.go.id>\nSent: Monday\n',
    ],
    [
      'Outlook (Indonesian)',
      'Terima kasih.\n\nDari: Loket <helpdesk@x.go.id>\nDikirim: Senin\nKepada: Budi\n',
    ],
    ['signature', 'Terima kasih.\n-- \nBudi Santoso\nPPK'],
    ['trailing quote', 'Terima kasih.\n> lama\n>\n'],
  ])('%s', (_name, text) => {
    expect(trimQuotedText(text)).toBe('Terima kasih.');
  });

  test('a forwarded request is kept whole', () => {
    const text =
      'Mohon dibantu.\n\n---------- Forwarded message ---------\nFrom: Dewi\n\nSaya lupa kata sandi.';
    expect(trimQuotedText(text)).toBe(text);
  });

  test('a reply that is nothing but a quote keeps its text rather than nothing', () => {
    expect(trimQuotedText('> lama\n> lagi')).toBe('> lama\n> lagi');
  });
});

describe('what a mail is', () => {
  test.each([
    ['From: Budi <budi@gmail.com>', 'request'],
    // No usable sender: still a request (a ticket nobody is answered for).
    ['From: tidak ada alamat', 'request'],
    ['From: Budi <budi@gmail.com>\nAuto-Submitted: no', 'request'],
    ['From: Budi <budi@gmail.com>\nAuto-Submitted: auto-replied', 'automatic'],
    ['From: Budi <budi@gmail.com>\nX-Autorespond: yes', 'automatic'],
    ['From: Budi <budi@gmail.com>\nPrecedence: junk', 'automatic'],
    ['From: Milis <milis@x.org>\nList-Id: <pengadaan.x.org>', 'automatic'],
    ['From: noreply-spse@lkpp.go.id', 'automatic'],
    ['From: Do Not Reply <do-not-reply@x.go.id>', 'automatic'],
    ['Return-Path: <>\nFrom: Budi <budi@gmail.com>', 'automatic'],
    ['Return-Path: <>\nFrom: MAILER-DAEMON@mx.x.go.id', 'bounce'],
    ['From: postmaster@x.go.id\nX-Failed-Recipients: a@b.c', 'bounce'],
    ['From: Loket <HELPDESK+lkt-2611-00001.abcdef0123@lpse.example.go.id>', 'loop'],
    [
      'From: Budi <budi@gmail.com>\nMessage-ID: <LKT-2611-00001.11111111-2222-4333-8444-555555555555@lpse.example.go.id>',
      'loop',
    ],
  ])('%s -> %s', async (headers, kind) => {
    expect(classifyMail(await mail(headers), own).kind).toBe(kind);
  });

  test('a delivery report that only says "delayed" is not a failure', async () => {
    const parsed = await mail(
      'From: MAILER-DAEMON@mx.x.go.id\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '--b\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; a@b.c\r\nAction: delayed\r\nStatus: 4.4.1\r\n--b--',
    );
    expect(readDeliveryReport(parsed)).toMatchObject({ failed: false, status: '4.4.1' });
  });
});

describe('dedupe keys', () => {
  test('the Message-ID and sender are read from the header block alone', () => {
    const raw = Buffer.from(
      'Received: x\r\nFrom: =?UTF-8?B?QnVkaQ==?=\r\n <Budi@Gmail.com>\r\nMessage-ID:\r\n <CAKx.1@mail.gmail.com> (komentar)\r\n\r\nMessage-ID: <bukan-ini@x>\r\n',
    );
    expect(storeHints(raw)).toEqual({
      messageId: 'CAKx.1@mail.gmail.com',
      sender: 'budi@gmail.com',
    });
    expect(storeHints(Buffer.from('Subject: x\n\nisi'))).toEqual({ messageId: null, sender: null });
  });

  test('the header block ends at the first empty line, CRLF or LF, whichever comes first', () => {
    const at = (s: string) => splitHeader(Buffer.from(s)).bodyStart;
    expect(at('A: 1\r\n\r\nbody\n\nmore')).toBe(8);
    expect(at('A: 1\n\nbody\r\n\r\nmore')).toBe(6);
    expect(at('A: 1\r\nB: 2\n\nbody\r\n\r\n')).toBe(12);
    expect(at('A: 1\r\nB: 2')).toBe(10);
    expect(splitHeader(Buffer.from('A: 1\r\n\r\nx')).headerText).toBe('A: 1');
  });

  test('Message-IDs are compared without brackets and case', () => {
    expect(normaliseMessageId(' <AbC@Example.COM> ')).toBe('AbC@Example.COM');
    expect(normaliseMessageId('<>')).toBeNull();
    expect(normaliseMessageId('<a b@c>')).toBeNull();
    const raw = Buffer.from('x');
    expect(dedupeKeyOf(raw, 'AbC@Example.COM')).toBe(dedupeKeyOf(raw, 'abc@example.com'));
  });

  test('without a Message-ID, trace headers do not change the key; the body does', () => {
    const a = Buffer.from('From: a@b.c\r\nSubject: x\r\n\r\nisi\r\n');
    const relayed = Buffer.from(
      'Received: from mx2\r\n\tby mx3\r\nDelivered-To: h@x\r\nFrom: a@b.c\r\nSubject: x\r\n\r\nisi\r\n',
    );
    const edited = Buffer.from('From: a@b.c\r\nSubject: x\r\n\r\nisi lain\r\n');
    expect(dedupeKeyOf(relayed, null)).toBe(dedupeKeyOf(a, null));
    expect(dedupeKeyOf(edited, null)).not.toBe(dedupeKeyOf(a, null));
  });
});

test('document kinds from Indonesian file names', () => {
  expect(documentKindFromName('Formulir Permohonan.pdf')).toBe('REQUEST_FORM');
  expect(documentKindFromName('SK_Penunjukan_PPK.jpg')).toBe('SK_PENUNJUKAN');
  expect(documentKindFromName('surat-perintah-pemeriksaan.pdf')).toBe('SURAT_PERINTAH_PEMERIKSAAN');
  expect(documentKindFromName('e-KTP budi.png')).toBe('KTP');
  expect(documentKindFromName('scan001.pdf')).toBe('OTHER');
});

describe('intake configuration', () => {
  test('SMTP on 127.0.0.1 by default in development only; production needs an explicit EMAIL_INTAKE', () => {
    expect(intakeMode(loadConfig({}))).toBe('smtp');
    expect(loadConfig({}).SMTP_INTAKE_HOST).toBe('127.0.0.1');
    expect(intakeMode(loadConfig({ NODE_ENV: 'test' }))).toBe('off');
    expect(intakeMode({ NODE_ENV: 'production' })).toBe('off');
    expect(intakeMode({ NODE_ENV: 'production', EMAIL_INTAKE: 'both' })).toBe('both');
  });

  test('IMAP needs its server; TLS and AUTH come in pairs', () => {
    expect(() => loadConfig({ EMAIL_INTAKE: 'imap' })).toThrow(ConfigError);
    expect(() => loadConfig({ IMAP_URL: 'http://x' })).toThrow(/IMAP_URL/);
    expect(() => loadConfig({ SMTP_INTAKE_TLS_KEY: '/k.pem' })).toThrow(/SMTP_INTAKE_TLS_CERT/);
    expect(() => loadConfig({ SMTP_INTAKE_AUTH_USER: 'u' })).toThrow(/SMTP_INTAKE_AUTH_PASSWORD/);
  });

  test('the listener accepts only the helpdesk mailboxes (their +tag forms too)', () => {
    const config = loadConfig({
      MAIL_FROM: 'Loket <noreply@lpse.example.go.id>',
      MAIL_REPLY_ADDRESS: 'Helpdesk <Helpdesk@lpse.example.go.id>',
    });
    expect([...intakeRecipients(config)]).toEqual(['helpdesk@lpse.example.go.id']);
    expect([
      ...intakeRecipients({ ...config, SMTP_INTAKE_RECIPIENTS: 'a@x.go.id, B@y.go.id' }),
    ]).toEqual(['a@x.go.id', 'b@y.go.id']);
  });
});
