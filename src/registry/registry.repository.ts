import type { DataSource, EntityManager } from 'typeorm';
import { RegistryEntry } from './registry-entry.entity';
import type { SpseRole } from './spse-roles';

/** One row as the upsert writes it: already normalised, NIK sealed and hashed. */
export interface RegistryUpsertRow {
  id: string;
  userId: string;
  userIdKey: string;
  fullName: string;
  nameKey: string;
  nikEncrypted: string;
  nikHash: string;
  nikMasked: string;
  nip: string | null;
  spseRole: SpseRole;
  agency: string;
  unit: string | null;
  email: string | null;
  phone: string | null;
  birthPlace: string | null;
  birthDate: string | null;
  skReference: string | null;
  source: string;
  contentHash: string;
}

/** Column, SQL array type and row field, in INSERT order. */
const upsertColumns: readonly (readonly [string, string, keyof RegistryUpsertRow])[] = [
  ['id', 'uuid', 'id'],
  ['user_id', 'varchar', 'userId'],
  ['user_id_key', 'varchar', 'userIdKey'],
  ['full_name', 'varchar', 'fullName'],
  ['name_key', 'varchar', 'nameKey'],
  ['nik_encrypted', 'text', 'nikEncrypted'],
  ['nik_hash', 'varchar', 'nikHash'],
  ['nik_masked', 'varchar', 'nikMasked'],
  ['nip', 'varchar', 'nip'],
  ['spse_role', 'varchar', 'spseRole'],
  ['agency', 'varchar', 'agency'],
  ['unit', 'varchar', 'unit'],
  ['email', 'varchar', 'email'],
  ['phone', 'varchar', 'phone'],
  ['birth_place', 'varchar', 'birthPlace'],
  ['birth_date', 'date', 'birthDate'],
  ['sk_reference', 'varchar', 'skReference'],
  ['source', 'varchar', 'source'],
  ['content_hash', 'varchar', 'contentHash'],
];

/** Never overwritten by an import: the row's identity and its first appearance. */
const keptOnConflict = new Set(['id', 'user_id_key']);

const nowParam = upsertColumns.length + 1;
const upsertSql = `
INSERT INTO registry_entries (${upsertColumns.map(([c]) => c).join(', ')}, created_at, updated_at)
SELECT ${upsertColumns.map(([c]) => `u.${c}`).join(', ')}, $${nowParam}::timestamptz, $${nowParam}::timestamptz
FROM unnest(${upsertColumns.map(([, t], i) => `$${i + 1}::${t}[]`).join(', ')})
  AS u(${upsertColumns.map(([c]) => c).join(', ')})
ON CONFLICT (user_id_key) DO UPDATE SET
  ${upsertColumns
    .filter(([c]) => !keptOnConflict.has(c))
    .map(([c]) => `${c} = EXCLUDED.${c}`)
    .join(',\n  ')},
  updated_at = EXCLUDED.updated_at
WHERE registry_entries.content_hash IS DISTINCT FROM EXCLUDED.content_hash
RETURNING (xmax = 0) AS inserted`;

/**
 * Inserts or updates a batch in one statement. The rows travel as one array per column
 * (`unnest`), so the statement has a fixed number of parameters whatever the batch size (a
 * VALUES list would hit PostgreSQL's 65535-parameter limit at large batches). A row whose
 * content hash is unchanged is neither updated nor returned, so its `updated_at` stays put.
 * `user_id_key` must be unique within the batch (ON CONFLICT cannot touch a row twice).
 */
export async function upsertRegistryBatch(
  manager: EntityManager,
  rows: readonly RegistryUpsertRow[],
  now: Date,
): Promise<{ inserted: number; updated: number; unchanged: number }> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0 };
  // Key order makes concurrent imports lock rows in the same order, so they wait instead of deadlocking.
  const sorted = [...rows].sort((a, b) =>
    a.userIdKey < b.userIdKey ? -1 : a.userIdKey > b.userIdKey ? 1 : 0,
  );
  const params: unknown[] = upsertColumns.map(([, , field]) => sorted.map((r) => r[field]));
  params.push(now);
  const result = await manager.query<{ inserted: boolean }[]>(upsertSql, params);
  const inserted = result.filter((r) => r.inserted).length;
  const updated = result.length - inserted;
  return { inserted, updated, unchanged: rows.length - result.length };
}

export type RegistryCriterion =
  | { kind: 'userIdKey' | 'nip' | 'nikHash' | 'email' | 'phone'; value: string }
  | { kind: 'namePrefix'; value: string };

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Entries matching one criterion, in (name_key, id) order, after the keyset position `after`. */
export async function findRegistryEntries(
  dataSource: DataSource,
  criterion: RegistryCriterion,
  after: { nameKey: string; id: string } | undefined,
  limit: number,
): Promise<RegistryEntry[]> {
  const qb = dataSource.getRepository(RegistryEntry).createQueryBuilder('e');
  switch (criterion.kind) {
    case 'namePrefix':
      qb.where("e.nameKey LIKE :prefix ESCAPE '\\'", { prefix: `${escapeLike(criterion.value)}%` });
      break;
    case 'userIdKey':
    case 'nip':
    case 'nikHash':
    case 'email':
    case 'phone':
      qb.where(`e.${criterion.kind} = :value`, { value: criterion.value });
      break;
  }
  if (after) {
    qb.andWhere('(e.nameKey, e.id) > (:afterKey, CAST(:afterId AS uuid))', {
      afterKey: after.nameKey,
      afterId: after.id,
    });
  }
  return qb.orderBy('e.nameKey', 'ASC').addOrderBy('e.id', 'ASC').limit(limit).getMany();
}
