import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import Handlebars from 'handlebars';
import type { Redis } from 'ioredis';
import nodemailer from 'nodemailer';
import pg, { Pool } from 'pg';
import { loadConfig, type Config } from '../src/config';
import { createContainer } from '../src/container';
import { createDataSource } from '../src/db/data-source';
import { createRedis } from '../src/infra/redis';
import { createOutboxRelay } from '../src/outbox/outbox-relay';
import { resolveSecrets } from '../src/shared/secrets';
import { startWorkers } from '../src/worker';
import type { SinkReport, SinkRequest, SinkStats } from './smtp-sink-process';

/**
 * The `notify` case of `npm run bench`: notification throughput, end to end, into an SMTP sink
 * (bench/smtp-sink-process.ts, its own process, pinned to CPU 0 like the servers of run.ts) that
 * counts messages and distinct Message-IDs. Each round runs, one after the other:
 *
 *   baseline  plain BullMQ: one Queue, one Worker (concurrency NOTIFY_CONCURRENCY) whose processor
 *             renders the real ticket-received (id) subject, HTML and text templates, compiled once
 *             with plain handlebars and plain data from the job, and sends them with a pooled
 *             nodemailer SMTP transport (SMTP_POOL_SIZE connections and 500 messages per
 *             connection, like Loket's mailer). Timed from the first addBulk of N jobs until the
 *             sink has N messages.
 *   Loket     N committed outbox rows (notify.requester, ticket-received, REQUESTER_CONTACT) for
 *             N tickets inserted with SQL (contact EMAIL), then the real workers of src/worker.ts
 *             (outbox relay, notify fan-out, email send) with SMTP_URL at the sink and a fresh
 *             Redis prefix. Timed from startWorkers until the sink has N messages; afterwards the
 *             sink must hold N messages with N distinct Message-IDs (0 lost, 0 duplicated) and
 *             the notifications table N rows with status 'sent'. The outbox and notifications
 *             tables of the scratch database are emptied before each run; the case removes its
 *             tickets, rows and Redis keys when it is done.
 *
 * Both senders run in this process (pinned to CPU 1 by run.ts), with Loket's default
 * NOTIFY_CONCURRENCY and SMTP_POOL_SIZE. The ratio of each round is Loket's rate over the
 * baseline's rate of the same round; the case reports the median ratio (goal >= 0.60x).
 * Where the time goes is reported with each round: when the last outbox row was published and
 * fanned out (from the rows' own timestamps), PostgreSQL statements per notice (counted at the pg
 * client), transactions, WAL flushes and WAL bytes per notice, Redis commands per message (INFO
 * commandstats: script calls and the commands they ran), and CPU ms per message of this process,
 * PostgreSQL, Redis and the sink (PostgreSQL and Redis are not pinned and count all their work).
 *
 * BENCH_NOTIFY_COUNT (default 20000) notices per run; BENCH_NOTIFY_STALL_SECONDS (default 60):
 * a run whose sink count does not move for this long is given up (and reported as lost).
 * BENCH_PROFILE_DIR=dir writes a V8 CPU profile of this process during each Loket run there.
 * BENCH_NOTIFY_STAGES=1 adds a diagnostic run per round, outside the ratio: the outbox published
 * first by the relay's relayOnce in a loop without its pause (timed apart), then the workers timed
 * on jobs already in Redis, i.e. the fan-out and the sender alone.
 */
export const NOTIFY_COUNT = Number(process.env.BENCH_NOTIFY_COUNT ?? 20_000);
const STALL_SECONDS = Number(process.env.BENCH_NOTIFY_STALL_SECONDS ?? 60);
const STAGES = process.env.BENCH_NOTIFY_STAGES === '1';
const MAIL_FROM = 'Loket Bench <helpdesk@bench.localhost>';
/** Marks the tickets this case inserts (created_by_id), so it can remove them afterwards. */
const TICKET_MARK = 'bench-notify';

export interface NotifyOptions {
  dbUrl: string;
  redisUrl: string;
  /** The environment of Loket's config (secrets, data dir); REDIS_PREFIX and SMTP_URL are set here. */
  env: Record<string, string>;
  officeId: string;
  rounds: number;
  count?: number;
  /** How to pin a command to a CPU (taskset when there is one). */
  pin: (cpu: number, cmd: string[]) => string[];
  /** Child processes started here, so the caller can stop them on a signal. */
  children: Set<ChildProcess>;
  root: string;
  profileDir?: string;
}

