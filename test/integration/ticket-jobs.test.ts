import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { purgeExpiredTickets, scanDeadlines } from '../../src/tickets/ticket-jobs';
import { createTestApp, type TestApp } from '../helpers/test-app';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '..', 'fixtures', 'documents', name));

const MINUTE = 60_000;
// Monday 23 November 2026, 09:00 WIB (02:00Z): inside office hours of the default office, which
// closes at 16:00 WIB (09:00Z) Monday to Thursday.
const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
// The Monday after, 15:50 WIB: ten minutes before closing.
const NEXT_MONDAY_1550_WIB = Date.parse('2026-11-30T08:50:00Z');

const NIK = '6471021303801187';
const NAME = 'Budi Santoso';
const EMAIL = 'budi.pribadi@gmail.com';
const PHONE = '081234567890';
const NIP = '198003132017021375';
const AGENCY = 'Pemerintah Kota Samarinda';
const MESSAGE = `Saya ${NAME}, NIK ${NIK}, mohon bantuan user ID.`;

interface Summary {
  id: string;
  code: string;
  step: string;
  version: number;
  stepDueAt: string | null;
  stepBreached: boolean;
}
interface DeadlineRow {
  id: string;
  step: string;
  due_at: Date | null;
  ended_at: Date | null;
  breached_at: Date | null;
}

// Real PostgreSQL, Redis and redis-server children: more than jest's default 5 s on a busy machine.
jest.setTimeout(30_000);

