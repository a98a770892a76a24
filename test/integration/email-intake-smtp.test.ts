import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { loadConfig } from '../../src/config';
import { startSmtpIntake } from '../../src/email/smtp-intake';
import type { EmailIntake } from '../../src/email/intake';
import { startWorkers, type Workers } from '../../src/worker';
import { eventually, notificationReaching } from '../helpers/eventually';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { createTestApp, type TestApp } from '../helpers/test-app';

const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const DOMAIN = 'lpse.samarindakota.go.id';
const HELPDESK = `helpdesk@${DOMAIN}`;
const pdf = readFileSync(join(__dirname, '..', 'fixtures', 'documents', 'sk-penunjukan.pdf'));
const jpeg = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(600, 7),
  Buffer.from([0xff, 0xd9]),
]);

jest.setTimeout(60_000);

/** What a sending server sees: nodemailer talking SMTP to the Loket listener. */
describe('email intake over SMTP', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let workers: Workers;
  let intake: EmailIntake;
  let port: number;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: `Loket Helpdesk <${HELPDESK}>`,
        EMAIL_INTAKE: 'smtp',
        SMTP_INTAKE_PORT: '0',
        SMTP_INTAKE_MAX_BYTES: '200000',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    workers = await startWorkers(t.container, t.redis);
    if (!workers.emailIntake?.smtp) throw new Error('the SMTP intake did not start');
    intake = workers.emailIntake.intake;
    port = workers.emailIntake.smtp.port;
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await sink.stop();
  });

  const transport = () =>
    nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const count = async (table: string) =>
    Number(
      (await t.container.dataSource.query<{ n: string }[]>(`SELECT count(*) AS n FROM ${table}`))[0]
        ?.n,
    );
  const ticketBy = (contact: string) =>
    t.container.dataSource.query<{ id: string; code: string; type: string | null; step: string }[]>(
      'SELECT id, code, type, step FROM tickets WHERE contact_address = $1 ORDER BY created_at, code',
      [contact],
    );

  test('the form and the SK by email: one ticket with both documents and an acknowledgement; the reply joins it', async () => {
    const info = (await transport().sendMail({
      from: 'Budi Santoso <budi.santoso.ppk@gmail.com>',
      to: HELPDESK,
      subject: 'Permohonan reset password SPSE',
      text: 'Yth. Helpdesk, saya lupa password SPSE. Terlampir formulir dan SK penunjukan.',
      html: '<p>Yth. Helpdesk, saya <b>lupa password</b> SPSE. Terlampir formulir dan SK penunjukan.</p>',
      attachments: [
        { filename: 'formulir-permohonan.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'sk-penunjukan.jpg', content: jpeg, contentType: 'image/jpeg' },
      ],
    })) as { response: string; accepted: string[] };
    expect(info.response).toMatch(/^250 /);
    const [ticket] = await eventually(
      () => ticketBy('budi.santoso.ppk@gmail.com'),
      (rows) => rows.length === 1,
    );
    expect(ticket).toMatchObject({ type: 'RESET_PASSWORD', step: 'RECEIVED' });
    const docs = await t.container.dataSource.query<{ kind: string; content_type: string }[]>(
      'SELECT kind, content_type FROM documents WHERE ticket_id = $1 ORDER BY kind',
      [ticket?.id],
    );
    expect(docs).toEqual([
      { kind: 'REQUEST_FORM', content_type: 'application/pdf' },
      { kind: 'SK_PENUNJUKAN', content_type: 'image/jpeg' },
    ]);
    const sent = await notificationReaching(
      t.container.dataSource,
      ticket?.id ?? '',
      'ticket-received',
      'sent',
    );
    const ack = sink.messages.find((m) => m.messageId === sent.provider_message_id);
    expect(ack?.to).toBe('budi.santoso.ppk@gmail.com');
    expect(ack?.parsed.subject).toContain(ticket?.code);
    const replyTo = ack?.parsed.replyTo?.value[0]?.address ?? '';

    // The requester answers the acknowledgement from their mail program.
    await transport().sendMail({
      from: 'Budi Santoso <budi.santoso.ppk@gmail.com>',
      to: replyTo,
      subject: `Re: ${ack?.parsed.subject ?? ''}`,
      inReplyTo: sent.provider_message_id ?? '',
      references: [sent.provider_message_id ?? ''],
      text: `Terima kasih.\n\nOn Mon, 23 Nov 2026 at 09:00, Loket <${HELPDESK}> wrote:\n> Kode tiket ${ticket?.code ?? ''}\n`,
    });
    await eventually(
      () =>
        t.container.dataSource.query<{ body: string }[]>(
          'SELECT body FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at, id',
          [ticket?.id],
        ),
      (rows) => rows.length === 2,
    );
    expect(await ticketBy('budi.santoso.ppk@gmail.com')).toHaveLength(1);
    // One acknowledgement only: a reply is not a new request.
    expect(sink.messages.filter((m) => m.to === 'budi.santoso.ppk@gmail.com')).toHaveLength(1);
  });

  test('a message over the size limit is refused with 552 and nothing is stored', async () => {
    const before = await count('inbound_emails');
    await expect(
      transport().sendMail({
        from: 'siti@contoh.go.id',
        to: HELPDESK,
        subject: 'Scan besar',
        text: 'x',
        attachments: [{ filename: 'besar.pdf', content: Buffer.alloc(300_000, 0x41) }],
      }),
    ).rejects.toMatchObject({ responseCode: 552 });
    expect(await count('inbound_emails')).toBe(before);
  });

  test('recipients other than the helpdesk are refused (not a relay)', async () => {
    await expect(
      transport().sendMail({
        from: 'a@contoh.go.id',
        to: 'someone@example.com',
        subject: 'relay?',
        text: 'x',
      }),
    ).rejects.toMatchObject({ responseCode: 550 });
  });

  test('5,000 recipients: the first 50 are taken, the rest get 452; the mail is stored once', async () => {
    const before = await count('inbound_emails');
    const to = Array.from({ length: 5000 }, (_, i) => `helpdesk+x${String(i)}@${DOMAIN}`);
    const info = (await transport().sendMail({
      from: 'massal@contoh.go.id',
      envelope: { from: 'massal@contoh.go.id', to },
      to: HELPDESK,
      subject: 'Lupa password',
      text: 'banyak penerima',
    })) as { accepted: string[]; rejected: string[] };
    expect(info.accepted).toHaveLength(50);
    expect(info.rejected).toHaveLength(4950);
    expect(await count('inbound_emails')).toBe(before + 1);
  });

  test('an empty message is refused with 554', async () => {
    await expect(
      transport().sendMail({
        envelope: { from: 'a@contoh.go.id', to: [HELPDESK] },
        raw: Buffer.alloc(0),
      }),
    ).rejects.toMatchObject({ responseCode: 554 });
  });

  test('a mail the listener stored is processed from the raw it holds, not read back from the queue', async () => {
    const spy = jest.spyOn(intake, 'process');
    try {
      await transport().sendMail({
        from: 'Rina <rina@contoh.go.id>',
        to: HELPDESK,
        subject: 'Lupa password SPSE',
        text: 'Mohon reset password saya.',
        attachments: [{ filename: 'formulir.pdf', content: pdf, contentType: 'application/pdf' }],
      });
      const [ticket] = await eventually(
        () => ticketBy('rina@contoh.go.id'),
        (rows) => rows.length === 1,
      );
      expect(ticket?.type).toBe('RESET_PASSWORD');
      expect(spy).toHaveBeenCalledTimes(1);
      const [id, held] = spy.mock.calls[0] ?? [];
      // What it was handed is what was stored, byte for byte.
      const stored = await t.container.dataSource.query<{ storage_key: string }[]>(
        'SELECT storage_key FROM inbound_emails WHERE id = $1',
        [id],
      );
      const chunks: Buffer[] = [];
      for await (const c of await t.container.storage.get(stored[0]?.storage_key ?? ''))
        chunks.push(c as Buffer);
      expect(held?.raw.equals(Buffer.concat(chunks))).toBe(true);
      expect(held?.senderHash).toBe(t.container.secrets.pii.hash('rina@contoh.go.id'));
    } finally {
      spy.mockRestore();
    }
  });

  test('a mail whose processing fails in the listener goes to the queue and is processed there', async () => {
    const spy = jest.spyOn(intake, 'process').mockRejectedValueOnce(new Error('database away'));
    try {
      await transport().sendMail({
        from: 'Yudi <yudi@contoh.go.id>',
        to: HELPDESK,
        subject: 'Lupa user ID',
        text: 'Mohon info user ID saya.',
      });
      const [ticket] = await eventually(
        () => ticketBy('yudi@contoh.go.id'),
        (rows) => rows.length === 1,
      );
      expect(ticket?.type).toBe('USER_ID_INFO');
      // First from memory (failed), then by the job, which reads the stored mail back.
      expect(spy.mock.calls.map((c) => c.length > 1 && c[1] !== undefined)).toEqual([true, false]);
    } finally {
      spy.mockRestore();
    }
  });

  test('a stored mail whose job never reached Redis is processed by the sweeper', async () => {
    const raw = Buffer.from(
      `From: Tia <tia@contoh.go.id>\r\nTo: ${HELPDESK}\r\nSubject: Lupa user ID\r\nMessage-ID: <sweep-1@contoh.go.id>\r\n\r\nMohon info user ID saya.\r\n`,
    );
    // Stored as the listener does, but never queued (as when Redis is down).
    const stored = await intake.store(raw, { source: 'SMTP' });
    expect(stored.jobId).toMatch(/^mail-[0-9a-f]{64}$/);
    expect(await workers.emailIntake?.sweep(-1000)).toBeGreaterThanOrEqual(1);
    const rows = await eventually(
      () => ticketBy('tia@contoh.go.id'),
      (r) => r.length === 1,
    );
    expect(rows[0]?.type).toBe('USER_ID_INFO');
  });
});

