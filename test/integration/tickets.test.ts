import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../../src/audit/audit.service';
import { purgeExpiredSecrets } from '../../src/outbox/secrets';
import { createTestApp, type TestApp } from '../helpers/test-app';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '..', 'fixtures', 'documents', name));

interface Summary {
  id: string;
  code: string;
  step: string;
  version: number;
  workflowId: string;
  stepDueAt: string | null;
  stepBreached: boolean;
  closedAt: string | null;
}
interface ErrorBody {
  code: string;
  message: string;
  details?: { allowed?: string[] };
}

// Monday 23 November 2026, 09:00 WIB: inside office hours of the default (Asia/Jakarta) office.
const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');

const registryCsv = [
  'user_id,full_name,nik,nip,spse_role,agency,unit,email,phone,birth_place,birth_date,sk_reference',
  'budi.ppk,Budi Santoso,6471021303801187,198003132017021375,PPK,Pemerintah Kota Samarinda,Bagian PBJ,budi.santoso@samarindakota.go.id,081234567890,Samarinda,1980-03-13,SK/1/2024',
  'rina.helpdesk,Rina Wulandari,6472035407723944,,Helpdesk,Biro PBJ Provinsi Kalimantan Timur,LPSE,,081298765432,Balikpapan,1985-07-14,SK/2/2024',
  'sari.auditor,Sari Lestari,6472035407720001,,Auditor,Inspektorat Kota Samarinda,,,,Samarinda,1982-01-02,',
].join('\n');

