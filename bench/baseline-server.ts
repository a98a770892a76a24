import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { Pool } from 'pg';
import { rawOpenTicketsSql } from './tickets-data';
import { BENCH_APP_SECRET } from './webhook-secret';

/**
 * The raw baselines: plain Fastify + pg. POST /items: one validated INSERT ... RETURNING id per
 * request. GET /tickets: the raw keyset query for open tickets on Loket's own `tickets` table
 * (same WHERE and ORDER BY as the ticket list, the summary columns, the same base64url JSON
 * cursor), answered as `{ items, nextCursor }`. Loket's figures are reported as a ratio to these,
 * measured in the same run.
 */
interface TicketRow {
  id: string;
  code: string;
  type: string;
  channel: string;
  language: string;
  workflow_id: string;
  step: string;
  step_started_at: Date;
  step_due_at: Date | null;
  step_breached: boolean;
  assignee_id: string | null;
  version: number;
  requester_name: string;
  closed_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

async function main(): Promise<void> {
  const url = process.env.BENCH_DB_URL;
  if (!url) throw new Error('BENCH_DB_URL is required');
  const pool = new Pool({ connectionString: url, max: 10 });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_items (id bigserial PRIMARY KEY, name text NOT NULL)',
  );
  const app = Fastify({ logger: false });
  app.post(
    '/items',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          additionalProperties: false,
          properties: { name: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 200: { type: 'object', properties: { id: { type: 'string' } } } },
      },
    },
    async (request) => {
      const { name } = request.body as { name: string };
      const { rows } = await pool.query<{ id: string }>(
        'INSERT INTO bench_items (name) VALUES ($1) RETURNING id',
        [name],
      );
      return { id: rows[0]?.id ?? '' };
    },
  );
  const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
  const nullableString = { type: ['string', 'null'] };
  app.get(
    '/tickets',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            open: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 100 },
            cursor: { type: 'string', maxLength: 200 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              items: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    id: { type: 'string' },
                    code: { type: 'string' },
                    type: { type: 'string' },
                    channel: { type: 'string' },
                    language: { type: 'string' },
                    workflowId: { type: 'string' },
                    step: { type: 'string' },
                    stepStartedAt: { type: 'string' },
                    stepDueAt: nullableString,
                    stepBreached: { type: 'boolean' },
                    assigneeId: nullableString,
                    version: { type: 'integer' },
                    requesterName: { type: 'string' },
                    closedAt: nullableString,
                    createdAt: { type: 'string' },
                    updatedAt: { type: 'string' },
                  },
                },
              },
              nextCursor: nullableString,
            },
          },
          400: { type: 'object', properties: { error: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      const q = request.query as { limit?: number; cursor?: string };
      const limit = q.limit ?? 50;
      let after: unknown[] | null = null;
      if (q.cursor !== undefined) {
        try {
          after = JSON.parse(Buffer.from(q.cursor, 'base64url').toString('utf8')) as unknown[];
        } catch {
          after = null;
        }
        if (!Array.isArray(after) || after.length !== 2)
          return reply.status(400).send({ error: 'cursor is not valid' });
      }
      const { rows } = await pool.query<TicketRow>(
        rawOpenTicketsSql(after !== null),
        after ? [after[0], after[1], limit] : [limit],
      );
      const last = rows.at(-1);
      return {
        items: rows.map((r) => ({
          id: r.id,
          code: r.code,
          type: r.type,
          channel: r.channel,
          language: r.language,
          workflowId: r.workflow_id,
          step: r.step,
          stepStartedAt: r.step_started_at.toISOString(),
          stepDueAt: isoOrNull(r.step_due_at),
          stepBreached: r.step_breached,
          assigneeId: r.assignee_id,
          version: r.version,
          requesterName: r.requester_name,
          closedAt: isoOrNull(r.closed_at),
          createdAt: r.created_at.toISOString(),
          updatedAt: r.updated_at.toISOString(),
        })),
        nextCursor:
          rows.length === limit && last
            ? Buffer.from(JSON.stringify([last.created_at.toISOString(), last.id])).toString(
                'base64url',
              )
            : null,
      };
    },
  );
  // POST /webhook: what the WhatsApp webhook does at its least: HMAC-SHA256 of the raw body,
  // compared in constant time, then one INSERT of the parsed payload.
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_webhooks (id bigserial PRIMARY KEY, payload jsonb NOT NULL)',
  );
  await app.register((scope, _opts, done) => {
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, next) => {
      next(null, body);
    });
    scope.post('/webhook', async (request, reply) => {
      const raw = request.body as Buffer;
      const given = Buffer.from(String(request.headers['x-hub-signature-256'] ?? ''));
      const expected = Buffer.from(
        `sha256=${createHmac('sha256', BENCH_APP_SECRET).update(raw).digest('hex')}`,
      );
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return reply.status(401).send({ error: 'signature' });
      await pool.query('INSERT INTO bench_webhooks (payload) VALUES ($1)', [
        JSON.parse(raw.toString('utf8')) as unknown,
      ]);
      return { received: true };
    });
    done();
  });
  app.get('/health', () => ({ status: 'ok' }));
  await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}

void main();
