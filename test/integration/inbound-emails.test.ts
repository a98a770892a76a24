import { Queue } from 'bullmq';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { purgeUnroutedEmails } from '../../src/email/inbound-retention';
import { queueNames } from '../../src/jobs/queues';
import { startWorkers, type Workers } from '../../src/worker';
import { eventually } from '../helpers/eventually';
import { createTestApp, type TestApp } from '../helpers/test-app';

interface Item {
  id: string;
  status: string;
  detail: string | null;
  ticketCode: string | null;
  attempts: number;
  rawDeletedAt: string | null;
}
interface Page {
  counts: Record<string, number>;
  items: Item[];
  nextCursor: string | null;
  code?: string;
}

const DOMAIN = 'lpse.samarindakota.go.id';
const HELPDESK = `helpdesk@${DOMAIN}`;
const pdf = readFileSync(join(__dirname, '..', 'fixtures', 'documents', 'sk-penunjukan.pdf'));
let now = Date.parse('2026-11-23T02:00:00Z');

function mail(n: number, headers = ''): Buffer {
  return Buffer.from(
    [
      `From: Pemohon ${String(n)} <pemohon${String(n)}@gmail.com>`,
      `To: ${HELPDESK}`,
      `Subject: Permohonan reset password SPSE ${String(n)}`,
      `Message-ID: <inbound-${String(n)}@gmail.com>`,
      'Date: Mon, 23 Nov 2026 09:00:00 +0700',
      headers,
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Yth. Helpdesk, saya lupa password SPSE. Terlampir SK penunjukan.',
      '--b',
      'Content-Type: application/pdf; name="sk.pdf"',
      'Content-Disposition: attachment; filename="sk.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      pdf.toString('base64'),
      '--b--',
      '',
    ]
      .filter((l, i) => i !== 5 || l !== '')
      .join('\r\n'),
  );
}

