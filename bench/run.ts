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
import { openPostgresServer, withScratchDatabase } from '../src/db/scratch';
import { freePort } from '../src/infra/ports';
import { createRedis, redisAnswers } from '../src/infra/redis';
import { resolveSecrets } from '../src/shared/secrets';
import { generateRegistryCsv } from './registry-csv';

/**
 * `npm run bench`: the raw baseline and Loket, one after the other, alternating for ROUNDS rounds.
 * The server under test is pinned to CPU 0 and this load generator to CPU 1 (taskset), 50
 * connections, 3 s warm-up then 10 s measured. Each Loket case is reported as the median of its
 * per-round ratio to the baseline's requests per second, because the machine is shared and noisy.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = 50;
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const root = join(__dirname, '..');
const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pin = (cpu: number, cmd: string[]) =>
  hasTaskset ? ['taskset', '-c', String(cpu), ...cmd] : cmd;

interface Case {
  name: string;
  path: string;
  method: 'POST';
  body: string;
  headers: Record<string, string>;
}

async function load(port: number, c: Case, seconds: number) {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${c.path}`,
    method: c.method,
    body: c.body,
    headers: { 'content-type': 'application/json', ...c.headers },
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

function startProcess(cmd: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const [bin, ...args] = cmd;
  const child = spawn(bin ?? 'node', args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.once('exit', (code) => {
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

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

async function main(): Promise<void> {
  if (hasTaskset) spawnSync('taskset', ['-pc', '1', String(process.pid)]);
  else process.stdout.write('taskset not found: processes are not pinned to CPUs\n');
  process.stdout.write('building…\n');
  if (spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' }).status !== 0)
    throw new Error('build failed');

  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!(await redisAnswers(redisUrl)))
    throw new Error(`Redis must answer at ${redisUrl} (BENCH_REDIS_URL)`);
  const server = await openPostgresServer(
    process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'loket-bench-'));
  try {
    await withScratchDatabase(server, async (dbUrl) => {
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
        LOGIN_MAX_FAILURES_PER_IP: '10000',
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
      await container.staff.create(
        {
          username: 'bench',
          fullName: 'Bench Mark',
          role: 'HELPDESK',
          password,
          mustChangePassword: false,
        },
        systemActor,
      );

      // Import: 100,000 generated rows through Loket (validation, encryption, batched upserts) against
      // a raw baseline (the same rows, multi-row INSERTs of plain text, no validation or encryption).
      const csvFile = join(dataDir, 'registry.csv');
      const { csv, niks, rows } = generateRegistryCsv(IMPORT_ROWS);
      writeFileSync(csvFile, csv);
      const t0 = performance.now();
      const report = await container.registry.importCsvFile(csvFile, {
        fileName: 'bench.csv',
        actor: systemActor,
      });
      const loketImportMs = performance.now() - t0;
      const pool = new Pool({ connectionString: dbUrl, max: 2 });
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
      await pool.end();
      redis.disconnect();
      await ds.destroy();

      const results: Record<string, { ratio: number[]; rps: number[]; p99: number[] }> = {};
      const record = (name: string, ratio: number, rps: number, p99: number) => {
        results[name] ??= { ratio: [], rps: [], p99: [] };
        results[name].ratio.push(ratio);
        results[name].rps.push(rps);
        results[name].p99.push(p99);
      };

      for (let round = 1; round <= ROUNDS; round++) {
        const basePort = await freePort();
        const base = startProcess(pin(0, ['node', '--import', 'tsx', 'bench/baseline-server.ts']), {
          BENCH_DB_URL: dbUrl,
          PORT: String(basePort),
        });
        await waitHttp(basePort);
        const baseCase: Case = {
          name: 'baseline insert',
          path: '/items',
          method: 'POST',
          body: JSON.stringify({ name: 'bench' }),
          headers: {},
        };
        await load(basePort, baseCase, WARMUP);
        const baseline = await load(basePort, baseCase, DURATION);
        await stop(base);
        record('baseline: Fastify + pg INSERT RETURNING', 1, baseline.rps, baseline.p99);

        const port = await freePort();
        const loket = startProcess(pin(0, ['node', 'dist/src/server.js']), {
          ...env,
          PORT: String(port),
          LOG_LEVEL: 'warn',
        });
        await waitHttp(port);
        const loginBody = JSON.stringify({ username: 'bench', password });
        const loginRes = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: loginBody,
        });
        const { accessToken } = (await loginRes.json()) as { accessToken: string };
        const cases: Case[] = [
          {
            name: 'login (argon2id verify + session)',
            path: '/api/auth/login',
            method: 'POST',
            body: loginBody,
            headers: {},
          },
          {
            name: 'registry lookup by NIK',
            path: '/api/registry/search',
            method: 'POST',
            body: JSON.stringify({ nik: niks[Math.floor(niks.length / 2)] }),
            headers: { authorization: `Bearer ${accessToken}` },
          },
        ];
        for (const c of cases) {
          await load(port, c, WARMUP);
          const r = await load(port, c, DURATION);
          if (r.non2xx > 0)
            process.stdout.write(`warning: ${c.name} had ${r.non2xx} non-2xx answers\n`);
          record(c.name, r.rps / baseline.rps, r.rps, r.p99);
        }
        await stop(loket);
        process.stdout.write(`round ${round}/${ROUNDS} done\n`);
      }

      process.stdout.write(
        `\nHTTP, ${CONNECTIONS} connections, ${DURATION} s after ${WARMUP} s warm-up, ${ROUNDS} rounds, ` +
          `${hasTaskset ? 'server on CPU 0, load on CPU 1' : 'not pinned'}\n`,
      );
      process.stdout.write(
        `${'case'.padEnd(42)} ${'median req/s'.padStart(12)} ${'p99 ms'.padStart(8)} ${'ratio to baseline'.padStart(18)}\n`,
      );
      for (const [name, r] of Object.entries(results)) {
        process.stdout.write(
          `${name.padEnd(42)} ${median(r.rps).toFixed(0).padStart(12)} ${median(r.p99).toFixed(1).padStart(8)} ${median(r.ratio).toFixed(3).padStart(18)}\n`,
        );
      }
      process.stdout.write(
        `\nRegistry import of ${IMPORT_ROWS} generated rows: Loket ${(loketImportMs / 1000).toFixed(1)} s ` +
          `(${report.inserted} inserted, ${report.errorRows} bad), raw multi-row INSERT ${(rawImportMs / 1000).toFixed(1)} s, ` +
          `ratio ${(loketImportMs / rawImportMs).toFixed(2)}; re-import of the same file ${(reimportMs / 1000).toFixed(1)} s ` +
          `(${again.unchanged} unchanged, ${again.updated} updated)\n`,
      );
    });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
