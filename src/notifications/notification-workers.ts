import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueNames, type JobPayloads } from '../jobs/queues';
import type { Mailer } from './mailer';
import { NoticeBusy, SendFailed, type Notifier, type SendQueues } from './notifier';

type NotifyJob = 'notify.requester' | 'notify.staff' | 'whatsapp.statuses';

export interface NotificationWorkers {
  queues: SendQueues & { notify: Queue; close(): Promise<void> };
  close(): Promise<void>;
}

/**
 * The notify fan-out (queue `notifications`) and the email sender (queue `email-send`). The
 * `whatsapp-outbound` queue is only filled here: the bot process sends those.
 */
export function startNotificationWorkers(deps: {
  notifier: Notifier;
  mailer: Mailer;
  connection: Redis;
  prefix: string;
  concurrency: number;
  lockSeconds: number;
  onError?: (message: string) => void;
}): NotificationWorkers {
  const { notifier, mailer, connection, prefix } = deps;
  // BullMQ never closes a connection it was given: keep the ones made here, and close them.
  const owned: Redis[] = [];
  const own = () => {
    const c = connection.duplicate();
    owned.push(c);
    return c;
  };
  const report = deps.onError ?? (() => undefined);
  const email = new Queue(queueNames.emailSend, { connection, prefix });
  const whatsapp = new Queue(queueNames.whatsappOutbound, { connection, prefix });
  const simulator = new Queue(queueNames.chatSimulatorOutbound, { connection, prefix });
  const notifyQueue = new Queue(queueNames.notifications, { connection, prefix });
  for (const q of [email, whatsapp, simulator, notifyQueue])
    q.on('error', (err) => {
      report(`queue: ${err.message}`);
    });
  const queues: NotificationWorkers['queues'] = {
    email,
    whatsapp,
    simulator,
    notify: notifyQueue,
    async close() {
      await email.close();
      await whatsapp.close();
      await simulator.close();
      await notifyQueue.close();
    },
  };
  const workerOptions = {
    prefix,
    lockDuration: deps.lockSeconds * 1000,
    stalledInterval: Math.max(1000, Math.floor((deps.lockSeconds * 1000) / 2)),
    // A job whose worker died goes back to wait; the delivery record decides whether to send.
    maxStalledCount: 10,
  };

  const notify = new Worker<JobPayloads[NotifyJob], unknown, NotifyJob>(
    queueNames.notifications,
    (job) => {
      if (!job.id) throw new UnrecoverableError('notify job without id');
      if (job.name === 'whatsapp.statuses') {
        const { eventId } = job.data as JobPayloads['whatsapp.statuses'];
        return notifier.applyWhatsAppStatuses(job.id, eventId);
      }
      return notifier.fanOut(
        job.id,
        job.name,
        job.data as JobPayloads['notify.requester' | 'notify.staff'],
        queues,
      );
    },
    { ...workerOptions, connection: own(), concurrency: deps.concurrency },
  );

  const send = new Worker<JobPayloads['email.send'], unknown, 'email.send'>(
    queueNames.emailSend,
    async (job: Job<JobPayloads['email.send'], unknown, 'email.send'>) => {
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      try {
        return await notifier.sendEmail(job.data.notificationId, mailer, finalAttempt);
      } catch (err) {
        if (err instanceof SendFailed && err.dead) throw new UnrecoverableError(err.message);
        if (err instanceof NoticeBusy && finalAttempt) {
          // Never dead for being busy: the sweeper queues it again once the lease lapses.
          return { outcome: 'busy' };
        }
        throw err;
      }
    },
    { ...workerOptions, connection: own(), concurrency: deps.concurrency },
  );

  for (const w of [notify, send]) {
    w.on('error', (err) => {
      report(`worker ${w.name}: ${err.message}`);
    });
    w.on('failed', (job, err) => {
      if (job) report(`${w.name} job ${job.id ?? '?'} attempt ${job.attemptsMade}: ${err.message}`);
    });
  }

  return {
    queues,
    async close() {
      await notify.close();
      await send.close();
      await queues.close();
      for (const c of owned) c.disconnect();
    },
  };
}
