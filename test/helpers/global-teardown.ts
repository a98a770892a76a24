import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.LOKET_TEST_ADMIN_URL;
  const runId = process.env.LOKET_TEST_RUN_ID;
  if (adminUrl && runId) {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [`loket_tpl_${runId}`, `loket\\_t\\_${runId}\\_%`],
    );
    for (const { datname } of rows)
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await client.end();
  }
  const handles =
    (globalThis as { __loketTestHandles?: (() => Promise<void>)[] }).__loketTestHandles ?? [];
  for (const stop of handles.reverse()) await stop();
}
