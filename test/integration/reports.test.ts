import { parse } from 'csv-parse/sync';
import { scanDeadlines } from '../../src/tickets/ticket-jobs';
import { createTestApp, type TestApp } from '../helpers/test-app';

interface Summary {
  id: string;
  code: string;
  step: string;
  version: number;
  closedAt: string | null;
}
interface ErrorBody {
  code: string;
  message: string;
}
interface StepItem {
  workflowId: string;
  step: string;
  label: { id: string; en: string };
  timeStandard: { kind: string; minutes?: number } | null;
  timeStandardByChannel: Record<string, { kind: string }>;
  started: number;
  ended: number;
  medianWorkingMinutes: number | null;
  p90WorkingMinutes: number | null;
  withStandard: number;
  withinStandard: number;
  openNotYetDue: number;
  shareWithinStandard: number | null;
  breaches: number;
  openLate: number;
}
interface StepsReport {
  from: string;
  to: string;
  workflowId: string | null;
  generatedAt: string;
  items: StepItem[];
}
interface BreachItem {
  ticketId: string;
  code: string;
  workflowId: string;
  step: string;
  label: { id: string; en: string };
  dueAt: string;
  endedAt: string | null;
  lateMinutes: number;
  workingMinutes: number | null;
}
interface BreachesReport {
  items: BreachItem[];
  nextCursor: string | null;
}
interface Counts {
  created: number;
  closed: number;
}
interface VolumeReport {
  groupBy: string;
  totals: Counts;
  byChannel: (Counts & { channel: string })[];
  byType: (Counts & { type: string })[];
  rows: (Counts & { day: string | null; channel: string; type: string })[];
}

// Monday 23 November 2026, 09:00 WIB: inside office hours of the default (Asia/Jakarta) office.
const T0 = Date.parse('2026-11-23T02:00:00Z');
const at = (minutes: number) => T0 + minutes * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

// The report window of most assertions: 08:00 to 10:00 WIB that Monday.
const FROM = iso(at(-60));
const TO = iso(at(60));
const RANGE = `from=${encodeURIComponent(FROM)}&to=${encodeURIComponent(TO)}`;

const RP = 'seed004-reset-password';
const UI = 'seed004-user-id-info';

