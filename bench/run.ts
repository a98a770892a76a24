import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Pool } from 'pg';
import { systemActor } from '../src/audit/audit.service';
import { loadConfig } from '../src/config';
import { createContainer } from '../src/container';
import { createDataSource } from '../src/db/data-source';
import { runMigrations } from '../src/db/migrations';
import { dropDatabase, openPostgresServer, withScratchDatabase } from '../src/db/scratch';
import { freePort } from '../src/infra/ports';
import { createRedis, redisAnswers } from '../src/infra/redis';
import { encodeCursor } from '../src/shared/schemas';
import { resolveSecrets } from '../src/shared/secrets';
import { generateRegistryCsv } from './registry-csv';
import { notifySummary, runNotifyBench, type NotifyResult } from './notifications';
import { emailSummary, runEmailBench, type EmailRound } from './email';
import { fillTickets, rawOpenTicketsSql } from './tickets-data';
import { runCallNextBench } from './call-next';
import { consoleWeightLines } from './console-weight';
import {
  BENCH_APP_SECRET,
  runWhatsAppReplies,
  statusWebhook,
  WHATSAPP_CHATS,
  WHATSAPP_COUNT,
  type RepliesResult,
} from './whatsapp';

/**
 * `npm run bench`: the raw baseline and Loket, one after the other, alternating for ROUNDS rounds.
 * The server under test is pinned to CPU 0 and this load generator to CPU 1 (taskset), 50
 * connections, 3 s warm-up then 10 s measured. Each Loket case is reported as the median of its
 * per-round ratio to the baseline's requests per second, because the machine is shared and noisy.
 *
 * Cases (BENCH_CASES, comma-separated, default all; `tickets` = create,list):
 *   import    registry CSV import through Loket against raw multi-row INSERTs (timed once)
 *   login     POST /api/auth/login                      vs the raw INSERT baseline
 *   registry  POST /api/registry/search by NIK          vs the raw INSERT baseline
 *   create    POST /api/tickets as HELPDESK             vs the raw INSERT baseline
 *   list      GET /api/tickets?open=true&limit=50 as HELPDESK, first page and a deep page (cursor
 *             from the middle of the open tickets), with BENCH_LIST_ROWS tickets in the table
 *             (default 100000,1000000, generated with SQL) vs the raw keyset query on that table
 *   notify    BENCH_NOTIFY_COUNT (default 20000) committed notices from the outbox through the real
 *             workers to an SMTP sink process, vs plain BullMQ + handlebars + pooled nodemailer
 *             into the same sink; rates end to end, lost and duplicated (bench/notifications.ts)
 *   console   the staff console's first page load: JS + CSS referenced by dist/console/index.html,
 *             gzipped (goal < 200 KB)
 *   callnext  BENCH_CALLNEXT_COUNT (default 10000) waiting numbers of one service called by two
 *             processes at once through Loket's queue service, then by a raw pg SKIP LOCKED loop:
 *             numbers/s, duplicates and gaps (bench/call-next.ts)
 *   whatsapp  POST /webhooks/whatsapp (signed) vs a plain Fastify route with the same HMAC and one
 *             INSERT; and signed "ticket status" webhooks from many chats through the workers and
 *             the bot to a fake Graph API: replies/s vs the raw INSERT baseline (bench/whatsapp.ts)
 *   email     BENCH_EMAIL_COUNT (default 300) messages with a 200 KB PDF through the SMTP intake
 *             to tickets with their document, vs a plain smtp-server that discards (bench/email.ts)
 * Shorter runs: BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_IMPORT_ROWS,
 * BENCH_LIST_ROWS, BENCH_NOTIFY_COUNT. BENCH_LIST_INDEX=partial adds `(created_at, id) WHERE
 * closed_at IS NULL` to the scratch database before the list cases (an experiment for the proposed
 * index, not the schema). BENCH_NOTIFY_STAGES=1 adds a diagnostic notify run per round (see
 * bench/notifications.ts). BENCH_PROFILE_DIR=dir writes a V8 CPU profile of each Loket server run
 * (one per round) there, and of this process during each Loket notify run.
 * BENCH_LOKET_SERVER=path runs another build of the API (default dist/src/server.js), e.g. a
 * patched copy, to measure a proposed fix against the same baselines.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = 50;
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const LIST_ROWS = (process.env.BENCH_LIST_ROWS ?? '100000,1000000')
  .split(',')
  .map((s) => Number(s.trim()));
const LIST_INDEX = process.env.BENCH_LIST_INDEX ?? '';
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ?? '';
const LOKET_SERVER = process.env.BENCH_LOKET_SERVER ?? 'dist/src/server.js';
const PAGE = 50;
const root = join(__dirname, '..');
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pin = (cpu: number, cmd: string[]) =>
  hasTaskset ? ['taskset', '-c', String(cpu), ...cmd] : cmd;

const caseGroups = [
  'import',
  'login',
  'registry',
  'create',
  'list',
  'notify',
  'console',
  'callnext',
  'whatsapp',
  'email',
] as const;
type CaseGroup = (typeof caseGroups)[number];

function selectedGroups(spec: string | undefined): Set<CaseGroup> {
  if (!spec?.trim() || spec.trim() === 'all') return new Set(caseGroups);
  const out = new Set<CaseGroup>();
  for (const name of spec.split(',').map((s) => s.trim().toLowerCase())) {
    if (name === '') continue;
    if (name === 'all') caseGroups.forEach((g) => out.add(g));
    else if (name === 'tickets') {
      out.add('create');
      out.add('list');
    } else if ((caseGroups as readonly string[]).includes(name)) out.add(name as CaseGroup);
    else
      throw new Error(
        `BENCH_CASES: unknown case "${name}" (${caseGroups.join(', ')}, tickets, all)`,
      );
  }
  return out;
}

interface Case {
  name: string;
  path: string;
  method: 'GET' | 'POST';
  body?: string;
  headers: Record<string, string>;
  /** For a Loket case: the baseline case (by name) of the same round its ratio is taken to. */
  versus?: string;
  /** Sample pg_stat_activity while it is measured (where the database sessions wait). */
  sampleWaits?: boolean;
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
}

