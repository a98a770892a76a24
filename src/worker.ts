import { Queue, Worker, type RepeatOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { LessThan } from 'typeorm';
import { RefreshToken } from './auth/refresh-token.entity';
import type { Container } from './container';
import { maintenanceJobs, queueNames, type MaintenanceJob } from './jobs/queues';
import { runProcess } from './runtime';
import { createOutboxRelay } from './outbox/outbox-relay';
import { purgeExpiredSecrets } from './outbox/secrets';
import { purgeExpiredTickets, scanDeadlines } from './tickets/ticket-jobs';

export interface Workers {
  close(): Promise<void>;
}

/**
 * Starts the BullMQ workers. The outbox relay, the deadline scanner, the archive retention and
 * session housekeeping. Notifications and intake join here.
 */
export async function startWorkers(container: Container, connection: Redis): Promise<Workers> {
  const prefix = `${container.config.REDIS_PREFIX}:bull`;
  const maintenance = new Queue<Record<string, never>, unknown, MaintenanceJob>(
    queueNames.maintenance,
    {
      connection,
      prefix,
    },
  );
  // When each maintenance job runs; BullMQ keeps one scheduler per id across restarts and workers.
  const schedules: Record<MaintenanceJob, RepeatOptions> = {
    'tickets.scan-deadlines': { every: 30_000 },
    'secrets.purge-expired': { every: 5 * 60_000 },
    'auth.purge-sessions': { every: 60 * 60_000 },
    'tickets.purge-retention': { pattern: '0 30 1 * * *', tz: container.config.OFFICE_TIMEZONE },
  };
  for (const name of maintenanceJobs) {
    await maintenance.upsertJobScheduler(name, schedules[name], {
      name,
      data: {},
      opts: { removeOnComplete: 100, removeOnFail: 500 },
    });
  }
  const handlers: Record<MaintenanceJob, () => Promise<unknown>> = {
    'tickets.scan-deadlines': () => scanDeadlines(container.dataSource, container.clock),
    'secrets.purge-expired': () => purgeExpiredSecrets(container.dataSource, container.clock),
    'tickets.purge-retention': () =>
      purgeExpiredTickets(container.dataSource, container.storage, container.clock),
    'auth.purge-sessions': async () => {
      const cutoff = new Date(container.clock.now().getTime() - 86_400_000);
      const result = await container.dataSource
        .getRepository(RefreshToken)
        .delete({ sessionExpiresAt: LessThan(cutoff) });
      return { deleted: result.affected ?? 0 };
    },
  };
  const worker = new Worker<Record<string, never>, unknown, MaintenanceJob>(
    queueNames.maintenance,
    (job) => handlers[job.name](),
    { connection: connection.duplicate(), prefix, concurrency: 1 },
  );
  worker.on('error', (err) => {
    process.stderr.write(`worker error: ${err.message}\n`);
  });
  // The relay publishes with a connection that fails fast, so a Redis outage leaves rows pending.
  const relayConnection = connection.duplicate({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // A silently dropped network must not hang a publish (and its locked rows) for minutes.
    commandTimeout: 5000,
  });
  relayConnection.on('error', () => undefined);
  const relay = createOutboxRelay({
    dataSource: container.dataSource,
    connection: relayConnection,
    prefix,
    onError: (err) => {
      process.stderr.write(`outbox relay: ${err.message}\n`);
    },
  });
  relay.start();
  return {
    async close() {
      await relay.close();
      relayConnection.disconnect();
      await worker.close();
      await maintenance.close();
    },
  };
}

if (require.main === module) runProcess('workers', (rt) => startWorkers(rt.container, rt.redis));