/** CPU milliseconds used during one run, per process (group). */
interface CpuMs {
  node: number;
  postgres: number;
  redis: number;
  sink: number;
}

interface RedisCalls {
  /** All commands Redis executed, those run by scripts included. */
  total: number;
  /** EVALSHA / EVAL calls: BullMQ's scripts, one client round trip each. */
  scripts: number;
  top: [string, number][];
}

export interface PipelineRun {
  seconds: number;
  /** Messages per second; NaN when the run did not complete. */
  rate: number;
  complete: boolean;
  sink: SinkStats;
  lost: number;
  duplicated: number;
  cpu: CpuMs;
  redis: RedisCalls;
}

export interface LoketRun extends PipelineRun {
  sentRows: number;
  /** Seconds from the start until the last outbox row was published / processed (fanned out). */
  published: number | undefined;
  processed: number | undefined;
  /** `prepublished` only: seconds the pause-free relay loop took to publish the N rows. */
  relaySeconds: number | undefined;
  pgQueries: number;
  pgTop: [string, number][];
  /** Transactions of the scratch database (xact_commit, read-only ones too); WAL flushes and bytes. */
  commits: number;
  walSyncs: number;
  walBytes: number;
}

export interface NotifyRound {
  baseline: PipelineRun;
  loket: LoketRun;
  ratio: number;
  /** BENCH_NOTIFY_STAGES=1: the same notices with the outbox published beforehand. */
  prepublished?: LoketRun;
}

export interface NotifyResult {
  count: number;
  concurrency: number;
  poolSize: number;
  rounds: NotifyRound[];
}

// ---------------------------------------------------------------------------------------------
// The sink process
// ---------------------------------------------------------------------------------------------

interface Sink {
  port: number;
  reset(): Promise<void>;
  /** Resolves when the sink has `n` messages (counted since the last reset). */
  expect(n: number): Promise<SinkStats>;
  stats(): Promise<SinkStats>;
  cpuMs(): number;
  stop(): Promise<void>;
}

async function startSink(opts: NotifyOptions): Promise<Sink> {
  const [bin, ...args] = opts.pin(0, ['node', '--import', 'tsx', 'bench/smtp-sink-process.ts']);
  const child = spawn(bin ?? 'node', args, {
    cwd: opts.root,
    env: process.env,
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  opts.children.add(child);
  const waiting = new Map<SinkReport['type'], ((r: SinkReport) => void)[]>();
  const next = <T extends SinkReport['type']>(type: T) =>
    new Promise<Extract<SinkReport, { type: T }>>((resolve) => {
      const list = waiting.get(type) ?? [];
      list.push(resolve as (r: SinkReport) => void);
      waiting.set(type, list);
    });
  let exited: (err: Error) => void = () => undefined;
  const died = new Promise<never>((_, reject) => {
    exited = reject;
  });
  died.catch(() => undefined);
  child.on('message', (r: SinkReport) => {
    waiting.get(r.type)?.shift()?.(r);
  });
  child.once('exit', (code) => {
    opts.children.delete(child);
    exited(new Error(`the SMTP sink exited (${String(code)})`));
  });
  const request = (m: SinkRequest) => {
    child.send(m);
  };
  const { port } = await Promise.race([next('listening'), died]);
  return {
    port,
    async reset() {
      // A run that gave up left its `expect` waiting: it must not take the next run's answer.
      waiting.delete('reached');
      const done = next('reset-done');
      request({ type: 'reset' });
      await Promise.race([done, died]);
    },
    async expect(n) {
      const reached = next('reached');
      request({ type: 'expect', n });
      return (await Promise.race([reached, died])).stats;
    },
    async stats() {
      const answer = next('stats');
      request({ type: 'stats' });
      return (await Promise.race([answer, died])).stats;
    },
    cpuMs: () => (child.pid === undefined ? 0 : procCpuMs([child.pid])),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * Waits until the sink has `n` messages, or gives up when its count has not moved for
 * STALL_SECONDS.
 */
async function untilDelivered(sink: Sink, n: number): Promise<{ complete: boolean }> {
  const state = { done: false };
  const reached = sink.expect(n).then(() => {
    state.done = true;
  });
  let last = -1;
  let lastMove = performance.now();
  for (;;) {
    await Promise.race([reached, new Promise((r) => setTimeout(r, 1000))]);
    if (state.done) break;
    const { total } = await sink.stats();
    if (total !== last) {
      last = total;
      lastMove = performance.now();
    } else if (performance.now() - lastMove > STALL_SECONDS * 1000) {
      process.stdout.write(`  gave up: the sink stayed at ${total}/${n} for ${STALL_SECONDS} s\n`);
      return { complete: false };
    }
  }
  return { complete: true };
}

// ---------------------------------------------------------------------------------------------
// Measuring aids: CPU per process, Redis commands, PostgreSQL statements
// ---------------------------------------------------------------------------------------------

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of the given processes, in ms (0 for any that cannot be read). */
function procCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone or not readable
    }
  }
  return ticks * CLOCK_TICK_MS;
}

/** CPU ms of every PostgreSQL process by pid (backends come and go: compare pid by pid). */
function postgresCpu(): Map<number, number> {
  const out = new Map<number, number>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const p of pids) {
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() !== 'postgres') continue;
      out.set(Number(p), procCpuMs([Number(p)]));
    } catch {
      // gone
    }
  }
  return out;
}

