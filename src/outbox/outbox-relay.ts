import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource, EntityManager } from 'typeorm';

export interface OutboxRow {
  id: string;
  queue: string;
  name: string;
  payload: Record<string, unknown>;
}

/**
 * What a job carries instead of its outbox payload, by outbox id (rows left out keep their
 * payload). Runs in the pass's transaction; e.g. the webhook messages sealed for the bot.
 */
export type JobDataHook = (
  rows: OutboxRow[],
  manager: EntityManager,
) => Promise<Map<string, Record<string, unknown>>>;

export interface OutboxRelay {
  /** Publishes what is pending; returns how many rows it published. */
  relayOnce(): Promise<number>;
  start(): void;
  close(): Promise<void>;
}

/**
 * Moves committed outbox rows into BullMQ, job id = outbox id, then marks them published. When
 * Redis is down the rows stay pending and go out on a later pass; publishing a row twice (a crash
 * between add and update) makes no second job, because BullMQ keeps one job per id.
 */
export function createOutboxRelay(deps: {
  dataSource: DataSource;
  /** A connection that fails fast when Redis is down, so the relay never blocks. */
  connection: Redis;
  prefix: string;
  intervalMs?: number;
  batchSize?: number;
  jobData?: JobDataHook;
  onError?: (err: Error) => void;
}): OutboxRelay {
  const { dataSource, connection, prefix } = deps;
  const batchSize = deps.batchSize ?? 100;
  const queues = new Map<string, Queue>();
  const queueFor = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      q.on('error', (err) => deps.onError?.(err));
      queues.set(name, q);
    }
    return q;
  };
  /**
   * A Queue caches the outcome of its start-up (ready wait, script loading, version check): one
   * that failed there would fail every later `add`, so after a failure the next pass starts anew.
   */
  const dropQueue = (name: string) => {
    const q = queues.get(name);
    if (!q) return;
    queues.delete(name);
    q.close().catch(() => undefined);
  };
  /**
   * BullMQ waits for a connection to become ready without a time limit, whatever the connection's
   * own fail-fast options, so a pass started during an outage would hold its rows locked until
   * Redis came back (and `close()` would wait as long). Refuse at once instead.
   */
  const assertConnected = () => {
    if (connection.status === 'ready') return;
    throw new Error(`Redis is not available (connection ${connection.status})`);
  };
  /** Gives a connection that is still (re)connecting a moment, outside any transaction. */
  const settle = (ms: number) =>
    new Promise<void>((resolve) => {
      if (connection.status === 'ready' || connection.status === 'end') {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timeout);
        connection.off('ready', done);
        resolve();
      };
      const timeout = setTimeout(done, ms);
      connection.once('ready', done);
      if (connection.status === 'wait') connection.connect().catch(() => undefined);
    });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function relayOnce(): Promise<number> {
    await settle(1000);
    return dataSource.transaction(async (m) => {
      const rows: OutboxRow[] = await m.query(
        `SELECT id, queue, name, payload FROM outbox WHERE published_at IS NULL
          ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [batchSize],
      );
      const data =
        deps.jobData && rows.length > 0
          ? await deps.jobData(rows, m)
          : new Map<string, Record<string, unknown>>();
      const published: string[] = [];
      let failure: Error | undefined;
      // Consecutive rows of one queue go in one addBulk (one round trip, one MULTI); the order of
      // the outbox is kept across queues.
      const runs: (typeof rows)[] = [];
      for (const row of rows) {
        const last = runs.at(-1);
        if (last?.[0]?.queue === row.queue) last.push(row);
        else runs.push([row]);
      }
      for (const run of runs) {
        const queueName = run[0]?.queue ?? '';
        try {
          assertConnected();
          await queueFor(queueName).addBulk(
            run.map((row) => ({
              name: row.name,
              data: data.get(row.id) ?? row.payload,
              opts: {
                jobId: row.id,
                attempts: 8,
                backoff: { type: 'exponential', delay: 5000 },
                removeOnComplete: { age: 7 * 24 * 3600 },
                removeOnFail: false,
              },
            })),
          );
          published.push(...run.map((row) => row.id));
        } catch (err) {
          failure = err instanceof Error ? err : new Error(String(err));
          dropQueue(queueName);
          break; // Redis is likely down: keep the order, try again on the next pass
        }
      }
      if (published.length > 0) {
        await m.query(
          'UPDATE outbox SET published_at = now(), attempts = attempts + 1 WHERE id = ANY($1::uuid[])',
          [published],
        );
      }
      if (failure) {
        // Every row the failure held back records it, so no pending row looks merely forgotten.
        await m.query(
          'UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::uuid[])',
          [rows.slice(published.length).map((r) => r.id), failure.message.slice(0, 500)],
        );
        deps.onError?.(failure);
      }
      return published.length;
    });
  }

  const tick = () => {
    if (stopped) return;
    let full = false;
    running = relayOnce()
      .then((n) => {
        full = n >= batchSize;
      })
      .catch((err: unknown) => deps.onError?.(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        // A full batch means a backlog: go on at once; otherwise wait for new rows.
        if (!stopped) timer = setTimeout(tick, full ? 0 : (deps.intervalMs ?? 500));
      });
  };

  return {
    relayOnce,
    start: tick,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}
