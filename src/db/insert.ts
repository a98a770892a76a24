import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { EntityMetadata } from 'typeorm/metadata/EntityMetadata';

/** The columns an INSERT names (as TypeORM's insert: no generated auto-increment id). */
const insertable = new WeakMap<EntityMetadata, ColumnMetadata[]>();
/** Statement texts by table and the columns given. */
const statements = new Map<string, string>();

/**
 * One row, from the entity's TypeORM metadata: the values prepared by the driver as
 * `manager.insert` prepares them (JSON, dates, transformers), a column given no value left to
 * its default, and the statement text cached per table and set of columns, so a row costs no
 * query builder. Nothing is returned or written back into `values`. The project has no entity
 * listeners or subscribers (an insert through here would not call them).
 *
 * `values` is checked as `Partial<T>`: TypeORM's own insert type recurses into jsonb columns
 * typed as records and refuses them; this is the one place that bridges it.
 */
export async function insertRow<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  values: Partial<T>,
): Promise<void> {
  const metadata = manager.connection.getMetadata(target);
  const { driver } = manager.connection;
  let columns = insertable.get(metadata);
  if (!columns) {
    columns = metadata.columns.filter(
      (c) => c.isInsert && !(c.isGenerated && c.generationStrategy === 'increment'),
    );
    insertable.set(metadata, columns);
  }
  const names: string[] = [];
  const params: unknown[] = [];
  for (const column of columns) {
    const raw: unknown = column.getEntityValue(values);
    if (typeof raw === 'function' || column.isDiscriminator || column.isVersion) {
      // An SQL expression, a discriminator or a version column: TypeORM's own insert.
      await manager.insert(target, values);
      return;
    }
    const value: unknown = driver.preparePersistentValue(raw, column);
    if (value === undefined) continue;
    names.push(column.databaseName);
    params.push(value);
  }
  const key = `${metadata.tablePath}(${names.join(',')})`;
  let text = statements.get(key);
  if (!text) {
    const table = metadata.tablePath
      .split('.')
      .map((part) => driver.escape(part))
      .join('.');
    text = `INSERT INTO ${table} (${names
      .map((n) => driver.escape(n))
      .join(', ')}) VALUES (${names.map((_, i) => `$${String(i + 1)}`).join(', ')})`;
    statements.set(key, text);
  }
  await manager.query(text, params);
}