const postgresCpuSince = (before: Map<number, number>) => {
  let ms = 0;
  for (const [pid, now] of postgresCpu()) ms += now - (before.get(pid) ?? 0);
  return ms;
};

interface RedisSnapshot {
  calls: Map<string, number>;
  cpuMs: number;
}

async function redisSnapshot(redis: Redis): Promise<RedisSnapshot> {
  const info = await redis.info('all');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(m[1] ?? '?', Number(m[2]));
  }
  const cpu = (key: string) => Number(new RegExp(`^${key}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return { calls, cpuMs: (cpu('used_cpu_user') + cpu('used_cpu_sys')) * 1000 };
}

/** What every run reports: rate, completeness, loss, duplicates and CPU per component. */
function runFigures(f: {
  n: number;
  seconds: number;
  complete: boolean;
  sink: SinkStats;
  cpu: NodeJS.CpuUsage;
  pgMs: number;
  sinkMs: number;
  redis: ReturnType<typeof redisDelta>;
}) {
  return {
    seconds: f.seconds,
    rate: f.complete ? f.n / f.seconds : Number.NaN,
    complete: f.complete,
    sink: f.sink,
    lost: Math.max(0, f.n - f.sink.distinct),
    duplicated: f.sink.total - f.sink.distinct,
    cpu: {
      node: (f.cpu.user + f.cpu.system) / 1000,
      postgres: f.pgMs,
      redis: f.redis.cpuMs,
      sink: f.sinkMs,
    },
    redis: f.redis.calls,
  };
}

function redisDelta(a: RedisSnapshot, b: RedisSnapshot): { calls: RedisCalls; cpuMs: number } {
  const delta: [string, number][] = [];
  for (const [k, v] of b.calls) {
    const d = v - (a.calls.get(k) ?? 0);
    if (d > 0 && k !== 'info') delta.push([k, d]);
  }
  delta.sort((x, y) => y[1] - x[1]);
  return {
    calls: {
      total: delta.reduce((s, [, d]) => s + d, 0),
      scripts: delta
        .filter(([k]) => k === 'evalsha' || k === 'eval')
        .reduce((s, [, d]) => s + d, 0),
      top: delta.slice(0, 8),
    },
    cpuMs: b.cpuMs - a.cpuMs,
  };
}

/**
 * Counts the statements Loket's pool sends (the pg clients with application_name `loket`), by
 * their text with the whitespace collapsed. Installed for one Loket run, then removed.
 */
function countPgQueries(): { stop(): Map<string, number> } {
  const proto = pg.Client.prototype as unknown as {
    query: (this: unknown, ...args: unknown[]) => unknown;
  };
  const original = proto.query;
  const counts = new Map<string, number>();
  proto.query = function (this: unknown, ...args: unknown[]) {
    const self = this as { connectionParameters?: { application_name?: string } };
    if (self.connectionParameters?.application_name === 'loket') {
      const first = args[0];
      const text =
        typeof first === 'string'
          ? first
          : typeof first === 'object' && first !== null && 'text' in first
            ? String(first.text)
            : '?';
      // Cheap while it runs (a short prefix as the key); tidied when it stops.
      const key = text.slice(0, 160);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
  return {
    stop() {
      proto.query = original;
      const tidy = new Map<string, number>();
      for (const [k, v] of counts) {
        const key = k.replace(/\s+/g, ' ').trim().slice(0, 90);
        tidy.set(key, (tidy.get(key) ?? 0) + v);
      }
      return tidy;
    },
  };
}

/** Commits of this database; WAL flushes and bytes of the whole server (pg_stat_wal, PG 14+). */
async function dbCounters(
  pool: Pool,
): Promise<{ commits: number; walSyncs: number; walBytes: number }> {
  const { rows } = await pool.query<{ commits: string }>(
    'SELECT xact_commit AS commits FROM pg_stat_database WHERE datname = current_database()',
  );
  const wal = await pool
    .query<{ syncs: string; bytes: string }>(
      'SELECT wal_sync AS syncs, wal_bytes AS bytes FROM pg_stat_wal',
    )
    .then((r) => r.rows[0])
    .catch(() => undefined);
  return {
    commits: Number(rows[0]?.commits ?? 0),
    walSyncs: Number(wal?.syncs ?? 0),
    walBytes: Number(wal?.bytes ?? 0),
  };
}

async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const stream = redis.scanStream({ match: `${prefix}*`, count: 1000 });
  for await (const keys of stream as AsyncIterable<string[]>) {
    if (keys.length > 0) await redis.unlink(...keys);
  }
}

// ---------------------------------------------------------------------------------------------
// The baseline: plain BullMQ + handlebars + pooled nodemailer
// ---------------------------------------------------------------------------------------------

interface BaselineJob {
  to: string;
  name: string;
  ticketCode: string;
  requestType: 'RESET_PASSWORD' | 'USER_ID_INFO';
  receivedAt: string;
  office: { name: string; timeZone: string };
}

/** The ticket-received (id) email, compiled once with plain handlebars and simple helpers. */
function compileBaselineTemplates(root: string) {
  const dir = join(root, 'templates');
  const labels: Record<string, string> = {
    RESET_PASSWORD: 'reset kata sandi (password)',
    USER_ID_INFO: 'informasi User ID',
  };
  const dateFormats = new Map<string, Intl.DateTimeFormat>();
  const envFor = (noEscape: boolean) => {
    const env = Handlebars.create();
    env.registerHelper('requestTypeName', (type: unknown) => labels[String(type)] ?? '');
    env.registerHelper('tanggal', (value: unknown, options: { data: { root: BaselineJob } }) => {
      const tz = options.data.root.office.timeZone;
      let f = dateFormats.get(tz);
      if (!f) {
        f = new Intl.DateTimeFormat('id-ID', {
          dateStyle: 'full',
          timeStyle: 'short',
          timeZone: tz,
        });
        dateFormats.set(tz, f);
      }
      return f.format(new Date(String(value)));
    });
    for (const file of readdirSync(join(dir, 'partials'))) {
      if (!file.endsWith('.hbs')) continue;
      const source = readFileSync(join(dir, 'partials', file), 'utf8');
      env.registerPartial(file.slice(0, -'.hbs'.length), env.compile(source, { noEscape }));
    }
    return env;
  };
  const html = envFor(false);
  const text = envFor(true);
  const read = (part: string) =>
    readFileSync(join(dir, 'email', `ticket-received.id.${part}.hbs`), 'utf8');
  const subject = text.compile(read('subject'), { noEscape: true });
  const htmlT = html.compile(read('html'));
  const textT = text.compile(read('text'), { noEscape: true });
  return (data: BaselineJob) => {
    const s = subject(data, { data: { lang: 'id' } }).trim();
    return {
      subject: s,
      html: htmlT(data, { data: { lang: 'id', subject: s } }),
      text: textT(data, { data: { lang: 'id' } }),
    };
  };
}

async function runBaseline(
  opts: NotifyOptions,
  sink: Sink,
  config: Config,
  n: number,
  stats: Redis,
): Promise<PipelineRun> {
  const render = compileBaselineTemplates(opts.root);
  const prefix = `bench-notify-base-${randomBytes(4).toString('hex')}`;
  const connection = createRedis(opts.redisUrl);
  const workerConnection = connection.duplicate();
  const transport = nodemailer.createTransport({
    url: `smtp://127.0.0.1:${sink.port}`,
    pool: true,
    maxConnections: config.SMTP_POOL_SIZE,
    maxMessages: 500,
    logger: false,
  });
  const queue = new Queue<BaselineJob>('bench-email', { connection, prefix });
  const names = ['Siti Rahmawati', 'Budi Santoso', 'Dewi Lestari', 'Agus Wijaya', 'Rina Hidayat'];
  const jobs = Array.from({ length: n }, (_, i) => ({
    name: 'send',
    data: {
      to: `bench.${i + 1}@example.go.id`,
      name: names[i % names.length] ?? 'Budi Santoso',
      ticketCode: `LKT-2605-${2_000_000 + i + 1}`,
      requestType: i % 10 < 7 ? ('RESET_PASSWORD' as const) : ('USER_ID_INFO' as const),
      receivedAt: new Date(Date.now() - i * 1000).toISOString(),
      office: { name: 'LPSE Kota Samarinda', timeZone: 'Asia/Makassar' },
    },
  }));
  await sink.reset();
  const before = await redisSnapshot(stats);
  const pgBefore = postgresCpu();
  const sinkBefore = sink.cpuMs();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const worker = new Worker<BaselineJob>(
    'bench-email',
    async (job) => {
      const mail = render(job.data);
      await transport.sendMail({
        from: MAIL_FROM,
        to: job.data.to,
        ...mail,
        messageId: `<bench.${job.id ?? '?'}@bench.localhost>`,
      });
    },
    { connection: workerConnection, prefix, concurrency: config.NOTIFY_CONCURRENCY },
  );
  worker.on('failed', (job, err) => {
    process.stderr.write(`baseline job ${job?.id ?? '?'}: ${err.message}\n`);
  });
  const delivering = untilDelivered(sink, n);
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  const { complete } = await delivering;
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await redisSnapshot(stats);
  const pgMs = postgresCpuSince(pgBefore);
  const sinkMs = sink.cpuMs() - sinkBefore;
  await new Promise((r) => setTimeout(r, 1000)); // late duplicates
  const s = await sink.stats();
  await worker.close();
  await queue.close();
  transport.close();
  workerConnection.disconnect();
  await deleteKeys(connection, prefix);
  connection.disconnect();
  return runFigures({
    n,
    seconds,
    complete,
    sink: s,
    cpu,
    pgMs,
    sinkMs,
    redis: redisDelta(before, after),
  });
}

