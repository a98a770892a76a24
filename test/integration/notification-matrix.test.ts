import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../../src/audit/audit.service';
import { queueNames } from '../../src/jobs/queues';
import { documentName } from '../../src/notifications/format';
import { whatsAppNotices } from '../../src/notifications/templates';
import { enqueueOutbox } from '../../src/outbox/outbox';
import { OneTimeSecret } from '../../src/outbox/outbox.entity';
import { startWorkers, type Workers } from '../../src/worker';
import type { NoticeTemplate } from '../../src/workflow/workflow.types';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { notificationReaching } from '../helpers/eventually';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * Every notice the workflow sends to a requester, in both languages, on both channels, through
 * the real pipeline (outbox, relay, fan-out, SMTP or the bot's claim), with its key content.
 */

const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const PASSWORD = 'Tq8#mZ2v!Lp5@rW9xK3e';

jest.setTimeout(90_000);

type Channel = 'EMAIL' | 'WHATSAPP';
type Lang = 'id' | 'en';
const requesterNotices = whatsAppNotices;

describe('every requester notice × language × channel through the pipeline', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let workers: Workers;
  let helpdesk: string;
  let bot: string;
  let reason: { code: string; label_id: string; label_en: string };
  const records = {
    email: { id: '', userId: 'siti.ppk', address: 'siti.rahmawati@samarindakota.go.id' },
    phone: { id: '', userId: 'siti.pp', address: '+6285212345678' },
  };
  let n = 0;

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: { SMTP_URL: sink.url, NOTIFY_RETRY_DELAY_MS: '100' },
    });
    helpdesk = await t.tokenFor('HELPDESK');
    bot = (
      await t.container.staff.createServiceAccount({ name: 'helpus', kind: 'BOT' }, systemActor)
    ).token;
    const reasons: { code: string; label_id: string; label_en: string }[] =
      await t.container.dataSource.query(
        'SELECT code, label_id, label_en FROM reject_reasons WHERE active ORDER BY code LIMIT 1',
      );
    if (!reasons[0]) throw new Error('no reject reason in the catalogue');
    reason = reasons[0];
    const file = join(t.config.LOKET_DATA_DIR, 'registry.csv');
    writeFileSync(
      file,
      [
        'user_id,full_name,nik,nip,spse_role,agency,unit,email,phone,birth_place,birth_date,sk_reference',
        'siti.ppk,Siti Rahmawati,6471024506850003,,PPK,Pemerintah Kota Samarinda,,siti.rahmawati@samarindakota.go.id,,,,',
        'siti.pp,Siti Rahmawati,6471024506850004,,PP,Pemerintah Kota Samarinda,,,085212345678,,,',
      ].join('\n'),
    );
    await t.container.registry.importCsvFile(file, {
      fileName: 'registry.csv',
      actor: systemActor,
    });
    const ids: { id: string; user_id: string }[] = await t.container.dataSource.query(
      'SELECT id, user_id FROM registry_entries',
    );
    records.email.id = ids.find((r) => r.user_id === 'siti.ppk')?.id ?? '';
    records.phone.id = ids.find((r) => r.user_id === 'siti.pp')?.id ?? '';
    workers = await startWorkers(t.container, t.redis);
  });
  afterAll(async () => {
    await workers.close();
    await t.close();
    await sink.stop();
  });

  /** A ticket in the state the notice needs, and the text the notice must contain. */
  async function prepare(notice: NoticeTemplate, lang: Lang, channel: Channel) {
    const i = ++n;
    const contact =
      channel === 'EMAIL'
        ? { kind: 'EMAIL', address: `pemohon${i}@example.org` }
        : { kind: 'WHATSAPP', address: `62812000${String(i).padStart(5, '0')}@c.us` };
    const created = await t.http<{ id: string; code: string }>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type: notice === 'user-id-info' ? 'USER_ID_INFO' : 'RESET_PASSWORD',
        channel: channel === 'EMAIL' ? 'EMAIL' : 'WHATSAPP',
        language: lang,
        requester: {
          name: 'Siti Rahmawati',
          userId: 'siti.ppk',
          spseRole: 'PPK',
          agency: 'Pemerintah Kota Samarinda',
        },
        contact,
      },
    });
    expect(created.status).toBe(201);
    const { id, code } = created.body;
    const m = t.container.dataSource;
    const expected: string[] = [code];
    let recipient = contact.address;
    let payload: Record<string, unknown> = {
      ticketId: id,
      template: notice,
      recipient: 'REQUESTER_CONTACT',
    };
    switch (notice) {
      case 'documents-missing':
        await m.query(`UPDATE tickets SET missing_documents = '["SK_PENUNJUKAN"]' WHERE id = $1`, [
          id,
        ]);
        expected.push(documentName('SK_PENUNJUKAN', lang));
        break;
      case 'request-rejected':
        await m.query('UPDATE tickets SET reject_reason_code = $2 WHERE id = $1', [
          id,
          reason.code,
        ]);
        expected.push(lang === 'en' ? reason.label_en : reason.label_id);
        break;
      case 'password-reset': {
        // Secrets go only to the registry's contact of record: its email, else its phone.
        const entry = channel === 'EMAIL' ? records.email : records.phone;
        await m.query('UPDATE tickets SET registry_entry_id = $2 WHERE id = $1', [id, entry.id]);
        const secret = await m.getRepository(OneTimeSecret).save({
          ticketId: id,
          purpose: 'TEMPORARY_PASSWORD',
          sealed: t.container.secrets.pii.encrypt(PASSWORD),
          expiresAt: new Date(MONDAY_0900_WIB + 86_400_000),
        });
        payload = { ...payload, recipient: 'CONTACT_OF_RECORD', secretId: secret.id };
        expected.push(entry.userId, PASSWORD);
        recipient = entry.address;
        break;
      }
      case 'user-id-info':
        expected.push('siti.ppk');
        break;
      case 'staff-reply': {
        const body =
          lang === 'en' ? 'Please resend the SK as a PDF.' : 'Mohon kirim ulang SK dalam PDF.';
        // Posting the reply queues the notice itself.
        const r = await t.http('POST', `/api/tickets/${id}/messages`, {
          token: helpdesk,
          json: { body },
        });
        expect(r.status).toBe(201);
        expected.push(body);
        payload = {};
        break;
      }
      case 'ticket-received':
      case 'pickup-in-person':
      case 'deadline-breached':
        break;
    }
    if (notice !== 'ticket-received' && notice !== 'staff-reply') {
      await m.transaction((tx) =>
        enqueueOutbox(tx, queueNames.notifications, 'notify.requester', payload),
      );
    }
    expected.push(lang === 'en' ? 'Dear' : 'Yth.');
    return { id, code, contact: { address: recipient }, expected };
  }

  const waitForRecord = async (ticketId: string, notice: NoticeTemplate, status: string) =>
    (await notificationReaching(t.container.dataSource, ticketId, notice, status, 20_000)).id;

  const cases = requesterNotices.flatMap((notice) =>
    (['id', 'en'] as const).flatMap((lang) =>
      (['EMAIL', 'WHATSAPP'] as const).map((channel) => [notice, lang, channel] as const),
    ),
  );

  test.each(cases)('%s in %s by %s', async (notice, lang, channel) => {
    const { id, contact, expected } = await prepare(notice, lang, channel);
    if (channel === 'EMAIL') {
      await waitForRecord(id, notice, 'sent');
      const all = sink.messages.filter((msg) => msg.to === contact.address);
      const readable = (msg: (typeof all)[number]) =>
        `${msg.parsed.subject ?? ''}\n${msg.parsed.text ?? ''}`;
      // One message carries every key part (the acknowledgement may be there too).
      const mail = all.find((msg) => expected.every((part) => readable(msg).includes(part)));
      expect(mail ? expected : all.map(readable)).toEqual(expected);
      expect(mail?.parsed.html).toContain(expected[0]);
      expect(mail?.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    } else {
      const notificationId = await waitForRecord(id, notice, 'queued');
      const claim = await t.http<{ claimed: boolean; text: string; to: string }>(
        'POST',
        `/api/notifications/${notificationId}/whatsapp/claim`,
        { token: bot },
      );
      expect(claim.body).toMatchObject({ claimed: true, to: contact.address });
      for (const part of expected) expect(claim.body.text).toContain(part);
      const done = await t.http<{ status: string }>(
        'POST',
        `/api/notifications/${notificationId}/whatsapp/result`,
        { token: bot, json: { ok: true, providerMessageId: `wamid.${notificationId}` } },
      );
      expect(done.body.status).toBe('sent');
    }
    if (notice === 'password-reset') {
      // Delivered: the one-time secret is gone.
      const left: unknown[] = await t.container.dataSource.query(
        'SELECT id FROM one_time_secrets WHERE ticket_id = $1',
        [id],
      );
      expect(left).toHaveLength(0);
    }
  });
});
