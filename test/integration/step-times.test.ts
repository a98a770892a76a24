import { createTestApp, type TestApp } from '../helpers/test-app';

interface Details {
  id: string;
  version: number;
  step: string;
  deadlines: { step: string; workingMinutes: number | null }[];
}

// Monday 23 November 2026, 09:00:00 WIB: office hours.
let now = Date.parse('2026-11-23T02:00:00Z');

/** A step's office time is kept in whole minutes, whatever second it ends on. */
describe('step times', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(now) } });
  });
  afterAll(() => t.close());

  test('a step that ends mid-minute during office hours: the action succeeds and its time is rounded', async () => {
    const helpdesk = await t.tokenFor('HELPDESK');
    const created = await t.http<Details>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type: 'RESET_PASSWORD',
        channel: 'WALK_IN',
        requester: { name: 'Budi Santoso', userId: 'budi.ppk' },
        contact: { kind: 'EMAIL', address: 'budi.pribadi@gmail.com' },
      },
    });
    expect(created.status).toBe(201);
    // 1 minute 31.7 seconds later.
    now += 91_700;
    const opened = await t.http<{ ticket: Details }>(
      'POST',
      `/api/tickets/${created.body.id}/actions`,
      { token: helpdesk, json: { action: 'open', version: created.body.version, data: {} } },
    );
    expect(opened.status).toBe(200);
    const details = await t.http<Details>('GET', `/api/tickets/${created.body.id}`, {
      token: helpdesk,
    });
    expect(details.body.deadlines[0]).toMatchObject({ step: 'RECEIVED', workingMinutes: 2 });
  });
});