describe('SMTP intake: STARTTLS and AUTH when configured', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loket-smtp-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=localhost',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('AUTH is required and only accepted over TLS in production; wrong credentials get 535', async () => {
    const stored: string[] = [];
    const config = loadConfig({
      NODE_ENV: 'test',
      MAIL_FROM: `Loket <${HELPDESK}>`,
      SMTP_INTAKE_TLS_KEY: join(dir, 'key.pem'),
      SMTP_INTAKE_TLS_CERT: join(dir, 'cert.pem'),
      SMTP_INTAKE_AUTH_USER: 'relay',
      SMTP_INTAKE_AUTH_PASSWORD: 'rahasia-yang-panjang',
    });
    const fakeIntake = {
      store: (raw: Buffer) => {
        stored.push(raw.toString('latin1'));
        return Promise.resolve({ id: 'x', jobId: 'mail-x', duplicate: false });
      },
    } as unknown as EmailIntake;
    const server = await startSmtpIntake({
      intake: fakeIntake,
      config: { ...config, NODE_ENV: 'production' },
      onStored: () => undefined,
      log: () => undefined,
      port: 0,
    });
    const send = (auth?: { user: string; pass: string }) =>
      nodemailer
        .createTransport({
          host: '127.0.0.1',
          port: server.port,
          secure: false,
          requireTLS: true,
          tls: { rejectUnauthorized: false },
          ...(auth ? { auth } : {}),
        })
        .sendMail({ from: 'kantor@contoh.go.id', to: HELPDESK, subject: 'x', text: 'y' });
    try {
      await expect(send()).rejects.toMatchObject({ responseCode: 530 });
      await expect(send({ user: 'relay', pass: 'salah' })).rejects.toMatchObject({
        responseCode: 535,
      });
      await send({ user: 'relay', pass: 'rahasia-yang-panjang' });
      expect(stored).toHaveLength(1);
      // The envelope as a final delivery agent records it.
      expect(stored[0]).toMatch(/^Return-Path: <kantor@contoh\.go\.id>\r\nDelivered-To: helpdesk@/);
    } finally {
      await server.close();
    }
  });
});
