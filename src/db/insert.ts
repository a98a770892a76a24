import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * `manager.insert` with the values checked as `Partial<T>`. TypeORM's own insert type recurses
 * into jsonb columns typed as records and refuses them; this is the one place that bridges it.
 */
export async function insertRow<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  values: Partial<T>,
): Promise<void> {
  await manager.insert(target, values);
}
