import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { QueryFailedError, type DataSource } from 'typeorm';
import type { Actor, AuditService } from '../audit/audit.service';
import type { Role } from '../auth/roles';
import type { Config } from '../config';
import type { Clock } from '../shared/clock';
import { AppError } from '../shared/errors';
import { maskNik, type PiiCipher } from '../shared/pii';
import { decodeCursor, encodeCursor } from '../shared/schemas';
import {
  canonicalRow,
  cleanText,
  compactDigits,
  countBytes,
  HEADER_SNIFF_BYTES,
  isNik,
  isNip,
  isValidUserId,
  nameKeyOf,
  normaliseEmail,
  normalisePhone,
  readCsvRecords,
  scanCsv,
  sniffDelimiter,
  userIdKeyOf,
  validateRow,
  type RegistryRow,
  type RowError,
} from './registry-csv';
import { RegistryEntry } from './registry-entry.entity';
import { RegistryImport } from './registry-import.entity';
import {
  findRegistryEntries,
  upsertRegistryBatch,
  type RegistryCriterion,
  type RegistryUpsertRow,
} from './registry.repository';
import { spseRoles, type SpseRole } from './spse-roles';

/** Stored and returned per import; the count of bad rows is always exact. */
export const MAX_IMPORT_ERRORS = 1000;

/** Roles that see the full NIK (the SOP's validity check, step 9); each view is audited. */
export const nikUnmaskRoles: readonly Role[] = ['ADMIN_PPE', 'SUPERVISOR'];

export interface RegistryEntryView {
  id: string;
  userId: string;
  fullName: string;
  nikMasked: string;
  /** Only in `get` for a role in `nikUnmaskRoles`. */
  nik?: string;
  nip: string | null;
  spseRole: SpseRole;
  spseRoleLabel: string;
  agency: string;
  unit: string | null;
  email: string | null;
  phone: string | null;
  birthPlace: string | null;
  birthDate: string | null;
  skReference: string | null;
  source: string;
  createdAt: string;
  updatedAt: string;
}

export interface ImportReport {
  importId: string;
  totalRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  errorRows: number;
  /** At most MAX_IMPORT_ERRORS entries; `errorsTruncated` says when there were more. */
  errors: RowError[];
  errorsTruncated: boolean;
}

