import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemActor } from '../../src/audit/audit.service';
import { createTestApp, type TestApp } from '../helpers/test-app';

jest.setTimeout(60_000);

interface Detail {
  version: number;
  step: string;
  registryEntryId: string | null;
  requester: { userId: string | null; nik: string | null; nikMasked: string | null };
  events: { action: string; data: Record<string, unknown> }[];
}

// Monday 23 November 2026, 09:00 WIB.
const now = Date.parse('2026-11-23T02:00:00Z');

describe("the request form's details entered at the desk (PATCH /api/tickets/:id/requester)", () => {
  let t: TestApp;
  let helpdesk: string;
  let adminPpe: string;

  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(now) } });
    helpdesk = await t.tokenFor('HELPDESK');
    adminPpe = await t.tokenFor('ADMIN_PPE');
    const file = join(t.config.LOKET_DATA_DIR, 'registry.csv');
    writeFileSync(
      file,
      [
        'user_id,full_name,nik,nip,spse_role,agency,unit,email,phone,birth_place,birth_date,sk_reference',
        'budi.ppk,Budi Santoso,6471021303801187,198003132017021375,PPK,Pemkot Samarinda,PBJ,budi@samarindakota.go.id,081234567890,Samarinda,1980-03-13,SK/1/2024',
      ].join('\n'),
    );
    await t.container.registry.importCsvFile(file, { fileName: 'r.csv', actor: systemActor });
  });
  afterAll(() => t.close());

  const detail = async (id: string) =>
    (await t.http<Detail>('GET', `/api/tickets/${id}`, { token: helpdesk })).body;
  const patch = (id: string, json: unknown, token = helpdesk) =>
    t.http<{ version: number; code?: string }>('PATCH', `/api/tickets/${id}/requester`, {
      token,
      json,
    });

  test('a walk-in gets its user ID and NIK, is matched with the registry, and the event masks the NIK', async () => {
    const created = await t.http<{ id: string; version: number }>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type: 'RESET_PASSWORD',
        channel: 'WALK_IN',
        requester: { name: 'Budi Santoso' },
        contact: { kind: 'NONE' },
      },
    });
    const id = created.body.id;
    expect((await detail(id)).registryEntryId).toBeNull();

    const requester = {
      name: 'Budi Santoso',
      userId: 'budi.ppk',
      nik: '6471021303801187',
      spseRole: 'PPK',
      email: 'budi@samarindakota.go.id',
    };
    // Stale version, a role that does not take the form, and a bad NIK are refused.
    expect((await patch(id, { version: 99, requester })).status).toBe(409);
    expect((await patch(id, { version: 1, requester }, adminPpe)).status).toBe(403);
    const bad = await patch(id, { version: 1, requester: { ...requester, nik: '123' } });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);

    const ok = await patch(id, { version: 1, requester });
    expect([ok.status, ok.body.version]).toEqual([200, 2]);
    const d = await detail(id);
    expect(d.registryEntryId).not.toBeNull();
    expect(d.requester).toMatchObject({
      userId: 'budi.ppk',
      nik: null,
      nikMasked: '6471********1187',
    });
    const event = d.events.find((e) => e.action === 'requester_updated');
    expect(event?.data).toEqual({
      registryMatched: true,
      nikMasked: '6471********1187',
      changed: ['userId', 'spseRole', 'email', 'nik'],
      previous: { nikMasked: null, registryEntryId: null },
    });
    expect(JSON.stringify(d.events)).not.toContain('6471021303801187');
    // Sent again without the NIK (the console never shows it to re-send): the NIK on file stays.
    const again = await patch(id, {
      version: 2,
      requester: { name: requester.name, userId: requester.userId, email: requester.email },
    });
    expect(again.status).toBe(200);
    const d2 = await detail(id);
    expect([d2.requester.nikMasked, d2.registryEntryId]).toEqual([
      '6471********1187',
      d.registryEntryId,
    ]);
  });

  test('once completeness is judged, a role that needs other documents is refused', async () => {
    const created = await t.http<{ id: string }>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type: 'RESET_PASSWORD',
        channel: 'WALK_IN',
        requester: { name: 'Dewi', spseRole: 'PPK' },
        contact: { kind: 'NONE' },
      },
    });
    const id = created.body.id;
    const act = (version: number, action: string, data?: unknown) =>
      t.http('POST', `/api/tickets/${id}/actions`, {
        token: helpdesk,
        json: { action, version, ...(data ? { data } : {}) },
      });
    // Before the judgement the role may change freely (and back).
    expect(
      (await patch(id, { version: 1, requester: { name: 'Dewi', spseRole: 'Auditor' } })).status,
    ).toBe(200);
    expect(
      (await patch(id, { version: 2, requester: { name: 'Dewi', spseRole: 'PPK' } })).status,
    ).toBe(200);
    expect((await act(3, 'open')).status).toBe(200);
    expect((await act(4, 'completeness_result', { complete: true })).status).toBe(200);
    // An auditor needs the Surat Perintah Pemeriksaan, which nobody checked: refused.
    const r = await patch(id, { version: 5, requester: { name: 'Dewi', spseRole: 'Auditor' } });
    expect([r.status, r.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await detail(id)).step).toBe('READY_TO_FORWARD');
    // A name correction is still fine.
    expect(
      (await patch(id, { version: 5, requester: { name: 'Dewi Lestari', spseRole: 'PPK' } }))
        .status,
    ).toBe(200);
  });

  test('after forwarding the form can no longer change', async () => {
    const created = await t.http<{ id: string }>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type: 'USER_ID_INFO',
        channel: 'WALK_IN',
        requester: { name: 'Ani' },
        contact: { kind: 'NONE' },
      },
    });
    const id = created.body.id;
    const act = (version: number, action: string, data?: unknown) =>
      t.http('POST', `/api/tickets/${id}/actions`, {
        token: helpdesk,
        json: { action, version, ...(data ? { data } : {}) },
      });
    expect((await act(1, 'open')).status).toBe(200);
    expect((await act(2, 'completeness_result', { complete: true })).status).toBe(200);
    expect((await act(3, 'forward')).status).toBe(200);
    const r = await patch(id, { version: 4, requester: { name: 'Ani Lain' } });
    expect([r.status, r.body.code]).toEqual([409, 'ACTION_NOT_ALLOWED']);
  });
});
