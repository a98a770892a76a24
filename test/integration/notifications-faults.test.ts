import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/infra/ports';
import { redisAnswers } from '../../src/infra/redis';
import { startWorkers, type Workers } from '../../src/worker';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { createTestApp, type TestApp } from '../helpers/test-app';

/**
 * The faults of issue 5, each with a real SMTP server in this process and real Redis: the mail
 * server going away mid-batch, a worker killed with SIGKILL mid-batch, and Redis restarting
 * (without its data) while the API keeps taking tickets. Each committed notice must arrive at
 * the SMTP server exactly once, counted by Message-ID.
 */

// Monday 23 November 2026, 09:00 WIB.
const MONDAY_0900_WIB = Date.parse('2026-11-23T02:00:00Z');
const root = join(__dirname, '..', '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

jest.setTimeout(120_000);

const ticketBody = (n: number) => ({
  type: 'RESET_PASSWORD',
  channel: 'EMAIL',
  requester: {
    name: `Pemohon ${n}`,
    spseRole: 'PPK',
    agency: 'Pemerintah Kota Samarinda',
    email: `pemohon${n}@example.org`,
  },
  contact: { kind: 'EMAIL', address: `pemohon${n}@example.org` },
});

/** Fast retries and short leases, so a fault heals within a test's time. */
const faultEnv = (sink: SmtpSink): Record<string, string> => ({
  SMTP_URL: sink.url,
  NOTIFY_RETRY_DELAY_MS: '200',
  NOTIFY_ATTEMPTS: '12',
  NOTIFY_LEASE_SECONDS: '3',
  WORKER_LOCK_SECONDS: '3',
  NOTIFY_SWEEP_AFTER_SECONDS: '3',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
});

async function createTickets(t: TestApp, token: string, from: number, count: number) {
  const codes: string[] = [];
  for (let i = from; i < from + count; i++) {
    const r = await t.http<{ code: string }>('POST', '/api/tickets', {
      token,
      json: ticketBody(i),
    });
    expect(r.status).toBe(201);
    codes.push(r.body.code);
  }
  return codes;
}

/** Every ticket's acknowledgement arrived exactly once (by Message-ID); returns the duplicates. */
async function expectEachOnce(t: TestApp, sink: SmtpSink, tickets: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows: { status: string; n: string }[] = await t.container.dataSource.query(
      `SELECT status, count(*) AS n FROM notifications GROUP BY status`,
    );
    const sent = Number(rows.find((r) => r.status === 'sent')?.n ?? 0);
    if (sent === tickets && sink.counts().size === tickets) break;
    if (Date.now() > deadline) {
      throw new Error(
        `not delivered in time: records ${JSON.stringify(rows)}, distinct at the sink ${sink.counts().size} of ${tickets}`,
      );
    }
    await sleep(200);
  }
  const ids = new Set(
    (
      await t.container.dataSource.query<{ provider_message_id: string }[]>(
        'SELECT provider_message_id FROM notifications',
      )
    ).map((r) => r.provider_message_id),
  );
  // Every message that arrived is one of ours, and every one of ours arrived.
  expect([...sink.counts().keys()].every((id) => ids.has(id))).toBe(true);
  expect(ids.size).toBe(tickets);
  const duplicates = sink.messages.length - sink.counts().size;
  const [row] = await t.container.dataSource.query<{ uncertain: string }[]>(
    'SELECT coalesce(sum(uncertain_attempts), 0) AS uncertain FROM notifications',
  );
  const uncertain = row?.uncertain ?? '0';
  // A resend happens only after an attempt that died between the hand-over and its record, and
  // each such attempt is counted on the record (and logged).
  expect(duplicates).toBeLessThanOrEqual(Number(uncertain));
  return { duplicates, uncertain: Number(uncertain) };
}

