import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IntakeRefused, type EmailIntake, type ProcessOutcome } from '../../src/email/intake';
import { purgeExpiredTickets } from '../../src/tickets/ticket-jobs';
import { replyAddress } from '../../src/notifications/addressing';
import { startWorkers, type Workers } from '../../src/worker';
import { notificationReaching } from '../helpers/eventually';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { createTestApp, type TestApp } from '../helpers/test-app';

// Monday 23 November 2026, 09:00 WIB: inside office hours of the default (Asia/Jakarta) office.
const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const DOMAIN = 'lpse.samarindakota.go.id';
const HELPDESK = `helpdesk@${DOMAIN}`;

const fixture = (name: string, vars: Record<string, string> = {}) => {
  let text = readFileSync(join(__dirname, '..', 'fixtures', 'email', name), 'latin1');
  for (const [k, v] of Object.entries(vars)) text = text.split(`{{${k}}}`).join(v);
  return Buffer.from(text, 'latin1');
};

interface TicketRow {
  id: string;
  code: string;
  type: string | null;
  step: string;
  workflow_id: string;
  channel: string;
  requester_name: string;
  contact_address: string | null;
  version: number;
}

jest.setTimeout(60_000);

/**
 * The fixture corpus (test/fixtures/email): each realistic mail with the outcome it must have.
 * Mail is stored and processed through the intake exactly as the SMTP and IMAP paths do; the
 * notification workers run, so acknowledgements reach a real SMTP server.
 */
