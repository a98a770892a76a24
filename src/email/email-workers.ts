import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Container } from '../container';
import { queueNames, type JobPayloads } from '../jobs/queues';
import { pollImapOnce } from './imap-poller';
import { createEmailIntake, type EmailIntake, type StoreResult } from './intake';
import { startSmtpIntake, type SmtpIntake } from './smtp-intake';

export type IntakeMode = 'off' | 'smtp' | 'imap' | 'both';

/** EMAIL_INTAKE, or its default: the SMTP listener on 127.0.0.1 in development, else off. */
export function intakeMode(config: Pick<Config, 'EMAIL_INTAKE' | 'NODE_ENV'>): IntakeMode {
  return config.EMAIL_INTAKE ?? (config.NODE_ENV === 'development' ? 'smtp' : 'off');
}

export interface EmailIntakeWorkers {
  intake: EmailIntake;
  smtp: SmtpIntake | null;
  /** Queues every stored mail waiting longer than `olderThanMs` (what the periodic sweep does). */
  sweep(olderThanMs?: number): Promise<number>;
  close(): Promise<void>;
}

type IntakeJob = 'inbound-email.process' | 'inbound-email.poll';

/** SMTP mails held in memory waiting to be processed in this process, beyond those running. */
const HELD_MAX_MAILS = 200;
const HELD_MAX_BYTES = 64 * 1024 * 1024;

/**
 * The email intake in the worker process: the SMTP listener and/or the IMAP poll (a BullMQ job
 * scheduler), the `inbound-email` worker, and a sweeper that queues stored mail whose job never
 * reached Redis (it was down, or lost its data): the stored row is the source of truth.
 */
