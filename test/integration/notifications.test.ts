import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { systemActor } from '../../src/audit/audit.service';
import { queueNames } from '../../src/jobs/queues';
import { enqueueOutbox } from '../../src/outbox/outbox';
import { OneTimeSecret } from '../../src/outbox/outbox.entity';
import { startWorkers, type Workers } from '../../src/worker';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { eventually } from '../helpers/eventually';
import { createTestApp, type TestApp } from '../helpers/test-app';

// Monday 23 November 2026, 09:00 WIB: inside office hours of the default (Asia/Jakarta) office.
const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const fixture = (name: string) =>
  readFileSync(join(__dirname, '..', 'fixtures', 'documents', name));

const registryCsv = [
  'user_id,full_name,nik,nip,spse_role,agency,unit,email,phone,birth_place,birth_date,sk_reference',
  'budi.ppk,Budi Santoso,6471021303801187,198003132017021375,PPK,Pemerintah Kota Samarinda,Bagian PBJ,budi.santoso@samarindakota.go.id,081234567890,Samarinda,1980-03-13,SK/1/2024',
  'rina.pp,Rina Wulandari,6472035407723944,,PP,Biro PBJ Provinsi Kalimantan Timur,LPSE,,081298765432,Balikpapan,1985-07-14,SK/2/2024',
].join('\n');

interface NotificationView {
  id: string;
  event: string;
  channel: string;
  status: string;
  recipient: string;
  attempts: number;
  lastError: string | null;
  providerMessageId: string | null;
}
interface Summary {
  id: string;
  code: string;
  version: number;
  step: string;
}

jest.setTimeout(60_000);

