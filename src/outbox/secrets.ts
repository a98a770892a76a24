import { LessThan, type DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import { OneTimeSecret } from './outbox.entity';

/** Deletes one-time secrets past their TTL, delivered or not: a temporary password never lingers. */
export async function purgeExpiredSecrets(dataSource: DataSource, clock: Clock): Promise<number> {
  const result = await dataSource
    .getRepository(OneTimeSecret)
    .delete({ expiresAt: LessThan(clock.now()) });
  return result.affected ?? 0;
}
