import { createHmac } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { queueNames } from '../jobs/queues';
import { preparedQuery } from '../db/prepared';
import { constantTimeEqual } from '../shared/constant-time';
import { AppError } from '../shared/errors';
import { errorResponses } from '../shared/schemas';

/** `sha256=<hex>` of the raw body with the app secret, as Meta signs it. */
export function webhookSignature(appSecret: string, raw: Buffer): string {
  return `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
}

interface CloudWebhook {
  object?: unknown;
  entry?: { changes?: { value?: { messages?: unknown[]; statuses?: unknown[] } }[] }[];
}

const count = (payload: CloudWebhook, key: 'messages' | 'statuses') =>
  (payload.entry ?? []).reduce(
    (n, e) => n + (e.changes ?? []).reduce((m, c) => m + (c.value?.[key]?.length ?? 0), 0),
    0,
  );

/**
 * The WhatsApp Cloud API webhook. GET answers Meta's subscription handshake; POST checks
 * X-Hub-Signature-256 on the exact raw bytes before anything else, stores the payload and
 * queues its parts (statuses for the delivery records, messages for the bot) in one
 * transaction, and answers 200 at once. Public routes: the signature is the authentication.
 */
const STORE_NAME = 'whatsapp_webhook_store';
/**
 * The payload and its outbox rows (`whatsapp.statuses` for the notify worker, `whatsapp.messages`
 * for the bot, each only when the payload has some) in one statement: a data-modifying CTE always
 * runs, and one statement is one transaction.
 */
const STORE_SQL = `
  WITH event AS (
    INSERT INTO whatsapp_webhook_events (payload, messages, statuses)
    VALUES ($1::jsonb, $2, $3) RETURNING id
  ), parts (queue, name, n) AS (
    VALUES ($4::varchar, 'whatsapp.statuses'::varchar, $3::int),
           ($5::varchar, 'whatsapp.messages'::varchar, $2::int)
  )
  INSERT INTO outbox (queue, name, payload, created_at)
  SELECT parts.queue, parts.name, jsonb_build_object('eventId', event.id), clock_timestamp()
    FROM event CROSS JOIN parts
   WHERE parts.n > 0`;

export const whatsappWebhookRoutes: FastifyPluginAsyncTypebox<{
  dataSource: DataSource;
  config: Config;
}> = async (app, { dataSource, config }) => {
  const prepared = preparedQuery(dataSource);
  // Only here: the raw bytes, because re-serialised JSON would not match the signature.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: 1_048_576 },
    (_request, body, done) => {
      done(null, body);
    },
  );

  app.get(
    '/webhooks/whatsapp',
    {
      config: { access: 'public' },
      schema: {
        tags: ['whatsapp'],
        summary: "Meta's webhook subscription handshake",
        querystring: Type.Object({
          'hub.mode': Type.Optional(Type.String({ maxLength: 50 })),
          'hub.verify_token': Type.Optional(Type.String({ maxLength: 500 })),
          'hub.challenge': Type.Optional(Type.String({ maxLength: 500 })),
        }),
        response: { 200: Type.String(), ...errorResponses() },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const expected = config.WHATSAPP_CLOUD_VERIFY_TOKEN;
      if (
        !expected ||
        q['hub.mode'] !== 'subscribe' ||
        !constantTimeEqual(q['hub.verify_token'] ?? '', expected)
      ) {
        throw new AppError('FORBIDDEN');
      }
      void reply.type('text/plain');
      return q['hub.challenge'] ?? '';
    },
  );

  app.post(
    '/webhooks/whatsapp',
    {
      config: { access: 'public' },
      schema: {
        tags: ['whatsapp'],
        summary: 'Cloud API notifications (messages and statuses), signed by Meta',
        response: {
          200: Type.Object({ received: Type.Boolean() }),
          ...errorResponses(503),
        },
      },
    },
    async (request) => {
      const secret = config.WHATSAPP_CLOUD_APP_SECRET;
      if (!secret) throw new AppError('SERVICE_UNAVAILABLE');
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const given = request.headers['x-hub-signature-256'];
      if (typeof given !== 'string' || !constantTimeEqual(given, webhookSignature(secret, raw))) {
        request.log.warn('whatsapp webhook with a missing or wrong signature');
        throw new AppError('WEBHOOK_SIGNATURE_INVALID');
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new AppError('MALFORMED_JSON');
      }
      const payload = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as CloudWebhook;
      if (payload.object !== 'whatsapp_business_account') {
        return { received: false }; // not ours to act on; 200 so Meta does not retry it
      }
      const messages = count(payload, 'messages');
      const statuses = count(payload, 'statuses');
      // One statement, so one round trip and atomic: the exact bytes Meta signed, stored as
      // jsonb, and the outbox rows that name it (ids only).
      await prepared(STORE_NAME, STORE_SQL, [
        raw.toString('utf8'),
        messages,
        statuses,
        queueNames.notifications,
        queueNames.whatsappInbound,
      ]);
      return { received: true };
    },
  );
};
