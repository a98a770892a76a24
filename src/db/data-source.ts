import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { entities } from './entities';

/** Compiled and source migrations both match, so tsx scripts and the built server share this. */
const migrationsGlob = join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities,
    migrations: [migrationsGlob],
    migrationsTableName: 'migrations',
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    extra: { max: poolSize, application_name: 'loket' },
  });
}
