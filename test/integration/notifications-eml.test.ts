import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { startWorkers } from '../../src/worker';
import { createTestApp } from '../helpers/test-app';

jest.setTimeout(30_000);

test('without SMTP_URL (development) each notice is a whole .eml file, readable only by Loket', async () => {
  const t = await createTestApp({
    clock: { now: () => new Date(Date.parse('2026-11-23T02:00:00Z')) },
  });
  const workers = await startWorkers(t.container, t.redis);
  try {
    const token = await t.tokenFor('HELPDESK');
    const r = await t.http<{ id: string; code: string }>('POST', '/api/tickets', {
      token,
      json: {
        type: 'RESET_PASSWORD',
        channel: 'EMAIL',
        requester: { name: 'Dewi Lestari', spseRole: 'PPK', agency: 'Dinas PUPR' },
        contact: { kind: 'EMAIL', address: 'dewi.lestari@example.org' },
      },
    });
    expect(r.status).toBe(201);
    const dir = join(t.config.LOKET_DATA_DIR, 'mail');
    const deadline = Date.now() + 15_000;
    let files: string[] = [];
    while (files.length === 0 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      files = (() => {
        try {
          return readdirSync(dir).filter((f) => f.endsWith('.eml'));
        } catch {
          return [];
        }
      })();
    }
    expect(files).toHaveLength(1);
    const file = join(dir, files[0] ?? '');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const mail = await simpleParser(readFileSync(file));
    expect(mail.to && 'text' in mail.to ? mail.to.text : '').toBe('dewi.lestari@example.org');
    expect(mail.subject).toContain(r.body.code);
    const [record] = await t.container.dataSource.query<{ status: string; id: string }[]>(
      'SELECT id, status FROM notifications WHERE ticket_id = $1',
      [r.body.id],
    );
    expect(record?.status).toBe('sent');
    expect(files[0]).toBe(`${record?.id ?? ''}.eml`);
    expect(mail.messageId).toBe(`<${r.body.code}.${record?.id ?? ''}@loket.localhost>`);
  } finally {
    await workers.close();
    await t.close();
  }
});