describe('email intake: the fixture corpus', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let workers: Workers;
  let intake: EmailIntake;
  let helpdesk: string;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: `Loket Helpdesk <${HELPDESK}>`,
        EMAIL_INTAKE: 'smtp',
        SMTP_INTAKE_PORT: '0',
        UPLOAD_MAX_BYTES: '4096',
        EMAIL_ACK_LIMIT_PER_HOUR: '3',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    helpdesk = await t.tokenFor('HELPDESK');
    workers = await startWorkers(t.container, t.redis);
    if (!workers.emailIntake) throw new Error('the email intake did not start');
    intake = workers.emailIntake.intake;
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await sink.stop();
  });

  const ingest = async (raw: Buffer): Promise<ProcessOutcome & { id: string }> => {
    const stored = await intake.store(raw, { source: 'SMTP' });
    expect(stored.duplicate).toBe(false);
    return { id: stored.id, ...(await intake.process(stored.id)) };
  };
  const ticket = async (id: string | null | undefined) => {
    const rows: TicketRow[] = await t.container.dataSource.query(
      'SELECT * FROM tickets WHERE id = $1',
      [id],
    );
    if (!rows[0]) throw new Error('no ticket');
    return rows[0];
  };
  const ticketCount = async () =>
    Number(
      (await t.container.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM tickets'))[0]
        ?.n,
    );
  const messagesOf = async (ticketId: string) =>
    await t.container.dataSource.query<
      { body: string; external_id: string | null; direction: string }[]
    >(
      `SELECT body, external_id, direction FROM ticket_messages WHERE ticket_id = $1 ORDER BY created_at, id`,
      [ticketId],
    );
  const documentsOf = async (ticketId: string) =>
    await t.container.dataSource.query<{ kind: string; file_name: string; content_type: string }[]>(
      `SELECT kind, file_name, content_type FROM documents WHERE ticket_id = $1 ORDER BY file_name`,
      [ticketId],
    );
  const acksOf = async (ticketId: string) =>
    await t.container.dataSource.query<unknown[]>(
      `SELECT id FROM outbox WHERE name = 'notify.requester' AND payload->>'ticketId' = $1
         AND payload->>'template' = 'ticket-received'`,
      [ticketId],
    );
  const inbound = async (id: string) =>
    (
      await t.container.dataSource.query<Record<string, unknown>[]>(
        'SELECT * FROM inbound_emails WHERE id = $1',
        [id],
      )
    )[0];

  /** The first ticket: Budi's request with the form (PDF) and the SK (JPEG). */
  let budi: TicketRow;
  let budiNoticeId: string;

  test('Gmail, new request with a PDF form and a JPEG SK: a ticket with both documents, acknowledged', async () => {
    const out = await ingest(fixture('gmail-new-request-pdf-jpeg.eml'));
    expect(out.status).toBe('TICKET_CREATED');
    budi = await ticket(out.status === 'TICKET_CREATED' ? out.ticketId : null);
    expect(budi).toMatchObject({
      type: 'RESET_PASSWORD',
      channel: 'EMAIL',
      step: 'RECEIVED',
      workflow_id: 'seed004-reset-password',
      requester_name: 'Budi Santoso',
      contact_address: 'budi.santoso.ppk@gmail.com',
    });
    expect(await documentsOf(budi.id)).toEqual([
      {
        kind: 'REQUEST_FORM',
        file_name: 'Formulir_Permohonan_Reset_Password.pdf',
        content_type: 'application/pdf',
      },
      {
        kind: 'SK_PENUNJUKAN',
        file_name: 'SK_Penunjukan_PPK_2026.jpg',
        content_type: 'image/jpeg',
      },
    ]);
    const [first] = await messagesOf(budi.id);
    expect(first?.body).toContain('Permohonan reset password SPSE');
    expect(first?.body).toContain('Saya lupa password akun SPSE saya');
    expect(first?.external_id).toBe('CAKx8pQ1x2nA7f0ZrJQ9yGm3dW1hVn2oXh0sT@mail.gmail.com');
    // The acknowledgement goes through the notification pipeline to the sender.
    const sent = await notificationReaching(
      t.container.dataSource,
      budi.id,
      'ticket-received',
      'sent',
    );
    budiNoticeId = sent.provider_message_id ?? '';
    const mail = sink.messages.find((m) => m.messageId === budiNoticeId);
    expect(mail?.to).toBe('budi.santoso.ppk@gmail.com');
    expect(mail?.parsed.subject).toContain(budi.code);
    expect(mail?.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail?.parsed.text).toContain('reset kata sandi');
    expect((await inbound(out.id))?.acknowledged).toBe(true);
  });

  test('the same Message-ID again is a duplicate: nothing stored, no second ticket', async () => {
    const before = await ticketCount();
    const again = await intake.store(fixture('gmail-new-request-pdf-jpeg.eml'), { source: 'IMAP' });
    expect(again.duplicate).toBe(true);
    expect(await intake.process(again.id)).toEqual({ status: 'SKIPPED' });
    expect(await ticketCount()).toBe(before);
  });

  test('Gmail reply quoting a notice (In-Reply-To our Message-ID): joins the ticket, quote trimmed', async () => {
    const out = await ingest(
      fixture('gmail-reply-quoted.eml', {
        NOTICE_MESSAGE_ID: budiNoticeId,
        THREAD_ID: `<${budi.code}@${DOMAIN}>`,
        TICKET_CODE: budi.code,
      }),
    );
    expect(out).toMatchObject({ status: 'THREAD_JOINED', ticketId: budi.id });
    expect(out.status !== 'SKIPPED' && out.detail).toContain('via=references');
    const last = (await messagesOf(budi.id)).at(-1);
    expect(last?.body).toContain('Nomor HP saya yang aktif');
    expect(last?.body).not.toContain('menulis');
    expect(last?.body).not.toContain('> Yth.');
    expect(await acksOf(budi.id)).toHaveLength(1);
  });

  test('Apple Mail reply with only the code in the subject: joins when the sender is the contact', async () => {
    const out = await ingest(
      fixture('apple-mail-reply-subject-code.eml', { TICKET_CODE: budi.code }),
    );
    expect(out).toMatchObject({ status: 'THREAD_JOINED', ticketId: budi.id });
    const last = (await messagesOf(budi.id)).at(-1);
    expect(last?.body).toContain('apakah sudah bisa diproses');
    expect(last?.body).not.toContain('wrote:');
  });

  test('a guessed ticket code from another sender does not join that ticket: a new ticket', async () => {
    const raw = fixture('apple-mail-reply-subject-code.eml', { TICKET_CODE: budi.code })
      .toString('latin1')
      .replace(/budi\.santoso\.ppk@gmail\.com/g, 'orang.lain@gmail.com')
      .replace('8F1C2B3A', '9F1C2B3A');
    const out = await ingest(Buffer.from(raw, 'latin1'));
    expect(out.status).toBe('TICKET_CREATED');
    expect(out.status !== 'SKIPPED' && out.ticketId).not.toBe(budi.id);
  });

  test('Outlook reply to the keyed reply address with the missing SK: joins, and goes back to the check', async () => {
    // Rina's ticket waits for a missing SK.
    const created = await t.http<{ id: string; code: string; version: number }>(
      'POST',
      '/api/tickets',
      {
        token: helpdesk,
        json: {
          type: 'USER_ID_INFO',
          channel: 'EMAIL',
          requester: { name: 'Rina Wulandari', email: 'rina.wulandari@kaltimprov.go.id' },
          contact: { kind: 'EMAIL', address: 'rina.wulandari@kaltimprov.go.id' },
        },
      },
    );
    expect(created.status).toBe(201);
    let version = created.body.version;
    for (const [action, data] of [
      ['open', {}],
      ['completeness_result', { complete: false, missing: ['SK_PENUNJUKAN'] }],
      ['ask_to_complete', {}],
    ] as const) {
      const r = await t.http<{ ticket: { version: number } }>(
        'POST',
        `/api/tickets/${created.body.id}/actions`,
        { token: helpdesk, json: { action, version, data } },
      );
      expect(r.status).toBe(200);
      version = r.body.ticket.version;
    }
    const out = await ingest(
      fixture('outlook-reply-token-cp1252.eml', {
        REPLY_ADDRESS: replyAddress(t.container.secrets.pii, HELPDESK, created.body.code),
        TICKET_CODE: created.body.code,
      }),
    );
    expect(out).toMatchObject({ status: 'THREAD_JOINED', ticketId: created.body.id });
    expect(out.status !== 'SKIPPED' && out.detail).toContain('via=reply-address');
    const rina = await ticket(created.body.id);
    expect(rina.step).toBe('COMPLETENESS_CHECK');
    expect(await documentsOf(rina.id)).toEqual([
      {
        kind: 'SK_PENUNJUKAN',
        file_name: 'SK_Penunjukan_Rina.pdf',
        content_type: 'application/pdf',
      },
    ]);
    const last = (await messagesOf(rina.id)).at(-1);
    // windows-1252 decoded (the en dash), Outlook's quoted history cut.
    expect(last?.body).toContain('SK Penunjukan yang diminta – mohon dicek kembali');
    expect(last?.body).not.toContain('From: Loket Helpdesk');
    const events = await t.container.dataSource.query<{ data: Record<string, unknown> }[]>(
      `SELECT data FROM ticket_events WHERE ticket_id = $1 AND action = 'email.received'`,
      [rina.id],
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.data).toMatchObject({
      via: 'reply-address',
      documents: 1,
      refusedFiles: [],
    });
  });

  test('a reply address with a forged tag joins nothing', async () => {
    const forged = `helpdesk+${budi.code.toLowerCase()}.0000000000@${DOMAIN}`;
    const raw = fixture('outlook-reply-token-cp1252.eml', {
      REPLY_ADDRESS: forged,
      TICKET_CODE: 'LKT-0000-00000',
    })
      .toString('latin1')
      .replace('SG2PR06MB5123A1B2', 'SG2PR06MB5123FFFF');
    const out = await ingest(Buffer.from(raw, 'latin1'));
    expect(out.status).toBe('TICKET_CREATED');
    expect(out.status !== 'SKIPPED' && out.ticketId).not.toBe(budi.id);
  });

  test('a DSN bounce of a notice marks that notice dead (no retry loop) and opens no ticket', async () => {
    const before = await ticketCount();
    const out = await ingest(
      fixture('dsn-bounce.eml', { NOTICE_MESSAGE_ID: budiNoticeId, TICKET_CODE: budi.code }),
    );
    expect(out).toMatchObject({ status: 'BOUNCE', ticketId: budi.id });
    expect(out.status !== 'SKIPPED' && out.detail).toBe('matched=1 status=5.1.1');
    const rows = await t.container.dataSource.query<{ status: string; last_error: string }[]>(
      `SELECT status, last_error FROM notifications WHERE provider_message_id = $1`,
      [budiNoticeId],
    );
    expect(rows).toEqual([{ status: 'dead', last_error: 'BOUNCED 5.1.1' }]);
    expect(await ticketCount()).toBe(before);
  });

  /** Mail that opens a ticket: the expected type, documents, rejected files and acknowledgement. */
  const opening: [string, string | null, string[], string[], RegExp | null][] = [
    ['html-only-user-id-base64.eml', 'USER_ID_INFO', [], [], /lupa user ID akun SPSE/],
    [
      'forwarded-request.eml',
      'RESET_PASSWORD',
      [],
      [],
      /Forwarded message[\s\S]*saya lupa kata sandi/,
    ],
    ['inline-signature-image.eml', 'RESET_PASSWORD', [], [], /Dokumen akan saya antar/],
    ['iso-8859-1-qp.eml', 'RESET_PASSWORD', [], [], /Saya Désy Ramadhani/],
    [
      'windows-1252-subject-b64.eml',
      'USER_ID_INFO',
      [],
      [],
      /Informasi User ID – Dinas PUPR[\s\S]*“user ID”/,
    ],
    ['no-message-id.eml', 'RESET_PASSWORD', ['REQUEST_FORM'], [], /Terlampir formulir/],
    ['ambiguous-type.eml', null, [], [], /Lupa user ID dan password/],
    ['unclassified.eml', null, [], [], /tidak bisa masuk/],
    ['malformed-mime.eml', null, [], [], /.+/],
    [
      'oversize-attachment.eml',
      'RESET_PASSWORD',
      ['SK_PENUNJUKAN'],
      ['Formulir_scan_600dpi.pdf'],
      null,
    ],
    ['exe-claiming-pdf.eml', 'RESET_PASSWORD', [], ['Formulir Permohonan.pdf'], null],
    ['header-injection.eml', 'RESET_PASSWORD', [], [], /Mohon reset password/],
  ];

  test.each(opening)('%s opens a ticket of type %s', async (name, type, kinds, rejected, body) => {
    const out = await ingest(fixture(name));
    expect(out.status).toBe('TICKET_CREATED');
    const row = await ticket(out.status === 'TICKET_CREATED' ? out.ticketId : null);
    expect(row.type).toBe(type);
    expect(row.workflow_id).toBe(
      type === null
        ? 'intake-unclassified'
        : `seed004-${type === 'RESET_PASSWORD' ? 'reset-password' : 'user-id-info'}`,
    );
    expect(row.step).toBe(type === null ? 'UNCLASSIFIED' : 'RECEIVED');
    expect((await documentsOf(row.id)).map((d) => d.kind)).toEqual(kinds);
    expect((await inbound(out.id))?.rejected_files).toEqual(rejected);
    if (body) expect((await messagesOf(row.id))[0]?.body).toMatch(body);
    // No control character from the sender survives into the stored name or thread.
    expect(row.requester_name).not.toMatch(/[\r\n]/);
    expect(await acksOf(row.id)).toHaveLength(1);
  });

  test('a mail without a usable From opens a ticket that nobody is answered for', async () => {
    const out = await ingest(
      Buffer.from(
        'From: Operator Scanner\r\nTo: helpdesk@lpse.samarindakota.go.id\r\nSubject: Lupa password\r\nMessage-ID: <tanpa-from@contoh.go.id>\r\n\r\nTerlampir.\r\n',
      ),
    );
    expect(out.status).toBe('TICKET_CREATED');
    const row = await ticket(out.status === 'TICKET_CREATED' ? out.ticketId : null);
    expect(row).toMatchObject({
      type: 'RESET_PASSWORD',
      contact_address: null,
      requester_name: 'Operator Scanner',
    });
    expect(await acksOf(row.id)).toHaveLength(0);
  });

  test('rejected attachments are named in the acknowledgement', async () => {
    const rows = await t.container.dataSource.query<{ ticket_id: string }[]>(
      `SELECT ticket_id FROM inbound_emails WHERE rejected_files @> '["Formulir Permohonan.pdf"]'`,
    );
    const ticketId = rows[0]?.ticket_id ?? '';
    const sent = await notificationReaching(
      t.container.dataSource,
      ticketId,
      'ticket-received',
      'sent',
    );
    const mail = sink.messages.find((m) => m.messageId === sent.provider_message_id);
    expect(mail?.parsed.text).toContain('Lampiran berikut tidak dapat kami terima');
    expect(mail?.parsed.text).toContain('- Formulir Permohonan.pdf');
  });

  test('a header injection attempt reaches only the sender, with no smuggled header', async () => {
    const rows = await t.container.dataSource.query<{ id: string }[]>(
      `SELECT id FROM tickets WHERE contact_address = 'penyerang@contoh.com'`,
    );
    const sent = await notificationReaching(
      t.container.dataSource,
      rows[0]?.id ?? '',
      'ticket-received',
      'sent',
    );
    const mail = sink.messages.find((m) => m.messageId === sent.provider_message_id);
    expect(mail?.to).toBe('penyerang@contoh.com');
    expect(sink.messages.some((m) => m.to.includes('korban'))).toBe(false);
    const head = (mail?.raw ?? '').split(/\r?\n\r?\n/)[0] ?? '';
    expect(head).not.toMatch(/^(Bcc|X-Injected):/im);
  });

  const ignored: [string, string, string][] = [
    ['out-of-office.eml', 'IGNORED_AUTOMATIC', 'auto-submitted'],
    ['noreply-sender.eml', 'IGNORED_AUTOMATIC', 'automatic-sender'],
    ['precedence-bulk.eml', 'IGNORED_AUTOMATIC', 'precedence-bulk'],
    ['own-address-loop.eml', 'IGNORED_LOOP', 'own-address'],
  ];

  test.each(ignored)('%s: %s (%s), no ticket, no answer', async (name, status, detail) => {
    const before = await ticketCount();
    const outbox = Number(
      (await t.container.dataSource.query<{ n: string }[]>('SELECT count(*) AS n FROM outbox'))[0]
        ?.n,
    );
    const out = await ingest(fixture(name));
    expect(out).toMatchObject({ status, detail });
    expect(await ticketCount()).toBe(before);
    expect(
      Number(
        (
          await t.container.dataSource.query<
            {
              n: string;
            }[]
          >('SELECT count(*) AS n FROM outbox')
        )[0]?.n,
      ),
    ).toBe(outbox);
  });

  test('an out-of-office reply to an open ticket is kept in its thread, unanswered', async () => {
    const out = await ingest(
      Buffer.from(
        fixture('out-of-office.eml')
          .toString('latin1')
          .replace(/<LKT-2611-09999\.[^>]+>/, budiNoticeId)
          .replace('b8c9d0e1f2a3', 'b8c9d0e1f2a4'),
        'latin1',
      ),
    );
    expect(out).toMatchObject({ status: 'THREAD_JOINED', ticketId: budi.id });
    expect((await messagesOf(budi.id)).at(-1)?.body).toContain('Saya sedang cuti');
    expect(await acksOf(budi.id)).toHaveLength(1);
  });

  test('no Message-ID: deduped by headers and body, even through another relay', async () => {
    const raw = fixture('no-message-id.eml');
    const relayed = Buffer.concat([
      Buffer.from('Received: from relay2.example.go.id by mx; Mon, 23 Nov 2026 09:46:00 +0700\r\n'),
      raw,
    ]);
    expect((await intake.store(raw, { source: 'SMTP' })).duplicate).toBe(true);
    expect((await intake.store(relayed, { source: 'IMAP' })).duplicate).toBe(true);
    const edited = Buffer.from(raw.toString('latin1').replace('a.n. Andi', 'a.n. Andri'), 'latin1');
    expect((await intake.store(edited, { source: 'SMTP' })).duplicate).toBe(false);
  });

  test('a 0-byte or blank message is refused before anything is stored', async () => {
    const count = async () =>
      Number(
        (
          await t.container.dataSource.query<
            {
              n: string;
            }[]
          >('SELECT count(*) AS n FROM inbound_emails')
        )[0]?.n,
      );
    const before = await count();
    await expect(intake.store(Buffer.alloc(0), { source: 'SMTP' })).rejects.toBeInstanceOf(
      IntakeRefused,
    );
    await expect(intake.store(Buffer.from('\r\n\r\n'), { source: 'IMAP' })).rejects.toBeInstanceOf(
      IntakeRefused,
    );
    expect(await count()).toBe(before);
  });

  test('acknowledgements per sender are rate limited; the tickets are still opened', async () => {
    const results: boolean[] = [];
    for (let i = 0; i < 5; i++) {
      const raw = fixture('unclassified.eml')
        .toString('latin1')
        .replace('unclassified-01@', `flood-${String(i)}@`)
        .replace(/maya\.p@/g, 'flood@');
      const out = await ingest(Buffer.from(raw, 'latin1'));
      expect(out.status).toBe('TICKET_CREATED');
      results.push(((await inbound(out.id))?.acknowledged as boolean | undefined) ?? false);
    }
    expect(results).toEqual([true, true, true, false, false]);
  });

  test('more mails processed at once than the pool has connections: no starvation', async () => {
    // The test app's pool has 4 connections; each mail's transaction holds one.
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const raw = fixture('unclassified.eml')
        .toString('latin1')
        .replace('unclassified-01@', `at-once-${String(i)}@`)
        .replace(/maya\.p@/g, `serentak${String(i)}@`);
      ids.push((await intake.store(Buffer.from(raw, 'latin1'), { source: 'SMTP' })).id);
    }
    const outcomes = await Promise.all(ids.map((id) => intake.process(id)));
    expect(outcomes.map((o) => o.status)).toEqual(ids.map(() => 'TICKET_CREATED'));
  });

  test('the helpdesk classifies an unclassified email ticket: it starts the type workflow', async () => {
    const rows = await t.container.dataSource.query<{ id: string; version: number }[]>(
      `SELECT id, version FROM tickets WHERE contact_address = 'maya.p@samarindakota.go.id'`,
    );
    const { id, version } = rows[0] ?? { id: '', version: 0 };
    const adminPpe = await t.tokenFor('ADMIN_PPE');
    const denied = await t.http('POST', `/api/tickets/${id}/actions`, {
      token: adminPpe,
      json: { action: 'classify', version, data: { type: 'USER_ID_INFO' } },
    });
    expect(denied.status).toBe(403);
    const r = await t.http<{
      ticket: { type: string; step: string; workflowId: string; stepDueAt: string };
    }>('POST', `/api/tickets/${id}/actions`, {
      token: helpdesk,
      json: { action: 'classify', version, data: { type: 'USER_ID_INFO' } },
    });
    expect(r.status).toBe(200);
    expect(r.body.ticket).toMatchObject({
      type: 'USER_ID_INFO',
      step: 'RECEIVED',
      workflowId: 'seed004-user-id-info',
    });
    // Same working day (Monday), from the classification.
    expect(r.body.ticket.stepDueAt.slice(0, 10)).toBe('2026-11-23');
    const events = await t.container.dataSource.query<
      { action: string; from_step: string; to_step: string; data: Record<string, unknown> }[]
    >(
      `SELECT action, from_step, to_step, data FROM ticket_events WHERE ticket_id = $1 ORDER BY id`,
      [id],
    );
    expect(events.at(-1)).toMatchObject({
      action: 'classify',
      from_step: 'UNCLASSIFIED',
      to_step: 'RECEIVED',
      data: { type: 'USER_ID_INFO', workflow: 'seed004-user-id-info' },
    });
  });

  test('the sender is only a claim: a password reset never goes to the address the mail came from', async () => {
    // Budi's emailed ticket names no registry entry the intake could trust; after the reset the
    // result is for pick-up in person, and no mail to the sender carries the password.
    const adminPpe = await t.tokenFor('ADMIN_PPE');
    let version = (await ticket(budi.id)).version;
    let temporaryPassword = '';
    for (const [action, data, token] of [
      ['open', {}, helpdesk],
      ['completeness_result', { complete: true }, helpdesk],
      ['forward', {}, helpdesk],
      ['validity_result', { valid: true }, adminPpe],
      ['resolve', {}, adminPpe],
      ['notify', {}, helpdesk],
    ] as const) {
      const r = await t.http<{ ticket: { version: number }; temporaryPassword?: string }>(
        'POST',
        `/api/tickets/${budi.id}/actions`,
        { token, json: { action, version, data } },
      );
      expect([action, r.status]).toEqual([action, 200]);
      version = r.body.ticket.version;
      if (r.body.temporaryPassword) temporaryPassword = r.body.temporaryPassword;
    }
    expect(temporaryPassword).not.toBe('');
    await notificationReaching(t.container.dataSource, budi.id, 'pickup-in-person', 'sent');
    const toSender = sink.messages.filter((m) => m.to === 'budi.santoso.ppk@gmail.com');
    expect(toSender.length).toBeGreaterThanOrEqual(2);
    for (const m of toSender) {
      expect(m.raw).not.toContain(temporaryPassword);
      expect(m.parsed.text).not.toContain(temporaryPassword);
    }
  });

  test('the archive retention removes the raw mails of a purged ticket too', async () => {
    const rows = await t.container.dataSource.query<{ ticket_id: string; storage_key: string }[]>(
      `SELECT ticket_id, storage_key FROM inbound_emails WHERE ticket_id IS NOT NULL
         AND status = 'TICKET_CREATED' ORDER BY received_at, id LIMIT 1`,
    );
    const { ticket_id: ticketId, storage_key: key } = rows[0] ?? { ticket_id: '', storage_key: '' };
    expect(await t.container.storage.exists(key)).toBe(true);
    await t.container.dataSource.query(
      `UPDATE tickets SET closed_at = now(), retain_until = '2020-01-01' WHERE id = $1`,
      [ticketId],
    );
    expect(
      await purgeExpiredTickets(t.container.dataSource, t.container.storage, t.container.clock),
    ).toBe(1);
    expect(await t.container.storage.exists(key)).toBe(false);
  });
});
