import { createDataSource } from '../../src/db/data-source';
import { diffEntitiesAgainstMigrations, runMigrations } from '../../src/db/migrations';
import { createDatabase, dropDatabase } from '../../src/db/scratch';
import { testDatabaseName } from '../helpers/test-app';

const adminUrl = () => process.env.LOKET_TEST_ADMIN_URL ?? '';

describe('migrations', () => {
  test('the committed migrations build exactly the schema the entities describe', async () => {
    const name = testDatabaseName();
    const url = await createDatabase(adminUrl(), name);
    try {
      const diff = await diffEntitiesAgainstMigrations(url);
      expect(diff.up).toEqual([]);
    } finally {
      await dropDatabase(adminUrl(), name);
    }
  });

  test('the check notices a schema that differs from the entities', async () => {
    const name = testDatabaseName();
    const url = await createDatabase(adminUrl(), name);
    const ds = createDataSource(url, 1);
    try {
      await ds.initialize();
      await runMigrations(ds);
      await ds.query('DROP INDEX ix_registry_entries_phone');
      await ds.query('ALTER TABLE staff_users DROP COLUMN last_login_at');
      const queries = (await ds.driver.createSchemaBuilder().log()).upQueries
        .map((q) => q.query)
        .join('\n');
      expect(queries).toContain('ix_registry_entries_phone');
      expect(queries).toContain('last_login_at');
    } finally {
      await ds.destroy();
      await dropDatabase(adminUrl(), name);
    }
  });
});
