import { Queue, Worker, type RepeatOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { LessThan } from 'typeorm';
import { RefreshToken } from './auth/refresh-token.entity';
import type { Container } from './container';
import { maintenanceJobs, queueNames, type MaintenanceJob } from './jobs/queues';
import { purgeUnroutedEmails } from './email/inbound-retention';
import { sealedInboundJobs } from './whatsapp/inbound-jobs';
import { purgeWebhookEvents } from './whatsapp/webhook-retention';
import { runProcess } from './runtime';
import { createOutboxRelay } from './outbox/outbox-relay';
import { purgeExpiredSecrets } from './outbox/secrets';
import { purgeExpiredTickets, scanDeadlines } from './tickets/ticket-jobs';
import { createMailer } from './notifications/mailer';
import { startNotificationWorkers } from './notifications/notification-workers';
import { startEmailIntake, type EmailIntakeWorkers } from './email/email-workers';

export interface Workers {
  close(): Promise<void>;
  /** The email intake, when EMAIL_INTAKE started it. */
  emailIntake?: EmailIntakeWorkers | null;
}

/**
 * Starts the BullMQ workers: the outbox relay, the notification fan-out and email sender, the
 * deadline scanner, the archive retention and housekeeping. Intake joins here.
 */
export async function startWorkers(container: Container, connection: Redis): Promise<Workers> {
  const { config } = container;
  const prefix = `${config.REDIS_PREFIX}:bull`;
  const log = (message: string) => {
    if (config.LOG_LEVEL !== 'silent') process.stderr.write(`${message}\n`);
  };
  const mailer = createMailer(config);
  const notifications = startNotificationWorkers({
    notifier: container.notifier,
    mailer,
    connection,
    prefix,
    concurrency: config.NOTIFY_CONCURRENCY,
    lockSeconds: config.WORKER_LOCK_SECONDS,
    onError: (message) => {
      log(`notifications: ${message}`);
    },
  });
  const maintenance = new Queue<Record<string, never>, unknown, MaintenanceJob>(
    queueNames.maintenance,
    {
      connection,
      prefix,
    },
  );
  maintenance.on('error', (err) => {
    log(`maintenance queue: ${err.message}`);
  });
  // When each maintenance job runs; BullMQ keeps one scheduler per id across restarts and workers.
  const schedules: Record<MaintenanceJob, RepeatOptions> = {
    'tickets.scan-deadlines': { every: 30_000 },
    'secrets.purge-expired': { every: 5 * 60_000 },
    'auth.purge-sessions': { every: 60 * 60_000 },
    'tickets.purge-retention': { pattern: '0 30 1 * * *', tz: config.OFFICE_TIMEZONE },
    'notifications.sweep': {
      every: Math.min(60_000, Math.max(1000, config.NOTIFY_SWEEP_AFTER_SECONDS * 500)),
    },
    'whatsapp.purge-webhooks': { pattern: '0 45 1 * * *', tz: config.OFFICE_TIMEZONE },
    'email.purge-unrouted': { pattern: '0 50 1 * * *', tz: config.OFFICE_TIMEZONE },
  };
  const scheduleAll = async () => {
    for (const name of maintenanceJobs) {
      await maintenance.upsertJobScheduler(name, schedules[name], {
        name,
        data: {},
        opts: { removeOnComplete: 100, removeOnFail: 500 },
      });
    }
  };
  await scheduleAll();
  // A Redis that restarted without its data has no schedulers: put them back when it returns.
  const onReady = () => {
    scheduleAll().catch((err: unknown) => {
      log(`maintenance schedules: ${err instanceof Error ? err.message : String(err)}`);
    });
  };
  connection.on('ready', onReady);
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
    'notifications.sweep': () => container.notifier.sweep(notifications.queues),
    'whatsapp.purge-webhooks': () =>
      purgeWebhookEvents(
        container.dataSource,
        container.clock,
        config.WHATSAPP_WEBHOOK_RETENTION_DAYS,
      ),
    'email.purge-unrouted': () =>
      purgeUnroutedEmails(
        container.dataSource,
        container.storage,
        container.clock,
        config.EMAIL_UNROUTED_RETENTION_DAYS,
      ),
  };
  const workerConnection = connection.duplicate();
  const worker = new Worker<Record<string, never>, unknown, MaintenanceJob>(
    queueNames.maintenance,
    (job) => handlers[job.name](),
    {
      connection: workerConnection,
      prefix,
      concurrency: 1,
      lockDuration: config.WORKER_LOCK_SECONDS * 1000,
    },
  );
  worker.on('error', (err) => {
    log(`worker error: ${err.message}`);
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
    jobData: sealedInboundJobs(container.secrets.whatsappInboundKey),
    onError: (err) => {
      log(`outbox relay: ${err.message}`);
    },
  });
  relay.start();
  // Email intake (EMAIL_INTAKE): an explicit setting must start; the development default (an SMTP
  // listener on 127.0.0.1) only warns when, say, its port is taken by another instance.
  const emailIntake = await startEmailIntake({ container, connection, prefix, log }).catch(
    (err: unknown) => {
      if (config.EMAIL_INTAKE !== undefined) throw err;
      log(`email intake not started: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    },
  );
  return {
    emailIntake,
    async close() {
      await emailIntake?.close();
      connection.off('ready', onReady);
      await relay.close();
      relayConnection.disconnect();
      await worker.close();
      workerConnection.disconnect();
      await notifications.close();
      mailer.close();
      await maintenance.close();
    },
  };
}

if (require.main === module) runProcess('workers', (rt) => startWorkers(rt.container, rt.redis));
