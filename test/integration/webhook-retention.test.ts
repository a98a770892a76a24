import { purgeWebhookEvents } from '../../src/whatsapp/webhook-retention';
import { createTestApp, type TestApp } from '../helpers/test-app';

/** The stored Cloud API webhooks (numbers, message text) are deleted after their retention. */
describe('webhook retention', () => {
  let t: TestApp;
  let now = Date.parse('2026-11-23T02:00:00Z');
  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(now) } });
  }, 30_000);
  afterAll(() => t.close());

  async function event(daysAgo: number, published: boolean): Promise<string> {
    const at = new Date(now - daysAgo * 86_400_000);
    const [row] = await t.container.dataSource.query<{ id: string }[]>(
      `INSERT INTO whatsapp_webhook_events (payload, messages, statuses, received_at)
       VALUES ('{"entry":[{"changes":[{"value":{"contacts":[{"wa_id":"6281234567890"}]}}]}]}', 1, 0, $1)
       RETURNING id`,
      [at],
    );
    const id = row?.id ?? '';
    await t.container.dataSource.query(
      `INSERT INTO outbox (queue, name, payload, created_at, published_at)
       VALUES ('whatsapp-inbound', 'whatsapp.messages', jsonb_build_object('eventId', $1::text), $2, $3)`,
      [id, at, published ? at : null],
    );
    return id;
  }
  const remaining = async () =>
    (
      await t.container.dataSource.query<{ id: string }[]>('SELECT id FROM whatsapp_webhook_events')
    ).map((r) => r.id);

  test('old and handed on: deleted; recent, or never handed on (Redis was down): kept', async () => {
    const old = await event(40, true);
    const recent = await event(5, true);
    const stuck = await event(40, false);
    expect(await purgeWebhookEvents(t.container.dataSource, t.container.clock, 30)).toEqual({
      deleted: 1,
    });
    const left = await remaining();
    expect(left).not.toContain(old);
    expect(left).toEqual(expect.arrayContaining([recent, stuck]));
    // A month later the recent one goes too.
    now += 30 * 86_400_000;
    await purgeWebhookEvents(t.container.dataSource, t.container.clock, 30);
    expect(await remaining()).toEqual([stuck]);
  });
});