export interface ImportView {
  id: string;
  fileName: string;
  fileSha256: string;
  actorId: string | null;
  totalRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  errorRows: number;
  /** False while running, or when the import stopped on a database failure. */
  finished: boolean;
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportDetailView extends ImportView {
  errors: RowError[];
}

export interface RegistrySearchQuery {
  userId?: string;
  nip?: string;
  nik?: string;
  email?: string;
  phone?: string;
  namePrefix?: string;
  limit?: number;
  cursor?: string;
}

export type ImportPhase = 'check' | 'import';

export interface ImportOptions {
  fileName: string;
  actor: Actor;
  /**
   * Bytes read so far over both passes (the check, then the import), out of twice the file
   * size, so the figure only grows; `phase` says which pass is running.
   */
  onProgress?: (bytesRead: number, totalBytes: number, phase: ImportPhase) => void;
}

const criteriaKeys = ['userId', 'nip', 'nik', 'email', 'phone', 'namePrefix'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const invalid = (detail: string) => new AppError('VALIDATION_FAILED', { detail });

export function toEntryView(e: RegistryEntry): RegistryEntryView {
  return {
    id: e.id,
    userId: e.userId,
    fullName: e.fullName,
    nikMasked: e.nikMasked,
    nip: e.nip,
    spseRole: e.spseRole,
    spseRoleLabel: spseRoles[e.spseRole][0],
    agency: e.agency,
    unit: e.unit,
    email: e.email,
    phone: e.phone,
    birthPlace: e.birthPlace,
    birthDate: e.birthDate,
    skReference: e.skReference,
    source: e.source,
    createdAt: e.createdAt.toISOString(),
    updatedAt: e.updatedAt.toISOString(),
  };
}

function toImportView(i: RegistryImport): ImportView {
  return {
    id: i.id,
    fileName: i.fileName,
    fileSha256: i.fileSha256,
    actorId: i.actorId,
    totalRows: i.totalRows,
    inserted: i.insertedRows,
    updated: i.updatedRows,
    unchanged: i.unchangedRows,
    errorRows: i.errorRows,
    finished: i.finishedAt !== null,
    createdAt: i.createdAt.toISOString(),
    finishedAt: i.finishedAt?.toISOString() ?? null,
  };
}

/** A name safe to store and show: no directories, no control characters, bounded length. */
export function cleanFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  const cleaned = base
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(0, 255);
  return cleaned === '' ? 'upload.csv' : cleaned;
}

/**
 * A failed batch statement carries the whole batch as its parameters (names, emails, phones),
 * and the error handler logs what it is given; keep the database's message and code only.
 */
function withoutParameters(err: unknown): unknown {
  if (!(err instanceof QueryFailedError)) return err;
  const safe = new Error(`registry import batch failed: ${err.message}`) as Error & {
    code?: string;
  };
  const code = (err.driverError as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') safe.code = code;
  return safe;
}

async function readHead(filePath: string): Promise<Buffer> {
  const handle = await open(filePath, 'r');
  try {
    const buf = Buffer.alloc(HEADER_SNIFF_BYTES);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

export type RegistryService = ReturnType<typeof createRegistryService>;

/** The registry that the SOP's validity check compares a request against (DESIGN.md "The registry"). */
export function createRegistryService(deps: {
  dataSource: DataSource;
  pii: PiiCipher;
  audit: AuditService;
  clock: Clock;
  config: Pick<Config, 'REGISTRY_IMPORT_BATCH_SIZE'>;
}) {
  const { dataSource, pii, audit, clock, config } = deps;
  const entries = dataSource.getRepository(RegistryEntry);
  const imports = dataSource.getRepository(RegistryImport);

  const toUpsertRow = (row: RegistryRow, source: string): RegistryUpsertRow => ({
    id: randomUUID(),
    userId: row.userId,
    userIdKey: userIdKeyOf(row.userId),
    fullName: row.fullName,
    nameKey: nameKeyOf(row.fullName),
    nikEncrypted: pii.encrypt(row.nik),
    nikHash: pii.hash(row.nik),
    nikMasked: maskNik(row.nik),
    nip: row.nip,
    spseRole: row.spseRole,
    agency: row.agency,
    unit: row.unit,
    email: row.email,
    phone: row.phone,
    birthPlace: row.birthPlace,
    birthDate: row.birthDate,
    skReference: row.skReference,
    source,
    // Keyed, because the content includes the NIK; a plain hash of it could be brute-forced.
    contentHash: pii.hash(canonicalRow(row)),
  });

  function criterionOf(query: RegistrySearchQuery): RegistryCriterion {
    const given = criteriaKeys.filter((k) => query[k] !== undefined);
    const [key] = given;
    if (given.length !== 1 || key === undefined) {
      throw invalid(`give exactly one search criterion (${criteriaKeys.join(', ')})`);
    }
    const raw = (query[key] ?? '').trim();
    if (raw === '') throw invalid(`${key} must not be empty`);
    switch (key) {
      case 'userId':
        return { kind: 'userIdKey', value: userIdKeyOf(raw) };
      case 'nip': {
        const nip = compactDigits(raw);
        if (!isNip(nip)) throw invalid('nip must be exactly 18 digits');
        return { kind: 'nip', value: nip };
      }
      case 'nik': {
        const nik = compactDigits(raw);
        if (!isNik(nik)) throw invalid('nik must be exactly 16 digits');
        return { kind: 'nikHash', value: pii.hash(nik) };
      }
      case 'email': {
        const email = normaliseEmail(raw);
        if (email === null) throw invalid('email is not a valid email address');
        return { kind: 'email', value: email };
      }
      case 'phone': {
        const phone = normalisePhone(raw);
        if (phone === null) throw invalid('phone is not a valid Indonesian phone number');
        return { kind: 'phone', value: phone };
      }
      case 'namePrefix':
        return { kind: 'namePrefix', value: nameKeyOf(raw) };
    }
  }

  async function recordImportEnd(
    id: string,
    counts: {
      totalRows: number;
      inserted: number;
      updated: number;
      unchanged: number;
      errorRows: number;
    },
    errors: RowError[],
    actor: Actor,
    finished: boolean,
  ): Promise<void> {
    await dataSource.transaction(async (m) => {
      await m.update(RegistryImport, id, {
        totalRows: counts.totalRows,
        insertedRows: counts.inserted,
        updatedRows: counts.updated,
        unchangedRows: counts.unchanged,
        errorRows: counts.errorRows,
        errors,
        finishedAt: finished ? clock.now() : null,
      });
      await audit.record(
        actor,
        {
          action: 'registry.import',
          targetType: 'registry_import',
          targetId: id,
          details: { ...counts, outcome: finished ? 'completed' : 'failed' },
        },
        m,
      );
    });
  }

  return {
    /**
     * Imports a registry CSV in two passes. The first reads the whole file and checks its
     * encoding, header and that it has rows, so a file-level problem writes nothing. The second
     * validates each row and upserts the good ones in batches, each in its own transaction; a
     * database failure rolls back the batch at hand and is rethrown (earlier batches stay).
     */
    async importCsvFile(filePath: string, opts: ImportOptions): Promise<ImportReport> {
      const fileName = cleanFileName(opts.fileName);
      const { size } = await stat(filePath);
      const total = size * 2;
      const progress = opts.onProgress;
      progress?.(0, total, 'check');

      const delimiter = sniffDelimiter(await readHead(filePath));
      const scan = await scanCsv(createReadStream(filePath), delimiter, (bytes) =>
        progress?.(bytes, total, 'check'),
      );

      const now = clock.now();
      const importRow = await imports.save(
        imports.create({
          fileName,
          fileSha256: scan.sha256,
          actorId: opts.actor.id,
          totalRows: 0,
          insertedRows: 0,
          updatedRows: 0,
          unchangedRows: 0,
          errorRows: 0,
          errors: [],
          createdAt: now,
          finishedAt: null,
        }),
      );

      const source = `csv:${fileName}`.slice(0, 200);
      const today = now.toISOString().slice(0, 10);
      const batchSize = config.REGISTRY_IMPORT_BATCH_SIZE;
      const counts = { totalRows: 0, inserted: 0, updated: 0, unchanged: 0, errorRows: 0 };
      const errors: RowError[] = [];
      let errorsTruncated = false;
      // First line of each user ID (by its case-insensitive key): later rows are duplicates.
      const firstSeen = new Map<string, number>();
      let batch: RegistryUpsertRow[] = [];

      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        const r = await dataSource.transaction((m) => upsertRegistryBatch(m, rows, clock.now()));
        counts.inserted += r.inserted;
        counts.updated += r.updated;
        counts.unchanged += r.unchanged;
      };

      const input = countBytes(createReadStream(filePath), (bytes) =>
        progress?.(size + bytes, total, 'import'),
      );

      try {
        let headerSeen = false;
        for await (const record of readCsvRecords(input, delimiter)) {
          if (!headerSeen) {
            headerSeen = true;
            continue;
          }
          counts.totalRows++;
          const { row, errors: rowErrors } = validateRow(
            record.fields,
            scan.header,
            record.line,
            today,
          );

          // The first row with a user ID claims it even when the row is bad otherwise: the file
          // should not say two things about one account, and "first seen" points at the other.
          const userId = cleanText(record.fields[scan.header.columns.indexOf('user_id')]);
          if (isValidUserId(userId)) {
            const key = userIdKeyOf(userId);
            const first = firstSeen.get(key);
            if (first === undefined) firstSeen.set(key, record.line);
            else
              rowErrors.push({
                line: record.line,
                field: 'user_id',
                reason: `duplicate user_id, first seen on line ${first}`,
              });
          }

          if (rowErrors.length > 0 || !row) {
            counts.errorRows++;
            for (const e of rowErrors) {
              if (errors.length < MAX_IMPORT_ERRORS) errors.push(e);
              else errorsTruncated = true;
            }
            continue;
          }
          batch.push(toUpsertRow(row, source));
          if (batch.length >= batchSize) await flush();
        }
        await flush();
      } catch (err) {
        // Leave a trace of how far it got; the import stays unfinished. Never mask the cause.
        await recordImportEnd(importRow.id, counts, errors, opts.actor, false).catch(
          () => undefined,
        );
        throw withoutParameters(err);
      }

      await recordImportEnd(importRow.id, counts, errors, opts.actor, true);
      progress?.(total, total, 'import');
      return { importId: importRow.id, ...counts, errors, errorsTruncated };
    },

    async search(
      query: RegistrySearchQuery,
    ): Promise<{ items: RegistryEntryView[]; nextCursor: string | null }> {
      const criterion = criterionOf(query);
      const limit = Math.min(Math.max(Math.trunc(query.limit ?? 50), 1), 200);
      let after: { nameKey: string; id: string } | undefined;
      if (query.cursor !== undefined) {
        const parts = decodeCursor(query.cursor, 2);
        const [nameKey, id] = parts ?? [];
        if (nameKey === undefined || id === undefined || !UUID.test(id))
          throw invalid('cursor is not valid');
        after = { nameKey, id };
      }
      const rows = await findRegistryEntries(dataSource, criterion, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toEntryView),
        nextCursor: rows.length > limit && last ? encodeCursor([last.nameKey, last.id]) : null,
      };
    },

    /** The full NIK only for the roles that check requests against it; each such view is audited. */
    async get(id: string, viewer: { role: Role }, actor: Actor): Promise<RegistryEntryView> {
      if (!UUID.test(id)) throw new AppError('NOT_FOUND');
      const entry = await entries.findOne({ where: { id } });
      if (!entry) throw new AppError('NOT_FOUND');
      const view = toEntryView(entry);
      if (!nikUnmaskRoles.includes(viewer.role)) return view;
      // Audited before the NIK leaves the service: no record, no NIK.
      await audit.record(actor, {
        action: 'registry.nik.unmasked',
        targetType: 'registry_entry',
        targetId: entry.id,
      });
      return { ...view, nik: pii.decrypt(entry.nikEncrypted) };
    },

    async listImports(limit = 50): Promise<ImportView[]> {
      const take = Math.min(Math.max(Math.trunc(limit), 1), 200);
      // The error lists can be long; a listing does not need them.
      const rows = await imports.find({
        select: {
          id: true,
          fileName: true,
          fileSha256: true,
          actorId: true,
          totalRows: true,
          insertedRows: true,
          updatedRows: true,
          unchangedRows: true,
          errorRows: true,
          createdAt: true,
          finishedAt: true,
        },
        order: { createdAt: 'DESC', id: 'DESC' },
        take,
      });
      return rows.map(toImportView);
    },

    async getImport(id: string): Promise<ImportDetailView> {
      if (!UUID.test(id)) throw new AppError('NOT_FOUND');
      const row = await imports.findOne({ where: { id } });
      if (!row) throw new AppError('NOT_FOUND');
      return { ...toImportView(row), errors: row.errors };
    },
  };
}
