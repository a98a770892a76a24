import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { queueNames, type JobPayloads } from '../src/jobs/queues';
import { openMessageValues } from '../src/whatsapp/inbound-seal';
import type { LoketClient } from './loket-client';
import type { InboundHandler, InboundKind, InboundMessage } from './transport';

/**
 * The Cloud API's inbound half: the webhook route stores each signed payload with an outbox row
 * naming it; the relay hands it on as a `whatsapp.messages` job on `whatsapp-inbound` carrying the
 * messages sealed (src/whatsapp/inbound-seal.ts), so no message text or number rides in Redis in
 * clear. This consumer opens them with the key it asks the API for once (or, for a job without a
 * sealed body or one it cannot open, reads the stored messages through the BOT API), turns each
 * into an `InboundMessage` and hands it to the dispatcher, which dedupes by wamid. A job fails (and
 * BullMQ retries it) until every message of the payload was accepted.
 */

interface CloudContact {
  wa_id?: string;
  user_id?: string;
  profile?: { name?: string };
}

interface CloudMedia {
  id?: string;
  mime_type?: string;
  filename?: string;
  caption?: string;
  file_size?: number;
}

interface CloudMessage {
  id?: string;
  from?: string;
  from_user_id?: string;
  timestamp?: string;
  type?: string;
  text?: { body?: string };
  interactive?: {
    type?: string;
    list_reply?: { id?: string; title?: string };
    button_reply?: { id?: string; title?: string };
  };
  button?: { payload?: string; text?: string };
  image?: CloudMedia;
  document?: CloudMedia;
  audio?: CloudMedia;
  video?: CloudMedia;
  sticker?: CloudMedia;
}

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.length > 0 ? v : undefined;

/** Digits of a WhatsApp id that is a phone number (E.164 without '+'), else undefined. */
const phoneOf = (v: string | undefined) => (v && /^[0-9]{6,15}$/.test(v) ? v : undefined);

const mediaKinds = ['image', 'document', 'audio', 'video', 'sticker'] as const;

/**
 * Every message of the stored change values as an InboundMessage. The chat id is the sender's
 * phone (`from` / `wa_id`) when Meta gives it, else the business-scoped user id (`user_id`,
 * `ID.…`); reactions, system and order messages are skipped (nothing to answer).
 */
export function inboundFromCloudValues(
  values: readonly Record<string, unknown>[],
): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (const value of values) {
    const contacts = Array.isArray(value.contacts) ? (value.contacts as CloudContact[]) : [];
    const messages = Array.isArray(value.messages) ? (value.messages as CloudMessage[]) : [];
    for (const m of messages) {
      const id = str(m.id);
      if (!id) continue;
      const contact =
        contacts.find(
          (c) =>
            (m.from !== undefined && c.wa_id === m.from) ||
            (m.from_user_id !== undefined && c.user_id === m.from_user_id),
        ) ?? (contacts.length === 1 ? contacts[0] : undefined);
      const phone = phoneOf(str(m.from) ?? str(contact?.wa_id));
      const userId = str(m.from_user_id) ?? str(contact?.user_id);
      const chatId = phone ?? userId;
      if (!chatId) continue;
      const seconds = Number(m.timestamp);
      const base = {
        transport: 'cloud' as const,
        id,
        chatId,
        ...(phone ? { phone } : {}),
        ...(str(contact?.profile?.name) ? { profileName: str(contact?.profile?.name) } : {}),
        timestamp: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : Date.now(),
      };
      const type = str(m.type) ?? 'unsupported';
      let kind: InboundKind;
      let extra: Partial<InboundMessage> = {};
      if (type === 'text') {
        kind = 'text';
        extra = { text: m.text?.body ?? '' };
      } else if (type === 'interactive') {
        const reply = m.interactive?.list_reply ?? m.interactive?.button_reply;
        if (reply?.id) {
          kind = 'choice';
          extra = { choiceId: reply.id, ...(reply.title ? { text: reply.title } : {}) };
        } else kind = 'unsupported';
      } else if (type === 'button') {
        // A quick-reply button of a template message: its payload, or its text.
        if (m.button?.payload) {
          kind = 'choice';
          extra = { choiceId: m.button.payload, ...(m.button.text ? { text: m.button.text } : {}) };
        } else {
          kind = 'text';
          extra = { text: m.button?.text ?? '' };
        }
      } else if ((mediaKinds as readonly string[]).includes(type)) {
        kind = type as (typeof mediaKinds)[number];
        const media = m[type as (typeof mediaKinds)[number]];
        if (media?.id) {
          extra = {
            media: {
              ref: media.id,
              mimeType: media.mime_type ?? 'application/octet-stream',
              ...(media.filename ? { fileName: media.filename } : {}),
              ...(typeof media.file_size === 'number' ? { size: media.file_size } : {}),
            },
            ...(media.caption ? { text: media.caption } : {}),
          };
        }
      } else if (type === 'location' || type === 'contacts') {
        kind = type;
      } else if (
        type === 'reaction' ||
        type === 'system' ||
        type === 'order' ||
        type === 'request_welcome'
      ) {
        continue;
      } else kind = 'unsupported';
      out.push({ ...base, kind, ...extra });
    }
  }
  return out;
}

/** Consumes `whatsapp-inbound`: each job is one stored webhook. */
export function startCloudInbound(deps: {
  connection: Redis;
  /** BullMQ's prefix (`<REDIS_PREFIX>:bull`). */
  prefix: string;
  client: LoketClient;
  handler: InboundHandler;
  concurrency?: number;
  log?: (line: string) => void;
}): { close(): Promise<void> } {
  const log = deps.log ?? (() => undefined);
  // The sealing key, asked for once; again after a job it could not open with it (a rotated
  // key), once for all the jobs that found the same key wrong.
  let key: Promise<Buffer | null> | null = null;
  const fetchKey = () => {
    const p = deps.client.inboundKey().catch((err: unknown) => {
      log(`whatsapp-inbound: no sealing key (${(err as Error).message}); reading through the API`);
      if (key === p) key = null;
      return null;
    });
    key = p;
    return p;
  };
  async function valuesOf(data: JobPayloads['whatsapp.messages']) {
    if (data.sealed) {
      const used = key ?? fetchKey();
      const k = await used;
      const values = k ? openMessageValues(k, data.eventId, data.sealed) : null;
      if (values) return values;
      if (k) {
        const again = await (key === used ? fetchKey() : (key ?? fetchKey()));
        const retried = again ? openMessageValues(again, data.eventId, data.sealed) : null;
        if (retried) return retried;
      }
    }
    return (await deps.client.webhookMessages(data.eventId)).values;
  }
  const worker = new Worker<JobPayloads['whatsapp.messages'], unknown, 'whatsapp.messages'>(
    queueNames.whatsappInbound,
    async (job) => {
      const messages = inboundFromCloudValues(await valuesOf(job.data));
      // Each message is accepted (or found a repeat) before the job completes: a retry re-offers
      // all of them and the dispatcher's dedupe keeps each one once.
      for (const message of messages) await deps.handler(message);
      return { messages: messages.length };
    },
    { connection: deps.connection, prefix: deps.prefix, concurrency: deps.concurrency ?? 32 },
  );
  worker.on('error', (err) => {
    log(`whatsapp-inbound: ${err.message}`);
  });
  return worker;
}