async function load(port: number, c: Case, seconds: number): Promise<Measured> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${c.path}`,
    method: c.method,
    ...(c.body === undefined
      ? { headers: c.headers }
      : { body: c.body, headers: { 'content-type': 'application/json', ...c.headers } }),
    connections: CONNECTIONS,
    duration: seconds,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
  };
}

const children = new Set<ChildProcess>();

function startProcess(cmd: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const [bin, ...args] = cmd;
  const child = spawn(bin ?? 'node', args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  child.once('exit', (code) => {
    children.delete(child);
    if (code !== 0 && code !== null)
      process.stderr.write(`${cmd.join(' ')} exited with ${String(code)}\n`);
  });
  return child;
}

async function waitHttp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not come up');
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => {
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** 100000 -> 100k, 1000000 -> 1M: the table sizes in the case names. */
const tagOf = (size: number) => (size >= 1_000_000 ? `${size / 1_000_000}M` : `${size / 1000}k`);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

/** What each client session of the scratch database is doing, by kind, for sampleSessions. */
const SESSIONS_SQL = `
  SELECT CASE
           WHEN wait_event_type = 'Lock' AND query ILIKE '%ticket_counters%'
             THEN 'waiting for the ticket counter row lock (' || wait_event || ')'
           WHEN wait_event_type = 'Lock' THEN 'waiting for another lock (' || wait_event || ')'
           WHEN state = 'idle in transaction' THEN 'idle in transaction (waiting for Node)'
           WHEN state = 'active' AND wait_event IS NOT NULL
             THEN 'active, waiting on ' || wait_event_type || ':' || wait_event
           WHEN state = 'active' THEN 'active on CPU'
           ELSE coalesce(state, '?')
         END AS what,
         count(*) AS n
    FROM pg_stat_activity
   WHERE datname = current_database() AND pid <> pg_backend_pid()
     AND backend_type = 'client backend'
   GROUP BY 1`;

/**
 * Samples the scratch database's client sessions every 100 ms until stopped: how many sessions
 * are, on average, in each state and wait event (e.g. waiting for the ticket counter's row lock).
 */
function sampleSessions(pool: Pool): () => Promise<{ samples: number; avg: Map<string, number> }> {
  const counts = new Map<string, number>();
  let samples = 0;
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      try {
        const { rows } = await pool.query<{ what: string; n: string }>(SESSIONS_SQL);
        samples++;
        for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + Number(r.n));
      } catch {
        // a failed sample is skipped
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    state.running = false;
    await loop;
    const avg = new Map<string, number>();
    for (const [k, v] of [...counts].sort((a, b) => b[1] - a[1]))
      avg.set(k, v / Math.max(1, samples));
    return { samples, avg };
  };
}

/** EXPLAIN ANALYZE of a query, in one line: the plan's node chain, rows read and time. */
async function explainLine(pool: Pool, sql: string, params: unknown[]): Promise<string> {
  interface PlanNode {
    'Node Type': string;
    'Index Name'?: string;
    'Sort Method'?: string;
    'Actual Rows': number;
    Plans?: PlanNode[];
  }
  const { rows } = await pool.query<{
    'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }];
  }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
  const top = rows[0]?.['QUERY PLAN'][0];
  if (!top) return '?';
  const parts: string[] = [];
  let node: PlanNode | undefined = top.Plan;
  while (node) {
    const extra = node['Index Name'] ?? node['Sort Method'];
    parts.push(`${node['Node Type']}${extra ? ` (${extra})` : ''} rows=${node['Actual Rows']}`);
    node = node.Plans?.[0];
  }
  return `${parts.join(' <- ')}; ${top['Execution Time'].toFixed(2)} ms`;
}

/** The ids of one page, to check that Loket and the baseline answer the same tickets. */
async function pageIds(port: number, c: Case): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}${c.path}`, { headers: c.headers });
  const body = (await res.json()) as { items?: { id: string }[] };
  return `${res.status} ${(body.items ?? []).map((i) => i.id).join(',')}`;
}