describe('ticket background jobs', () => {
  let t: TestApp;
  let now = MONDAY_0900_WIB;
  const clock = { now: () => new Date(now) };
  let helpdesk: string;
  let adminPpe: string;
  let front: string;
  let supervisor: string;

  /** Access tokens last 15 minutes of the (test) clock: sign in again after moving it further. */
  const signIn = async () => {
    helpdesk = await t.tokenFor('HELPDESK');
    adminPpe = await t.tokenFor('ADMIN_PPE');
    front = await t.tokenFor('FRONT_OFFICE');
    supervisor = await t.tokenFor('SUPERVISOR');
  };

  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  const db = <T>(sql: string, params: unknown[] = []) =>
    t.container.dataSource.query<T[]>(sql, params);
  const scan = () => scanDeadlines(t.container.dataSource, clock);
  const purge = () => purgeExpiredTickets(t.container.dataSource, t.container.storage, clock);

  const emailTicket = {
    type: 'RESET_PASSWORD',
    channel: 'EMAIL',
    requester: { name: NAME, userId: 'budi.ppk', nik: NIK, spseRole: 'PPK', email: EMAIL },
    contact: { kind: 'EMAIL', address: EMAIL },
  };
  const walkInTicket = {
    type: 'USER_ID_INFO',
    channel: 'WALK_IN',
    requester: {
      name: NAME,
      userId: 'budi.ppk',
      nik: NIK,
      nip: NIP,
      spseRole: 'PPK',
      agency: AGENCY,
      email: EMAIL,
      phone: PHONE,
    },
    contact: { kind: 'PHONE', address: PHONE },
    message: MESSAGE,
  };
  const create = async (body: Record<string, unknown>, token = helpdesk) => {
    const res = await t.http<Summary>('POST', '/api/tickets', { token, json: body });
    expect(res.status).toBe(201);
    return res.body;
  };
  const act = async (
    ticket: { id: string; version: number },
    action: string,
    extra: Record<string, unknown> = {},
    token = helpdesk,
  ) => {
    const res = await t.http<{ ticket: Summary }>('POST', `/api/tickets/${ticket.id}/actions`, {
      token,
      json: { action, version: ticket.version, ...extra },
    });
    expect(res.status).toBe(200);
    return res.body.ticket;
  };
  const upload = async (id: string, kind: string, name: string, bytes: Buffer) => {
    const form = new FormData();
    form.append('kind', kind);
    form.append('file', new Blob([bytes]), name);
    const res = await t.http<{ documentId: string }>('POST', `/api/tickets/${id}/documents`, {
      token: helpdesk,
      body: form,
    });
    expect(res.status).toBe(201);
    return res.body.documentId;
  };
  const summary = async (id: string) =>
    (await t.http<Summary>('GET', `/api/tickets/${id}`, { token: supervisor })).body;
  const deadlines = (ticketId: string) =>
    db<DeadlineRow>(
      `SELECT id, step, due_at, ended_at, breached_at FROM ticket_step_deadlines
        WHERE ticket_id = $1 ORDER BY id`,
      [ticketId],
    );
  const events = (ticketId: string, action: string) =>
    db<{ from_step: string | null; data: Record<string, unknown>; at: Date }>(
      'SELECT from_step, data, at FROM ticket_events WHERE ticket_id = $1 AND action = $2 ORDER BY id',
      [ticketId, action],
    );
  const staffNotices = (ticketId: string) =>
    db<{ queue: string; payload: Record<string, unknown> }>(
      `SELECT queue, payload FROM outbox WHERE name = 'notify.staff' AND payload->>'ticketId' = $1`,
      [ticketId],
    );
  const breachedList = async () =>
    (
      await t.http<{ items: Summary[] }>('GET', '/api/tickets?breached=true&limit=100', {
        token: supervisor,
      })
    ).body.items.map((i) => i.id);

  test('an open step past its due time is marked breached once, with an event and a staff notice', async () => {
    now = MONDAY_0900_WIB;
    await signIn();
    const email = await create(emailTicket);
    const opened = await act(email, 'open');
    expect(opened.step).toBe('COMPLETENESS_CHECK');
    expect(opened.stepDueAt).toBe(new Date(MONDAY_0900_WIB + 5 * MINUTE).toISOString());
    // A walk-in is called from the queue: its first step has no time standard.
    const walkIn = await create(walkInTicket, front);
    expect(walkIn.stepDueAt).toBeNull();

    now = MONDAY_0900_WIB + 4 * MINUTE;
    expect(await scan()).toBe(0);
    now = MONDAY_0900_WIB + 5 * MINUTE; // due at 09:05 means late after 09:05, not at it
    expect(await scan()).toBe(0);

    now = MONDAY_0900_WIB + 6 * MINUTE;
    expect(await scan()).toBe(1);
    const [received, check] = await deadlines(email.id);
    expect(received?.step).toBe('RECEIVED');
    expect(received?.breached_at).toBeNull(); // ended at 09:00, due at 16:00
    expect(check?.step).toBe('COMPLETENESS_CHECK');
    expect(check?.breached_at?.getTime()).toBe(now);
    expect((await summary(email.id)).stepBreached).toBe(true);
    const breachEvents = await events(email.id, 'deadline.breached');
    expect(breachEvents).toHaveLength(1);
    expect(breachEvents[0]).toMatchObject({
      from_step: 'COMPLETENESS_CHECK',
      data: { dueAt: new Date(MONDAY_0900_WIB + 5 * MINUTE).toISOString() },
    });
    expect(breachEvents[0]?.at.getTime()).toBe(now);
    const notices = await staffNotices(email.id);
    expect(notices).toEqual([
      {
        queue: 'notifications',
        payload: {
          ticketId: email.id,
          template: 'deadline-breached',
          roles: ['SUPERVISOR'],
          step: 'COMPLETENESS_CHECK',
        },
      },
    ]);
    expect(await breachedList()).toEqual([email.id]);

    // Again, now and later: nothing more.
    expect(await scan()).toBe(0);
    now = MONDAY_0900_WIB + 7 * MINUTE;
    expect(await scan()).toBe(0);
    expect(await events(email.id, 'deadline.breached')).toHaveLength(1);
    expect(await staffNotices(email.id)).toHaveLength(1);
    expect((await deadlines(email.id))[1]?.breached_at?.getTime()).toBe(
      MONDAY_0900_WIB + 6 * MINUTE,
    );

    // The ticket moves on: its new step (5 minutes, due 09:12) starts on time.
    const incomplete = await act(await summary(email.id), 'completeness_result', {
      data: { complete: false },
    });
    expect(incomplete.step).toBe('INCOMPLETE');
    expect(incomplete.stepBreached).toBe(false);
    now = MONDAY_0900_WIB + 11 * MINUTE;
    expect(await scan()).toBe(0);
    const rows = await deadlines(email.id);
    expect(rows.map((r) => [r.step, r.breached_at !== null])).toEqual([
      ['RECEIVED', false],
      ['COMPLETENESS_CHECK', true], // its history stays
      ['INCOMPLETE', false],
    ]);
    expect((await summary(email.id)).stepBreached).toBe(false);
    expect(await breachedList()).toEqual([]);

    // Long after: a step without a time standard is never late, nor one that ended in time.
    now = MONDAY_0900_WIB + 7 * 24 * 60 * MINUTE;
    await signIn();
    await scan();
    expect((await deadlines(walkIn.id)).map((r) => [r.due_at, r.breached_at])).toEqual([
      [null, null],
    ]);
    expect((await summary(walkIn.id)).stepBreached).toBe(false);
    expect(await events(walkIn.id, 'deadline.breached')).toHaveLength(0);
    expect((await deadlines(email.id))[0]?.breached_at).toBeNull();
  });

  test('"the same working day" holds until the office closes', async () => {
    now = NEXT_MONDAY_1550_WIB;
    await signIn();
    const email = await create(emailTicket);
    expect(email.step).toBe('RECEIVED');
    // Closing time, 16:00 WIB.
    expect(email.stepDueAt).toBe(new Date(NEXT_MONDAY_1550_WIB + 10 * MINUTE).toISOString());
    now = NEXT_MONDAY_1550_WIB + 9 * MINUTE; // 15:59
    await scan();
    expect((await summary(email.id)).stepBreached).toBe(false);
    expect((await deadlines(email.id))[0]?.breached_at).toBeNull();
    now = NEXT_MONDAY_1550_WIB + 11 * MINUTE; // 16:01
    await scan();
    expect((await summary(email.id)).stepBreached).toBe(true);
    expect((await deadlines(email.id))[0]?.breached_at?.getTime()).toBe(now);
    expect(await events(email.id, 'deadline.breached')).toHaveLength(1);
  });

  test('two scanners at once mark each step once', async () => {
    now = Date.parse('2026-12-01T02:00:00Z'); // Tuesday 09:00 WIB
    await signIn();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = await create(emailTicket);
      await act(s, 'open');
      ids.push(s.id);
    }
    now += 10 * MINUTE;
    const breachEvents = async () =>
      (
        await db<{ n: number }>(
          `SELECT count(*)::int AS n FROM ticket_events WHERE action = 'deadline.breached'`,
        )
      )[0]?.n ?? 0;
    const before = await breachEvents();
    const [a, b] = await Promise.all([scan(), scan()]);
    expect(a + b).toBe((await breachEvents()) - before);
    for (const id of ids) {
      expect(await events(id, 'deadline.breached')).toHaveLength(1);
      expect(await staffNotices(id)).toHaveLength(1);
      expect((await summary(id)).stepBreached).toBe(true);
    }
  });

  test('the scanner does not deadlock with an action on the same ticket', async () => {
    now = NEXT_MONDAY_1550_WIB - 6 * 60 * MINUTE; // 09:50
    await signIn();
    const email = await create(emailTicket);
    await act(email, 'open'); // due 09:55
    now += 10 * MINUTE;
    // An action holds the ticket's row lock first and then ends the step's deadline row
    // (tickets.service `act`); here it is held open between the two while the scanner runs.
    const action = t.container.dataSource.createQueryRunner();
    await action.connect();
    try {
      await action.startTransaction();
      await action.query('SELECT id FROM tickets WHERE id = $1 FOR UPDATE', [email.id]);
      const scanning = scan();
      const settled = scanning.then(
        () => 'done',
        (err: unknown) => String(err),
      );
      await new Promise((r) => setTimeout(r, 300));
      await action.query(
        'UPDATE ticket_step_deadlines SET ended_at = $2 WHERE ticket_id = $1 AND ended_at IS NULL',
        [email.id, new Date(now)],
      );
      await action.commitTransaction();
      expect(await settled).toBe('done');
      await scanning;
    } finally {
      if (action.isTransactionActive) await action.rollbackTransaction();
      await action.release();
    }
    // The step ended before the scanner could take it: nothing to mark any more.
    await scan();
    expect(await events(email.id, 'deadline.breached')).toHaveLength(0);
    expect((await deadlines(email.id)).every((r) => r.breached_at === null)).toBe(true);
  });

  /** Walk-in USER_ID_INFO to ARCHIVED through the rejection path, with two documents. */
  const archivedTicket = async (retentionYears: number) => {
    now = MONDAY_0900_WIB;
    await signIn();
    let s = await create(walkInTicket, front);
    const documents = [
      await upload(s.id, 'KTP', 'ktp budi.png', fixture('ktp.png')),
      await upload(s.id, 'SK_PENUNJUKAN', 'sk budi.pdf', fixture('sk-penunjukan.pdf')),
    ];
    s = await summary(s.id);
    s = await act(s, 'open');
    s = await act(s, 'completeness_result', { data: { complete: true } });
    s = await act(s, 'forward');
    s = await act(s, 'validity_result', { data: { valid: false } }, adminPpe);
    s = await act(s, 'reject', {
      data: { reasonCode: 'DATA_MISMATCH' },
      reason: 'NIK pada formulir berbeda',
    });
    s = await act(
      s,
      'archive',
      { data: { archiveNumber: `ARS/LPSE/2026/${retentionYears}`, retentionYears } },
      adminPpe,
    );
    expect(s.step).toBe('ARCHIVED');
    const keys = (
      await db<{ storage_key: string }>(
        'SELECT storage_key FROM documents WHERE ticket_id = $1 ORDER BY created_at',
        [s.id],
      )
    ).map((d) => d.storage_key);
    expect(keys).toHaveLength(documents.length);
    for (const key of keys) expect(await t.container.storage.exists(key)).toBe(true);
    return { id: s.id, code: s.code, keys };
  };
  const ticketRow = async (id: string) =>
    (await db<Record<string, unknown>>('SELECT * FROM tickets WHERE id = $1', [id]))[0] ?? {};

  test('retention: past retain_until the documents and personal data go, a stub stays', async () => {
    const due = await archivedTicket(1);
    const later = await archivedTicket(2);
    const before = await ticketRow(due.id);
    const retainUntil = await db<{ d: string }>(
      'SELECT retain_until::text AS d FROM tickets WHERE id = $1',
      [due.id],
    );
    expect(retainUntil[0]?.d).toBe('2027-11-23');
    const laterBefore = await ticketRow(later.id);
    const stepsBefore = await deadlines(due.id);
    const eventsBefore = await db<{ n: number }>(
      'SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1',
      [due.id],
    );

    now = Date.parse('2027-11-23T12:00:00Z'); // on retain_until itself: kept
    expect(await purge()).toBe(0);
    expect((await ticketRow(due.id)).purged_at).toBeNull();

    now = Date.parse('2027-11-24T12:00:00Z');
    expect(await purge()).toBe(1);

    for (const key of due.keys) expect(await t.container.storage.exists(key)).toBe(false);
    const docs = await db<{ deleted_at: Date | null; file_name: string }>(
      'SELECT deleted_at, file_name FROM documents WHERE ticket_id = $1',
      [due.id],
    );
    expect(docs).toHaveLength(2);
    for (const d of docs) {
      expect(d.deleted_at?.getTime()).toBe(now);
      expect(d.file_name).not.toContain('budi');
    }
    const after = await ticketRow(due.id);
    expect(after).toMatchObject({
      requester_name: '(dihapus)',
      requester_user_id: null,
      requester_nik_encrypted: null,
      requester_nik_hash: null,
      requester_nik_masked: null,
      requester_nip: null,
      requester_agency: null,
      requester_email: null,
      requester_phone: null,
      contact_address: null,
      validity: null,
    });
    expect((after.purged_at as Date).getTime()).toBe(now);
    // The stub: what reports and the audit trail need.
    for (const column of [
      'code',
      'type',
      'channel',
      'workflow_id',
      'step',
      'archive_number',
      'retain_until',
      'closed_at',
      'created_at',
      'office_id',
      'reject_reason_code',
    ])
      expect(after[column]).toEqual(before[column]);
    expect(after.code).toBe(due.code);
    expect(after.archive_number).toBe('ARS/LPSE/2026/1');
    expect(await deadlines(due.id)).toEqual(stepsBefore);
    const messages = await db<{ body: string }>(
      'SELECT body FROM ticket_messages WHERE ticket_id = $1',
      [due.id],
    );
    expect(messages).toEqual([{ body: '(dihapus)' }]);
    const purged = await events(due.id, 'retention.purged');
    expect(purged).toHaveLength(1);
    expect(purged[0]?.data).toEqual({ documents: 2 });
    expect(purged[0]?.at.getTime()).toBe(now);
    const eventsAfter = await db<{ n: number }>(
      'SELECT count(*)::int AS n FROM ticket_events WHERE ticket_id = $1',
      [due.id],
    );
    expect(eventsAfter[0]?.n).toBe((eventsBefore[0]?.n ?? 0) + 1);
    // Nothing personal is left in the ticket, its documents or its messages.
    const everything = JSON.stringify(
      await db(
        `SELECT (SELECT row_to_json(x) FROM tickets x WHERE id = $1) AS ticket,
                (SELECT json_agg(d) FROM documents d WHERE ticket_id = $1) AS documents,
                (SELECT json_agg(m) FROM ticket_messages m WHERE ticket_id = $1) AS messages`,
        [due.id],
      ),
    );
    for (const personal of [NIK, NAME, 'Budi', EMAIL, PHONE, '+6281234567890', NIP, AGENCY])
      expect(everything).not.toContain(personal);

    // The ticket not yet due is untouched.
    expect(await ticketRow(later.id)).toEqual(laterBefore);
    for (const key of later.keys) expect(await t.container.storage.exists(key)).toBe(true);
    expect(await events(later.id, 'retention.purged')).toHaveLength(0);

    // Running again does nothing more.
    now += 60 * MINUTE;
    expect(await purge()).toBe(0);
    expect(await events(due.id, 'retention.purged')).toHaveLength(1);
    expect(((await ticketRow(due.id)).purged_at as Date).getTime()).toBe(now - 60 * MINUTE);
  });

  test('retention: two runs at once purge a ticket once', async () => {
    const first = await archivedTicket(3);
    const second = await archivedTicket(3);
    now = Date.parse('2029-11-24T12:00:00Z');
    const purgeEvents = async () =>
      (
        await db<{ n: number }>(
          `SELECT count(*)::int AS n FROM ticket_events WHERE action = 'retention.purged'`,
        )
      )[0]?.n ?? 0;
    const before = await purgeEvents();
    const counts = await Promise.all([purge(), purge()]);
    // Each ticket counted by one run only (older tickets of this file may be due too).
    expect(counts[0] + counts[1]).toBe((await purgeEvents()) - before);
    for (const ticket of [first, second]) {
      expect(await events(ticket.id, 'retention.purged')).toHaveLength(1);
      for (const key of ticket.keys) expect(await t.container.storage.exists(key)).toBe(false);
    }
  });
});