describe('reports', () => {
  let t: TestApp;
  let now = T0;
  let helpdesk: string;
  let adminPpe: string;
  let supervisor: string;
  let auditor: string;
  let frontOffice: string;
  const tickets: Record<string, Summary> = {};

  const create = (channel: string, type: string, name: string) =>
    t.http<Summary & ErrorBody>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type,
        channel,
        requester: { name, userId: 'budi.ppk', spseRole: 'PPK', agency: 'Pemerintah Kota' },
        contact:
          channel === 'EMAIL'
            ? { kind: 'EMAIL', address: 'pemohon@example.go.id' }
            : channel === 'WHATSAPP'
              ? { kind: 'WHATSAPP', address: '6281234567890@c.us' }
              : { kind: 'NONE' },
      },
    });
  /** Takes an action at minute `minute` after T0, with the ticket's current version. */
  const act = async (
    key: string,
    minute: number,
    action: string,
    data: Record<string, unknown> = {},
    token = helpdesk,
  ) => {
    now = at(minute);
    const ticket = tickets[key];
    if (!ticket) throw new Error(`no ticket ${key}`);
    const r = await t.http<{ ticket: Summary } & ErrorBody>(
      'POST',
      `/api/tickets/${ticket.id}/actions`,
      { token, json: { action, version: ticket.version, data } },
    );
    if (r.status !== 200) throw new Error(`${key} ${action}: ${r.status} ${r.body.message}`);
    tickets[key] = r.body.ticket;
  };
  const open = async (key: string, minute: number, channel: string, type: string, name: string) => {
    now = at(minute);
    const r = await create(channel, type, name);
    if (r.status !== 201) throw new Error(`create ${key}: ${r.status} ${r.body.message}`);
    tickets[key] = r.body;
  };
  /** The worker's deadline scanner, run at `instant`. */
  const markBreaches = (instant: number) =>
    scanDeadlines(t.container.dataSource, { now: () => new Date(instant) });
  const get = <T>(path: string, token = supervisor) => t.http<T>('GET', path, { token });
  const csv = async (path: string, token = supervisor) => {
    const res = await fetch(`${t.baseUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
  };
  const item = (report: StepsReport, workflowId: string, step: string) => {
    const found = report.items.find((i) => i.workflowId === workflowId && i.step === step);
    if (!found) throw new Error(`no row ${workflowId} ${step}`);
    return found;
  };

  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(now) } });
    helpdesk = await t.tokenFor('HELPDESK');
    adminPpe = await t.tokenFor('ADMIN_PPE');
    supervisor = await t.tokenFor('SUPERVISOR');
    auditor = await t.tokenFor('AUDITOR');
    frontOffice = await t.tokenFor('FRONT_OFFICE');

    // F: by email on Monday 01:00 WIB (Sunday 18:00 UTC), before the window; still unopened.
    now = Date.parse('2026-11-22T18:00:00Z');
    tickets.F = (await create('EMAIL', 'RESET_PASSWORD', 'Fajar')).body;

    // A (email): opened after 2 minutes, complete after 3 more (within the 5-minute standard),
    // forwarded; its validity check (15 minutes, due at +21) is never done.
    await open('A', 0, 'EMAIL', 'RESET_PASSWORD', 'Andi');
    // B (WhatsApp): opened after 3 minutes, the completeness check takes 12 (due at +8).
    await open('B', 0, 'WHATSAPP', 'RESET_PASSWORD', '=HYPERLINK("x")');
    // C (walk-in, user ID): no standard to open; its completeness check (due at +9) stays open.
    await open('C', 0, 'WALK_IN', 'USER_ID_INFO', 'Citra');
    await act('A', 2, 'open');
    await act('B', 3, 'open');
    await act('C', 4, 'open');
    await act('A', 5, 'completeness_result', { complete: true });
    await act('A', 6, 'forward');
    now = at(10);
    expect(await markBreaches(now)).toBe(2); // B, C
    await act('B', 15, 'completeness_result', { complete: true });

    // D (API): every step in a minute, archived at +27.
    await open('D', 20, 'API', 'RESET_PASSWORD', 'Dewi');
    await act('D', 21, 'open');
    await act('D', 22, 'completeness_result', { complete: true });
    await act('D', 23, 'forward');
    await act('D', 24, 'validity_result', { valid: true }, adminPpe);
    await act('D', 25, 'resolve', {}, adminPpe);
    await act('D', 26, 'notify', {}, adminPpe);
    await act('D', 27, 'archive', { archiveNumber: 'ARS/LPSE/2026/0101' }, adminPpe);
    expect(tickets.D?.closedAt).not.toBeNull();

    // E (email) arrives at +29: its first step is open and not yet due.
    await open('E', 29, 'EMAIL', 'RESET_PASSWORD', 'Eko');

    // At +30 the scanner marks A's validity check (due +21).
    now = at(30);
    expect(await markBreaches(now)).toBe(1);
  });
  afterAll(() => t.close());

  test('steps: counts, medians, p90, share within the standard, breaches and open-late per step', async () => {
    const res = await get<StepsReport>(`/api/reports/steps?${RANGE}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: FROM, to: TO, workflowId: null, generatedAt: iso(now) });
    // Ordered by workflow, then by the steps' order in the definition.
    expect(res.body.items.map((i) => `${i.workflowId} ${i.step}`)).toEqual([
      `${RP} RECEIVED`,
      `${RP} COMPLETENESS_CHECK`,
      `${RP} READY_TO_FORWARD`,
      `${RP} VALIDITY_CHECK`,
      `${RP} RESOLUTION`,
      `${RP} NOTIFY_RESULT`,
      `${RP} ARCHIVING`,
      `${UI} RECEIVED`,
      `${UI} COMPLETENESS_CHECK`,
    ]);

    // A 2, B 3, D 1 minutes; E still open (due at the close of the day).
    expect(item(res.body, RP, 'RECEIVED')).toEqual({
      workflowId: RP,
      workflowName: {
        id: 'Reset password pengguna SPSE (SOP LPSE)',
        en: 'SPSE user password reset (LPSE SOP)',
      },
      step: 'RECEIVED',
      label: { id: 'Permohonan diterima', en: 'Request received' },
      sop: '1–4',
      timeStandard: { kind: 'SAME_WORKING_DAY' },
      timeStandardByChannel: { WALK_IN: { kind: 'NONE' } },
      started: 4,
      ended: 3,
      medianWorkingMinutes: 2,
      p90WorkingMinutes: 2.8,
      withStandard: 4,
      withinStandard: 3,
      openNotYetDue: 1,
      shareWithinStandard: 1,
      breaches: 0,
      openLate: 0,
    });
    // A 3 (within 5), B 12 (late, breached), D 1.
    expect(item(res.body, RP, 'COMPLETENESS_CHECK')).toMatchObject({
      timeStandard: { kind: 'MINUTES', minutes: 5 },
      started: 3,
      ended: 3,
      medianWorkingMinutes: 3,
      p90WorkingMinutes: 10.2,
      withStandard: 3,
      withinStandard: 2,
      openNotYetDue: 0,
      shareWithinStandard: 0.6667,
      breaches: 1,
      openLate: 0,
    });
    // No time standard: no share at all.
    expect(item(res.body, RP, 'READY_TO_FORWARD')).toMatchObject({
      timeStandard: { kind: 'NONE' },
      started: 3,
      ended: 2,
      medianWorkingMinutes: 1,
      withStandard: 0,
      withinStandard: 0,
      shareWithinStandard: null,
      breaches: 0,
    });
    // A open since +6, due +21: late and breached; D done in a minute.
    expect(item(res.body, RP, 'VALIDITY_CHECK')).toMatchObject({
      started: 2,
      ended: 1,
      medianWorkingMinutes: 1,
      withStandard: 2,
      withinStandard: 1,
      shareWithinStandard: 0.5,
      breaches: 1,
      openLate: 1,
    });
    for (const step of ['RESOLUTION', 'NOTIFY_RESULT', 'ARCHIVING'])
      expect(item(res.body, RP, step)).toMatchObject({
        started: 1,
        ended: 1,
        medianWorkingMinutes: 1,
        p90WorkingMinutes: 1,
        withinStandard: 1,
        shareWithinStandard: 1,
        breaches: 0,
      });
    expect(item(res.body, UI, 'RECEIVED')).toMatchObject({
      timeStandard: { kind: 'SAME_WORKING_DAY' },
      started: 1,
      ended: 1,
      medianWorkingMinutes: 4,
      withStandard: 0, // walk-in: called from the queue, no standard
      shareWithinStandard: null,
    });
    expect(item(res.body, UI, 'COMPLETENESS_CHECK')).toMatchObject({
      started: 1,
      ended: 0,
      medianWorkingMinutes: null,
      p90WorkingMinutes: null,
      withStandard: 1,
      withinStandard: 0,
      shareWithinStandard: 0,
      breaches: 1,
      openLate: 1,
    });

    // The auditor and the Admin PPE read the same; a workflow filter narrows it.
    expect((await get<StepsReport>(`/api/reports/steps?${RANGE}`, auditor)).body.items).toEqual(
      res.body.items,
    );
    expect((await get(`/api/reports/steps?${RANGE}`, adminPpe)).status).toBe(200);
    const only = await get<StepsReport>(`/api/reports/steps?${RANGE}&workflowId=${UI}`);
    expect(only.body.workflowId).toBe(UI);
    expect(only.body.items.map((i) => i.step)).toEqual(['RECEIVED', 'COMPLETENESS_CHECK']);
    // Only rows that started in the window: from +12 on, B's and D's later steps.
    const late = await get<StepsReport>(
      `/api/reports/steps?from=${encodeURIComponent(iso(at(12)))}&to=${encodeURIComponent(TO)}`,
    );
    expect(late.body.items.map((i) => `${i.step}:${i.started}`)).toEqual([
      'RECEIVED:2', // D, E
      'COMPLETENESS_CHECK:1',
      'READY_TO_FORWARD:2', // B, D
      'VALIDITY_CHECK:1',
      'RESOLUTION:1',
      'NOTIFY_RESULT:1',
      'ARCHIVING:1',
    ]);
  });

  test('steps as CSV: BOM, header, quoting, file name', async () => {
    const res = await csv(`/api/reports/steps?${RANGE}&format=csv`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="loket-steps-20261123T010000Z-20261123T030000Z.csv"',
    );
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.text.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'workflowId,step,stepLabelId,stepLabelEn,sop,timeStandardKind,timeStandardMinutes,' +
        'timeStandardByChannel,started,ended,medianWorkingMinutes,p90WorkingMinutes,withStandard,' +
        'withinStandard,openNotYetDue,shareWithinStandard,breaches,openLate',
    );
    expect(lines).toContain(
      `${RP},RECEIVED,Permohonan diterima,Request received,1–4,SAME_WORKING_DAY,,WALK_IN=NONE,4,3,2,2.8,4,3,1,1,0,0`,
    );
    expect(lines).toContain(
      `${RP},COMPLETENESS_CHECK,Pemeriksaan kelengkapan,Completeness check,5,MINUTES,5,,3,3,3,10.2,3,2,0,0.6667,1,0`,
    );
    // The SOP reference "12, 14" holds a comma: quoted.
    expect(lines).toContain(
      `${RP},NOTIFY_RESULT,Pemberitahuan hasil,Result notice,"12, 14",MINUTES,10,,1,1,1,1,1,1,0,1,0,0`,
    );
    expect(lines.at(-1)).toBe(''); // every line ends with CRLF
    const records = parse<Record<string, string>>(res.bytes, { bom: true, columns: true });
    expect(records).toHaveLength(9);
    expect(records.find((r) => r.step === 'NOTIFY_RESULT')?.sop).toBe('12, 14');
  });

  test('volume: created by channel and type, closed, and by the office day', async () => {
    const res = await get<VolumeReport>(`/api/reports/volume?${RANGE}`);
    expect(res.status).toBe(200);
    expect(res.body.groupBy).toBe('none');
    expect(res.body.totals).toEqual({ created: 5, closed: 1 });
    expect(res.body.byChannel).toEqual([
      { channel: 'API', created: 1, closed: 1 },
      { channel: 'EMAIL', created: 2, closed: 0 },
      { channel: 'WALK_IN', created: 1, closed: 0 },
      { channel: 'WHATSAPP', created: 1, closed: 0 },
    ]);
    expect(res.body.byType).toEqual([
      { type: 'RESET_PASSWORD', created: 4, closed: 1 },
      { type: 'USER_ID_INFO', created: 1, closed: 0 },
    ]);
    expect(res.body.rows).toContainEqual({
      day: null,
      channel: 'EMAIL',
      type: 'RESET_PASSWORD',
      created: 2,
      closed: 0,
    });

    // F came in on Sunday 18:00 UTC, which is Monday in Jakarta: days follow the office.
    const wide = `from=2026-11-22T00:00:00Z&to=2026-11-24T00:00:00Z`;
    const byDay = await get<VolumeReport>(`/api/reports/volume?${wide}&groupBy=day`);
    expect(byDay.body.groupBy).toBe('day');
    expect(byDay.body.totals).toEqual({ created: 6, closed: 1 });
    expect(new Set(byDay.body.rows.map((r) => r.day))).toEqual(new Set(['2026-11-23']));
    expect(byDay.body.rows).toContainEqual({
      day: '2026-11-23',
      channel: 'EMAIL',
      type: 'RESET_PASSWORD',
      created: 3,
      closed: 0,
    });

    const file = await csv(`/api/reports/volume?${wide}&groupBy=day&format=csv`, auditor);
    expect(file.headers.get('content-disposition')).toBe(
      'attachment; filename="loket-volume-20261122T000000Z-20261124T000000Z.csv"',
    );
    expect(file.text).toBe(
      '\uFEFFday,channel,type,created,closed\r\n' +
        '2026-11-23,API,RESET_PASSWORD,1,1\r\n' +
        '2026-11-23,EMAIL,RESET_PASSWORD,3,0\r\n' +
        '2026-11-23,WALK_IN,USER_ID_INFO,1,0\r\n' +
        '2026-11-23,WHATSAPP,RESET_PASSWORD,1,0\r\n',
    );
    // The default window is the 30 days up to now, and holds them all.
    const def = await get<VolumeReport & { from: string; to: string }>('/api/reports/volume');
    expect(def.body.to).toBe(iso(now));
    expect(def.body.from).toBe(iso(now - 30 * 86_400_000));
    expect(def.body.totals.created).toBe(6);
  });

  test('breaches: newest first, how late, keyset pages, CSV with every row', async () => {
    const all = await get<BreachesReport>(`/api/reports/breaches?${RANGE}`);
    expect(all.status).toBe(200);
    expect(
      all.body.items.map((b) => ({
        code: b.code,
        step: b.step,
        dueAt: b.dueAt,
        endedAt: b.endedAt,
        lateMinutes: b.lateMinutes,
        workingMinutes: b.workingMinutes,
      })),
    ).toEqual([
      // A's validity check: due +21, open at +30.
      {
        code: tickets.A?.code,
        step: 'VALIDITY_CHECK',
        dueAt: iso(at(21)),
        endedAt: null,
        lateMinutes: 9,
        workingMinutes: null,
      },
      // C's completeness check: due +9, open.
      {
        code: tickets.C?.code,
        step: 'COMPLETENESS_CHECK',
        dueAt: iso(at(9)),
        endedAt: null,
        lateMinutes: 21,
        workingMinutes: null,
      },
      // B's completeness check: due +8, done at +15.
      {
        code: tickets.B?.code,
        step: 'COMPLETENESS_CHECK',
        dueAt: iso(at(8)),
        endedAt: iso(at(15)),
        lateMinutes: 7,
        workingMinutes: 12,
      },
    ]);
    expect(all.body.items[0]?.label).toEqual({
      id: 'Pemeriksaan kebenaran berkas',
      en: 'Validity check',
    });
    expect(all.body.nextCursor).toBeNull();

    const first = await get<BreachesReport>(`/api/reports/breaches?${RANGE}&limit=2`);
    expect(first.body.items.map((b) => b.code)).toEqual([tickets.A?.code, tickets.C?.code]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get<BreachesReport>(
      `/api/reports/breaches?${RANGE}&limit=2&cursor=${first.body.nextCursor ?? ''}`,
    );
    expect(second.body.items.map((b) => b.code)).toEqual([tickets.B?.code]);
    expect(second.body.nextCursor).toBeNull();

    // Same rows as the step report counts: none started from +12 on.
    const none = await get<BreachesReport>(
      `/api/reports/breaches?from=${encodeURIComponent(iso(at(12)))}&to=${encodeURIComponent(TO)}`,
    );
    expect(none.body.items).toEqual([]);

    // CSV ignores `limit`: all rows.
    const file = await csv(`/api/reports/breaches?${RANGE}&limit=1&format=csv`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe(
      'attachment; filename="loket-breaches-20261123T010000Z-20261123T030000Z.csv"',
    );
    expect(file.headers.get('x-next-cursor')).toBeNull();
    expect([...file.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = file.text.slice(1).split('\r\n');
    expect(lines[0]).toBe(
      'code,workflowId,step,stepLabelId,stepLabelEn,channel,type,startedAt,dueAt,endedAt,' +
        'breachedAt,lateMinutes,workingMinutes,ticketId',
    );
    expect(lines.slice(1, -1)).toEqual([
      `${tickets.A?.code},${RP},VALIDITY_CHECK,Pemeriksaan kebenaran berkas,Validity check,EMAIL,RESET_PASSWORD,${iso(at(6))},${iso(at(21))},,${iso(at(30))},9,,${tickets.A?.id}`,
      `${tickets.C?.code},${UI},COMPLETENESS_CHECK,Pemeriksaan kelengkapan,Completeness check,WALK_IN,USER_ID_INFO,${iso(at(4))},${iso(at(9))},,${iso(at(10))},21,,${tickets.C?.id}`,
      `${tickets.B?.code},${RP},COMPLETENESS_CHECK,Pemeriksaan kelengkapan,Completeness check,WHATSAPP,RESET_PASSWORD,${iso(at(3))},${iso(at(8))},${iso(at(15))},${iso(at(10))},7,12,${tickets.B?.id}`,
    ]);
    // The requester's name (here a formula) is not in any report.
    expect(file.text).not.toContain('HYPERLINK');
  });

  test('only supervisors, auditors and the Admin PPE; bad input gets 400', async () => {
    for (const path of ['/api/reports/steps', '/api/reports/volume', '/api/reports/breaches']) {
      for (const token of [helpdesk, frontOffice]) {
        const res = await get<ErrorBody>(path, token);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      expect((await t.http('GET', path)).status).toBe(401);
      expect((await get(path, auditor)).status).toBe(200);
      const csvDenied = await csv(`${path}?format=csv`, helpdesk);
      expect(csvDenied.status).toBe(403);
      const bad = await get<ErrorBody>(`${path}?from=yesterday`);
      expect(bad.status).toBe(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      expect(bad.body.message).toContain('from');
    }
    const reversed = await get<ErrorBody>(`/api/reports/steps?from=${TO}&to=${FROM}`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.message).toContain('from must be before to');
    const tooLong = await get<ErrorBody>(
      '/api/reports/volume?from=2025-01-01T00:00:00Z&to=2026-06-01T00:00:00Z',
    );
    expect(tooLong.status).toBe(400);
    expect((await get('/api/reports/steps?format=xlsx')).status).toBe(400);
    expect((await get('/api/reports/volume?groupBy=week')).status).toBe(400);
    expect((await get('/api/reports/steps?secret=1')).status).toBe(400);
    const badCursor = await get<ErrorBody>('/api/reports/breaches?cursor=zzz');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.message).toContain('cursor');
    const forged = Buffer.from(JSON.stringify(["x'; DROP TABLE tickets; --", '1'])).toString(
      'base64url',
    );
    expect((await get(`/api/reports/breaches?cursor=${forged}`)).status).toBe(400);
  });

  test('the reports are in the OpenAPI document, JSON and CSV', async () => {
    const doc = await t.http<{
      paths: Record<string, { get: { responses: Record<string, { content: object }> } }>;
    }>('GET', '/docs/json');
    for (const p of ['/api/reports/steps', '/api/reports/volume', '/api/reports/breaches'])
      expect(Object.keys(doc.body.paths[p]?.get.responses['200']?.content ?? {})).toEqual([
        'application/json',
        'text/csv',
      ]);
  });
});
