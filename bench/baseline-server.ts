import Fastify from 'fastify';
import { Pool } from 'pg';

/**
 * The raw baseline: plain Fastify + pg, one validated INSERT ... RETURNING id per request.
 * Loket's figures are reported as a ratio to this, measured in the same run.
 */
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
