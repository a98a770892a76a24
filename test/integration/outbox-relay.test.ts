import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueNames } from '../../src/jobs/queues';
import { freePort } from '../../src/infra/ports';
import { createRedis, ensureRedis, type LocalRedis } from '../../src/infra/redis';
import { enqueueOutbox } from '../../src/outbox/outbox';
import { createOutboxRelay, type OutboxRelay } from '../../src/outbox/outbox-relay';
import { createTestApp, type TestApp } from '../helpers/test-app';

// Monday 23 November 2026, 09:00 WIB: inside office hours of the default (Asia/Jakarta) office.
const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');

const NIK = '6471021303801187';
const NAME = 'Budi Santoso';
const EMAIL = 'budi.pribadi@gmail.com';

interface OutboxRow {
  id: string;
  queue: string;
  name: string;
  payload: Record<string, unknown>;
  published_at: Date | null;
  attempts: number;
  last_error: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a relay pass may take when Redis is down: it must fail fast, never wait for Redis. */
const PROMPT_MS = 5000;

// Real PostgreSQL, Redis and redis-server children: more than jest's default 5 s on a busy machine.
jest.setTimeout(30_000);

describe('outbox relay', () => {
  let t: TestApp;
  let helpdesk: string;
  let n = 0;
  /** Everything a test opened, closed after it even when it fails. */
  let cleanups: (() => Promise<unknown> | undefined)[] = [];

  beforeAll(async () => {
    t = await createTestApp({ clock: { now: () => new Date(MONDAY_0900_WIB) } });
    helpdesk = await t.tokenFor('HELPDESK');
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    // Each test starts from an empty outbox and a BullMQ namespace of its own.
    await t.container.dataSource.query('DELETE FROM outbox');
    cleanups = [];
  });
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  /** A BullMQ prefix of this test only, under the test app's Redis prefix (dropped at close). */
  const freshPrefix = () => `${t.config.REDIS_PREFIX}:bull${++n}`;

  const relayOn = (connection: Redis, prefix: string, extra: { batchSize?: number } = {}) => {
    const errors: Error[] = [];
    const relay = createOutboxRelay({
      dataSource: t.container.dataSource,
      connection,
      prefix,
      onError: (e) => errors.push(e),
      ...extra,
    });
    cleanups.push(() => relay.close());
    return { relay, errors };
  };
  /** Like the worker's relay connection: fails fast when Redis is down. */
  const failFastConnection = (url: string) => {
    const c = createRedis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // ioredis keeps a timer (2 s by default) after disconnecting a socket that already closed,
      // which would outlive the test file.
      disconnectTimeout: 100,
    });
    c.on('error', () => undefined);
    cleanups.push(() => {
      c.disconnect();
      return undefined;
    });
    return c;
  };
  const notifications = (prefix: string) => {
    const q = new Queue(queueNames.notifications, { connection: t.redis, prefix });
    cleanups.push(() => q.close());
    return q;
  };
  const rows = () =>
    t.container.dataSource.query<OutboxRow[]>(
      'SELECT id, queue, name, payload, published_at, attempts, last_error FROM outbox ORDER BY created_at, id',
    );
  /** Job ids in the order BullMQ will hand them out (oldest first). */
  const waitingIds = async (q: Queue) => (await q.getJobs(['wait'], 0, -1, true)).map((j) => j.id);
  const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const start = Date.now();
    const value = await work();
    return { value, ms: Date.now() - start };
  };

  const createTicket = async () => {
    const res = await t.http<{ id: string; version: number }>('POST', '/api/tickets', {
      token: helpdesk,
      json: {
        type: 'RESET_PASSWORD',
        channel: 'EMAIL',
        requester: { name: NAME, userId: 'budi.ppk', nik: NIK, spseRole: 'PPK', email: EMAIL },
        contact: { kind: 'EMAIL', address: EMAIL },
        message: `Nama saya ${NAME}, NIK ${NIK}, mohon reset password.`,
      },
    });
    expect(res.status).toBe(201);
    return res.body;
  };
  const act = async (id: string, version: number, action: string, data = {}) => {
    const res = await t.http<{ ticket: { version: number } }>(
      'POST',
      `/api/tickets/${id}/actions`,
      { token: helpdesk, json: { action, version, data } },
    );
    expect(res.status).toBe(200);
    return res.body.ticket.version;
  };

  test('rows from ticket actions become jobs with the row id, the same payload, and no personal data', async () => {
    const ticket = await createTicket();
    let v = await act(ticket.id, ticket.version, 'open');
    v = await act(ticket.id, v, 'completeness_result', { complete: false });
    await act(ticket.id, v, 'ask_to_complete');
    const pending = await rows();
    expect(pending.map((r) => r.payload.template)).toEqual([
      'ticket-received',
      'documents-missing',
    ]);
    expect(pending.every((r) => r.published_at === null)).toBe(true);

    const prefix = freshPrefix();
    const { relay, errors } = relayOn(t.redis, prefix);
    expect(await relay.relayOnce()).toBe(2);
    expect(errors).toEqual([]);

    const q = notifications(prefix);
    for (const row of pending) {
      const job = await q.getJob(row.id);
      expect(job?.id).toBe(row.id);
      expect(job?.name).toBe(row.name);
      expect(job?.data).toEqual(row.payload);
      expect(job?.data).toMatchObject({ ticketId: ticket.id });
      for (const personal of [NIK, NAME, 'Budi', EMAIL, 'gmail'])
        expect(JSON.stringify(job?.data)).not.toContain(personal);
    }
    expect(await q.count()).toBe(2);
    const after = await rows();
    expect(after.every((r) => r.published_at instanceof Date && r.attempts === 1)).toBe(true);
    expect(after.every((r) => r.last_error === null)).toBe(true);
    // Nothing is left to publish.
    expect(await relay.relayOnce()).toBe(0);
  });

  test('rows written in one transaction go out in the order they were written', async () => {
    await t.container.dataSource.transaction(async (m) => {
      for (let seq = 0; seq < 12; seq++)
        await enqueueOutbox(m, queueNames.notifications, 'notify.staff', { seq });
    });
    const prefix = freshPrefix();
    const { relay } = relayOn(t.redis, prefix);
    expect(await relay.relayOnce()).toBe(12);
    const jobs = await notifications(prefix).getJobs(['wait'], 0, -1, true);
    expect(jobs.map((j) => (j.data as { seq: number }).seq)).toEqual([...Array(12).keys()]);
  });

  test('relaying twice, or again after a crash before the UPDATE, makes no second job', async () => {
    await createTicket();
    await createTicket();
    const prefix = freshPrefix();
    const { relay } = relayOn(t.redis, prefix);
    expect(await relay.relayOnce()).toBe(2);
    expect(await relay.relayOnce()).toBe(0);
    const q = notifications(prefix);
    expect(await q.count()).toBe(2);

    // A crash between `add` and the UPDATE leaves a row pending whose job already exists.
    const [first] = await rows();
    if (!first) throw new Error('no outbox row');
    const before = await q.getJob(first.id);
    await t.container.dataSource.query('UPDATE outbox SET published_at = NULL WHERE id = $1', [
      first.id,
    ]);
    expect(await relay.relayOnce()).toBe(1);
    expect(await q.count()).toBe(2);
    const jobs = await q.getJobs(['wait', 'active', 'delayed', 'completed', 'failed']);
    expect(jobs.filter((j) => j.id === first.id)).toHaveLength(1);
    // The very job added first, not a replacement.
    expect((await q.getJob(first.id))?.timestamp).toBe(before?.timestamp);
    const republished = (await rows()).find((r) => r.id === first.id);
    expect(republished?.published_at).toBeInstanceOf(Date);
  });

  test('Redis down: the pass returns promptly, rows stay pending with the error, then all go out in order', async () => {
    for (let i = 0; i < 3; i++) await createTicket();
    const created = (await rows()).map((r) => r.id);
    expect(created).toHaveLength(3);

    const deadUrl = `redis://127.0.0.1:${await freePort()}`;
    const dead = relayOn(failFastConnection(deadUrl), freshPrefix());
    for (let pass = 1; pass <= 2; pass++) {
      const { value, ms } = await timed(() => dead.relay.relayOnce());
      expect(value).toBe(0);
      expect(ms).toBeLessThan(PROMPT_MS);
      const pending = await rows();
      expect(pending.map((r) => r.id)).toEqual(created);
      for (const r of pending) {
        expect(r.published_at).toBeNull();
        expect(r.attempts).toBe(pass);
        expect(r.last_error).toEqual(expect.any(String));
        expect(r.last_error).not.toBe('');
        // The error says what went wrong, not what the row carries.
        for (const leak of [r.id, String(r.payload.ticketId), NIK, NAME, EMAIL, 'ticket-received'])
          expect(r.last_error).not.toContain(leak);
      }
    }
    expect(dead.errors.length).toBeGreaterThan(0);

    const prefix = freshPrefix();
    const live = relayOn(t.redis, prefix);
    expect(await live.relay.relayOnce()).toBe(3);
    expect(await waitingIds(notifications(prefix))).toEqual(created);
    const published = await rows();
    expect(published.every((r) => r.published_at instanceof Date && r.attempts === 3)).toBe(true);
  });

  /** A redis-server of this test only, so it can be stopped, restarted and reconfigured. */
  const privateRedis = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loket-relay-redis-'));
    const url = `redis://127.0.0.1:${await freePort()}`;
    const server: { local: LocalRedis | undefined } = { local: await ensureRedis(url, dir, true) };
    cleanups.push(async () => {
      await server.local?.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    return {
      url,
      stop: async () => {
        await server.local?.stop();
        server.local = undefined;
      },
      start: async () => {
        server.local = await ensureRedis(url, dir, true);
      },
    };
  };
  const untilReady = async (c: Redis) => {
    for (let i = 0; i < 100 && c.status !== 'ready'; i++) await sleep(50);
    expect(c.status).toBe('ready');
  };

  test('Redis restarting under a running relay: nothing is lost, the same relay catches up', async () => {
    const redis = await privateRedis();
    const connection = failFastConnection(redis.url);
    await untilReady(connection);
    const prefix = 'outage';
    const { relay } = relayOn(connection, prefix);

    await createTicket();
    expect(await relay.relayOnce()).toBe(1);

    await redis.stop();
    await createTicket();
    await createTicket();
    const { value, ms } = await timed(() => relay.relayOnce());
    expect(value).toBe(0);
    expect(ms).toBeLessThan(PROMPT_MS);
    const waiting = (await rows()).filter((r) => r.published_at === null);
    expect(waiting).toHaveLength(2);
    expect(waiting.every((r) => r.attempts === 1 && r.last_error !== null)).toBe(true);

    await redis.start();
    // ioredis reconnects by itself; the relay publishes once it is back.
    let published = 0;
    for (let i = 0; i < 100 && published === 0; i++) {
      published = await relay.relayOnce();
      if (published === 0) await sleep(100);
    }
    expect(published).toBe(2);
    const q = new Queue(queueNames.notifications, { connection, prefix });
    cleanups.push(() => q.close());
    for (const r of waiting) expect((await q.getJob(r.id))?.data).toEqual(r.payload);
    expect((await rows()).every((r) => r.published_at !== null)).toBe(true);
  });

  test('a queue whose start-up failed in BullMQ is started anew on the next pass', async () => {
    const redis = await privateRedis();
    const admin = createRedis(redis.url);
    cleanups.push(() => {
      admin.disconnect();
      return undefined;
    });
    // A relay user that may not run INFO: BullMQ's start-up (its version check) fails, as it
    // does when the connection drops at that moment.
    await admin.call('ACL', 'SETUSER', 'relay', 'on', '>relay-pw', '~*', '&*', '+@all', '-info');
    const url = new URL(redis.url);
    url.username = 'relay';
    url.password = 'relay-pw';
    const connection = createRedis(url.toString(), {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      enableReadyCheck: false,
    });
    connection.on('error', () => undefined);
    cleanups.push(() => {
      connection.disconnect();
      return undefined;
    });
    await untilReady(connection);
    const { relay, errors } = relayOn(connection, 'startup');
    await createTicket();
    expect(await relay.relayOnce()).toBe(0);
    expect(errors.map((e) => e.message).join('\n')).toMatch(/NOPERM/);
    expect((await rows())[0]?.last_error).toMatch(/NOPERM/);

    await admin.call('ACL', 'SETUSER', 'relay', '+info');
    expect(await relay.relayOnce()).toBe(1);
    expect((await rows())[0]?.published_at).toBeInstanceOf(Date);
  });

  test('two relays at once publish every row exactly once', async () => {
    const total = 240;
    await t.container.dataSource.transaction(async (m) => {
      for (let i = 0; i < total; i++)
        await enqueueOutbox(m, queueNames.notifications, 'notify.staff', { seq: i });
    });
    const prefix = freshPrefix();
    const a = relayOn(failFastConnection(t.config.REDIS_URL), prefix, { batchSize: 20 });
    const b = relayOn(failFastConnection(t.config.REDIS_URL), prefix, { batchSize: 20 });
    const drain = async (relay: OutboxRelay) => {
      let sum = 0;
      for (let k = await relay.relayOnce(); k > 0; k = await relay.relayOnce()) sum += k;
      return sum;
    };
    const [byA, byB] = await Promise.all([drain(a.relay), drain(b.relay)]);
    expect(byA + byB).toBe(total);
    // They really ran side by side: each took a share.
    expect(byA).toBeGreaterThan(0);
    expect(byB).toBeGreaterThan(0);
    const all = await rows();
    expect(all.every((r) => r.published_at !== null && r.attempts === 1)).toBe(true);
    expect(await notifications(prefix).count()).toBe(total);
  });

  test('a pass skips the rows another pass holds, instead of waiting for them', async () => {
    await t.container.dataSource.transaction(async (m) => {
      for (let i = 0; i < 10; i++)
        await enqueueOutbox(m, queueNames.notifications, 'notify.staff', { seq: i });
    });
    const held = (await rows()).slice(0, 4).map((r) => r.id);
    // Another relay's pass, stuck in the middle of its batch, holding the first four rows.
    const other = t.container.dataSource.createQueryRunner();
    await other.connect();
    cleanups.push(() => other.release());
    await other.startTransaction();
    cleanups.push(() => (other.isTransactionActive ? other.rollbackTransaction() : undefined));
    await other.query('SELECT id FROM outbox WHERE id = ANY($1::uuid[]) FOR UPDATE', [held]);

    const prefix = freshPrefix();
    const { relay } = relayOn(t.redis, prefix);
    const pass = relay.relayOnce();
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      pass,
      new Promise<'blocked'>((r) => {
        timer = setTimeout(() => {
          r('blocked');
        }, PROMPT_MS);
      }),
    ]);
    clearTimeout(timer);
    await other.rollbackTransaction();
    await pass;
    expect(outcome).toBe(6);
    const pending = (await rows()).filter((r) => r.published_at === null).map((r) => r.id);
    expect(pending).toEqual(held);
    expect(await relay.relayOnce()).toBe(4);
  });

  test('start() relays in the background; close() stops it, with nothing left running', async () => {
    const prefix = freshPrefix();
    const relay = createOutboxRelay({
      dataSource: t.container.dataSource,
      connection: t.redis,
      prefix,
      intervalMs: 20,
    });
    cleanups.push(() => relay.close());
    relay.start();
    await createTicket();
    for (let i = 0; i < 100 && (await rows()).some((r) => r.published_at === null); i++)
      await sleep(20);
    expect((await rows()).every((r) => r.published_at !== null)).toBe(true);

    const { ms } = await timed(() => relay.close());
    expect(ms).toBeLessThan(PROMPT_MS);
    await relay.close(); // closing twice is harmless
    await createTicket();
    await sleep(200);
    // No pass ran after close: the new row is still pending.
    expect((await rows()).filter((r) => r.published_at === null)).toHaveLength(1);
  });

  test('close() returns promptly while Redis is down', async () => {
    await createTicket();
    const deadUrl = `redis://127.0.0.1:${await freePort()}`;
    const { relay, errors } = (() => {
      const errs: Error[] = [];
      const r = createOutboxRelay({
        dataSource: t.container.dataSource,
        connection: failFastConnection(deadUrl),
        prefix: freshPrefix(),
        intervalMs: 20,
        onError: (e) => errs.push(e),
      });
      cleanups.push(() => r.close());
      return { relay: r, errors: errs };
    })();
    relay.start();
    for (let i = 0; i < 400 && errors.length < 2; i++) await sleep(20);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    const { ms } = await timed(() => relay.close());
    expect(ms).toBeLessThan(PROMPT_MS);
    const [row] = await rows();
    expect(row?.published_at).toBeNull();
    expect(row?.attempts).toBeGreaterThanOrEqual(2);
  });
});