export async function startEmailIntake(deps: {
  container: Container;
  connection: Redis;
  prefix: string;
  log: (message: string) => void;
  /** Milliseconds a stored mail waits before the sweeper queues it again. */
  sweepAfterMs?: number;
  sweepEveryMs?: number;
  /** Overrides SMTP_INTAKE_PORT (tests: 0 for a free port). */
  smtpPort?: number;
}): Promise<EmailIntakeWorkers | null> {
  const { container, connection, prefix } = deps;
  const { config } = container;
  const mode = intakeMode(config);
  if (mode === 'off') return null;
  // Every outcome is one line of ids and reason codes (never an address or text), at info.
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
  const log = (level: 'info' | 'warn' | 'error', message: string) => {
    if (levels.indexOf(level) <= levels.indexOf(config.LOG_LEVEL))
      deps.log(`email intake: ${level}: ${message}`);
  };
  const intake = createEmailIntake({
    dataSource: container.dataSource,
    storage: container.storage,
    tickets: container.tickets,
    pii: container.secrets.pii,
    clock: container.clock,
    config,
    log,
  });
  // Fails fast when Redis is down: the mail is stored already, and the sweeper queues it later.
  const queueConnection = connection.duplicate({
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 5000,
  });
  queueConnection.on('error', () => undefined);
  const queue = new Queue<JobPayloads[IntakeJob], unknown, IntakeJob>(queueNames.inboundEmail, {
    connection: queueConnection,
    prefix,
  });
  queue.on('error', (err) => {
    log('warn', `queue: ${err.message}`);
  });
  const attempts = 5;
  const enqueue = async (id: string, jobId: string) => {
    // BullMQ would wait for a connection without limit; a down Redis is the sweeper's case.
    if (queueConnection.status !== 'ready') throw new Error('Redis is not available');
    await queue.add(
      'inbound-email.process',
      { inboundEmailId: id },
      {
        jobId,
        attempts,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: 1000,
        removeOnFail: 5000,
      },
    );
  };
  const queueStored = (stored: StoreResult) =>
    enqueue(stored.id, stored.jobId).catch((err: unknown) => {
      log(
        'warn',
        `inbound ${stored.id} stored, not queued yet (${err instanceof Error ? err.message : 'error'}); the sweeper will`,
      );
    });
  const onStored = (stored: StoreResult) => {
    void queueStored(stored);
  };

  // A mail the SMTP listener just stored is processed here, from the raw it still holds: no queue
  // round trip, no reading the file back. At most EMAIL_INTAKE_CONCURRENCY at once; a few wait
  // (HELD_MAX_MAILS, HELD_MAX_BYTES); beyond that, while closing, or when processing fails, the mail
  // goes to the queue as any other (the job reads it back, retries with backoff, records FAILED).
  // A crash loses nothing: the row stays RECEIVED and the sweeper queues it.
  const held: { stored: StoreResult; raw: Buffer }[] = [];
  const running = new Set<Promise<void>>();
  let heldBytes = 0;
  let closing = false;
  const runHeld = () => {
    while (!closing && running.size < config.EMAIL_INTAKE_CONCURRENCY) {
      const next = held.shift();
      if (!next) return;
      const { stored, raw } = next;
      const run = intake
        .process(stored.id, { raw, senderHash: stored.senderHash ?? null })
        .then(
          () => undefined,
          (err: unknown) => {
            log(
              'warn',
              `inbound ${stored.id}: ${err instanceof Error ? err.name : 'error'}; queued`,
            );
            return queueStored(stored);
          },
        )
        .finally(() => {
          heldBytes -= raw.length;
          running.delete(run);
          runHeld();
        });
      running.add(run);
    }
  };
  const onSmtpStored = (stored: StoreResult, raw: Buffer) => {
    if (closing || held.length >= HELD_MAX_MAILS || heldBytes + raw.length > HELD_MAX_BYTES) {
      onStored(stored);
      return;
    }
    heldBytes += raw.length;
    held.push({ stored, raw });
    runHeld();
  };

  const workerConnection = connection.duplicate();
  const worker = new Worker<JobPayloads[IntakeJob], unknown, IntakeJob>(
    queueNames.inboundEmail,
    async (job) => {
      if (job.name === 'inbound-email.poll') {
        return pollImapOnce({ intake, dataSource: container.dataSource, config, onStored, log });
      }
      const { inboundEmailId } = job.data as JobPayloads['inbound-email.process'];
      return intake.process(inboundEmailId);
    },
    {
      connection: workerConnection,
      prefix,
      concurrency: config.EMAIL_INTAKE_CONCURRENCY,
      lockDuration: config.WORKER_LOCK_SECONDS * 1000,
    },
  );
  worker.on('error', (err) => {
    log('error', `worker: ${err.message}`);
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    log('warn', `${job.name} ${job.id ?? ''} failed: ${err.name}`);
    if (job.name !== 'inbound-email.process' || job.attemptsMade < attempts) return;
    // Out of attempts: recorded as FAILED (the raw mail is kept) instead of retried for ever.
    const { inboundEmailId } = job.data as JobPayloads['inbound-email.process'];
    container.dataSource
      .query(
        `UPDATE inbound_emails SET status = 'FAILED', detail = $2, attempts = attempts + $3,
           processed_at = clock_timestamp() WHERE id = $1 AND status = 'RECEIVED'`,
        [inboundEmailId, `error: ${err.name}`.slice(0, 200), job.attemptsMade],
      )
      .catch(() => undefined);
  });

  if (mode === 'imap' || mode === 'both') {
    await queue.upsertJobScheduler(
      'inbound-email.poll',
      { every: config.IMAP_POLL_SECONDS * 1000 },
      { name: 'inbound-email.poll', data: {}, opts: { removeOnComplete: 50, removeOnFail: 200 } },
    );
  } else {
    await queue.removeJobScheduler('inbound-email.poll').catch(() => undefined);
  }

  const sweep = async (olderThanMs = deps.sweepAfterMs ?? 60_000) => {
    const pending = await intake.pending(olderThanMs);
    let queued = 0;
    for (const p of pending) {
      try {
        // The same job id: a job that is still waiting is not added twice.
        await enqueue(p.id, p.jobId);
        queued++;
      } catch {
        break; // Redis still down; next time
      }
    }
    return queued;
  };
  const timer = setInterval(() => {
    sweep().catch((err: unknown) => {
      log('warn', `sweep: ${err instanceof Error ? err.message : 'error'}`);
    });
  }, deps.sweepEveryMs ?? 30_000);
  timer.unref();

  const closeAll = async () => {
    clearInterval(timer);
    // Mails still waiting go to the queue; those being processed finish first.
    closing = true;
    await Promise.all([...held.splice(0).map(({ stored }) => queueStored(stored)), ...running]);
    await worker.close();
    workerConnection.disconnect();
    await queue.close();
    queueConnection.disconnect();
  };

  let smtp: SmtpIntake | null = null;
  if (mode === 'smtp' || mode === 'both') {
    try {
      smtp = await startSmtpIntake({
        intake,
        config,
        onStored: onSmtpStored,
        log,
        ...(deps.smtpPort !== undefined ? { port: deps.smtpPort } : {}),
      });
    } catch (err) {
      // E.g. the port is taken: nothing of the intake is left running.
      await closeAll();
      throw err;
    }
    deps.log(`email intake: SMTP listening on ${config.SMTP_INTAKE_HOST}:${String(smtp.port)}`);
  }

  return {
    intake,
    smtp,
    sweep,
    async close() {
      await smtp?.close();
      await closeAll();
    },
  };
}