// ---------------------------------------------------------------------------------------------
// Loket: outbox -> relay -> notify fan-out -> email send
// ---------------------------------------------------------------------------------------------

/** N open tickets whose requester's contact is an email address; once, before the rounds. */
async function insertTickets(pool: Pool, officeId: string, n: number): Promise<void> {
  await pool.query(
    `INSERT INTO tickets (id, code, office_id, type, channel, language, workflow_id, step,
       step_started_at, requester_name, requester_email, contact_kind, contact_address,
       created_by_type, created_by_id, created_at, updated_at)
     SELECT gen_random_uuid(),
            'LKT-' || to_char(now() AT TIME ZONE 'Asia/Jakarta', 'YYMM') || '-' || (2000000 + i),
            $1::uuid, type, 'EMAIL', 'id',
            CASE WHEN type = 'RESET_PASSWORD' THEN 'seed004-reset-password' ELSE 'seed004-user-id-info' END,
            'RECEIVED', now(),
            (ARRAY['Siti Rahmawati','Budi Santoso','Dewi Lestari','Agus Wijaya','Rina Hidayat'])[1 + i % 5],
            'bench.' || i || '@example.go.id', 'EMAIL', 'bench.' || i || '@example.go.id',
            'SERVICE', $3, now() - make_interval(secs => i), now()
       FROM (SELECT i, CASE WHEN i % 10 < 7 THEN 'RESET_PASSWORD' ELSE 'USER_ID_INFO' END AS type
               FROM generate_series(1, $2::int) AS i) g`,
    [officeId, n, TICKET_MARK],
  );
}

