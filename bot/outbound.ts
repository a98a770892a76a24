import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueNames, type JobPayloads } from '../src/jobs/queues';
import type { LoketClient } from './loket-client';
import { TransportError, type OutboundTransport } from './transport';

/**
 * Whether the requester wrote to us in the last 24 hours (the Cloud API's customer-service
 * window): then free text may go; otherwise only the approved template.
 */
export interface CustomerWindow {
  isOpen(to: string): Promise<boolean>;
}

/** The window as the inbound side records it: a Redis key per chat with a 24-hour TTL. */
export function redisCustomerWindow(redis: Redis, prefix: string): CustomerWindow {
  return {
    async isOpen(to) {
      return (await redis.exists(`${prefix}:wa:window:${to}`)) === 1;
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The only consumer of `whatsapp-outbound`: claims each notice from Loket's API (recipient,
 * text, approved template), sends it through the transport and reports the outcome. The job
 * holds only ids; the text and the number exist in this process only while it sends.
 */
export function startOutbound(deps: {
  connection: Redis;
  prefix: string;
  client: LoketClient;
  transport: OutboundTransport;
  window: CustomerWindow;
  concurrency?: number;
  /** whatsapp-outbound (default), or chat-simulator-outbound for the simulator's chats. */
  queueName?: typeof queueNames.whatsappOutbound | typeof queueNames.chatSimulatorOutbound;
  log?: (line: string) => void;
}): { close(): Promise<void> } {
  const { client, transport, window } = deps;
  const log = deps.log ?? (() => undefined);
  /** A report to Loket, tried a few times with backoff (the API may be restarting). */
  const report = async (id: string, body: Parameters<LoketClient['reportNotice']>[1]) => {
    for (let i = 0; ; i++) {
      try {
        return await client.reportNotice(id, body);
      } catch (err) {
        if (i >= 4) throw err;
        await sleep(250 * 2 ** i);
      }
    }
  };
  const worker = new Worker<JobPayloads['whatsapp.send'], unknown, 'whatsapp.send'>(
    deps.queueName ?? queueNames.whatsappOutbound,
    async (job) => {
      const id = job.data.notificationId;
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const claim = await client.claimNotice(id);
      if (!claim.claimed) return { skipped: claim.status };
      if (claim.uncertain) {
        log(`notification ${id}: the previous attempt stopped mid-send; sending again`);
      }
      let messageId: string;
      try {
        const open = await window.isOpen(claim.to);
        ({ messageId } =
          open || !claim.template
            ? await transport.sendText(claim.to, claim.text)
            : await transport.sendTemplate(claim.to, claim.template));
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        const dead = err.permanent || finalAttempt;
        // If the report cannot be made, the lease lapses and the sweeper queues the notice
        // again; the error stays unrecoverable here so this job does not resend meanwhile.
        await report(id, {
          ok: false,
          permanent: err.permanent,
          finalAttempt,
          code: err.code,
          detail: err.message,
          attempt: claim.attempt,
          uncertain: err.uncertain,
        }).catch(() => undefined);
        log(`notification ${id}: ${err.code}${dead ? ' (dead)' : ', will retry'}`);
        if (dead) throw new UnrecoverableError(err.code);
        throw new Error(err.code);
      }
      // Sent: record it now; a lost report means a (counted) resend later.
      await report(id, { ok: true, providerMessageId: messageId });
      return { sent: messageId };
    },
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency ?? 4,
    },
  );
  worker.on('error', (err) => {
    log(`whatsapp-outbound: ${err.message}`);
  });
  return worker;
}
