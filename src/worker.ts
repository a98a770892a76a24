import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { LessThan } from 'typeorm';
import { RefreshToken } from './auth/refresh-token.entity';
import type { Container } from './container';
import { queueNames, type JobName, type JobPayloads } from './jobs/queues';
import { loadConfigOrExit, openRuntime } from './runtime';

export interface Workers {
  close(): Promise<void>;
}

/**
 * Starts the BullMQ workers. Today: session housekeeping (expired refresh tokens are deleted a day
 * after they expire). The outbox relay, notifications and intake join here.
 */
export async function startWorkers(container: Container, connection: Redis): Promise<Workers> {
  const prefix = `${container.config.REDIS_PREFIX}:bull`;
  const maintenance = new Queue<unknown, unknown, JobName>(queueNames.maintenance, {
    connection,
    prefix,
  });
  await maintenance.upsertJobScheduler(
    'auth.purge-sessions',
    { every: 60 * 60 * 1000 },
    { name: 'auth.purge-sessions', data: {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
  );
  const handlers: { [K in JobName]: (data: JobPayloads[K]) => Promise<unknown> } = {
    'auth.purge-sessions': async () => {
      const cutoff = new Date(container.clock.now().getTime() - 86_400_000);
      const result = await container.dataSource
        .getRepository(RefreshToken)
        .delete({ sessionExpiresAt: LessThan(cutoff) });
      return { deleted: result.affected ?? 0 };
    },
  };
  const worker = new Worker<JobPayloads[JobName], unknown, JobName>(
    queueNames.maintenance,
    (job) => handlers[job.name](job.data),
    { connection: connection.duplicate(), prefix, concurrency: 1 },
  );
  worker.on('error', (err) => {
    process.stderr.write(`worker error: ${err.message}\n`);
  });
  return {
    async close() {
      await worker.close();
      await maintenance.close();
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const runtime = await openRuntime(config, { startRedis: false, log });
  const workers = await startWorkers(runtime.container, runtime.redis);
  log('Loket workers started');
  const stop = async () => {
    await workers.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
