import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor } from '../../src/audit/audit.service';
import { createRegistryService, type ImportReport } from '../../src/registry/registry.service';
import { projectRoot } from '../../src/shared/paths';
import { createTestApp, type TestApp } from '../helpers/test-app';

const fixtures = join(projectRoot, 'test', 'fixtures', 'registry');
const fixture = (name: string) => readFileSync(join(fixtures, name));

interface ErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

interface EntryBody {
  id: string;
  userId: string;
  fullName: string;
  nikMasked: string;
  nik?: string;
  nip: string | null;
  spseRole: string;
  email: string | null;
  phone: string | null;
  birthDate: string | null;
  source: string;
  updatedAt: string;
}

interface SearchBody {
  items: EntryBody[];
  nextCursor: string | null;
}

const uploadsLeft = () => readdirSync(tmpdir()).filter((n) => n.startsWith('loket-registry-'));

describe('the registry', () => {
  let t: TestApp;
  let admin: string;
  let supervisor: string;
  let helpdesk: string;
  let auditor: string;
  let frontOffice: string;

  beforeAll(async () => {
    t = await createTestApp();
    [admin, supervisor, helpdesk, auditor, frontOffice] = await Promise.all([
      t.tokenFor('ADMIN_PPE'),
      t.tokenFor('SUPERVISOR'),
      t.tokenFor('HELPDESK'),
      t.tokenFor('AUDITOR'),
      t.tokenFor('FRONT_OFFICE'),
    ]);
  });
  afterAll(() => t.close());

  const upload = (
    token: string,
    data: Buffer | string,
    fileName = 'registrasi.csv',
    field = 'file',
  ) => {
    const form = new FormData();
    form.append(field, new Blob([data], { type: 'text/csv' }), fileName);
    return t.http<ImportReport & ErrorBody>('POST', '/api/registry/imports', { token, body: form });
  };
  const search = (token: string, criteria: Record<string, unknown>) =>
    t.http<SearchBody & ErrorBody>('POST', '/api/registry/search', { token, json: criteria });
  const sql = <T = Record<string, unknown>>(query: string, params: unknown[] = []) =>
    t.container.dataSource.query<T[]>(query, params);
  const count = async (table: 'registry_entries' | 'registry_imports') =>
    Number((await sql<{ n: string }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n);
  const entryId = async (userIdKey: string) =>
    (
      await sql<{ id: string }>('SELECT id FROM registry_entries WHERE user_id_key = $1', [
        userIdKey,
      ])
    )[0]?.id ?? '';

  describe('import', () => {
    test('a good file lands through the API and is reported and audited', async () => {
      const before = uploadsLeft();
      const res = await upload(admin, fixture('good.csv'), 'good.csv');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        totalRows: 10,
        inserted: 10,
        updated: 0,
        unchanged: 0,
        errorRows: 0,
        errors: [],
        errorsTruncated: false,
      });
      expect(await count('registry_entries')).toBe(10);
      expect(uploadsLeft()).toEqual(before);

      const [row] = await sql(
        `SELECT user_id, full_name, name_key, nip, spse_role, email, phone, birth_date::text AS birth_date, source
           FROM registry_entries WHERE user_id_key = 'budi.prasetyo'`,
      );
      expect(row).toEqual({
        user_id: 'budi.prasetyo',
        full_name: 'Budi Prasetyo',
        name_key: 'budi prasetyo',
        nip: null,
        spse_role: 'PP',
        email: 'budi.prasetyo@surabaya.go.id',
        phone: '+6281234567803',
        birth_date: '1991-07-15',
        source: 'csv:good.csv',
      });

      const [imp] = await sql(
        'SELECT file_name, file_sha256, total_rows, inserted_rows, finished_at FROM registry_imports WHERE id = $1',
        [res.body.importId],
      );
      expect(imp).toMatchObject({ file_name: 'good.csv', total_rows: 10, inserted_rows: 10 });
      expect(imp?.file_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(imp?.finished_at).toBeInstanceOf(Date);

      const [audit] = await sql<{ actor_type: string; details: Record<string, unknown> }>(
        `SELECT actor_type, details FROM audit_events WHERE action = 'registry.import' AND target_id = $1`,
        [res.body.importId],
      );
      expect(audit).toEqual({
        actor_type: 'STAFF',
        details: {
          totalRows: 10,
          inserted: 10,
          updated: 0,
          unchanged: 0,
          errorRows: 0,
          outcome: 'completed',
        },
      });
    });

    test('importing the same file again changes nothing', async () => {
      const before = await sql<{ id: string; updated_at: Date; nik_encrypted: string }>(
        'SELECT id, updated_at, nik_encrypted FROM registry_entries ORDER BY id',
      );
      const res = await upload(supervisor, fixture('good.csv'), 'good-lagi.csv');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        totalRows: 10,
        inserted: 0,
        updated: 0,
        unchanged: 10,
        errorRows: 0,
      });
      const after = await sql<{ id: string; updated_at: Date; nik_encrypted: string }>(
        'SELECT id, updated_at, nik_encrypted FROM registry_entries ORDER BY id',
      );
      expect(after).toEqual(before);
    });

    test('a changed row is updated and only that row', async () => {
      const changed = fixture('good.csv')
        .toString('utf8')
        .replace('agus.setiawan@balikpapan.go.id', 'agus.setiawan2@balikpapan.go.id');
      const before = await sql<{ user_id_key: string; updated_at: Date }>(
        'SELECT user_id_key, updated_at FROM registry_entries ORDER BY user_id_key',
      );
      const res = await upload(admin, changed, 'good-revisi.csv');
      expect(res.body).toMatchObject({ inserted: 0, updated: 1, unchanged: 9, errorRows: 0 });
      const after = await sql<{
        user_id_key: string;
        updated_at: Date;
        email: string;
        source: string;
      }>(
        'SELECT user_id_key, updated_at, email, source FROM registry_entries ORDER BY user_id_key',
      );
      for (const [i, row] of after.entries()) {
        const old = before[i];
        if (row.user_id_key === 'agus.setiawan') {
          expect(row.updated_at.getTime()).toBeGreaterThan(old?.updated_at.getTime() ?? Infinity);
          expect(row.email).toBe('agus.setiawan2@balikpapan.go.id');
          expect(row.source).toBe('csv:good-revisi.csv');
        } else {
          expect(row.updated_at).toEqual(old?.updated_at);
        }
      }
    });

    test('a file with bad rows imports the good ones and reports the rest by line, field and reason', async () => {
      const res = await upload(admin, fixture('bad-rows.csv'), 'bad-rows.csv');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        totalRows: 8,
        inserted: 3,
        updated: 0,
        unchanged: 0,
        errorRows: 5,
      });
      expect(res.body.errors).toEqual([
        { line: 3, field: 'nik', reason: 'must be exactly 16 digits' },
        { line: 4, field: 'email', reason: 'is not a valid email address' },
        { line: 4, field: 'phone', reason: 'is not a valid Indonesian phone number' },
        { line: 6, field: 'user_id', reason: 'duplicate user_id, first seen on line 2' },
        {
          line: 7,
          field: 'spse_role',
          reason: expect.stringMatching(/^is not a known SPSE role/) as unknown,
        },
        { line: 7, field: 'birth_date', reason: 'is not a real calendar date' },
        { line: 10, field: 'full_name', reason: 'is required' },
      ]);
      const keys = await sql<{ user_id_key: string; agency: string }>(
        `SELECT user_id_key, agency FROM registry_entries
          WHERE user_id_key IN ('rina.marlina', 'joko.susilo', 'hendra.gunawan', 'wahyu.nugroho', 'ratna.dewi', 'indra.kusuma', 'lina.marpaung')
          ORDER BY user_id_key`,
      );
      expect(keys).toEqual([
        {
          user_id_key: 'hendra.gunawan',
          agency: 'Badan Pengelolaan Keuangan dan Aset Daerah, Kabupaten Sleman',
        },
        { user_id_key: 'joko.susilo', agency: 'Dinas Pertanian Kabupaten Bantul' },
        { user_id_key: 'rina.marlina', agency: 'Dinas Perhubungan Kota Bandung' },
      ]);

      // The stored report says the same, and never carries a value from the file.
      const detail = await t.http<{ errors: unknown[]; errorRows: number; finished: boolean }>(
        'GET',
        `/api/registry/imports/${res.body.importId}`,
        { token: auditor },
      );
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({ errorRows: 5, finished: true, errors: res.body.errors });
      expect(JSON.stringify(detail.body)).not.toMatch(/327311470889001|ratna\.dewi@|Penyedia/);
    });

    test('a semicolon file with a BOM and CRLF line ends is read', async () => {
      const res = await upload(admin, fixture('semicolon-bom-crlf.csv'), 'kupang.csv');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ totalRows: 2, inserted: 2, errorRows: 0 });
      const rows = await sql<{
        user_id: string;
        spse_role: string;
        agency: string;
        phone: string | null;
      }>(
        `SELECT user_id, spse_role, agency, phone FROM registry_entries WHERE source = 'csv:kupang.csv' ORDER BY user_id`,
      );
      expect(rows).toEqual([
        {
          user_id: 'andi.pratama',
          spse_role: 'PPK',
          agency: 'Dinas PU, Kota Makassar',
          phone: null,
        },
        {
          user_id: 'maria.lopez',
          spse_role: 'POKJA',
          agency: 'LPSE Kota Kupang',
          phone: '+6281234567899',
        },
      ]);
    });

    describe('refuses the whole file, writing nothing', () => {
      let entries: number;
      let imports: number;
      beforeEach(async () => {
        entries = await count('registry_entries');
        imports = await count('registry_imports');
      });
      afterEach(async () => {
        expect(await count('registry_entries')).toBe(entries);
        expect(await count('registry_imports')).toBe(imports);
      });

      test('when it is not UTF-8 (a windows-1252 export)', async () => {
        const latin1 = Buffer.from(
          'user_id,full_name,nik,spse_role,agency\n' +
            'tono.s,Tono Sugiarto,3175061212780008,PPK,Dinas Perumahan\n' +
            'jose.r,José Ramos,3175061212780009,PPK,Dinas Perumahan\n',
          'latin1',
        );
        const res = await upload(admin, latin1);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('CSV_NOT_UTF8');
        expect(res.body.message).toContain('baris 3');
        const en = await t.http<ErrorBody>('POST', '/api/registry/imports', {
          token: admin,
          headers: { 'accept-language': 'en' },
          body: (() => {
            const f = new FormData();
            f.append('file', new Blob([latin1]), 'x.csv');
            return f;
          })(),
        });
        expect(en.body.message).toContain('around line 3');
      });

      test('when the header is wrong, naming the column', async () => {
        const res = await upload(admin, fixture('wrong-header.csv'));
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('CSV_BAD_HEADER');
        expect(res.body.message).toContain('full_name');
        expect(res.body.message).toContain('nama_lengkap');
        expect(res.body.details).toMatchObject({
          missing: ['full_name'],
          unknown: ['nama_lengkap'],
        });
      });

      test.each(['empty.csv', 'header-only.csv'])('when it has no rows (%s)', async (name) => {
        const res = await upload(admin, fixture(name));
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('CSV_EMPTY');
      });

      test('when no file is attached', async () => {
        const form = new FormData();
        form.append('note', 'lupa lampiran');
        const res = await t.http<ErrorBody>('POST', '/api/registry/imports', {
          token: admin,
          body: form,
        });
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('FILE_MISSING');
        const wrongField = await upload(admin, fixture('good.csv'), 'good.csv', 'berkas');
        expect(wrongField.status).toBe(400);
        expect(wrongField.body.code).toBe('FILE_MISSING');
      });

      test('when the body is not multipart', async () => {
        const res = await t.http<ErrorBody>('POST', '/api/registry/imports', {
          token: admin,
          json: { file: 'user_id,full_name' },
        });
        expect(res.status).toBe(415);
        expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      });

      test('when the caller may not import', async () => {
        for (const token of [helpdesk, auditor, frontOffice]) {
          const res = await upload(token, fixture('good.csv'));
          expect(res.status).toBe(403);
          expect(res.body.code).toBe('FORBIDDEN');
        }
      });
    });

    test('lists imports for auditors, newest first, and hides them from the helpdesk', async () => {
      const list = await t.http<{ fileName: string; finished: boolean; errors?: unknown }[]>(
        'GET',
        '/api/registry/imports?limit=2',
        { token: auditor },
      );
      expect(list.status).toBe(200);
      expect(list.body.map((i) => i.fileName)).toEqual(['kupang.csv', 'bad-rows.csv']);
      expect(list.body[0]).not.toHaveProperty('errors');
      expect((await t.http('GET', '/api/registry/imports', { token: helpdesk })).status).toBe(403);
      const missing = await t.http<ErrorBody>(
        'GET',
        '/api/registry/imports/00000000-0000-4000-8000-000000000000',
        {
          token: auditor,
        },
      );
      expect(missing.status).toBe(404);
    });
  });

  describe('NIK protection', () => {
    test('the NIK is stored encrypted, found by keyed hash, and masked for lists', async () => {
      const nik = '3273010101900002';
      const [row] = await sql<{
        nik_encrypted: string;
        nik_hash: string;
        nik_masked: string;
        content_hash: string;
      }>(
        `SELECT nik_encrypted, nik_hash, nik_masked, content_hash FROM registry_entries WHERE user_id_key = 'budi.santoso'`,
      );
      if (!row) throw new Error('row expected');
      const { pii } = t.container.secrets;
      expect(row.nik_encrypted).not.toContain(nik);
      expect(
        Buffer.from(row.nik_encrypted.split('.')[3] ?? '', 'base64url').toString('latin1'),
      ).not.toContain(nik);
      expect(pii.decrypt(row.nik_encrypted)).toBe(nik);
      expect(row.nik_hash).toBe(pii.hash(nik));
      expect(row.nik_masked).toBe('3273********0002');
      const [leak] = await sql<{ n: string }>(
        `SELECT count(*) AS n FROM registry_entries r WHERE r::text LIKE '%' || $1 || '%'`,
        [nik],
      );
      expect(leak?.n).toBe('0');
    });

    test('HELPDESK and AUDITOR see the mask; ADMIN_PPE and SUPERVISOR the NIK, audited', async () => {
      const id = await entryId('siti.rahayu');
      for (const token of [helpdesk, auditor]) {
        const res = await t.http<EntryBody>('GET', `/api/registry/entries/${id}`, { token });
        expect(res.status).toBe(200);
        expect(res.body.nikMasked).toBe('3171********0001');
        expect(res.body).not.toHaveProperty('nik');
        expect(JSON.stringify(res.body)).not.toContain('3171014501850001');
      }
      const auditsBefore = await sql<{ id: string }>(
        `SELECT id FROM audit_events WHERE action = 'registry.nik.unmasked' AND target_id = $1`,
        [id],
      );
      expect(auditsBefore).toHaveLength(0);

      for (const token of [admin, supervisor]) {
        const res = await t.http<EntryBody>('GET', `/api/registry/entries/${id}`, { token });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          nik: '3171014501850001',
          nikMasked: '3171********0001',
          fullName: 'Rahayu, Siti',
        });
      }
      const audits = await sql<{
        actor_type: string;
        actor_label: string;
        target_type: string;
        details: unknown;
      }>(
        `SELECT actor_type, actor_label, target_type, details FROM audit_events
          WHERE action = 'registry.nik.unmasked' AND target_id = $1 ORDER BY id`,
        [id],
      );
      expect(audits).toHaveLength(2);
      for (const a of audits) {
        expect(a).toMatchObject({ actor_type: 'STAFF', target_type: 'registry_entry' });
        expect(JSON.stringify(a.details)).not.toContain('3171014501850001');
      }
    });

    test('an unknown entry is NOT_FOUND; FRONT_OFFICE may not read entries', async () => {
      const res = await t.http<ErrorBody>(
        'GET',
        '/api/registry/entries/00000000-0000-4000-8000-000000000000',
        {
          token: helpdesk,
        },
      );
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('NOT_FOUND');
      const id = await entryId('siti.rahayu');
      expect(
        (await t.http('GET', `/api/registry/entries/${id}`, { token: frontOffice })).status,
      ).toBe(403);
    });
  });

  describe('search', () => {
    const only = async (criteria: Record<string, unknown>, token = helpdesk) => {
      const res = await search(token, criteria);
      expect(res.status).toBe(200);
      return res.body.items.map((i) => i.userId);
    };

    test('by each criterion, normalised like the import', async () => {
      expect(await only({ userId: 'BUDI.Santoso' })).toEqual(['budi.santoso']);
      expect(await only({ nip: '19870312 201001 1 004' })).toEqual(['budi.hartono']);
      expect(await only({ nik: '3471042208850001' })).toEqual(['budi.wijaya']);
      expect(await only({ email: 'Dewi.Kartika@BaliProv.go.id' })).toEqual(['dewi.kartika']);
      for (const phone of ['081234567809', '6281234567809', '+62 812-3456-7809']) {
        expect(await only({ phone })).toEqual(['putu.ayu']);
      }
      expect(await only({ namePrefix: '  NI putu ' })).toEqual(['putu.ayu']);
      expect(await only({ namePrefix: 'tidak ada' })).toEqual([]);
    });

    test('treats % and _ in a name prefix literally', async () => {
      expect(await only({ namePrefix: '%' })).toEqual([]);
      expect(await only({ namePrefix: 'b_di' })).toEqual([]);
    });

    test('pages through results by name with an opaque cursor', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Awaited<ReturnType<typeof search>> = await search(auditor, {
          namePrefix: 'budi',
          limit: 2,
          ...(cursor ? { cursor } : {}),
        });
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        for (const item of res.body.items) {
          expect(item).not.toHaveProperty('nik');
          expect(item.nikMasked).toMatch(/^\d{4}\*{8}\d{4}$/);
        }
        seen.push(...res.body.items.map((i) => i.fullName));
        cursor = res.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([
        'Budi Hartono',
        'Budi Prasetyo',
        'Budi Santoso',
        'Budi Wijaya',
        'Budiarti Lestari',
      ]);
    });

    test('needs exactly one valid criterion and a valid cursor', async () => {
      for (const body of [
        {},
        { userId: 'budi.santoso', nik: '3273010101900002' },
        { nik: '3273' },
        { nip: '1234' },
        { phone: '12' },
        { email: 'bukan-email' },
        { namePrefix: 'budi', cursor: 'bukan-cursor' },
        { namePrefix: 'budi', extra: true },
      ]) {
        const res = await search(helpdesk, body);
        expect(res.status).toBe(400);
        expect(res.body.code).toBe('VALIDATION_FAILED');
        expect(JSON.stringify(res.body)).not.toContain('3273010101900002');
      }
    });

    test('is refused to FRONT_OFFICE and to anonymous callers', async () => {
      const res = await search(frontOffice, { namePrefix: 'budi' });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
      const anon = await t.http<ErrorBody>('POST', '/api/registry/search', {
        json: { namePrefix: 'budi' },
      });
      expect(anon.status).toBe(401);
    });
  });

  describe('uploads', () => {
    test('a file over the limit is refused with 413 and its temporary copy removed', async () => {
      const small = await createTestApp({ env: { UPLOAD_MAX_BYTES: '1024' } });
      try {
        const token = await small.tokenFor('ADMIN_PPE');
        const before = uploadsLeft();
        const form = new FormData();
        form.append('file', new Blob([fixture('good.csv')]), 'good.csv');
        const res = await small.http<ErrorBody>('POST', '/api/registry/imports', {
          token,
          body: form,
        });
        expect(res.status).toBe(413);
        expect(res.body.code).toBe('FILE_TOO_LARGE');
        expect(uploadsLeft()).toEqual(before);
        expect(
          Number(
            (
              await small.container.dataSource.query<{ n: string }[]>(
                'SELECT count(*) AS n FROM registry_entries',
              )
            )[0]?.n,
          ),
        ).toBe(0);
      } finally {
        await small.close();
      }
    });
  });

  describe('batches', () => {
    const actor: Actor = { type: 'SYSTEM', id: null, label: 'test' };
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'loket-registry-test-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const writeCsv = (name: string, rows: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, ['user_id,full_name,nik,spse_role,agency', ...rows, ''].join('\n'));
      return path;
    };
    const row = (n: number, userId = `batch.${n}`) =>
      `${userId},Pegawai Batch ${n},35780315079100${String(n).padStart(2, '0')},PPK,Dinas Kominfo Kota Surabaya`;
    const serviceWithBatch = (size: number) =>
      createRegistryService({
        dataSource: t.container.dataSource,
        pii: t.container.secrets.pii,
        audit: t.container.audit,
        clock: t.container.clock,
        config: { REGISTRY_IMPORT_BATCH_SIZE: size },
      });

    test('rows are written in batches of the configured size, with correct counts', async () => {
      const registry = serviceWithBatch(2);
      const path = writeCsv(
        'batches.csv',
        [1, 2, 3, 4, 5].map((n) => row(n)),
      );
      const first = await registry.importCsvFile(path, { fileName: 'batches.csv', actor });
      expect(first).toMatchObject({
        totalRows: 5,
        inserted: 5,
        updated: 0,
        unchanged: 0,
        errorRows: 0,
      });
      const again = await registry.importCsvFile(path, { fileName: 'batches.csv', actor });
      expect(again).toMatchObject({ totalRows: 5, inserted: 0, updated: 0, unchanged: 5 });
    });

    test('a database failure rolls back only the batch at hand and is rethrown', async () => {
      await sql(`CREATE FUNCTION test_registry_fail() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.user_id = 'batch.gagal' THEN RAISE EXCEPTION 'forced failure for a test'; END IF;
          RETURN NEW;
        END $$`);
      await sql(`CREATE TRIGGER test_registry_fail BEFORE INSERT OR UPDATE ON registry_entries
        FOR EACH ROW EXECUTE FUNCTION test_registry_fail()`);
      try {
        const registry = serviceWithBatch(2);
        const progress: number[] = [];
        const path = writeCsv('gagal.csv', [
          row(11),
          row(12),
          row(13),
          row(14, 'batch.gagal'),
          row(15),
        ]);
        const failure: unknown = await registry
          .importCsvFile(path, {
            fileName: 'gagal.csv',
            actor,
            onProgress: (read) => progress.push(read),
          })
          .then(
            () => undefined,
            (err: unknown) => err,
          );
        expect(failure).toBeInstanceOf(Error);
        expect((failure as Error).message).toContain('forced failure for a test');
        // The batch's values (names, emails) must not ride along into the error log.
        expect(failure).not.toHaveProperty('parameters');
        expect(JSON.stringify(failure)).not.toContain('Pegawai Batch');
        const present = await sql<{ user_id: string }>(
          `SELECT user_id FROM registry_entries WHERE user_id IN ('batch.11', 'batch.12', 'batch.13', 'batch.gagal', 'batch.15') ORDER BY user_id`,
        );
        expect(present.map((r) => r.user_id)).toEqual(['batch.11', 'batch.12']);
        const [imp] = await sql<{ inserted_rows: number; finished_at: Date | null }>(
          `SELECT inserted_rows, finished_at FROM registry_imports WHERE file_name = 'gagal.csv'`,
        );
        expect(imp).toEqual({ inserted_rows: 2, finished_at: null });
        expect(progress.length).toBeGreaterThan(0);
        expect([...progress].sort((a, b) => a - b)).toEqual(progress);
      } finally {
        await sql('DROP TRIGGER test_registry_fail ON registry_entries');
        await sql('DROP FUNCTION test_registry_fail()');
      }
    });
  });
});