describe('notifications: outbox to SMTP, records, secrets, retries', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let workers: Workers;
  let helpdesk: string;
  let adminPpe: string;
  let supervisor: string;
  const now = MONDAY_0900_WIB;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      clock: { now: () => new Date(now) },
      env: {
        SMTP_URL: sink.url,
        MAIL_FROM: 'LPSE Kota Samarinda <helpdesk@lpse.samarindakota.go.id>',
        NOTIFY_RETRY_DELAY_MS: '100',
        NOTIFY_ATTEMPTS: '4',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    helpdesk = await t.tokenFor('HELPDESK');
    adminPpe = await t.tokenFor('ADMIN_PPE');
    supervisor = await t.tokenFor('SUPERVISOR');
    const file = join(t.config.LOKET_DATA_DIR, 'registry.csv');
    writeFileSync(file, registryCsv);
    await t.container.registry.importCsvFile(file, {
      fileName: 'registry.csv',
      actor: systemActor,
    });
    workers = await startWorkers(t.container, t.redis);
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await sink.stop();
  });

  const create = (body: Record<string, unknown>) =>
    t.http<Summary>('POST', '/api/tickets', { token: helpdesk, json: body });
  const act = (
    id: string,
    version: number,
    action: string,
    extra: Record<string, unknown> = {},
    token = helpdesk,
  ) =>
    t.http<{ ticket: Summary; temporaryPassword?: string }>('POST', `/api/tickets/${id}/actions`, {
      token,
      json: { action, version, ...extra },
    });
  const notificationsOf = async (ticketId: string, token = helpdesk) => {
    const r = await t.http<{ items: NotificationView[] }>(
      'GET',
      `/api/tickets/${ticketId}/notifications`,
      { token },
    );
    expect(r.status).toBe(200);
    return r.body.items;
  };
  const mailTo = (address: string) => sink.messages.filter((m) => m.to === address);
  let bots = 0;
  /** A BOT service account and a ticket it opened from a WhatsApp chat. */
  const whatsAppTicket = async (chatId: string) => {
    const bot = (
      await t.container.staff.createServiceAccount(
        { name: `helpus-${++bots}`, kind: 'BOT' },
        systemActor,
      )
    ).token;
    const r = await t.http<Summary>('POST', '/api/tickets', {
      token: bot,
      json: budi({ channel: 'WHATSAPP', contact: { kind: 'WHATSAPP', address: chatId } }),
    });
    expect(r.status).toBe(201);
    return { bot, r };
  };

  const budi = (overrides: Record<string, unknown> = {}) => ({
    type: 'RESET_PASSWORD',
    channel: 'EMAIL',
    language: 'id',
    requester: {
      name: 'Budi Santoso',
      userId: 'budi.ppk',
      nik: '6471021303801187',
      spseRole: 'PPK',
      agency: 'Pemerintah Kota Samarinda',
      email: 'budi.pribadi@gmail.com',
    },
    contact: { kind: 'EMAIL', address: 'budi.pribadi@gmail.com' },
    ...overrides,
  });

  /** Walks a ticket with both documents through validity to the resolution and its notice. */
  async function walkToNotify(id: string) {
    for (const [kind, name] of [
      ['REQUEST_FORM', 'formulir.pdf'],
      ['SK_PENUNJUKAN', 'sk.pdf'],
    ] as const) {
      const form = new FormData();
      form.append('kind', kind);
      form.append('file', new Blob([fixture('sk-penunjukan.pdf')]), name);
      const up = await t.http('POST', `/api/tickets/${id}/documents`, {
        token: helpdesk,
        body: form,
      });
      expect(up.status).toBe(201);
    }
    let v = (await t.http<Summary>('GET', `/api/tickets/${id}`, { token: helpdesk })).body.version;
    const step = async (action: string, extra: Record<string, unknown> = {}, token = helpdesk) => {
      const r = await act(id, v, action, extra, token);
      expect([r.status, r.body.ticket.step]).toEqual([200, expect.any(String)]);
      v = r.body.ticket.version;
      return r;
    };
    await step('open');
    await step('completeness_result', { data: { complete: true } });
    await step('forward');
    await step('validity_result', { data: { valid: true } }, adminPpe);
    const resolved = await step('resolve', {}, adminPpe);
    await step('notify');
    return resolved.body.temporaryPassword;
  }

  test('a new ticket is acknowledged by email: our Message-ID, reply address, auto-submitted, both parts', async () => {
    const r = await create(budi());
    expect(r.status).toBe(201);
    const [received] = await eventually(
      () => notificationsOf(r.body.id),
      (items) => items.length === 1 && items[0]?.status === 'sent',
    );
    expect(received).toMatchObject({
      event: 'ticket-received',
      channel: 'EMAIL',
      recipient: 'bu**********@gmail.com',
      attempts: 1,
      lastError: null,
    });
    const [mail, ...more] = mailTo('budi.pribadi@gmail.com');
    expect(more).toHaveLength(0);
    const parsed = mail?.parsed;
    expect(mail?.messageId).toBe(`<${r.body.code}.${received?.id}@lpse.samarindakota.go.id>`);
    expect(received?.providerMessageId).toBe(mail?.messageId);
    expect(parsed?.subject).toContain(r.body.code);
    expect(parsed?.text).toContain('Budi Santoso');
    expect(parsed?.html).toContain(r.body.code);
    expect(parsed?.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed?.from?.value[0]).toMatchObject({
      name: 'LPSE Kota Samarinda',
      address: 'helpdesk@lpse.samarindakota.go.id',
    });
    const replyTo = parsed?.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(
      new RegExp(
        `^helpdesk\\+${r.body.code.toLowerCase()}\\.[0-9a-f]{10}@lpse\\.samarindakota\\.go\\.id$`,
      ),
    );
    expect(parsed?.references).toContain(`<${r.body.code}@lpse.samarindakota.go.id>`);
  });

  test('an English ticket is answered in English', async () => {
    const r = await create(
      budi({
        language: 'en',
        contact: { kind: 'EMAIL', address: 'budi.english@example.org' },
      }),
    );
    await eventually(
      () => notificationsOf(r.body.id),
      (items) => items[0]?.status === 'sent',
    );
    const mail = mailTo('budi.english@example.org')[0];
    expect(mail?.parsed.text).toMatch(/Dear|ticket/i);
    expect(mail?.parsed.text).not.toMatch(/Yth\./);
  });

  test('a temporary password goes only to the contact of record, once, and its secret is deleted', async () => {
    const r = await create(budi());
    const password = await walkToNotify(r.body.id);
    expect(password).toBeTruthy();
    const items = await eventually(
      () => notificationsOf(r.body.id),
      (list) => list.some((n) => n.event === 'password-reset' && n.status === 'sent'),
    );
    const reset = items.find((n) => n.event === 'password-reset');
    expect(reset?.recipient).toBe('bu**********@samarindakota.go.id');
    const toRecord = mailTo('budi.santoso@samarindakota.go.id').filter((m) =>
      m.parsed.text?.includes(password ?? '-'),
    );
    expect(toRecord).toHaveLength(1);
    // Never to the address the request merely claimed.
    expect(mailTo('budi.pribadi@gmail.com').some((m) => m.raw.includes(password ?? '-'))).toBe(
      false,
    );
    const secrets: unknown[] = await t.container.dataSource.query(
      'SELECT id FROM one_time_secrets WHERE ticket_id = $1',
      [r.body.id],
    );
    expect(secrets).toHaveLength(0);
    // Not in the delivery records, the outbox or anything in Redis.
    const rows = JSON.stringify(
      await t.container.dataSource.query(
        'SELECT n.*, o.payload FROM notifications n JOIN outbox o ON o.id = n.outbox_id WHERE n.ticket_id = $1',
        [r.body.id],
      ),
    );
    expect(rows).not.toContain(password);
    const keys = await t.redis.keys(`${t.config.REDIS_PREFIX}:*`);
    for (const key of keys) {
      const type = await t.redis.type(key);
      const dump =
        type === 'hash'
          ? JSON.stringify(await t.redis.hgetall(key))
          : type === 'string'
            ? ((await t.redis.get(key)) ?? '')
            : '';
      expect(dump).not.toContain(password);
    }
    // Running its job again (a retry after the send) sends nothing more.
    const again = await t.container.notifier.sendEmail(
      reset?.id ?? '',
      {
        kind: 'smtp',
        send: () => Promise.reject(new Error('must not send')),
        close: () => undefined,
      },
      false,
    );
    expect(again).toEqual({ outcome: 'skipped', status: 'sent' });
  });

  test('a rejected address (550) is dead after one attempt; a supervisor sees it and retries it', async () => {
    sink.rejectRecipients(/^ditolak@/, 550, '5.1.1 <ditolak@example.org>: user unknown');
    const r = await create(budi({ contact: { kind: 'EMAIL', address: 'ditolak@example.org' } }));
    const [dead] = await eventually(
      () => notificationsOf(r.body.id),
      (items) => items[0]?.status === 'dead',
    );
    expect(dead?.attempts).toBe(1);
    expect(dead?.lastError).toMatch(/^SMTP_550: /);
    expect(dead?.lastError).not.toContain('ditolak@example.org');

    const forbidden = await t.http('GET', '/api/notifications?status=dead', { token: helpdesk });
    expect(forbidden.status).toBe(403);
    const list = await t.http<{ items: (NotificationView & { ticketCode: string })[] }>(
      'GET',
      '/api/notifications?status=dead',
      { token: supervisor },
    );
    expect(list.status).toBe(200);
    expect(list.body.items.find((n) => n.id === dead?.id)).toMatchObject({
      ticketCode: r.body.code,
      recipient: 'di*****@example.org',
    });

    expect(
      (await t.http('POST', `/api/notifications/${dead?.id}/retry`, { token: helpdesk })).status,
    ).toBe(403);
    sink.rejectRecipients(/^$/, 550, '');
    const retried = await t.http<NotificationView>('POST', `/api/notifications/${dead?.id}/retry`, {
      token: supervisor,
    });
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('queued');
    await eventually(
      () => notificationsOf(r.body.id),
      (items) => items[0]?.status === 'sent',
    );
    expect(mailTo('ditolak@example.org')).toHaveLength(1);
    // A notice that is not dead cannot be retried.
    const notDead = await t.http<{ code: string }>('POST', `/api/notifications/${dead?.id}/retry`, {
      token: supervisor,
    });
    expect([notDead.status, notDead.body.code]).toEqual([409, 'NOTIFICATION_NOT_DEAD']);
  });

  test('a temporary failure (451) is retried with backoff until the server takes it', async () => {
    sink.failNext(2, 451, '4.7.1 try again later');
    const r = await create(budi({ contact: { kind: 'EMAIL', address: 'sabar@example.org' } }));
    const [sent] = await eventually(
      () => notificationsOf(r.body.id),
      (items) => items[0]?.status === 'sent',
    );
    expect(sent?.attempts).toBe(3);
    expect(mailTo('sabar@example.org')).toHaveLength(1);
  });

  test('a landline is no WhatsApp number: recorded dead at once, nothing queued', async () => {
    const r = await create(
      budi({ channel: 'WALK_IN', contact: { kind: 'PHONE', address: '(0541) 741234' } }),
    );
    expect(r.status).toBe(201);
    const [dead] = await eventually(
      () => notificationsOf(r.body.id),
      (items) => items.length === 1,
    );
    expect(dead).toMatchObject({ channel: 'WHATSAPP', status: 'dead', attempts: 0 });
    expect(dead?.lastError).toMatch(/^INVALID_PHONE/);
    const queue = new Queue(queueNames.whatsappOutbound, {
      connection: t.redis,
      prefix: `${t.config.REDIS_PREFIX}:bull`,
    });
    expect(await queue.getJob(dead?.id ?? '')).toBeUndefined();
    await queue.close();
  });

  test('an unknown template and data missing a field are recorded failures, not crash loops', async () => {
    const r = await create(budi({ contact: { kind: 'EMAIL', address: 'data@example.org' } }));
    await eventually(
      () => notificationsOf(r.body.id),
      (items) => items[0]?.status === 'sent',
    );
    await t.container.dataSource.transaction(async (m) => {
      await enqueueOutbox(m, queueNames.notifications, 'notify.requester', {
        ticketId: r.body.id,
        template: 'no-such-notice',
        recipient: 'REQUESTER_CONTACT',
      });
      // A rejection notice for a ticket that has no reject reason.
      await enqueueOutbox(m, queueNames.notifications, 'notify.requester', {
        ticketId: r.body.id,
        template: 'request-rejected',
        recipient: 'REQUESTER_CONTACT',
      });
    });
    const items = await eventually(
      () => notificationsOf(r.body.id),
      (list) => list.filter((n) => n.status === 'dead').length === 2,
    );
    const byEvent = Object.fromEntries(items.map((n) => [n.event, n]));
    expect(byEvent['no-such-notice']?.lastError).toMatch(/^UNKNOWN_TEMPLATE/);
    expect(byEvent['request-rejected']?.lastError).toMatch(/^NO_REASON/);
    expect(byEvent['request-rejected']?.attempts).toBe(1);
    expect(mailTo('data@example.org')).toHaveLength(1);
  });

  test('an expired temporary password is a clear dead notice, and cannot be retried', async () => {
    const r = await create(budi({ requester: { ...budi().requester, email: null } }));
    // Hold the workers so the secret can expire before its notice is sent.
    await workers.close();
    try {
      await walkToNotify(r.body.id);
      await t.container.dataSource.query(
        `UPDATE one_time_secrets SET expires_at = $2 WHERE ticket_id = $1`,
        [r.body.id, new Date(now - 60_000)],
      );
    } finally {
      workers = await startWorkers(t.container, t.redis);
    }
    const items = await eventually(
      () => notificationsOf(r.body.id),
      (list) => list.some((n) => n.event === 'password-reset' && n.status === 'dead'),
    );
    const reset = items.find((n) => n.event === 'password-reset');
    expect(reset?.lastError).toMatch(/^SECRET_EXPIRED/);
    const retry = await t.http<{ code: string }>('POST', `/api/notifications/${reset?.id}/retry`, {
      token: supervisor,
    });
    expect([retry.status, retry.body.code]).toEqual([409, 'SECRET_EXPIRED']);
  });

  test('a breached deadline alerts supervisors with an email address', async () => {
    await t.container.staff.create(
      {
        username: 'kepala.lpse',
        fullName: 'Kepala LPSE',
        role: 'SUPERVISOR',
        email: 'kepala.lpse@samarindakota.go.id',
        password: 'Uji-Coba-Kata-Sandi-77',
        mustChangePassword: false,
      },
      systemActor,
    );
    const r = await create(budi({ contact: { kind: 'EMAIL', address: 'lambat@example.org' } }));
    await t.container.dataSource.transaction((m) =>
      enqueueOutbox(m, queueNames.notifications, 'notify.staff', {
        ticketId: r.body.id,
        template: 'deadline-breached',
        roles: ['SUPERVISOR'],
        step: 'RECEIVED',
      }),
    );
    await sink.waitFor(sink.messages.length + 1);
    const items = await eventually(
      () => notificationsOf(r.body.id, supervisor),
      (list) => list.some((n) => n.event === 'deadline-breached' && n.status === 'sent'),
    );
    expect(items.find((n) => n.event === 'deadline-breached')?.recipient).toBe(
      'ke*********@samarindakota.go.id',
    );
    const alert = mailTo('kepala.lpse@samarindakota.go.id')[0];
    expect(alert?.parsed.subject).toContain(r.body.code);
  });

  test('WhatsApp: the job carries no personal data; the bot claims the text and the approved template, then reports', async () => {
    const { bot, r } = await whatsAppTicket('6281234567890@c.us');
    const [queued] = await eventually(
      () => notificationsOf(r.body.id),
      (items) => items.length === 1,
    );
    expect(queued).toMatchObject({ channel: 'WHATSAPP', status: 'queued' });
    expect(queued?.recipient).toBe('62812*****890@c.us');
    const queue = new Queue(queueNames.whatsappOutbound, {
      connection: t.redis,
      prefix: `${t.config.REDIS_PREFIX}:bull`,
    });
    const job = await queue.getJob(queued?.id ?? '');
    await queue.close();
    expect(job?.name).toBe('whatsapp.send');
    expect(job?.data).toEqual({
      notificationId: queued?.id,
      template: 'ticket-received',
      language: 'id',
      recipientType: 'CHAT_ID',
    });
    expect(JSON.stringify(job?.data)).not.toContain('6281234567890');

    // Staff cannot claim; the bot can.
    const path = `/api/notifications/${queued?.id}/whatsapp`;
    expect((await t.http('POST', `${path}/claim`, { token: helpdesk })).status).toBe(403);
    const claim = await t.http<{
      claimed: boolean;
      to: string;
      text: string;
      template: { name: string; language: string; parameters: string[] };
    }>('POST', `${path}/claim`, { token: bot });
    expect(claim.status).toBe(200);
    expect(claim.body).toMatchObject({ claimed: true, to: '6281234567890@c.us' });
    expect(claim.body.text).toContain(r.body.code);
    expect(claim.body.template).toEqual({
      name: 'loket_ticket_received',
      language: 'id',
      parameters: [
        'Budi Santoso',
        r.body.code,
        expect.stringMatching(/password/i),
        'Senin, 23 November 2026 pukul 09.00 WIB',
      ],
    });
    // While the bot holds it, a second claim gets nothing to send.
    const second = await t.http<{ claimed: boolean }>('POST', `${path}/claim`, { token: bot });
    expect([second.status, second.body.claimed]).toEqual([200, false]);

    const bad = await t.http<{ code: string }>('POST', `${path}/result`, {
      token: bot,
      json: { ok: true },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const done = await t.http<{ status: string }>('POST', `${path}/result`, {
      token: bot,
      json: { ok: true, providerMessageId: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjA' },
    });
    expect(done.body.status).toBe('sent');
    const [sent] = await notificationsOf(r.body.id);
    expect(sent).toMatchObject({
      status: 'sent',
      providerMessageId: 'wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjA',
    });
    // Sent is final: a late claim has nothing to send.
    const late = await t.http<{ claimed: boolean; status: string }>('POST', `${path}/claim`, {
      token: bot,
    });
    expect(late.body).toEqual({ claimed: false, status: 'sent' });
  });

  test('the queue dashboard is for supervisors only, through a cookie scoped to it', async () => {
    expect((await t.http('GET', '/admin/queues/')).status).toBe(401);
    expect((await t.http('POST', '/api/admin/queues/session', { token: helpdesk })).status).toBe(
      403,
    );
    // A helpdesk token put into the cookie by hand is still a helpdesk token.
    expect(
      (
        await t.http('GET', '/admin/queues/api/queues', {
          headers: { cookie: `loket_queues=${helpdesk}` },
        })
      ).status,
    ).toBe(403);
    const session = await t.http('POST', '/api/admin/queues/session', { token: supervisor });
    expect(session.status).toBe(200);
    const setCookie = session.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^loket_queues=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\/admin\/queues/);
    const cookie = setCookie.split(';')[0] ?? '';
    const page = await t.http<string>('GET', '/admin/queues/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    const api = await t.http<{ queues: { name: string }[] }>('GET', '/admin/queues/api/queues', {
      headers: { cookie },
    });
    expect(api.status).toBe(200);
    expect(api.body.queues.map((q) => q.name)).toEqual(
      expect.arrayContaining(['notifications', 'email-send', 'whatsapp-outbound', 'maintenance']),
    );
    // The cookie opens nothing but the board.
    expect((await t.http('GET', '/api/notifications', { headers: { cookie } })).status).toBe(401);
  });

  test("a notice cannot carry another ticket's temporary password", async () => {
    const victim = await create(
      budi({ contact: { kind: 'EMAIL', address: 'korban@example.org' } }),
    );
    const secret = await t.container.dataSource.getRepository(OneTimeSecret).save({
      ticketId: victim.body.id,
      purpose: 'TEMPORARY_PASSWORD',
      sealed: t.container.secrets.pii.encrypt('Rahasia-Orang-Lain-1'),
      expiresAt: new Date(now + 3_600_000),
    });
    const other = await create(
      budi({ contact: { kind: 'EMAIL', address: 'pencuri@example.org' } }),
    );
    await t.container.dataSource.transaction((m) =>
      enqueueOutbox(m, queueNames.notifications, 'notify.requester', {
        ticketId: other.body.id,
        template: 'password-reset',
        recipient: 'REQUESTER_CONTACT',
        secretId: secret.id,
      }),
    );
    const items = await eventually(
      () => notificationsOf(other.body.id),
      (list) => list.some((n) => n.event === 'password-reset' && n.status === 'dead'),
    );
    expect(items.find((n) => n.event === 'password-reset')?.lastError).toMatch(/^SECRET_MISMATCH/);
    expect(sink.messages.some((m) => m.raw.includes('Rahasia-Orang-Lain-1'))).toBe(false);
  });

  test('a stale bot cannot undo a newer claim, and the board is read-only', async () => {
    const { bot, r } = await whatsAppTicket('6281311112222@c.us');
    const [queued] = await eventually(
      () => notificationsOf(r.body.id),
      (items) => items.length === 1,
    );
    const path = `/api/notifications/${queued?.id}/whatsapp`;
    const first = await t.http<{ attempt: number }>('POST', `${path}/claim`, { token: bot });
    expect(first.body.attempt).toBe(1);
    // The first bot stalls past its lease; another takes the notice over.
    await t.container.dataSource.query(
      `UPDATE notifications SET lease_until = now() - interval '1 second' WHERE id = $1`,
      [queued?.id],
    );
    const second = await t.http<{ attempt: number; uncertain: boolean }>('POST', `${path}/claim`, {
      token: bot,
    });
    expect(second.body).toMatchObject({ attempt: 2, uncertain: true });
    const stale = await t.http<{ status: string }>('POST', `${path}/result`, {
      token: bot,
      json: { ok: false, permanent: true, code: 'TIMEOUT', attempt: 1 },
    });
    expect([stale.status, stale.body]).toEqual([200, { status: 'sending' }]);
    const [record] = await notificationsOf(r.body.id);
    expect(record).toMatchObject({ status: 'sending', uncertainAttempts: 1 });

    const session = await t.http('POST', '/api/admin/queues/session', { token: supervisor });
    const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const write = await t.http('PUT', '/admin/queues/api/queues/email-send/retry/failed', {
      headers: { cookie },
    });
    expect(write.status).toBeGreaterThanOrEqual(400);
  });
});