describe('tickets through the SOP', () => {
  let t: TestApp;
  let now = MONDAY_0900_WIB;
  let helpdesk: string;
  let adminPpe: string;
  let front: string;
  let supervisor: string;

  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(now) } });
    helpdesk = await t.tokenFor('HELPDESK');
    adminPpe = await t.tokenFor('ADMIN_PPE');
    front = await t.tokenFor('FRONT_OFFICE');
    supervisor = await t.tokenFor('SUPERVISOR');
    const file = join(t.config.LOKET_DATA_DIR, 'registry.csv');
    writeFileSync(file, registryCsv);
    const report = await t.container.registry.importCsvFile(file, {
      fileName: 'registry.csv',
      actor: systemActor,
    });
    expect(report.errorRows).toBe(0);
  });
  afterAll(() => t.close());

  const create = (body: Record<string, unknown>, token = helpdesk) =>
    t.http<Summary & ErrorBody>('POST', '/api/tickets', { token, json: body });
  const act = (
    id: string,
    version: number,
    action: string,
    extra: Record<string, unknown> = {},
    token = helpdesk,
  ) =>
    t.http<{ ticket: Summary; temporaryPassword?: string } & ErrorBody>(
      'POST',
      `/api/tickets/${id}/actions`,
      {
        token,
        json: { action, version, ...extra },
      },
    );
  const upload = (id: string, kind: string, name: string, bytes: Buffer, token = helpdesk) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([bytes]), name);
    return t.http<{ documentId: string; ticket: Summary } & ErrorBody>(
      'POST',
      `/api/tickets/${id}/documents`,
      { token, body: form },
    );
  };
  const outbox = (ticketId: string) =>
    t.container.dataSource.query<{ name: string; payload: Record<string, string> }[]>(
      `SELECT name, payload FROM outbox WHERE payload->>'ticketId' = $1 ORDER BY created_at, id`,
      [ticketId],
    );

  const budi = {
    type: 'RESET_PASSWORD',
    channel: 'EMAIL',
    requester: {
      name: 'Budi Santoso, S.T.',
      userId: 'budi.ppk',
      nik: '6471 0213 0380 1187',
      spseRole: 'PPK',
      agency: 'Pemerintah Kota Samarinda',
      email: 'budi.pribadi@gmail.com',
    },
    contact: { kind: 'EMAIL', address: 'budi.pribadi@gmail.com' },
    message: 'Mohon reset password SPSE saya.',
  };

  test('seed 004 reset password by email: every step, deadline, event, outbox row and secret', async () => {
    now = MONDAY_0900_WIB;
    const created = await create(budi);
    expect(created.status).toBe(201);
    expect(created.body.code).toMatch(/^LKT-2611-\d{5}$/);
    expect(created.body.workflowId).toBe('seed004-reset-password');
    expect(created.body.step).toBe('RECEIVED');
    // Email: opened the same working day, i.e. by the close of Monday (16:00 WIB = 09:00 UTC).
    expect(created.body.stepDueAt).toBe('2026-11-23T09:00:00.000Z');
    const id = created.body.id;
    expect((await outbox(id)).map((o) => o.payload.template)).toEqual(['ticket-received']);

    let r = await act(id, 1, 'open');
    expect(r.status).toBe(200);
    expect(r.body.ticket.step).toBe('COMPLETENESS_CHECK');
    expect(r.body.ticket.stepDueAt).toBe(new Date(MONDAY_0900_WIB + 5 * 60_000).toISOString());

    await upload(id, 'REQUEST_FORM', 'formulir.pdf', fixture('sk-penunjukan.pdf'));
    r = await act(id, 2, 'completeness_result', { data: { complete: false } });
    expect(r.body.ticket.step).toBe('INCOMPLETE');
    const detail = await t.http<{ missingDocuments: string[]; requiredDocuments: string[] }>(
      'GET',
      `/api/tickets/${id}`,
      {
        token: helpdesk,
      },
    );
    expect(detail.body.missingDocuments).toEqual(['SK_PENUNJUKAN']);

    r = await act(id, 3, 'ask_to_complete');
    expect(r.body.ticket.step).toBe('AWAITING_REQUESTER');
    expect((await outbox(id)).map((o) => o.payload.template)).toEqual([
      'ticket-received',
      'documents-missing',
    ]);

    // The requester sends the SK: the ticket goes back to the completeness check by itself.
    const up = await upload(id, 'SK_PENUNJUKAN', 'SK Penunjukan.PDF', fixture('sk-penunjukan.pdf'));
    expect(up.status).toBe(201);
    expect(up.body.ticket.step).toBe('COMPLETENESS_CHECK');
    const v = up.body.ticket.version;

    r = await act(id, v, 'completeness_result', { data: { complete: true } });
    expect(r.body.ticket.step).toBe('READY_TO_FORWARD');
    r = await act(id, v + 1, 'forward');
    expect(r.body.ticket.step).toBe('VALIDITY_CHECK');
    expect(r.body.ticket.stepDueAt).toBe(new Date(MONDAY_0900_WIB + 15 * 60_000).toISOString());

    const cmp = await t.http<{
      comparison: { fields: { field: string; result: string; claimed: string | null }[] };
    }>('GET', `/api/tickets/${id}/validity`, { token: adminPpe });
    const byField = Object.fromEntries(cmp.body.comparison.fields.map((f) => [f.field, f.result]));
    expect(byField).toMatchObject({
      userId: 'MATCH',
      nik: 'MATCH',
      fullName: 'MATCH',
      spseRole: 'MATCH',
      email: 'MISMATCH',
    });
    expect(JSON.stringify(cmp.body)).not.toContain('6471021303801187');

    // A phone confirmation counts only to the registry's number.
    const wrongPhone = await act(
      id,
      v + 2,
      'validity_result',
      {
        data: {
          valid: true,
          phoneConfirmation: { phone: '081111111111', calledAt: new Date(now).toISOString() },
        },
      },
      adminPpe,
    );
    expect(wrongPhone.status).toBe(400);
    expect(wrongPhone.body.code).toBe('PHONE_NOT_OF_RECORD');
    r = await act(
      id,
      v + 2,
      'validity_result',
      {
        data: {
          valid: true,
          phoneConfirmation: { phone: '+62 812-3456-7890', calledAt: new Date(now).toISOString() },
        },
      },
      adminPpe,
    );
    expect(r.body.ticket.step).toBe('RESOLUTION');

    r = await act(id, v + 3, 'resolve', {}, adminPpe);
    expect(r.body.ticket.step).toBe('NOTIFY_RESULT');
    const password = r.body.temporaryPassword ?? '';
    expect(password).toHaveLength(20);
    const secrets: { sealed: string }[] = await t.container.dataSource.query(
      'SELECT sealed FROM one_time_secrets WHERE ticket_id = $1',
      [id],
    );
    expect(secrets).toHaveLength(1);
    expect(secrets[0]?.sealed).not.toContain(password);

    r = await act(id, v + 4, 'notify');
    expect(r.body.ticket.step).toBe('ARCHIVING');
    const last = (await outbox(id)).at(-1);
    expect(last?.payload).toMatchObject({
      template: 'password-reset',
      recipient: 'CONTACT_OF_RECORD',
    });
    expect(last?.payload.secretId).toEqual(expect.any(String));

    r = await act(
      id,
      v + 5,
      'archive',
      { data: { archiveNumber: 'ARS/LPSE/2026/0042' } },
      adminPpe,
    );
    expect(r.body.ticket.step).toBe('ARCHIVED');
    expect(r.body.ticket.closedAt).not.toBeNull();

    // The password is nowhere but in the sealed secret: not in events, outbox rows or the ticket.
    const everywhere = JSON.stringify(
      await t.container.dataSource.query(
        `SELECT (SELECT json_agg(e) FROM ticket_events e WHERE ticket_id = $1) AS events,
                (SELECT json_agg(o) FROM outbox o WHERE payload->>'ticketId' = $1::text) AS outbox,
                (SELECT row_to_json(x) FROM tickets x WHERE id = $1) AS ticket`,
        [id],
      ),
    );
    expect(everywhere).not.toContain(password);

    const history = await t.http<{
      events: { action: string; fromStep: string | null; toStep: string | null }[];
    }>('GET', `/api/tickets/${id}`, { token: supervisor });
    expect(history.body.events.map((e) => e.action)).toEqual([
      'created',
      'open',
      'document.uploaded',
      'completeness_result',
      'ask_to_complete',
      'document.uploaded',
      'document_added',
      'completeness_result',
      'forward',
      'validity_result',
      'resolve',
      'notify',
      'archive',
    ]);

    // Archived: read-only.
    const after = await act(id, v + 6, 'notify');
    expect(after.status).toBe(409);
    expect(after.body.code).toBe('ACTION_NOT_ALLOWED');
    expect((await upload(id, 'OTHER', 'x.pdf', fixture('sk-penunjukan.pdf'))).body.code).toBe(
      'TICKET_CLOSED',
    );
  });

  test('seed 004 user ID: rejection needs a reason from the catalogue and notifies the requester', async () => {
    const created = await create(
      {
        ...budi,
        type: 'USER_ID_INFO',
        channel: 'WALK_IN',
        contact: { kind: 'PHONE', address: '0812 9999 0000' },
      },
      front,
    );
    expect(created.status).toBe(201);
    expect(created.body.workflowId).toBe('seed004-user-id-info');
    expect(created.body.stepDueAt).toBeNull(); // a walk-in is called from the queue
    const id = created.body.id;
    await act(id, 1, 'open');
    await act(id, 2, 'completeness_result', { data: { complete: true } });
    await act(id, 3, 'forward');
    const r = await act(id, 4, 'validity_result', { data: { valid: false } }, adminPpe);
    expect(r.body.ticket.step).toBe('REJECTION');
    expect(r.body.ticket.stepDueAt).toBe(new Date(now + 5 * 60_000).toISOString());
    const noReason = await act(
      id,
      5,
      'reject',
      { data: { reasonCode: 'DATA_MISMATCH' } },
      adminPpe,
    );
    expect(noReason.status).toBe(400);
    expect(noReason.body.code).toBe('REASON_REQUIRED');
    const badCode = await act(
      id,
      5,
      'reject',
      { data: { reasonCode: 'BECAUSE' }, reason: 'x' },
      adminPpe,
    );
    expect(badCode.status).toBe(400);
    const ok = await act(
      id,
      5,
      'reject',
      { data: { reasonCode: 'DATA_MISMATCH' }, reason: 'NIK pada formulir berbeda' },
      helpdesk,
    );
    expect(ok.body.ticket.step).toBe('ARCHIVING');
    expect((await outbox(id)).at(-1)?.payload).toMatchObject({
      template: 'request-rejected',
      recipient: 'REQUESTER_CONTACT',
    });
    const reasons = await t.http<{ code: string }[]>('GET', '/api/reject-reasons', {
      token: helpdesk,
    });
    expect(reasons.body.map((x) => x.code)).toContain('DATA_MISMATCH');
  });

  test('seed 003 runs on the same engine: the Admin PPE does every step, 5/10/5-minute standards', async () => {
    await t.container.dataSource.query(`UPDATE offices SET helpdesk_requests_to_admin_ppe = true`);
    try {
      const created = await create({
        type: 'RESET_PASSWORD',
        channel: 'EMAIL',
        requester: {
          name: 'Rina Wulandari',
          userId: 'rina.helpdesk',
          spseRole: 'Helpdesk',
          agency: 'Biro PBJ Provinsi Kalimantan Timur',
        },
        contact: { kind: 'EMAIL', address: 'rina@example.com' },
      });
      expect(created.body.workflowId).toBe('seed003-reset-password');
      const id = created.body.id;
      const byHelpdesk = await act(id, 1, 'open');
      expect(byHelpdesk.status).toBe(403);
      expect(byHelpdesk.body.code).toBe('ROLE_NOT_ALLOWED');
      let r = await act(id, 1, 'open', {}, adminPpe);
      r = await act(id, 2, 'completeness_result', { data: { complete: true } }, adminPpe);
      expect(r.body.ticket.step).toBe('VALIDITY_CHECK');
      r = await act(id, 3, 'validity_result', { data: { valid: true } }, adminPpe);
      r = await act(id, 4, 'resolve', {}, adminPpe);
      expect(r.body.ticket.stepDueAt).toBe(new Date(now + 10 * 60_000).toISOString());
      r = await act(id, 5, 'notify', {}, adminPpe);
      expect(r.body.ticket.stepDueAt).toBe(new Date(now + 5 * 60_000).toISOString());
      // Rina's registry entry has a phone and no email: the result goes to the phone of record.
      expect((await outbox(id)).at(-1)?.payload).toMatchObject({
        template: 'password-reset',
        recipient: 'CONTACT_OF_RECORD',
      });
      r = await act(id, 6, 'archive', { data: { archiveNumber: 'ARS/BPBJ/7' } }, adminPpe);
      expect(r.body.ticket.step).toBe('ARCHIVED');
    } finally {
      await t.container.dataSource.query(
        `UPDATE offices SET helpdesk_requests_to_admin_ppe = false`,
      );
    }
  });

  test('seed 004 user ID found: no secret, the user ID notice goes to the contact of record', async () => {
    const { body } = await create({ ...budi, type: 'USER_ID_INFO' });
    const id = body.id;
    await act(id, 1, 'open');
    await act(id, 2, 'completeness_result', { data: { complete: true } });
    await act(id, 3, 'forward');
    await act(id, 4, 'validity_result', { data: { valid: true } }, adminPpe);
    const resolved = await act(id, 5, 'resolve', {}, adminPpe);
    expect(resolved.body.ticket.step).toBe('NOTIFY_RESULT');
    expect(resolved.body.temporaryPassword).toBeUndefined();
    const notified = await act(id, 6, 'notify', {}, adminPpe);
    expect(notified.body.ticket.step).toBe('ARCHIVING');
    expect((await outbox(id)).at(-1)?.payload).toEqual({
      ticketId: id,
      template: 'user-id-info',
      recipient: 'CONTACT_OF_RECORD',
    });
  });

  test('no contact of record: the result is collected in person, and the requester is told so', async () => {
    // Sari's registry entry has neither an email nor a phone.
    const { body } = await create({
      ...budi,
      requester: {
        name: 'Sari Lestari',
        userId: 'sari.auditor',
        spseRole: 'Auditor',
        agency: 'Inspektorat Kota Samarinda',
      },
      contact: { kind: 'EMAIL', address: 'sari@example.com' },
    });
    const id = body.id;
    await act(id, 1, 'open');
    await act(id, 2, 'completeness_result', { data: { complete: true } });
    await act(id, 3, 'forward');
    await act(id, 4, 'validity_result', { data: { valid: true } }, adminPpe);
    const resolved = await act(id, 5, 'resolve', {}, adminPpe);
    expect(resolved.body.temporaryPassword).toEqual(expect.any(String));
    await act(id, 6, 'notify');
    expect((await outbox(id)).at(-1)?.payload).toEqual({
      ticketId: id,
      template: 'pickup-in-person',
      recipient: 'REQUESTER_CONTACT',
    });
    // The sealed password expires with its TTL whether or not it was delivered.
    const before: unknown[] = await t.container.dataSource.query(
      'SELECT 1 FROM one_time_secrets WHERE ticket_id = $1',
      [id],
    );
    expect(before).toHaveLength(1);
    const later = { now: () => new Date(now + (t.config.TEMP_SECRET_TTL_MINUTES + 1) * 60_000) };
    expect(await purgeExpiredSecrets(t.container.dataSource, later)).toBeGreaterThanOrEqual(1);
    const after: unknown[] = await t.container.dataSource.query(
      'SELECT 1 FROM one_time_secrets WHERE ticket_id = $1',
      [id],
    );
    expect(after).toHaveLength(0);
  });

  test('an Auditor needs the examination order instead of the SK', async () => {
    const { body } = await create({
      ...budi,
      requester: {
        name: 'Sari Lestari',
        userId: 'sari.auditor',
        spseRole: 'Auditor',
        agency: 'Inspektorat Kota Samarinda',
      },
    });
    await upload(body.id, 'REQUEST_FORM', 'form.pdf', fixture('sk-penunjukan.pdf'));
    await act(body.id, 1, 'open');
    const r = await act(body.id, 2, 'completeness_result', { data: { complete: false } });
    expect(r.body.ticket.step).toBe('INCOMPLETE');
    const detail = await t.http<{ missingDocuments: string[]; requiredDocuments: string[] }>(
      'GET',
      `/api/tickets/${body.id}`,
      {
        token: helpdesk,
      },
    );
    expect(detail.body.requiredDocuments).toEqual(['REQUEST_FORM', 'SURAT_PERINTAH_PEMERIKSAAN']);
    expect(detail.body.missingDocuments).toEqual(['SURAT_PERINTAH_PEMERIKSAAN']);
  });

  test('seed 003: incomplete, completed by the requester, then rejected', async () => {
    await t.container.dataSource.query(`UPDATE offices SET helpdesk_requests_to_admin_ppe = true`);
    try {
      const { body } = await create({
        type: 'USER_ID_INFO',
        channel: 'EMAIL',
        requester: { name: 'Rina Wulandari', userId: 'rina.helpdesk', spseRole: 'Helpdesk' },
        contact: { kind: 'EMAIL', address: 'rina@example.com' },
      });
      expect(body.workflowId).toBe('seed003-user-id-info');
      const id = body.id;
      await act(id, 1, 'open', {}, adminPpe);
      let r = await act(
        id,
        2,
        'completeness_result',
        { data: { complete: false, missing: ['SK_PENUNJUKAN'] } },
        adminPpe,
      );
      expect(r.body.ticket.step).toBe('INCOMPLETE');
      r = await act(id, 3, 'ask_to_complete', {}, adminPpe);
      expect(r.body.ticket.step).toBe('AWAITING_REQUESTER');
      const up = await upload(
        id,
        'SK_PENUNJUKAN',
        'sk.pdf',
        fixture('sk-penunjukan.pdf'),
        adminPpe,
      );
      expect(up.body.ticket.step).toBe('COMPLETENESS_CHECK');
      const v = up.body.ticket.version;
      await act(id, v, 'completeness_result', { data: { complete: true } }, adminPpe);
      r = await act(id, v + 1, 'validity_result', { data: { valid: false } }, adminPpe);
      expect(r.body.ticket.stepDueAt).toBe(new Date(now + 5 * 60_000).toISOString());
      r = await act(
        id,
        v + 2,
        'reject',
        { data: { reasonCode: 'DOCUMENTS_INVALID' }, reason: 'SK tidak ditandatangani' },
        adminPpe,
      );
      expect(r.body.ticket.step).toBe('ARCHIVING');
      expect((await outbox(id)).map((o) => o.payload.template)).toEqual([
        'ticket-received',
        'documents-missing',
        'request-rejected',
      ]);
    } finally {
      await t.container.dataSource.query(
        `UPDATE offices SET helpdesk_requests_to_admin_ppe = false`,
      );
    }
  });

  test('an oversize upload gets 413 and leaves nothing behind', async () => {
    const small = await createTestApp({ env: { UPLOAD_MAX_BYTES: '1024' } });
    try {
      const token = await small.tokenFor('HELPDESK');
      const created = await small.http<Summary>('POST', '/api/tickets', { token, json: budi });
      const form = new FormData();
      form.append('kind', 'KTP');
      form.append(
        'file',
        new Blob([Buffer.concat([fixture('sk-penunjukan.pdf'), Buffer.alloc(4096, 32)])]),
        'big.pdf',
      );
      const res = await small.http<ErrorBody>('POST', `/api/tickets/${created.body.id}/documents`, {
        token,
        body: form,
      });
      expect(res.status).toBe(413);
      expect(res.body.code).toBe('FILE_TOO_LARGE');
      const docs: unknown[] = await small.container.dataSource.query('SELECT 1 FROM documents');
      expect(docs).toHaveLength(0);
      const { readdirSync, existsSync } = await import('node:fs');
      const dir = join(small.config.LOKET_DATA_DIR, 'documents', 'tickets', created.body.id);
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    } finally {
      await small.close();
    }
  });

  test('a wrong action gets 409 naming the allowed ones; a stale version gets 409', async () => {
    const { body } = await create(budi);
    const wrong = await act(body.id, 1, 'forward');
    expect(wrong.status).toBe(409);
    expect(wrong.body.code).toBe('ACTION_NOT_ALLOWED');
    expect(wrong.body.details?.allowed).toEqual(['open']);
    expect(wrong.body.message).toContain('open');
    await act(body.id, 1, 'open');
    const stale = await act(body.id, 1, 'completeness_result', { data: { complete: true } });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');
    const unknown = await act('00000000-0000-4000-8000-000000000000', 1, 'open');
    expect(unknown.status).toBe(404);
  });

  test('of many racing actions on one ticket exactly one wins, the rest get 409', async () => {
    const { body } = await create(budi);
    const results = await Promise.all(Array.from({ length: 8 }, () => act(body.id, 1, 'open')));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    const events: unknown[] = await t.container.dataSource.query(
      `SELECT 1 FROM ticket_events WHERE ticket_id = $1 AND action = 'open'`,
      [body.id],
    );
    expect(events).toHaveLength(1);
  });

  test('bad requester data is refused with the field named, and nothing is created', async () => {
    const before: { n: string }[] = await t.container.dataSource.query(
      'SELECT count(*) AS n FROM tickets',
    );
    const nik = await create({ ...budi, requester: { ...budi.requester, nik: '12345' } });
    expect(nik.status).toBe(400);
    expect(nik.body.message).toContain('requester.nik');
    const phone = await create({ ...budi, requester: { ...budi.requester, phone: '12' } });
    expect(phone.body.message).toContain('requester.phone');
    const role = await create({ ...budi, requester: { ...budi.requester, spseRole: 'Raja' } });
    expect(role.status).toBe(400);
    const after: { n: string }[] = await t.container.dataSource.query(
      'SELECT count(*) AS n FROM tickets',
    );
    expect(after[0]?.n).toBe(before[0]?.n);
  });

  test('uploads: type from the content, not the name; empty and forged files are refused', async () => {
    const { body } = await create(budi);
    const exe = await upload(body.id, 'SK_PENUNJUKAN', 'sk.pdf', fixture('setup.exe.pdf'));
    expect(exe.status).toBe(415);
    expect(exe.body.code).toBe('FILE_TYPE_NOT_ALLOWED');
    const empty = await upload(body.id, 'SK_PENUNJUKAN', 'sk.pdf', Buffer.alloc(0));
    expect(empty.body.code).toBe('FILE_EMPTY');
    const badKind = await upload(body.id, 'PASSPORT', 'sk.pdf', fixture('sk-penunjukan.pdf'));
    expect(badKind.status).toBe(400);
    const png = await upload(body.id, 'KTP', 'ktp.pdf', fixture('ktp.png'));
    expect(png.status).toBe(201);
    const docs: { content_type: string; file_name: string }[] = await t.container.dataSource.query(
      'SELECT content_type, file_name FROM documents WHERE ticket_id = $1',
      [body.id],
    );
    expect(docs).toEqual([{ content_type: 'image/png', file_name: 'ktp.png' }]);
    const dl = await fetch(`${t.baseUrl}/api/tickets/${body.id}/documents/${png.body.documentId}`, {
      headers: { authorization: `Bearer ${adminPpe}` },
    });
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('image/png');
    expect(dl.headers.get('content-disposition')).toBe('attachment; filename="ktp.png"');
    expect(Buffer.from(await dl.arrayBuffer()).equals(fixture('ktp.png'))).toBe(true);
    const audited: unknown[] = await t.container.dataSource.query(
      `SELECT 1 FROM audit_events WHERE action = 'document.downloaded' AND target_id = $1`,
      [png.body.documentId],
    );
    expect(audited).toHaveLength(1);
  });

  test('NIK is masked for the helpdesk and shown to the Admin PPE on request, audited', async () => {
    const { body } = await create(budi);
    const masked = await t.http<{ requester: { nik: string | null; nikMasked: string } }>(
      'GET',
      `/api/tickets/${body.id}?includeNik=true`,
      {
        token: helpdesk,
      },
    );
    expect(masked.body.requester).toMatchObject({ nik: null, nikMasked: '6471********1187' });
    const full = await t.http<{ requester: { nik: string } }>(
      'GET',
      `/api/tickets/${body.id}?includeNik=true`,
      { token: adminPpe },
    );
    expect(full.body.requester.nik).toBe('6471021303801187');
    const audit: unknown[] = await t.container.dataSource.query(
      `SELECT 1 FROM audit_events WHERE action = 'ticket.nik.unmasked' AND target_id = $1`,
      [body.id],
    );
    expect(audit).toHaveLength(1);
  });

  test('the bot sees only its own tickets, and status only from the contact that opened it', async () => {
    const botToken = (
      await t.container.staff.createServiceAccount(
        { name: `bot-${Date.now()}`, kind: 'BOT' },
        systemActor,
      )
    ).token;
    const mine = await create(
      {
        ...budi,
        channel: 'WHATSAPP',
        contact: { kind: 'WHATSAPP', address: '6281234567890@c.us' },
      },
      botToken,
    );
    expect(mine.status).toBe(201);
    const other = await create(budi);
    // The bot reads status only: the full ticket would tell a channel what the registry holds.
    expect((await t.http('GET', `/api/tickets/${mine.body.id}`, { token: botToken })).status).toBe(
      403,
    );
    expect((await t.http('GET', '/api/tickets', { token: botToken })).status).toBe(403);
    // It may attach documents to its own tickets only; another ticket is "not found".
    const form = new FormData();
    form.append('kind', 'KTP');
    form.append('file', new Blob([fixture('ktp.png')]), 'ktp.png');
    const foreign = await t.http('POST', `/api/tickets/${other.body.id}/documents`, {
      token: botToken,
      body: form,
    });
    expect(foreign.status).toBe(404);
    const wrongChannel = await create({ ...budi, channel: 'WALK_IN' }, botToken);
    expect(wrongChannel.status).toBe(400);
    const ok = await t.http('POST', '/api/tickets/status', {
      token: botToken,
      json: { code: mine.body.code.toLowerCase(), contactAddress: '6281234567890@c.us' },
    });
    expect(ok.status).toBe(200);
    const stranger = await t.http<ErrorBody>('POST', '/api/tickets/status', {
      token: botToken,
      json: { code: mine.body.code, contactAddress: '6289999999999@c.us' },
    });
    const nothing = await t.http<ErrorBody>('POST', '/api/tickets/status', {
      token: botToken,
      json: { code: 'LKT-2611-99999', contactAddress: '6281234567890@c.us' },
    });
    expect(stranger.status).toBe(404);
    expect(stranger.body.code).toBe(nothing.body.code);
    expect(stranger.body.message).toBe(nothing.body.message);
  });

  test('the thread: the bot adds what the requester wrote, staff replies go out as a notice', async () => {
    const botToken = (
      await t.container.staff.createServiceAccount(
        { name: `bot-thread-${Date.now()}`, kind: 'BOT' },
        systemActor,
      )
    ).token;
    const { body } = await create(
      {
        ...budi,
        channel: 'WHATSAPP',
        contact: { kind: 'WHATSAPP', address: '6281234500000@c.us' },
      },
      botToken,
    );
    const inbound = await t.http<{ direction: string }>(
      'POST',
      `/api/tickets/${body.id}/messages`,
      {
        token: botToken,
        json: {
          body: 'Selamat siang, apakah permohonan saya sudah diproses?',
          externalId: 'wamid.ABC',
        },
      },
    );
    expect(inbound.status).toBe(201);
    expect(inbound.body.direction).toBe('IN');
    const reply = await t.http<{ direction: string }>('POST', `/api/tickets/${body.id}/messages`, {
      token: helpdesk,
      json: { body: 'Sedang kami periksa, mohon ditunggu.' },
    });
    expect(reply.body.direction).toBe('OUT');
    const detail = await t.http<{ messages: { direction: string; body: string }[] }>(
      'GET',
      `/api/tickets/${body.id}`,
      { token: helpdesk },
    );
    // The request's own text, the requester's follow-up, the staff reply.
    expect(detail.body.messages.map((m) => m.direction)).toEqual(['IN', 'IN', 'OUT']);
    expect((await outbox(body.id)).at(-1)?.payload).toMatchObject({
      template: 'staff-reply',
      recipient: 'REQUESTER_CONTACT',
    });
    const auditor = await t.tokenFor('AUDITOR');
    expect(
      (
        await t.http('POST', `/api/tickets/${body.id}/messages`, {
          token: auditor,
          json: { body: 'x' },
        })
      ).status,
    ).toBe(403);
    const other = await create(budi);
    expect(
      (
        await t.http('POST', `/api/tickets/${other.body.id}/messages`, {
          token: botToken,
          json: { body: 'x' },
        })
      ).status,
    ).toBe(404);
  });

  test('status by phone matches however the number is written', async () => {
    const { body } = await create(
      { ...budi, channel: 'WALK_IN', contact: { kind: 'PHONE', address: '0812-3456-7000' } },
      front,
    );
    for (const written of [
      '0812-3456-7000',
      '081234567000',
      '+62 812 3456 7000',
      '6281234567000',
    ]) {
      const res = await t.http('POST', '/api/tickets/status', {
        token: front,
        json: { code: body.code, contactAddress: written },
      });
      expect(res.status).toBe(200);
    }
    const other = await t.http('POST', '/api/tickets/status', {
      token: front,
      json: { code: body.code, contactAddress: '081234567001' },
    });
    expect(other.status).toBe(404);
  });

  test('the front office works walk-ins only; document_added is not a client action', async () => {
    const email = await create(budi);
    expect((await t.http('GET', `/api/tickets/${email.body.id}`, { token: front })).status).toBe(
      404,
    );
    const internal = await act(email.body.id, 1, 'document_added', {}, helpdesk);
    expect(internal.status).toBe(400);
  });

  test('a NUL byte or a bad cursor is a 400, never a 500', async () => {
    const nul = await create({
      ...budi,
      requester: { ...budi.requester, name: 'Budi\u0000Santoso' },
    });
    expect(nul.status).toBe(400);
    const bad = encodeURIComponent(
      Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'not-a-uuid'])).toString('base64url'),
    );
    expect((await t.http('GET', `/api/tickets?cursor=${bad}`, { token: supervisor })).status).toBe(
      400,
    );
    const odd = Buffer.from(
      JSON.stringify(['1 2', '00000000-0000-4000-8000-000000000000']),
    ).toString('base64url');
    expect((await t.http('GET', `/api/tickets?cursor=${odd}`, { token: supervisor })).status).toBe(
      400,
    );
  });

  test('a client that drops the connection mid-upload does not take the server down', async () => {
    const { body } = await create(budi);
    const { connect } = await import('node:net');
    const url = new URL(t.baseUrl);
    await new Promise<void>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        const boundary = 'loketboundary';
        const head =
          `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nKTP\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="ktp.pdf"\r\nContent-Type: application/pdf\r\n\r\n`;
        socket.write(
          `POST /api/tickets/${body.id}/documents HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${helpdesk}\r\n` +
            `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 100000\r\n\r\n${head}%PDF-1.4\n`,
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 200);
      });
      socket.on('error', () => undefined);
    });
    await new Promise((r) => setTimeout(r, 300));
    expect((await t.http('GET', '/health')).status).toBe(200);
    const docs: unknown[] = await t.container.dataSource.query(
      'SELECT 1 FROM documents WHERE ticket_id = $1',
      [body.id],
    );
    expect(docs).toHaveLength(0);
    const { readdirSync, existsSync } = await import('node:fs');
    const dir = join(t.config.LOKET_DATA_DIR, 'documents', 'tickets', body.id);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  test('listing: filters and keyset pages without gaps or repeats', async () => {
    for (let i = 0; i < 5; i++)
      await create({ ...budi, channel: 'API', contact: { kind: 'NONE' } });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      // eslint-disable-next-line @typescript-eslint/no-inferrable-types -- the loop needs the annotation
      const q: string = `/api/tickets?channel=API&open=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: { body: { items: Summary[]; nextCursor: string | null } } = await t.http<{
        items: Summary[];
        nextCursor: string | null;
      }>('GET', q, {
        token: supervisor,
      });
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const walkIns = await t.http<{ items: { channel: string }[] }>('GET', '/api/tickets', {
      token: front,
    });
    expect(walkIns.body.items.every((i) => i.channel === 'WALK_IN')).toBe(true);

    // Each filter narrows to what it names.
    const userId = await create({
      ...budi,
      type: 'USER_ID_INFO',
      channel: 'API',
      contact: { kind: 'NONE' },
    });
    const list = async (query: string) =>
      (
        await t.http<{ items: Summary[] }>('GET', `/api/tickets?${query}`, { token: supervisor })
      ).body.items.map((i) => i.id);
    expect(await list(`code=${userId.body.code.toLowerCase()}`)).toEqual([userId.body.id]);
    expect(await list('type=USER_ID_INFO&channel=API')).toContain(userId.body.id);
    expect(await list('type=RESET_PASSWORD&channel=API')).not.toContain(userId.body.id);
    expect(await list('step=RECEIVED&channel=API')).toContain(userId.body.id);
    expect(await list('step=ARCHIVED&channel=API')).not.toContain(userId.body.id);
    expect(await list('open=false&channel=API')).not.toContain(userId.body.id);
    const at = new Date(now);
    const before = new Date(at.getTime() - 60_000).toISOString();
    const after = new Date(at.getTime() + 60_000).toISOString();
    expect(await list(`from=${before}&to=${after}&channel=API`)).toContain(userId.body.id);
    expect(await list(`from=${after}&channel=API`)).not.toContain(userId.body.id);
  });
});
