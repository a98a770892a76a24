import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.LOKET_TEST_ADMIN_URL;
  if (adminUrl) {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'loket\\_tpl\\_%' OR datname LIKE 'loket\\_t\\_%'`,
    );
    for (const { datname } of rows)
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await client.end();
  }
  const handles =
    (globalThis as { __loketTestHandles?: (() => Promise<void>)[] }).__loketTestHandles ?? [];
  for (const stop of handles.reverse()) await stop();
}