async function main(): Promise<void> {
  const groups = selectedGroups(process.env.BENCH_CASES);
  if (LIST_ROWS.some((n) => !Number.isInteger(n) || n < 1000))
    throw new Error('BENCH_LIST_ROWS: comma-separated table sizes of at least 1000');
  if (LIST_INDEX !== '' && LIST_INDEX !== 'partial')
    throw new Error('BENCH_LIST_INDEX: only "partial" (or unset)');
  if (hasTaskset) spawnSync('taskset', ['-pc', '1', String(process.pid)]);
  else process.stdout.write('taskset not found: processes are not pinned to CPUs\n');
  const started = performance.now();
  process.stdout.write(`cases: ${[...groups].join(', ')}\n`);
  // The HTTP cases run the built server; `notify` runs the workers from source in this process.
  if ([...groups].some((g) => g !== 'notify' && g !== 'email')) {
    process.stdout.write('building…\n');
    if (
      spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' }).status !== 0
    )
      throw new Error('build failed');
  }

  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl)))
    throw new Error(`Redis must answer at ${redisUrl} (BENCH_REDIS_URL)`);
  const server = await openPostgresServer(
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'loket-bench-'));
  // Ctrl-C or a kill: stop the servers started here and drop the scratch database.
  let scratchName: string | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: stopping the servers and dropping the scratch database\n`);
    for (const child of children) child.kill('SIGTERM');
    void (scratchName ? dropDatabase(server.adminUrl, scratchName) : Promise.resolve())
      .catch(() => undefined)
      .then(() => server.stop())
      .finally(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(130);
      });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await withScratchDatabase(server, async (dbUrl) => {
      scratchName = new URL(dbUrl).pathname.slice(1);
      const env: Record<string, string> = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: dbUrl,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: `bench-${randomBytes(4).toString('hex')}`,
        LOKET_DATA_DIR: dataDir,
        JWT_SECRET: randomBytes(32).toString('base64url'),
        LOKET_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        LOKET_HASH_KEY: randomBytes(32).toString('base64'),
        // The login throttle counts attempts before verifying them: 50 concurrent logins on one
        // account from one IP must stay under it, or the login case measures 429s and locks the
        // account for the later rounds.
        LOGIN_MAX_FAILURES_PER_IP: '10000',
        LOGIN_MAX_FAILURES_PER_ACCOUNT: '100',
        WHATSAPP_CLOUD_APP_SECRET: BENCH_APP_SECRET,
      };
      const config = loadConfig(env);
      const ds = createDataSource(dbUrl, 4);
      await ds.initialize();
      await runMigrations(ds);
      const redis = createRedis(redisUrl);
      const container = createContainer({
        config,
        dataSource: ds,
        redis,
        secrets: resolveSecrets(config),
      });
      const password = 'Bench-Password-2026!';
      const staff = await container.staff.create(
        {
          username: 'bench',
          fullName: 'Bench Mark',
          role: 'HELPDESK',
          password,
          mustChangePassword: false,
        },
        systemActor,
      );
      const office = await container.offices.defaultOffice();
      const pool = new Pool({ connectionString: dbUrl, max: 2 });

      // Import: 100,000 generated rows through Loket (validation, encryption, batched upserts) against
      // a raw baseline (the same rows, multi-row INSERTs of plain text, no validation or encryption).
      // The registry also backs the registry lookup and the requester a created ticket matches.
      const csvFile = join(dataDir, 'registry.csv');
      const needRegistry = groups.has('import') || groups.has('registry') || groups.has('create');
      const { csv, niks, rows } = generateRegistryCsv(needRegistry ? IMPORT_ROWS : 1);
      let importLine = '';
      const frontLines: string[] = [];
      if (groups.has('console'))
        frontLines.push(...consoleWeightLines(join(root, 'dist', 'console')));
      if (groups.has('callnext')) {
        frontLines.push(
          ...(await runCallNextBench({
            dataSource: ds,
            env,
            count: Number(process.env.BENCH_CALLNEXT_COUNT ?? 10_000),
          })),
        );
      }
      if (needRegistry) {
        writeFileSync(csvFile, csv);
        const t0 = performance.now();
        const report = await container.registry.importCsvFile(csvFile, {
          fileName: 'bench.csv',
          actor: systemActor,
        });
        const loketImportMs = performance.now() - t0;
        if (groups.has('import')) {
          await pool.query(
            'CREATE TABLE bench_import (user_id text PRIMARY KEY, full_name text, nik text, agency text, email text, phone text)',
          );
          const t1 = performance.now();
          for (let i = 0; i < rows.length; i += 1000) {
            const chunk = rows.slice(i, i + 1000);
            const params: string[] = [];
            const values = chunk.map((r, j) => {
              params.push(r.userId, r.fullName, r.nik, r.agency, r.email, r.phone);
              const b = j * 6;
              return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6})`;
            });
            await pool.query(`INSERT INTO bench_import VALUES ${values.join(',')}`, params);
          }
          const rawImportMs = performance.now() - t1;
          const t2 = performance.now();
          const again = await container.registry.importCsvFile(csvFile, {
            fileName: 'bench.csv',
            actor: systemActor,
          });
          const reimportMs = performance.now() - t2;
          importLine =
            `Registry import of ${IMPORT_ROWS} generated rows: Loket ${(loketImportMs / 1000).toFixed(1)} s ` +
            `(${report.inserted} inserted, ${report.errorRows} bad), raw multi-row INSERT ${(rawImportMs / 1000).toFixed(1)} s, ` +
            `ratio ${(loketImportMs / rawImportMs).toFixed(2)}; re-import of the same file ${(reimportMs / 1000).toFixed(1)} s ` +
            `(${again.unchanged} unchanged, ${again.updated} updated)\n`;
        }
      }
      redis.disconnect();
      await ds.destroy();

      const results: Record<
        string,
        { ratio: number[]; rps: number[]; p99: number[]; non2xx: number }
      > = {};
      const record = (name: string, ratio: number, r: Measured) => {
        results[name] ??= { ratio: [], rps: [], p99: [], non2xx: 0 };
        results[name].ratio.push(ratio);
        results[name].rps.push(r.rps);
        results[name].p99.push(r.p99);
        results[name].non2xx += r.non2xx;
      };
      const notes: string[] = [];
      const waits: Record<string, Map<string, number>[]> = {};
      const probes = new Map<string, string>();

      /** One round: the baseline server's cases, then Loket's (each compared with its `versus`). */
      async function round(
        label: string,
        baselineCases: Case[],
        loketCases: (accessToken: string) => Case[],
      ): Promise<void> {
        const baseRps = new Map<string, number>();
        if (baselineCases.length > 0) {
          const basePort = await freePort();
          const base = startProcess(
            pin(0, ['node', '--import', 'tsx', 'bench/baseline-server.ts']),
            { BENCH_DB_URL: dbUrl, PORT: String(basePort) },
          );
          try {
            await waitHttp(basePort);
            for (const c of baselineCases) {
              if (c.method === 'GET' && !probes.has(c.name))
                probes.set(c.name, await pageIds(basePort, c));
              await load(basePort, c, WARMUP);
              const r = await load(basePort, c, DURATION);
              if (r.non2xx > 0)
                process.stdout.write(`warning: ${c.name} had ${r.non2xx} non-2xx answers\n`);
              baseRps.set(c.name, r.rps);
              record(c.name, 1, r);
            }
          } finally {
            await stop(base);
          }
        }

        const port = await freePort();
        const profile = PROFILE_DIR
          ? [
              '--cpu-prof',
              '--cpu-prof-dir',
              PROFILE_DIR,
              '--cpu-prof-name',
              `${label.replace(/[^A-Za-z0-9]+/g, '-')}.cpuprofile`,
            ]
          : [];
        const loket = startProcess(pin(0, ['node', ...profile, LOKET_SERVER]), {
          ...env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
        });
        try {
          await waitHttp(port);
          const loginRes = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ username: 'bench', password }),
          });
          const login = (await loginRes.json()) as { accessToken?: string };
          const accessToken = login.accessToken;
          if (!loginRes.ok || !accessToken)
            throw new Error(`bench login failed: ${loginRes.status} ${JSON.stringify(login)}`);
          for (const c of loketCases(accessToken)) {
            if (c.method === 'GET' && c.versus && !probes.has(c.name)) {
              const ids = await pageIds(port, c);
              probes.set(c.name, ids);
              if (ids !== probes.get(c.versus))
                process.stdout.write(
                  `warning: ${c.name} and ${c.versus} answer different pages:\n  ${ids.slice(0, 120)}…\n  ${(probes.get(c.versus) ?? '').slice(0, 120)}…\n`,
                );
            }
            await load(port, c, WARMUP);
            const stopSampling = c.sampleWaits ? sampleSessions(pool) : undefined;
            const r = await load(port, c, DURATION);
            if (stopSampling) (waits[c.name] ??= []).push((await stopSampling()).avg);
            if (r.non2xx > 0)
              process.stdout.write(`warning: ${c.name} had ${r.non2xx} non-2xx answers\n`);
            const versus = c.versus ? baseRps.get(c.versus) : undefined;
            record(c.name, versus ? r.rps / versus : Number.NaN, r);
          }
        } finally {
          await stop(loket);
        }
        process.stdout.write(`${label} done\n`);
      }

      // Notifications: outbox to an SMTP sink through the real workers, against plain BullMQ.
      let notify: NotifyResult | undefined;
      if (groups.has('notify')) {
        notify = await runNotifyBench({
          dbUrl,
          redisUrl,
          env,
          officeId: office.id,
          rounds: ROUNDS,
          pin,
          children,
          root,
          ...(PROFILE_DIR ? { profileDir: PROFILE_DIR } : {}),
        });
      }

      // Email intake: mail with a 200 KB PDF through the SMTP listener to tickets, against a
      // discarding smtp-server (bench/email.ts).
      let email: EmailRound[] | undefined;
      if (groups.has('email')) {
        email = await runEmailBench({ dbUrl, env, rounds: ROUNDS, pin, children, root });
      }

      // Login, registry lookup and ticket creation, against one validated INSERT.
      const baselineInsert = 'baseline: Fastify + pg INSERT RETURNING';
      let createdBefore = 0;
      if (groups.has('login') || groups.has('registry') || groups.has('create')) {
        const baseCase: Case = {
          name: baselineInsert,
          path: '/items',
          method: 'POST',
          body: JSON.stringify({ name: 'bench' }),
          headers: {},
        };
        // A requester the registry knows (by user ID), with a PPK role (rows i % 6 === 1 are PPK).
        const requester = rows[Math.min(rows.length - 1, Math.floor(rows.length / 3 / 6) * 6 + 1)];
        const createBody = JSON.stringify({
          type: 'RESET_PASSWORD',
          channel: 'EMAIL',
          language: 'id',
          requester: {
            name: requester?.fullName ?? 'Budi Santoso',
            userId: requester?.userId ?? null,
            nik: requester?.nik ?? null,
            spseRole: 'PPK',
            agency: requester?.agency ?? null,
            email: requester?.email ?? null,
            phone: requester?.phone ?? null,
          },
          contact: { kind: 'EMAIL', address: requester?.email ?? 'budi@example.go.id' },
          message:
            'Mohon reset password SPSE saya, akun terkunci setelah beberapa kali salah memasukkan kata sandi.',
        });
        createdBefore = Number(
          (await pool.query<{ n: string }>('SELECT count(*) AS n FROM tickets')).rows[0]?.n ?? 0,
        );
        for (let i = 1; i <= ROUNDS; i++) {
          await round(`round ${i}/${ROUNDS}`, [baseCase], (accessToken) => {
            const auth = { authorization: `Bearer ${accessToken}` };
            const cases: Case[] = [];
            if (groups.has('login'))
              cases.push({
                name: 'login (argon2id verify + session)',
                path: '/api/auth/login',
                method: 'POST',
                body: JSON.stringify({ username: 'bench', password }),
                headers: {},
                versus: baselineInsert,
              });
            if (groups.has('registry'))
              cases.push({
                name: 'registry lookup by NIK',
                path: '/api/registry/search',
                method: 'POST',
                body: JSON.stringify({ nik: niks[Math.floor(niks.length / 2)] }),
                headers: auth,
                versus: baselineInsert,
              });
            if (groups.has('create'))
              cases.push({
                name: 'create ticket (HELPDESK, one tx)',
                path: '/api/tickets',
                method: 'POST',
                body: createBody,
                headers: auth,
                versus: baselineInsert,
                sampleWaits: true,
              });
            return cases;
          });
        }
      }
      if (groups.has('create')) {
        const { rows: c } = await pool.query<{ tickets: string; codes: string; months: string }>(
          `SELECT (SELECT count(*) FROM tickets) AS tickets,
                  (SELECT coalesce(sum(value), 0) FROM ticket_counters) AS codes,
                  (SELECT count(*) FROM ticket_counters) AS months`,
        );
        const created = Number(c[0]?.tickets ?? 0) - createdBefore;
        notes.push(
          `Ticket creation: ${created} tickets created over all runs (warm-ups included), ` +
            `every code from ONE monthly counter row (${c[0]?.codes ?? '?'} codes issued, ` +
            `${c[0]?.months ?? '?'} counter row(s)), taken in its own statement before the ` +
            "ticket's transaction, so the row is locked only for that statement.",
        );
        const perRound = waits['create ticket (HELPDESK, one tx)'] ?? [];
        const keys = new Set(perRound.flatMap((m) => [...m.keys()]));
        const avgs = [...keys]
          .map((k) => [k, median(perRound.map((m) => m.get(k) ?? 0))] as const)
          .sort((a, b) => b[1] - a[1]);
        notes.push(
          'Database sessions during the measured create load (median over rounds of the average count, sampled every 100 ms):',
          ...avgs.map(([k, v]) => `  ${v.toFixed(2).padStart(6)}  ${k}`),
        );
      }

      // WhatsApp: the webhook route against a plain HMAC + INSERT route, then replies end to end.
      const whatsappReplies: { result: RepliesResult; ratio: number }[] = [];
      const webhookCase = 'whatsapp webhook (signed, stored + outbox)';
      const baselineWebhook = 'baseline: Fastify HMAC + INSERT payload';
      if (groups.has('whatsapp')) {
        const sample = statusWebhook('6281299999999', 'LKT-0000-00000', 'wamid.bench.route');
        const headers = { 'x-hub-signature-256': sample.signature };
        const wds = createDataSource(dbUrl, 4);
        await wds.initialize();
        const wredis = createRedis(redisUrl);
        const wcontainer = createContainer({
          config,
          dataSource: wds,
          redis: wredis,
          secrets: resolveSecrets(config),
        });
        const bot = await wcontainer.staff.createServiceAccount(
          { name: 'bench-bot', kind: 'BOT' },
          systemActor,
        );
        try {
          for (let i = 1; i <= ROUNDS; i++) {
            await round(
              `whatsapp round ${i}/${ROUNDS}`,
              [
                {
                  name: baselineInsert,
                  path: '/items',
                  method: 'POST',
                  body: JSON.stringify({ name: 'bench' }),
                  headers: {},
                },
                {
                  name: baselineWebhook,
                  path: '/webhook',
                  method: 'POST',
                  body: sample.raw,
                  headers,
                },
              ],
              () => [
                {
                  name: webhookCase,
                  path: '/webhooks/whatsapp',
                  method: 'POST',
                  body: sample.raw,
                  headers,
                  versus: baselineWebhook,
                },
              ],
            );
            const result = await runWhatsAppReplies({
              container: wcontainer,
              redis: wredis,
              config,
              botToken: bot.token,
              children,
              startApi: async () => {
                const port = await freePort();
                const profile = PROFILE_DIR
                  ? [
                      '--cpu-prof',
                      '--cpu-prof-dir',
                      PROFILE_DIR,
                      '--cpu-prof-name',
                      `whatsapp-replies-${i}.cpuprofile`,
                    ]
                  : [];
                const api = startProcess(pin(0, ['node', ...profile, LOKET_SERVER]), {
                  ...env,
                  PORT: String(port),
                  LOG_LEVEL: 'warn',
                });
                await waitHttp(port);
                return { port, stop: () => stop(api) };
              },
            });
            const insertRps = results[baselineInsert]?.rps.at(-1) ?? Number.NaN;
            whatsappReplies.push({ result, ratio: result.perSecond / insertRps });
            process.stdout.write(
              `whatsapp replies round ${i}/${ROUNDS}: ${result.replies}/${result.count} replies ` +
                `(${result.statusAnswers} status answers) in ${result.seconds.toFixed(1)} s ` +
                `(webhooks sent in ${result.sendSeconds.toFixed(1)} s; bot's API calls: status ` +
                `${result.statusMs.toFixed(1)} ms, stored webhooks read back ${String(result.readBack)}` +
                `${result.readBack > 0 ? ` (${result.eventMs.toFixed(1)} ms)` : ''}), ` +
                `${result.perSecond.toFixed(0)}/s, ${(result.perSecond / insertRps).toFixed(3)}x the raw insert\n`,
            );
          }
        } finally {
          wredis.disconnect();
          await wds.destroy();
        }
        notes.push(
          `WhatsApp replies: ${WHATSAPP_COUNT} signed "status <code>" webhooks from ${WHATSAPP_CHATS} chats ` +
            '(32 in flight) to the API on CPU 0; outbox relay, bot and fake Graph API in the bench process ' +
            '(CPU 1); from the first webhook to the last reply.',
        );
      }

      // Ticket list: the tickets table filled with SQL to each size, then first and deep pages.
      if (groups.has('list')) {
        // Start from a table with only generated tickets (the create case may have added some).
        await pool.query('DELETE FROM tickets');
        await pool.query('DELETE FROM ticket_step_deadlines');
        await pool.query('DELETE FROM ticket_messages');
        await pool.query('DELETE FROM outbox');
        if (LIST_INDEX === 'partial') {
          await pool.query(
            'CREATE INDEX bench_ix_tickets_open_partial ON tickets (created_at, id) WHERE closed_at IS NULL',
          );
          notes.push('BENCH_LIST_INDEX=partial: bench_ix_tickets_open_partial was added.');
        }
        const anchor = new Date();
        let filled = 0;
        for (const size of [...LIST_ROWS].sort((a, b) => a - b)) {
          const t0 = performance.now();
          await fillTickets(pool, {
            officeId: office.id,
            staffId: staff.user.id,
            anchor,
            from: filled + 1,
            count: size - filled,
          });
          filled = size;
          await pool.query('VACUUM (ANALYZE) tickets');
          await pool.query('CHECKPOINT').catch(() => undefined);
          const fillMs = performance.now() - t0;
          const { rows: stats } = await pool.query<{ open: string; mb: string }>(
            `SELECT count(*) FILTER (WHERE closed_at IS NULL) AS open,
                    round(pg_total_relation_size('tickets') / 1048576.0) AS mb FROM tickets`,
          );
          const open = Number(stats[0]?.open ?? 0);
          const { rows: mid } = await pool.query<{ created_at: Date; id: string }>(
            `SELECT created_at, id FROM tickets WHERE closed_at IS NULL
              ORDER BY created_at DESC, id DESC OFFSET $1 LIMIT 1`,
            [Math.floor(open / 2)],
          );
          const at = mid[0];
          if (!at) throw new Error('no open ticket for the deep-page cursor');
          const cursor = encodeCursor([at.created_at.toISOString(), at.id]);
          const tag = tagOf(size);
          notes.push(
            `tickets table at ${tag}: ${size} rows (${open} open), ${stats[0]?.mb ?? '?'} MB with indexes, ` +
              `filled in ${(fillMs / 1000).toFixed(1)} s; deep-page cursor after open ticket #${Math.floor(open / 2) + 1}`,
            `  EXPLAIN ANALYZE first page: ${await explainLine(pool, rawOpenTicketsSql(false), [PAGE + 1])}`,
            `  EXPLAIN ANALYZE deep page:  ${await explainLine(pool, rawOpenTicketsSql(true), [at.created_at, at.id, PAGE + 1])}`,
          );
          const baseFirst = `baseline: raw keyset, first page (${tag})`;
          const baseDeep = `baseline: raw keyset, deep page (${tag})`;
          const query = `open=true&limit=${PAGE}`;
          for (let i = 1; i <= ROUNDS; i++) {
            await round(
              `list ${tag}: round ${i}/${ROUNDS}`,
              [
                { name: baseFirst, path: `/tickets?${query}`, method: 'GET', headers: {} },
                {
                  name: baseDeep,
                  path: `/tickets?${query}&cursor=${cursor}`,
                  method: 'GET',
                  headers: {},
                },
              ],
              (accessToken) => {
                const auth = { authorization: `Bearer ${accessToken}` };
                return [
                  {
                    name: `list open, first page (${tag})`,
                    path: `/api/tickets?${query}`,
                    method: 'GET',
                    headers: auth,
                    versus: baseFirst,
                  },
                  {
                    name: `list open, deep page (${tag})`,
                    path: `/api/tickets?${query}&cursor=${cursor}`,
                    method: 'GET',
                    headers: auth,
                    versus: baseDeep,
                  },
                ];
              },
            );
          }
        }
      }
      await pool.end();

      if (Object.keys(results).length > 0) {
        process.stdout.write(
          `\nHTTP, ${CONNECTIONS} connections, ${DURATION} s after ${WARMUP} s warm-up, ${ROUNDS} rounds, ` +
            `${hasTaskset ? 'server on CPU 0, load on CPU 1' : 'not pinned'}\n`,
        );
        process.stdout.write(
          `${'case'.padEnd(44)} ${'median req/s'.padStart(12)} ${'p99 ms'.padStart(8)} ${'ratio to baseline'.padStart(18)} ${'non-2xx'.padStart(8)}\n`,
        );
        for (const [name, r] of Object.entries(results)) {
          process.stdout.write(
            `${name.padEnd(44)} ${median(r.rps).toFixed(0).padStart(12)} ${median(r.p99).toFixed(1).padStart(8)} ${median(r.ratio).toFixed(3).padStart(18)} ${String(r.non2xx).padStart(8)}\n`,
          );
        }
      }
      const notifyLines = notify
        ? notifySummary(
            notify,
            median,
            hasTaskset ? 'sink on CPU 0, senders on CPU 1' : 'not pinned',
          )
        : undefined;
      if (notifyLines) process.stdout.write(`\n${notifyLines.table.join('\n')}\n`);
      const emailLines = email
        ? emailSummary(
            email,
            median,
            hasTaskset ? 'receiver on CPU 0, sender on CPU 1' : 'not pinned',
          )
        : undefined;
      if (emailLines) process.stdout.write(`\n${emailLines.table.join('\n')}\n`);

      // The goals of the ticket cases, met or missed.
      const goals: string[] = [];
      const ratioOf = (name: string) => median(results[name]?.ratio ?? []);
      const rpsOf = (name: string) => median(results[name]?.rps ?? []);
      // A figure made of error answers proves nothing: such a goal is INVALID, never met.
      const verdict = (ok: boolean, ...names: string[]) =>
        names.some((n) => (results[n]?.non2xx ?? 0) > 0)
          ? 'INVALID (non-2xx answers)'
          : ok
            ? 'met'
            : 'MISSED';
      if (results['create ticket (HELPDESK, one tx)']) {
        const r = ratioOf('create ticket (HELPDESK, one tx)');
        goals.push(
          `create ticket: ${r.toFixed(3)}x the raw insert (goal >= 0.50x): ${verdict(r >= 0.5, 'create ticket (HELPDESK, one tx)', baselineInsert)}`,
        );
      }
      const sizes = [...LIST_ROWS].sort((a, b) => a - b);
      for (const page of ['first', 'deep']) {
        for (const size of sizes) {
          const name = `list open, ${page} page (${tagOf(size)})`;
          if (!results[name]) continue;
          const r = ratioOf(name);
          goals.push(
            `${name}: ${r.toFixed(3)}x the raw keyset query (goal >= 0.60x): ${verdict(r >= 0.6, name, name.replace('list open', 'baseline: raw keyset'))}`,
          );
        }
        const small = sizes[0];
        const large = sizes.at(-1);
        if (small !== undefined && large !== undefined && large !== small) {
          const a = `list open, ${page} page (${tagOf(small)})`;
          const b = `list open, ${page} page (${tagOf(large)})`;
          if (results[a] && results[b]) {
            const scale = rpsOf(b) / rpsOf(a);
            const baseScale =
              rpsOf(`baseline: raw keyset, ${page} page (${tagOf(large)})`) /
              rpsOf(`baseline: raw keyset, ${page} page (${tagOf(small)})`);
            goals.push(
              `list open, ${page} page: ${tagOf(large)}/${tagOf(small)} req/s ${scale.toFixed(3)} ` +
                `(goal >= 0.85, i.e. within 15 %): ${verdict(scale >= 0.85, a, b)}; ` +
                `raw keyset query ${baseScale.toFixed(3)}; ratio-to-baseline ${(ratioOf(b) / ratioOf(a)).toFixed(3)}`,
            );
          }
        }
      }
      if (results[webhookCase]) {
        const r = ratioOf(webhookCase);
        goals.push(
          `whatsapp webhook route: ${r.toFixed(3)}x a plain HMAC + INSERT route (goal >= 0.80x): ${verdict(r >= 0.8, webhookCase, baselineWebhook)}`,
        );
      }
      if (whatsappReplies.length > 0) {
        const r = median(whatsappReplies.map((w) => w.ratio));
        const lost = whatsappReplies.some((w) => w.result.statusAnswers < w.result.count);
        goals.push(
          `whatsapp replies: ${median(whatsappReplies.map((w) => w.result.perSecond)).toFixed(0)}/s, ` +
            `${r.toFixed(3)}x the raw insert (goal >= 0.40x): ` +
            (lost
              ? 'INVALID (replies missing or not status answers)'
              : r >= 0.4
                ? 'met'
                : 'MISSED'),
        );
      }
      if (notifyLines) {
        goals.push(notifyLines.goal);
        notes.push(...notifyLines.notes);
      }
      if (emailLines) goals.push(emailLines.goal);
      if (goals.length > 0)
        process.stdout.write(`\nGoals\n${goals.map((g) => `  ${g}\n`).join('')}`);
      if (notes.length > 0) process.stdout.write(`\n${notes.join('\n')}\n`);
      if (importLine) process.stdout.write(`\n${importLine}`);
      if (frontLines.length > 0) process.stdout.write(`\n${frontLines.join('\n')}\n`);
      process.stdout.write(
        `\nTotal time ${((performance.now() - started) / 60_000).toFixed(1)} min\n`,
      );
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