/** The supervisor's view of the email intake: outcomes, a retry of a failed mail, retention. */
describe('inbound mail: list, retry, retention', () => {
  let t: TestApp;
  let workers: Workers;
  let supervisor: string;
  let auditor: string;
  let helpdesk: string;

  beforeAll(async () => {
    t = await createTestApp({
      clock: { now: () => new Date(now) },
      env: {
        MAIL_FROM: `Loket Helpdesk <${HELPDESK}>`,
        EMAIL_INTAKE: 'smtp',
        SMTP_INTAKE_PORT: '0',
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      },
    });
    workers = await startWorkers(t.container, t.redis);
    supervisor = await t.tokenFor('SUPERVISOR');
    auditor = await t.tokenFor('AUDITOR');
    helpdesk = await t.tokenFor('HELPDESK');
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
  });

  const intake = () => {
    const i = workers.emailIntake?.intake;
    if (!i) throw new Error('no email intake');
    return i;
  };
  const statusOf = async (id: string) =>
    (
      await t.container.dataSource.query<{ status: string }[]>(
        'SELECT status FROM inbound_emails WHERE id = $1',
        [id],
      )
    )[0]?.status;
  const list = (query = '', token = supervisor) =>
    t.http<Page>('GET', `/api/inbound-emails${query}`, { token });

  test('outcomes per mail with the ticket made, counts per status, pages; roles', async () => {
    const a = await intake().store(mail(1), { source: 'SMTP' });
    await intake().process(a.id);
    now += 1000;
    const b = await intake().store(mail(2, 'Auto-Submitted: auto-replied'), { source: 'SMTP' });
    await intake().process(b.id);
    now += 1000;

    const all = await list('?limit=1');
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(1);
    expect(all.body.items[0]).toMatchObject({ id: b.id, status: 'IGNORED_AUTOMATIC' });
    expect(all.body.counts).toMatchObject({ TICKET_CREATED: 1, IGNORED_AUTOMATIC: 1 });
    const next = await list(`?limit=1&cursor=${all.body.nextCursor ?? ''}`);
    expect(next.body.items[0]).toMatchObject({ id: a.id, status: 'TICKET_CREATED' });
    expect(next.body.items[0]?.ticketCode).toMatch(/^[A-Z0-9-]+$/);
    expect(next.body.nextCursor).toBeNull();
    // Nothing of the mail itself: no address, no subject.
    expect(JSON.stringify(all.body) + JSON.stringify(next.body)).not.toMatch(/pemohon|gmail|SPSE/);

    const created = await list('?status=TICKET_CREATED');
    expect(created.body.items.map((i) => i.id)).toEqual([a.id]);

    expect((await list('', auditor)).status).toBe(200);
    expect([(await list('', helpdesk)).status, (await list('', helpdesk)).body.code]).toEqual([
      403,
      'FORBIDDEN',
    ]);
    const bad = await list('?status=SENT');
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const badCursor = await list('?cursor=bm90LWEtY3Vyc29y');
    expect([badCursor.status, badCursor.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  test('a FAILED mail is processed again after a retry, though its failed job keeps the first job id', async () => {
    const raw = mail(3);
    const stored = await intake().store(raw, { source: 'SMTP' });
    // What the intake leaves after five failed attempts: a failed job under the mail's job id
    // and the row marked FAILED.
    const connection = t.redis.duplicate();
    const queue = new Queue(queueNames.inboundEmail, {
      connection,
      prefix: `${t.container.config.REDIS_PREFIX}:bull`,
    });
    try {
      await queue.add(
        'inbound-email.process',
        { inboundEmailId: 'not-a-uuid' },
        { jobId: stored.jobId, attempts: 1 },
      );
      await eventually(
        () => queue.getJobState(stored.jobId),
        (s) => s === 'failed',
      );
      await t.container.dataSource.query(
        `UPDATE inbound_emails SET status = 'FAILED', detail = 'error: QueryFailedError',
         attempts = 5, processed_at = now() WHERE id = $1`,
        [stored.id],
      );

      const refused = await t.http('POST', `/api/inbound-emails/${stored.id}/retry`, {
        token: auditor,
        json: {},
      });
      expect(refused.status).toBe(403);
      const junk = await t.http<{ code: string }>(
        'POST',
        `/api/inbound-emails/${stored.id}/retry`,
        {
          token: supervisor,
          json: { force: true },
        },
      );
      expect([junk.status, junk.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      const retried = await t.http<Item>('POST', `/api/inbound-emails/${stored.id}/retry`, {
        token: supervisor,
        json: {},
      });
      expect(retried.status).toBe(202);
      expect(retried.body).toMatchObject({ status: 'RECEIVED', detail: null });
      now += 2000;
      await workers.emailIntake?.sweep(1000);
      await eventually(
        () => statusOf(stored.id),
        (s) => s === 'TICKET_CREATED',
      );
      const again = await t.http<{ code: string }>(
        'POST',
        `/api/inbound-emails/${stored.id}/retry`,
        { token: supervisor, json: {} },
      );
      expect([again.status, again.body.code]).toEqual([409, 'CONFLICT']);
      const unknown = await t.http<{ code: string }>(
        'POST',
        '/api/inbound-emails/00000000-0000-4000-8000-000000000000/retry',
        { token: supervisor },
      );
      expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
      const audited = await t.container.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'inbound_email.retried' AND target_id = $1`,
        [stored.id],
      );
      expect(audited[0]?.n).toBe(1);
    } finally {
      await queue.close();
      connection.disconnect();
    }
  });

  test('retention: the raw copy of a mail that made no ticket goes after 30 days; a ticket’s or a failed one’s stays', async () => {
    const ignored = await intake().store(mail(4, 'Auto-Submitted: auto-generated'), {
      source: 'SMTP',
    });
    await intake().process(ignored.id);
    const ticket = await intake().store(mail(5), { source: 'SMTP' });
    await intake().process(ticket.id);
    const failed = await intake().store(mail(6), { source: 'SMTP' });
    await t.container.dataSource.query(
      `UPDATE inbound_emails SET status = 'FAILED' WHERE id = $1`,
      [failed.id],
    );
    const keyOf = async (id: string) =>
      (
        await t.container.dataSource.query<{ storage_key: string }[]>(
          'SELECT storage_key FROM inbound_emails WHERE id = $1',
          [id],
        )
      )[0]?.storage_key ?? '';
    const { storage, dataSource, clock } = t.container;

    expect(await purgeUnroutedEmails(dataSource, storage, clock, 30)).toEqual({ deleted: 0 });
    now += 31 * 86_400_000;
    const purged = await purgeUnroutedEmails(dataSource, storage, clock, 30);
    // The earlier tests' automatic reply is as old: it goes too.
    expect(purged.deleted).toBe(2);
    expect(await storage.exists(await keyOf(ignored.id))).toBe(false);
    expect(await storage.exists(await keyOf(ticket.id))).toBe(true);
    expect(await storage.exists(await keyOf(failed.id))).toBe(true);
    supervisor = await t.tokenFor('SUPERVISOR');
    const row = (await list('?status=IGNORED_AUTOMATIC')).body.items.find(
      (i) => i.id === ignored.id,
    );
    expect(row?.rawDeletedAt).toEqual(expect.any(String));
    // The row stays: the same mail sent again is still a duplicate.
    const resent = await intake().store(mail(4, 'Auto-Submitted: auto-generated'), {
      source: 'SMTP',
    });
    expect(resent).toMatchObject({ id: ignored.id, duplicate: true });
    expect(await purgeUnroutedEmails(dataSource, storage, clock, 30)).toEqual({ deleted: 0 });
  });
});