/** Empty outbox and notifications, then one committed notify.requester row per bench ticket. */
async function fillOutbox(pool: Pool): Promise<void> {
  await pool.query('DELETE FROM notifications');
  await pool.query('DELETE FROM outbox');
  await pool.query(
    `INSERT INTO outbox (queue, name, payload, created_at)
     SELECT 'notifications', 'notify.requester',
            jsonb_build_object('ticketId', id, 'template', 'ticket-received',
                               'recipient', 'REQUESTER_CONTACT'),
            clock_timestamp()
       FROM tickets WHERE created_by_id = $1 ORDER BY code`,
    [TICKET_MARK],
  );
  await pool.query('VACUUM (ANALYZE) outbox, notifications');
}

/**
 * One Loket run. `workers`: the measured case, startWorkers on committed outbox rows. `prepublished`
 * (BENCH_NOTIFY_STAGES=1, a diagnostic outside the ratio): the rows are first published by the
 * relay's own `relayOnce` called in a loop without its pause between passes (timed apart), then
 * startWorkers is timed on jobs already in Redis: what the fan-out and the sender manage alone.
 */
async function runLoket(
  opts: NotifyOptions,
  sink: Sink,
  n: number,
  stats: Redis,
  probe: Pool,
  round: number,
  mode: 'workers' | 'prepublished',
): Promise<LoketRun> {
  await fillOutbox(probe);
  const config = loadConfig({
    ...opts.env,
    REDIS_PREFIX: `bench-notify-${randomBytes(4).toString('hex')}`,
    SMTP_URL: `smtp://127.0.0.1:${sink.port}`,
    MAIL_FROM,
    LOG_LEVEL: 'warn',
  });
  const ds = createDataSource(opts.dbUrl, config.DATABASE_POOL_SIZE);
  await ds.initialize();
  const redis = createRedis(opts.redisUrl);
  const container = createContainer({
    config,
    dataSource: ds,
    redis,
    secrets: resolveSecrets(config),
  });
  let relaySeconds: number | undefined;
  if (mode === 'prepublished') {
    const connection = redis.duplicate({ enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    connection.on('error', () => undefined);
    const relay = createOutboxRelay({
      dataSource: ds,
      connection,
      prefix: `${config.REDIS_PREFIX}:bull`,
    });
    const t = performance.now();
    let published = 0;
    for (let k = -1; k !== 0; published += k) k = await relay.relayOnce();
    relaySeconds = (performance.now() - t) / 1000;
    await relay.close();
    connection.disconnect();
    if (published !== n) throw new Error(`relay loop published ${published} of ${n} rows`);
  }
  await sink.reset();
  let session: Session | undefined;
  if (opts.profileDir) {
    session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const before = await redisSnapshot(stats);
  const pgBefore = postgresCpu();
  const sinkBefore = sink.cpuMs();
  const { rows: clock } = await probe.query<{ t: Date }>('SELECT clock_timestamp() AS t');
  const dbBefore = await dbCounters(probe);
  const counting = countPgQueries();
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const workers = await startWorkers(container, redis);
  const { complete } = await untilDelivered(sink, n);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const after = await redisSnapshot(stats);
  const pgMs = postgresCpuSince(pgBefore);
  const sinkMs = sink.cpuMs() - sinkBefore;
  const dbAfter = await dbCounters(probe);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    const dir = opts.profileDir ?? '.';
    writeFileSync(
      join(dir, `notify-loket-${mode}-round-${round}.cpuprofile`),
      JSON.stringify(profile),
    );
    session.disconnect();
  }
  // The send is recorded just after the server accepted it; give the last ones a moment.
  const sentCount = async () =>
    Number(
      (
        await probe.query<{ n: string }>(
          "SELECT count(*) AS n FROM notifications WHERE status = 'sent'",
        )
      ).rows[0]?.n ?? 0,
    );
  let sentRows = await sentCount();
  for (let i = 0; i < 50 && sentRows < n; i++) {
    await new Promise((r) => setTimeout(r, 100));
    sentRows = await sentCount();
  }
  await new Promise((r) => setTimeout(r, 1000)); // late duplicates
  const s = await sink.stats();
  const queries = counting.stop();
  await workers.close();
  // When each stage had done its last row, from the rows' own timestamps (database clock).
  const { rows: stages } = await probe.query<{ published: number; processed: number }>(
    `SELECT extract(epoch FROM max(published_at) - $1::timestamptz)::float8 AS published,
            extract(epoch FROM max(processed_at) - $1::timestamptz)::float8 AS processed
       FROM outbox`,
    [clock[0]?.t],
  );
  await deleteKeys(redis, config.REDIS_PREFIX);
  redis.disconnect();
  await ds.destroy();
  const pgQueries = [...queries.values()].reduce((a, b) => a + b, 0);
  return {
    ...runFigures({
      n,
      seconds,
      complete,
      sink: s,
      cpu,
      pgMs,
      sinkMs,
      redis: redisDelta(before, after),
    }),
    sentRows,
    published: stages[0]?.published,
    processed: stages[0]?.processed,
    relaySeconds,
    pgQueries,
    pgTop: [...queries].sort((a, b) => b[1] - a[1]).slice(0, 12),
    commits: dbAfter.commits - dbBefore.commits,
    walSyncs: dbAfter.walSyncs - dbBefore.walSyncs,
    walBytes: dbAfter.walBytes - dbBefore.walBytes,
  };
}

// ---------------------------------------------------------------------------------------------
// The case
// ---------------------------------------------------------------------------------------------

export async function runNotifyBench(opts: NotifyOptions): Promise<NotifyResult> {
  const n = opts.count ?? NOTIFY_COUNT;
  if (!Number.isInteger(n) || n < 1) throw new Error('BENCH_NOTIFY_COUNT: a positive integer');
  const config = loadConfig(opts.env);
  const probe = new Pool({ connectionString: opts.dbUrl, max: 1, application_name: 'bench' });
  const stats = createRedis(opts.redisUrl);
  const sink = await startSink(opts);
  const rounds: NotifyRound[] = [];
  try {
    await insertTickets(probe, opts.officeId, n);
    await probe.query('VACUUM (ANALYZE) tickets');
    for (let i = 1; i <= opts.rounds; i++) {
      const baseline = await runBaseline(opts, sink, config, n, stats);
      process.stdout.write(`notify round ${i}/${opts.rounds}: baseline ${describeRun(baseline)}\n`);
      const loket = await runLoket(opts, sink, n, stats, probe, i, 'workers');
      const ratio = loket.rate / baseline.rate;
      process.stdout.write(
        `notify round ${i}/${opts.rounds}: Loket ${describeRun(loket)}, ${loket.sentRows} sent rows; ratio ${ratio.toFixed(3)}\n`,
      );
      let prepublished: LoketRun | undefined;
      if (STAGES) {
        prepublished = await runLoket(opts, sink, n, stats, probe, i, 'prepublished');
        process.stdout.write(
          `notify round ${i}/${opts.rounds}: (diagnostic) relay loop without pauses ${(n / (prepublished.relaySeconds ?? Number.NaN)).toFixed(0)} rows/s, ` +
            `then fan-out + send ${describeRun(prepublished)}\n`,
        );
      }
      rounds.push({ baseline, loket, ratio, ...(prepublished ? { prepublished } : {}) });
    }
  } finally {
    await sink.stop();
    stats.disconnect();
    await probe.query('DELETE FROM notifications').catch(() => undefined);
    await probe.query('DELETE FROM outbox').catch(() => undefined);
    await probe
      .query('DELETE FROM tickets WHERE created_by_id = $1', [TICKET_MARK])
      .catch(() => undefined);
    await probe.end();
  }
  return {
    count: n,
    concurrency: config.NOTIFY_CONCURRENCY,
    poolSize: config.SMTP_POOL_SIZE,
    rounds,
  };
}

function describeRun(r: PipelineRun): string {
  return (
    `${r.complete ? r.rate.toFixed(0) : 'INCOMPLETE'} msg/s (${r.seconds.toFixed(1)} s), ` +
    `sink ${r.sink.total} messages / ${r.sink.distinct} ids, lost ${r.lost}, duplicated ${r.duplicated}`
  );
}

const NOTIFY_BASELINE = 'baseline: BullMQ + handlebars + nodemailer';
const NOTIFY_LOKET = 'notify: outbox -> relay -> fan-out -> send';

/**
 * The case's lines for run.ts's summary: a table in its format, the goal, and per-round notes
 * with where the time went.
 */
export function notifySummary(
  result: NotifyResult,
  median: (xs: number[]) => number,
  placement: string,
): { table: string[]; goal: string; notes: string[] } {
  const { rounds, count: n } = result;
  const base = rounds.map((r) => r.baseline);
  const loket = rounds.map((r) => r.loket);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const lost = (rs: PipelineRun[]) => sum(rs.map((r) => r.lost));
  const dup = (rs: PipelineRun[]) => sum(rs.map((r) => r.duplicated));
  const ratio = median(rounds.map((r) => r.ratio));
  const row = (name: string, rs: PipelineRun[], ratioText: string) =>
    `${name.padEnd(44)} ${median(rs.map((r) => r.rate))
      .toFixed(0)
      .padStart(12)} ${ratioText.padStart(18)} ${String(lost(rs)).padStart(8)} ${String(
      dup(rs),
    ).padStart(10)}`;
  const table = [
    `Notifications, ${n} per run end to end into an SMTP sink, ${rounds.length} rounds, ` +
      `concurrency ${result.concurrency}, SMTP pool ${result.poolSize}, ${placement}`,
    `${'case'.padEnd(44)} ${'median msg/s'.padStart(12)} ${'ratio to baseline'.padStart(18)} ${'lost'.padStart(8)} ${'duplicated'.padStart(10)}`,
    row(NOTIFY_BASELINE, base, '1.000'),
    row(NOTIFY_LOKET, loket, ratio.toFixed(3)),
  ];
  const invalid =
    rounds.some((r) => !r.baseline.complete || !r.loket.complete) ||
    lost(base) + lost(loket) + dup(base) + dup(loket) > 0 ||
    loket.some((r) => r.sentRows !== n || r.sink.withoutId > 0);
  const goal = `notify: ${ratio.toFixed(3)}x plain BullMQ + handlebars + nodemailer (goal >= 0.60x): ${
    invalid ? 'INVALID (lost, duplicated or unsent notices)' : ratio >= 0.6 ? 'met' : 'MISSED'
  }`;
  const per = (ms: number) => (ms / n).toFixed(3);
  const cpuLine = (c: CpuMs) =>
    `node ${per(c.node)}, postgres ${per(c.postgres)}, redis ${per(c.redis)}, sink ${per(c.sink)}`;
  const notes: string[] = ['Notifications, per round:'];
  rounds.forEach((r, i) => {
    const b = r.baseline;
    const l = r.loket;
    notes.push(
      `  round ${i + 1}: baseline ${b.rate.toFixed(0)} msg/s, Loket ${l.rate.toFixed(0)} msg/s, ratio ${r.ratio.toFixed(3)}; ` +
        `lost ${b.lost}/${l.lost}, duplicated ${b.duplicated}/${l.duplicated} (baseline/Loket); ` +
        `Loket sent rows ${l.sentRows}/${n}`,
      `    Loket stages: the last outbox row published after ${l.published?.toFixed(1) ?? '?'} s, ` +
        `fanned out after ${l.processed?.toFixed(1) ?? '?'} s, all in the sink after ${l.seconds.toFixed(1)} s`,
      `    CPU ms per message: baseline ${cpuLine(b.cpu)}; Loket ${cpuLine(l.cpu)}`,
      `    Redis commands per message: baseline ${(b.redis.total / n).toFixed(1)} (${(b.redis.scripts / n).toFixed(2)} script calls), ` +
        `Loket ${(l.redis.total / n).toFixed(1)} (${(l.redis.scripts / n).toFixed(2)} script calls)`,
      `    PostgreSQL per notice (Loket): ${(l.pgQueries / n).toFixed(2)} statements, ` +
        `${(l.commits / n).toFixed(2)} transactions, ${(l.walSyncs / n).toFixed(2)} WAL flushes, ` +
        `${(l.walBytes / n / 1024).toFixed(1)} kB WAL`,
    );
    const p = r.prepublished;
    if (p) {
      notes.push(
        `    diagnostic (BENCH_NOTIFY_STAGES): relayOnce in a loop without the pause published ${n} rows in ` +
          `${p.relaySeconds?.toFixed(1) ?? '?'} s (${(n / (p.relaySeconds ?? Number.NaN)).toFixed(0)} rows/s); ` +
          `on those jobs the fan-out + send alone ran ${p.rate.toFixed(0)} msg/s ` +
          `(${(p.rate / b.rate).toFixed(3)}x the baseline; fanned out after ${p.processed?.toFixed(1) ?? '?'} s), ` +
          `lost ${p.lost}, duplicated ${p.duplicated}, sent rows ${p.sentRows}`,
        `      its CPU ms per message: ${cpuLine(p.cpu)}; Redis ${(p.redis.total / n).toFixed(1)} commands ` +
          `(${(p.redis.scripts / n).toFixed(2)} script calls); PostgreSQL ${(p.pgQueries / n).toFixed(2)} statements`,
      );
    }
  });
  const last = rounds.at(-1)?.loket;
  if (last) {
    notes.push(
      '  Loket statements of the last round, by count:',
      ...last.pgTop.map(([q, c]) => `    ${(c / n).toFixed(2).padStart(6)}/notice  ${q}`),
      '  Loket Redis commands of the last round, by count:',
      ...last.redis.top.map(([k, c]) => `    ${(c / n).toFixed(2).padStart(6)}/message  ${k}`),
    );
  }
  return { table, goal, notes };
}