describe('notification faults', () => {
  let sink: SmtpSink;
  let t: TestApp | undefined;
  let workers: Workers | undefined;
  const children: ChildProcess[] = [];
  let redisDir: string | undefined;

  beforeEach(async () => {
    // Counted and answered in one tick: what arrived is exactly what the sender saw accepted.
    sink = await startSmtpSink({ parse: false });
  });
  afterEach(async () => {
    // Workers and the app first: closing them needs the Redis that a test may have started.
    await workers?.close();
    workers = undefined;
    await t?.close();
    t = undefined;
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await sink.stop();
    if (redisDir) rmSync(redisDir, { recursive: true, force: true });
  });

  test('the SMTP server goes down mid-batch and comes back: each notice arrives once', async () => {
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: faultEnv(sink),
    });
    const token = await t.tokenFor('HELPDESK');
    workers = await startWorkers(t.container, t.redis);
    await createTickets(t, token, 0, 30);
    await sink.waitFor(5);
    await sink.stop();
    const during = sink.messages.length;
    await sleep(1500);
    expect(sink.messages.length).toBe(during);
    await sink.start();
    const { duplicates } = await expectEachOnce(t, sink, 30);
    expect(duplicates).toBe(0);
    // The outage shows in the records: some notices needed more than one attempt.
    const [most] = await t.container.dataSource.query<{ max: number }[]>(
      'SELECT max(attempts) AS max FROM notifications',
    );
    expect(most?.max).toBeGreaterThan(1);
  });

  test('a worker process killed with SIGKILL mid-batch: another finishes, nothing lost', async () => {
    sink.delayMs = 25; // a slow server, so the kill lands in the middle of sends
    // The real clock, as in the worker processes: with a fixed past clock here their session
    // purge (real time) deletes the sessions this app issued, and the token stops working.
    t = await createTestApp({ env: faultEnv(sink) });
    const token = await t.tokenFor('HELPDESK');
    const c = t.config;
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: c.DATABASE_URL,
      REDIS_URL: c.REDIS_URL,
      REDIS_PREFIX: c.REDIS_PREFIX,
      LOKET_DATA_DIR: c.LOKET_DATA_DIR,
      JWT_SECRET: c.JWT_SECRET,
      LOKET_ENCRYPTION_KEY: c.LOKET_ENCRYPTION_KEY,
      LOKET_HASH_KEY: c.LOKET_HASH_KEY,
      ...faultEnv(sink),
    } as NodeJS.ProcessEnv;
    const startChild = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const deadline = Date.now() + 30_000;
      while (!out.includes('Loket workers started')) {
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`worker did not start: ${out}`);
        }
        await sleep(100);
      }
      return child;
    };
    const first = await startChild();
    await createTickets(t, token, 0, 40);
    await sink.waitFor(8);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const atKill = sink.messages.length;
    expect(atKill).toBeLessThan(40);
    // The API still takes tickets while no worker runs.
    await createTickets(t, token, 40, 5);
    await startChild();
    const { duplicates, uncertain } = await expectEachOnce(t, sink, 45, 90_000);
    process.stdout.write(
      `SIGKILL at ${atKill} of 45 delivered: ${duplicates} duplicate(s), ${uncertain} uncertain attempt(s)\n`,
    );
    const stuck: unknown[] = await t.container.dataSource.query(
      `SELECT id FROM notifications WHERE status <> 'sent'`,
    );
    expect(stuck).toHaveLength(0);
  });

  test('Redis restarts without its data while the API keeps accepting tickets', async () => {
    const port = await freePort();
    redisDir = mkdtempSync(join(tmpdir(), 'loket-redis-'));
    const url = `redis://127.0.0.1:${port}`;
    const startRedis = async () => {
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          redisDir ?? '.',
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      for (let i = 0; i < 50 && !(await redisAnswers(url, 300)); i++) await sleep(100);
      return child;
    };
    let redis = await startRedis();
    t = await createTestApp({
      clock: { now: () => new Date(MONDAY_0900_WIB) },
      env: { ...faultEnv(sink), REDIS_URL: url },
    });
    const token = await t.tokenFor('HELPDESK');
    workers = await startWorkers(t.container, t.redis);
    sink.delayMs = 10;
    await createTickets(t, token, 0, 15);
    await sink.waitFor(3);
    // Redis dies with jobs in it (waiting, active): they are lost with it.
    redis.kill('SIGKILL');
    await new Promise((r) => redis.once('exit', r));
    await createTickets(t, token, 15, 10);
    redis = await startRedis();
    await createTickets(t, token, 25, 5);
    await expectEachOnce(t, sink, 30, 90_000);
  });
});
