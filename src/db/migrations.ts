import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';

export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const applied = await dataSource.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

export interface SchemaDiff {
  up: string[];
  down: string[];
}

/** Applies every migration to the (empty) database at `url`, then asks TypeORM what still differs from the entities. */
export async function diffEntitiesAgainstMigrations(url: string): Promise<SchemaDiff> {
  const ds = createDataSource(url, 2);
  await ds.initialize();
  try {
    await runMigrations(ds);
    const sql = await ds.driver.createSchemaBuilder().log();
    return {
      up: sql.upQueries.map((q) => q.query),
      down: sql.downQueries.map((q) => q.query).reverse(),
    };
  } finally {
    await ds.destroy();
  }
}

const toLiteral = (q: string) =>
  `\`${q.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;

export function writeMigration(
  dir: string,
  name: string,
  diff: SchemaDiff,
  now = Date.now(),
): string {
  if (!/^[A-Z][A-Za-z0-9]*$/.test(name))
    throw new Error('migration name must be PascalCase, e.g. AddTickets');
  const className = `${name}${now}`;
  const file = join(dir, `${now}-${name}.ts`);
  const body = (qs: string[]) =>
    qs.map((q) => `    await queryRunner.query(${toLiteral(q)});`).join('\n');
  writeFileSync(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${body(diff.up)}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${body(diff.down)}
  }
}
`,
  );
  return file;
}
