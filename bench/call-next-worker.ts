/**
 * One desk process of the call-next bench (bench/call-next.ts): calls the next number of one
 * service until the queue is empty, with CALL_NEXT_CONCURRENCY calls in flight, and prints the
 * numbers it got as one JSON line. MODE=loket goes through Loket's queue service (the code behind
 * POST /api/queue/call-next); MODE=raw runs the plain `UPDATE ... SKIP LOCKED` statement with pg.
 */
import { Pool } from 'pg';
import { loadConfig } from '../src/config';
import { createContainer } from '../src/container';
import { createDataSource } from '../src/db/data-source';
import { createRedis } from '../src/infra/redis';
import { AppError } from '../src/shared/errors';
import { resolveSecrets } from '../src/shared/secrets';

const mode = process.env.MODE ?? 'loket';
const desk = process.env.DESK ?? 'Loket 1';
const concurrency = Number(process.env.CALL_NEXT_CONCURRENCY ?? 4);

async function main(): Promise<void> {
  const numbers: string[] = [];
  let close: () => Promise<void>;
  let callOnce: () => Promise<string | null>;
  if (mode === 'raw') {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: concurrency });
    const officeId = process.env.OFFICE_ID ?? '';
    const day = process.env.QUEUE_DAY ?? '';
    callOnce = async () => {
      const r = await pool.query<{ queue_number: string }>(
        `UPDATE guest_book_entries SET status = 'CALLED', desk = $1, called_at = now()
          WHERE id = (SELECT id FROM guest_book_entries
                       WHERE office_id = $2 AND day = $3 AND status = 'WAITING' AND service = $4
                       ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING queue_number`,
        [desk, officeId, day, 'RESET_PASSWORD'],
      );
      return r.rows[0]?.queue_number ?? null;
    };
    close = () => pool.end();
  } else {
    const config = loadConfig(process.env);
    const ds = createDataSource(config.DATABASE_URL ?? '', concurrency);
    await ds.initialize();
    const redis = createRedis(config.REDIS_URL);
    const container = createContainer({
      config,
      dataSource: ds,
      redis,
      secrets: resolveSecrets(config),
    });
    callOnce = async () => {
      try {
        return (await container.queue.callNext({ desk, service: 'RESET_PASSWORD' })).queueNumber;
      } catch (err) {
        if (err instanceof AppError && err.code === 'QUEUE_EMPTY') return null;
        throw err;
      }
    };
    close = async () => {
      redis.disconnect();
      await ds.destroy();
    };
  }
  // Both processes start together: wait for the parent's go.
  await new Promise<void>((resolve) => {
    process.stdin.once('data', () => {
      resolve();
    });
  });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const n = await callOnce();
        if (n === null) return;
        numbers.push(n);
      }
    }),
  );
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ desk, mode, ms, numbers })}\n`);
  await close();
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
