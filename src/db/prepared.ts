import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/** A query by statement name: PostgreSQL parses and plans it once per connection. */
export type PreparedQuery = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;

/**
 * Named prepared statements on TypeORM's own pool, for the few statements that run once per
 * message (the notification hot path). Everything else goes through TypeORM. The text of a name
 * must never change within a process.
 */
export function preparedQuery(dataSource: DataSource): PreparedQuery {
  return async <T>(name: string, text: string, values: unknown[]) => {
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    const result = await pool.query({ name, text, values });
    return result.rows as T[];
  };
}
