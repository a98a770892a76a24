import { randomUUID } from 'node:crypto';
import { insertRow } from '../../src/db/insert';
import { Ticket, TicketEvent, TicketMessage } from '../../src/tickets/ticket.entity';
import { createTestApp, type TestApp } from '../helpers/test-app';

/** insertRow writes what TypeORM's manager.insert writes, without its query builder. */
describe('insertRow', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const row = async (table: string, where: string, value: string) =>
    (
      await t.container.dataSource.query<Record<string, unknown>[]>(
        `SELECT * FROM ${table} WHERE ${where} = $1`,
        [value],
      )
    )[0];

  test('a ticket (jsonb, date, timestamps, nulls), its event and a message: the same rows as manager.insert', async () => {
    const office = await t.container.offices.defaultOffice();
    const now = new Date('2026-11-23T02:00:00.123Z');
    const ticket = (id: string, code: string): Partial<Ticket> => ({
      id,
      code,
      officeId: office.id,
      type: 'RESET_PASSWORD',
      channel: 'EMAIL',
      language: 'id',
      workflowId: 'reset-password',
      step: 'RECEIVED',
      stepStartedAt: now,
      stepDueAt: null,
      stepBreached: false,
      assigneeId: null,
      version: 1,
      requesterName: "Budi 'Santoso'",
      requesterUserId: null,
      requesterEmail: 'budi@contoh.go.id',
      contactKind: 'EMAIL',
      contactAddress: 'budi@contoh.go.id',
      missingDocuments: ['KTP', 'SK_PENUNJUKAN'],
      validity: { ok: true, notes: ['a', 'b'] },
      retainUntil: '2031-12-31',
      createdByType: 'SERVICE',
      createdById: 'email-intake',
      createdAt: now,
      updatedAt: now,
    });
    const a = randomUUID();
    const b = randomUUID();
    await t.container.dataSource.transaction(async (m) => {
      await insertRow(m, Ticket, ticket(a, 'LKT-2611-90001'));
      await m.insert(Ticket, ticket(b, 'LKT-2611-90002') as never);
      for (const [id, label] of [
        [a, 'x'],
        [b, 'x'],
      ] as const) {
        const event: Partial<TicketEvent> = {
          ticketId: id,
          at: now,
          actorType: 'SERVICE',
          actorId: 'email-intake',
          actorLabel: label,
          actorRole: 'INTAKE',
          action: 'created',
          fromStep: null,
          toStep: 'RECEIVED',
          reason: null,
          data: { channel: 'EMAIL', nested: { n: 1 } },
        };
        const message: Partial<TicketMessage> = {
          ticketId: id,
          direction: 'IN',
          channel: 'EMAIL',
          body: 'Halo',
          authorType: 'REQUESTER',
          authorId: null,
          externalId: 'x@y',
        };
        if (id === a) {
          await insertRow(m, TicketEvent, event);
          await insertRow(m, TicketMessage, message);
        } else {
          await m.insert(TicketEvent, event as never);
          await m.insert(TicketMessage, message);
        }
      }
    });
    const strip = (r: Record<string, unknown> | undefined, ...keys: string[]) =>
      Object.fromEntries(Object.entries(r ?? {}).filter(([k]) => !keys.includes(k)));
    expect(strip(await row('tickets', 'id', a), 'id', 'code')).toEqual(
      strip(await row('tickets', 'id', b), 'id', 'code'),
    );
    expect(strip(await row('ticket_events', 'ticket_id', a), 'id', 'ticket_id')).toEqual(
      strip(await row('ticket_events', 'ticket_id', b), 'id', 'ticket_id'),
    );
    const ma = await row('ticket_messages', 'ticket_id', a);
    expect(ma?.id).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
    expect(strip(ma, 'id', 'ticket_id')).toEqual(
      strip(await row('ticket_messages', 'ticket_id', b), 'id', 'ticket_id'),
    );
  });
});
