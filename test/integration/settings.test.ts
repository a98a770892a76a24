import { createTestApp, type TestApp } from '../helpers/test-app';

interface ErrorBody {
  code: string;
}
interface Calendar {
  office: { timeZone: string };
  year: number;
  holidays: { date: string; name: string; kind: string }[];
  overrides: { date: string; name: string; kind: string }[];
}
interface Reason {
  code: string;
  labelId: string;
  labelEn: string;
  active: boolean;
}

// Monday 23 November 2026, 17:00 WIB: after office hours, so an email is due by the close of the
// next working day.
const MONDAY_1700_WIB = Date.parse('2026-11-23T10:00:00Z');

describe('administration: working calendar and rejection reasons', () => {
  let t: TestApp;
  let supervisor: string;
  let auditor: string;
  let helpdesk: string;

  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(MONDAY_1700_WIB) } });
    supervisor = await t.tokenFor('SUPERVISOR');
    auditor = await t.tokenFor('AUDITOR');
    helpdesk = await t.tokenFor('HELPDESK');
  }, 30_000);
  afterAll(() => t.close());

  const emailTicket = () =>
    t.http<{ stepDueAt: string }>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type: 'RESET_PASSWORD',
        channel: 'EMAIL',
        requester: { name: 'Budi Santoso', email: 'budi.pribadi@gmail.com' },
        contact: { kind: 'EMAIL', address: 'budi.pribadi@gmail.com' },
        message: 'Mohon reset password SPSE saya.',
      },
    });
  const calendar = (token = supervisor, year = 2026) =>
    t.http<Calendar & ErrorBody>('GET', `/api/offices/calendar?year=${String(year)}`, { token });

  test('an office day off moves the next deadline past it, and removing it restores the shipped calendar', async () => {
    const before = await emailTicket();
    expect(before.status).toBe(201);
    // Tuesday 24 November, 16:00 WIB.
    expect(before.body.stepDueAt).toBe('2026-11-24T09:00:00.000Z');

    const set = await t.http('PUT', '/api/offices/holidays/2026-11-24', {
      token: supervisor,
      json: { name: 'HUT Kota Samarinda', kind: 'OFFICE' },
    });
    expect(set.status).toBe(200);
    const cal = await calendar();
    expect(cal.body.holidays).toContainEqual({
      date: '2026-11-24',
      name: 'HUT Kota Samarinda',
      kind: 'OFFICE',
    });
    // Wednesday 25 November, 16:00 WIB.
    expect((await emailTicket()).body.stepDueAt).toBe('2026-11-25T09:00:00.000Z');

    const removed = await t.http('DELETE', '/api/offices/holidays/2026-11-24', {
      token: supervisor,
    });
    expect(removed.status).toBe(204);
    expect((await emailTicket()).body.stepDueAt).toBe('2026-11-24T09:00:00.000Z');
    const again = await t.http<ErrorBody>('DELETE', '/api/offices/holidays/2026-11-24', {
      token: supervisor,
    });
    expect([again.status, again.body.code]).toEqual([404, 'NOT_FOUND']);

    const audit = await t.http<{ items: { action: string; details: Record<string, unknown> }[] }>(
      'GET',
      '/api/audit-events?action=calendar.day_set',
      { token: auditor },
    );
    expect(audit.body.items.map((e) => e.details.date)).toContain('2026-11-24');
  });

  test('WORKING_DAY cancels a shipped holiday for this office only', async () => {
    const shipped = (await calendar(supervisor, 2026)).body.holidays.find(
      (h) => h.date === '2026-12-25',
    );
    expect(shipped?.kind).toBe('NATIONAL');
    await t.http('PUT', '/api/offices/holidays/2026-12-25', {
      token: supervisor,
      json: { name: 'Masuk kerja (piket)', kind: 'WORKING_DAY' },
    });
    const cal = (await calendar()).body;
    expect(cal.holidays.map((h) => h.date)).not.toContain('2026-12-25');
    expect(cal.overrides).toContainEqual({
      date: '2026-12-25',
      name: 'Masuk kerja (piket)',
      kind: 'WORKING_DAY',
    });
  });

  test('bad days and other roles are refused', async () => {
    const bad = await t.http<ErrorBody>('PUT', '/api/offices/holidays/2027-02-30', {
      token: supervisor,
      json: { name: 'Tidak ada', kind: 'OFFICE' },
    });
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const blank = await t.http<ErrorBody>('PUT', '/api/offices/holidays/2027-03-01', {
      token: supervisor,
      json: { name: '   ', kind: 'OFFICE' },
    });
    expect(blank.status).toBe(400);
    const unknownKind = await t.http<ErrorBody>('PUT', '/api/offices/holidays/2027-03-01', {
      token: supervisor,
      json: { name: 'Libur', kind: 'WEEKEND' },
    });
    expect(unknownKind.status).toBe(400);
    expect((await calendar(auditor)).status).toBe(200);
    const auditorWrite = await t.http<ErrorBody>('PUT', '/api/offices/holidays/2027-03-01', {
      token: auditor,
      json: { name: 'Libur', kind: 'OFFICE' },
    });
    expect([auditorWrite.status, auditorWrite.body.code]).toEqual([403, 'FORBIDDEN']);
    expect((await calendar(helpdesk)).status).toBe(403);
  });

  test('rejection reasons: added, relabelled and retired; a retired one is no longer offered', async () => {
    const created = await t.http<Reason & ErrorBody>('POST', '/api/admin/reject-reasons', {
      token: supervisor,
      json: {
        code: 'SK_KADALUARSA',
        labelId: 'SK penunjukan sudah tidak berlaku',
        labelEn: 'The appointment letter has expired',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.active).toBe(true);
    const twice = await t.http<ErrorBody>('POST', '/api/admin/reject-reasons', {
      token: supervisor,
      json: { code: 'SK_KADALUARSA', labelId: 'x', labelEn: 'x' },
    });
    expect([twice.status, twice.body.code]).toEqual([409, 'CONFLICT']);
    const badCode = await t.http<ErrorBody>('POST', '/api/admin/reject-reasons', {
      token: supervisor,
      json: { code: 'sk kadaluarsa', labelId: 'x', labelEn: 'x' },
    });
    expect(badCode.status).toBe(400);

    const offered = async () =>
      (await t.http<Reason[]>('GET', '/api/reject-reasons', { token: helpdesk })).body.map(
        (r) => r.code,
      );
    expect(await offered()).toContain('SK_KADALUARSA');

    const relabelled = await t.http<Reason>('PATCH', '/api/admin/reject-reasons/SK_KADALUARSA', {
      token: supervisor,
      json: { labelId: 'Masa berlaku SK penunjukan telah habis' },
    });
    expect(relabelled.body.labelId).toBe('Masa berlaku SK penunjukan telah habis');
    const retired = await t.http<Reason>('PATCH', '/api/admin/reject-reasons/SK_KADALUARSA', {
      token: supervisor,
      json: { active: false },
    });
    expect(retired.body.active).toBe(false);
    expect(await offered()).not.toContain('SK_KADALUARSA');
    const all = await t.http<Reason[]>('GET', '/api/admin/reject-reasons', { token: supervisor });
    expect(all.body.find((r) => r.code === 'SK_KADALUARSA')?.active).toBe(false);

    const missing = await t.http<ErrorBody>('PATCH', '/api/admin/reject-reasons/NOPE', {
      token: supervisor,
      json: { active: false },
    });
    expect(missing.status).toBe(404);
    const empty = await t.http<ErrorBody>('PATCH', '/api/admin/reject-reasons/SK_KADALUARSA', {
      token: supervisor,
      json: {},
    });
    expect(empty.status).toBe(400);
    const byHelpdesk = await t.http<ErrorBody>('POST', '/api/admin/reject-reasons', {
      token: helpdesk,
      json: { code: 'LAIN', labelId: 'Lain', labelEn: 'Other' },
    });
    expect(byHelpdesk.status).toBe(403);
  });
});
