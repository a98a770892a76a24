import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  canonicalRow,
  normaliseEmail,
  normalisePhone,
  parseBirthDate,
  parseHeader,
  readCsvRecords,
  scanCsv,
  sniffDelimiter,
  Utf8Checker,
  validateRow,
  type CsvHeader,
  type CsvRecord,
  type RowError,
} from '../../src/registry/registry-csv';
import { AppError } from '../../src/shared/errors';

const TODAY = '2026-03-10';
const ALL_COLUMNS = [
  'user_id',
  'full_name',
  'nik',
  'spse_role',
  'agency',
  'nip',
  'unit',
  'email',
  'phone',
  'birth_place',
  'birth_date',
  'sk_reference',
];
const header: CsvHeader = parseHeader(ALL_COLUMNS);

const good: Record<string, string> = {
  user_id: 'siti.rahayu',
  full_name: 'Siti  Rahayu,   S.E.',
  nik: '3171014501850001',
  spse_role: 'Pejabat Pembuat Komitmen',
  agency: 'Dinas Pekerjaan Umum dan Penataan Ruang Provinsi DKI Jakarta',
  nip: '198501052010012001',
  unit: 'Bidang Bina Marga',
  email: 'Siti.Rahayu@Jakarta.go.id',
  phone: '0812-3456-7890',
  birth_place: 'Jakarta',
  birth_date: '05-01-1985',
  sk_reference: 'SK Kadis PUPR No. 12/2025',
};

const fieldsOf = (values: Record<string, string>) => ALL_COLUMNS.map((c) => values[c] ?? '');
const check = (overrides: Record<string, string>, line = 2) =>
  validateRow(fieldsOf({ ...good, ...overrides }), header, line, TODAY);
const reasonsFor = (errors: RowError[], field: string) =>
  errors.filter((e) => e.field === field).map((e) => e.reason);

function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

async function appErrorAsync(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

/** A stream of the bytes in chunks of `size`, to exercise splits inside characters and records. */
const streamOf = (data: Buffer | string, size = 7) => {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) chunks.push(buf.subarray(i, i + size));
  return Readable.from(chunks, { objectMode: false });
};

async function records(
  data: Buffer | string,
  delimiter: ',' | ';' = ',',
  size = 7,
): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const r of readCsvRecords(streamOf(data, size), delimiter)) out.push(r);
  return out;
}

const HEADER_LINE = 'user_id,full_name,nik,spse_role,agency';

describe('sniffDelimiter', () => {
  it('picks comma or semicolon from the first non-blank line', () => {
    expect(sniffDelimiter('user_id,full_name,nik,spse_role,agency\n')).toBe(',');
    expect(sniffDelimiter('user_id;full_name;nik;spse_role;agency\r\n')).toBe(';');
    expect(sniffDelimiter('\n\n  \nuser_id;full_name;nik;spse_role;agency\n')).toBe(';');
  });

  it('ignores a BOM and delimiters inside quotes', () => {
    expect(sniffDelimiter(Buffer.from('\uFEFFuser_id;full_name;nik;spse_role;agency\n'))).toBe(';');
    expect(sniffDelimiter('"a;b;c;d",nik,agency\n')).toBe(',');
  });

  it('falls back to comma', () => {
    expect(sniffDelimiter('')).toBe(',');
    expect(sniffDelimiter('user_id\n')).toBe(',');
  });
});

describe('parseHeader', () => {
  it('accepts the columns in any order and case, with spaces or hyphens for underscores', () => {
    const h = parseHeader([' AGENCY', 'Spse Role', 'nik', 'Full-Name', 'user_id', 'Birth Date']);
    expect(h.columns).toEqual(['agency', 'spse_role', 'nik', 'full_name', 'user_id', 'birth_date']);
  });

  it('strips a BOM from the first name', () => {
    expect(
      parseHeader(['\uFEFFuser_id', 'full_name', 'nik', 'spse_role', 'agency']).columns[0],
    ).toBe('user_id');
  });

  it('names every missing required column', () => {
    const err = appError(() => parseHeader(['user_id', 'full_name', 'spse_role']));
    expect(err.code).toBe('CSV_BAD_HEADER');
    expect(err.params.detail).toContain('missing required column(s): nik, agency');
    expect(err.details).toMatchObject({ missing: ['nik', 'agency'], unknown: [] });
  });

  it('names unknown and repeated columns', () => {
    const err = appError(() => parseHeader([...HEADER_LINE.split(','), 'nama_lengkap', 'nik']));
    expect(err.code).toBe('CSV_BAD_HEADER');
    expect(err.params.detail).toContain('unknown column(s): nama_lengkap');
    expect(err.params.detail).toContain('repeated column(s): nik');
  });

  it('ignores columns without a name', () => {
    expect(parseHeader([...HEADER_LINE.split(','), '', ' ']).columns).toEqual([
      'user_id',
      'full_name',
      'nik',
      'spse_role',
      'agency',
      null,
      null,
    ]);
  });
});

describe('validateRow', () => {
  it('normalises a complete good row', () => {
    const { row, errors } = check({});
    expect(errors).toEqual([]);
    expect(row).toEqual({
      userId: 'siti.rahayu',
      fullName: 'Siti Rahayu, S.E.',
      nik: '3171014501850001',
      nip: '198501052010012001',
      spseRole: 'PPK',
      agency: 'Dinas Pekerjaan Umum dan Penataan Ruang Provinsi DKI Jakarta',
      unit: 'Bidang Bina Marga',
      email: 'siti.rahayu@jakarta.go.id',
      phone: '+6281234567890',
      birthPlace: 'Jakarta',
      birthDate: '1985-01-05',
      skReference: 'SK Kadis PUPR No. 12/2025',
    });
  });

  it('turns empty optional values into null and trims everything', () => {
    const { row, errors } = validateRow(
      ['  budi_s ', ' Budi Santoso ', ' 3273010101900002 ', ' pokja ', ' LPSE Kota Bandung '],
      parseHeader(HEADER_LINE.split(',')),
      3,
      TODAY,
    );
    expect(errors).toEqual([]);
    expect(row).toEqual({
      userId: 'budi_s',
      fullName: 'Budi Santoso',
      nik: '3273010101900002',
      nip: null,
      spseRole: 'POKJA',
      agency: 'LPSE Kota Bandung',
      unit: null,
      email: null,
      phone: null,
      birthPlace: null,
      birthDate: null,
      skReference: null,
    });
  });

  it('reports every missing required field', () => {
    const { row, errors } = check(
      { user_id: '', full_name: ' ', nik: '', spse_role: '', agency: '' },
      7,
    );
    expect(row).toBeNull();
    expect(errors).toEqual(
      ['user_id', 'full_name', 'nik', 'spse_role', 'agency'].map((field) => ({
        line: 7,
        field,
        reason: 'is required',
      })),
    );
  });

  it.each([
    ['ab', false],
    ['a'.repeat(100), true],
    ['a'.repeat(101), false],
    ['budi santoso', false],
    ['budi/santoso', false],
    ['Budi.Santoso-01_x@lpse', true],
  ])('user_id %p valid: %p', (userId, ok) => {
    expect(reasonsFor(check({ user_id: userId }).errors, 'user_id')).toEqual(
      ok ? [] : ['must be 3 to 100 characters: letters, digits, dot, underscore, @ or hyphen'],
    );
  });

  it('limits full_name to 200 characters', () => {
    expect(check({ full_name: 'A'.repeat(200) }).errors).toEqual([]);
    expect(reasonsFor(check({ full_name: 'A'.repeat(201) }).errors, 'full_name')).toEqual([
      'must be at most 200 characters',
    ]);
  });

  it.each([
    ['3171014501850001', null],
    ['3171 0145 0185 0001', null],
    ['317101450185000', 'must be exactly 16 digits'],
    ['31710145018500012', 'must be exactly 16 digits'],
    ['31710145O1850001', 'must be exactly 16 digits'],
    ['3.17101E+15', 'was converted to a number by the spreadsheet; format the column as text'],
  ])('nik %p', (nik, reason) => {
    const { row, errors } = check({ nik });
    expect(reasonsFor(errors, 'nik')).toEqual(reason ? [reason] : []);
    if (!reason) expect(row?.nik).toBe('3171014501850001');
  });

  it.each([
    ['198501052010012001', '198501052010012001'],
    ['19850105 201001 2 001', '198501052010012001'],
    ['', null],
  ])('nip %p is accepted', (nip, stored) => {
    const { row, errors } = check({ nip });
    expect(errors).toEqual([]);
    expect(row?.nip).toBe(stored);
  });

  it.each(['19850105201001200', '1985010520100120011', 'NIP198501052010'])(
    'nip %p is refused',
    (nip) => {
      expect(reasonsFor(check({ nip }).errors, 'nip')).toEqual(['must be exactly 18 digits']);
    },
  );

  it.each([
    ['PPK', 'PPK'],
    ['ppk', 'PPK'],
    ['Pokja/Panitia', 'POKJA'],
    ['admin agency', 'ADMIN_AGENCY'],
    ['ADMIN_AGENCY', 'ADMIN_AGENCY'],
    ['Verifikator', 'VERIFIKATOR'],
    ['Kuasa Pengguna Anggaran', 'PA_KPA'],
  ])('spse_role %p is %p', (spseRole, code) => {
    expect(check({ spse_role: spseRole }).row?.spseRole).toBe(code);
  });

  it('refuses an unknown spse_role', () => {
    const [reason] = reasonsFor(check({ spse_role: 'Penyedia' }).errors, 'spse_role');
    expect(reason).toMatch(/^is not a known SPSE role/);
    expect(reason).not.toContain('Penyedia');
  });

  it('checks and lower-cases the email', () => {
    expect(check({ email: ' Budi.Santoso@BandungKota.go.id ' }).row?.email).toBe(
      'budi.santoso@bandungkota.go.id',
    );
    for (const email of [
      'budi',
      'budi@',
      '@go.id',
      'budi@@go.id',
      'budi santoso@go.id',
      'budi@go',
    ]) {
      expect(reasonsFor(check({ email }).errors, 'email')).toEqual([
        'is not a valid email address',
      ]);
    }
  });

  it('refuses an invalid phone', () => {
    expect(reasonsFor(check({ phone: '0812' }).errors, 'phone')).toEqual([
      'is not a valid Indonesian phone number',
    ]);
  });

  it('parses birth dates and refuses bad ones', () => {
    expect(check({ birth_date: '1985-01-05' }).row?.birthDate).toBe('1985-01-05');
    expect(check({ birth_date: '5/1/1985' }).row?.birthDate).toBe('1985-01-05');
    expect(reasonsFor(check({ birth_date: '31-02-1985' }).errors, 'birth_date')).toEqual([
      'is not a real calendar date',
    ]);
    expect(reasonsFor(check({ birth_date: '2030-01-01' }).errors, 'birth_date')).toEqual([
      'must be in the past',
    ]);
  });

  it('limits the optional text fields', () => {
    const { errors } = check({
      unit: 'u'.repeat(201),
      birth_place: 'p'.repeat(101),
      sk_reference: 's'.repeat(201),
    });
    expect(errors.map((e) => [e.field, e.reason])).toEqual([
      ['unit', 'must be at most 200 characters'],
      ['birth_place', 'must be at most 100 characters'],
      ['sk_reference', 'must be at most 200 characters'],
    ]);
  });

  it('reports several errors in one row, each with the line', () => {
    const { row, errors } = check(
      { nik: '123', email: 'x', phone: 'abc', birth_date: '1985/01/05' },
      42,
    );
    expect(row).toBeNull();
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [42, 'nik'],
      [42, 'email'],
      [42, 'phone'],
      [42, 'birth_date'],
    ]);
  });

  it('never puts the rejected value in a reason', () => {
    const bad = {
      user_id: 'x!y#3171014501850009',
      full_name: 'N'.repeat(201),
      nik: '31710145018500091',
      nip: '1985010520100120019',
      spse_role: 'Rahasia3171014501850009',
      agency: 'A'.repeat(201),
      unit: 'U'.repeat(201),
      email: '3171014501850009@',
      phone: '+1 3171014501850009',
      birth_place: 'B'.repeat(101),
      birth_date: '31-13-3171',
      sk_reference: 'S'.repeat(201),
    };
    const { errors } = validateRow(fieldsOf(bad), header, 2, TODAY);
    expect(new Set(errors.map((e) => e.field))).toEqual(new Set(ALL_COLUMNS));
    for (const e of errors) {
      for (const value of Object.values(bad)) expect(e.reason).not.toContain(value);
      expect(e.reason).not.toMatch(/3171014501850009/);
      expect(e.reason).not.toMatch(/NNNN|AAAA|UUUU|BBBB|SSSS/);
    }
  });

  it('refuses extra non-empty fields but tolerates empty ones and short rows', () => {
    const h = parseHeader(HEADER_LINE.split(','));
    const base = ['budi_s', 'Budi Santoso', '3273010101900002', 'PPK', 'LPSE Kota Bandung'];
    expect(validateRow([...base, '', ' '], h, 2, TODAY).errors).toEqual([]);
    expect(validateRow([...base, 'oops'], h, 2, TODAY).errors).toEqual([
      { line: 2, field: '(row)', reason: 'has 6 fields but the header has 5' },
    ]);
    expect(validateRow(base.slice(0, 4), h, 2, TODAY).errors).toEqual([
      { line: 2, field: 'agency', reason: 'is required' },
    ]);
  });

  it('refuses a value under a column without a name', () => {
    const h = parseHeader([...HEADER_LINE.split(','), '']);
    const base = ['budi_s', 'Budi Santoso', '3273010101900002', 'PPK', 'LPSE Kota Bandung'];
    expect(validateRow([...base, ''], h, 2, TODAY).errors).toEqual([]);
    expect(validateRow([...base, 'x'], h, 2, TODAY).errors).toEqual([
      { line: 2, field: '(row)', reason: 'has a value in a column without a known name' },
    ]);
  });
});

describe('normalisePhone', () => {
  it.each([
    ['081234567890', '+6281234567890'],
    ['6281234567890', '+6281234567890'],
    ['+62 812-3456-7890', '+6281234567890'],
    ['+62 (812) 3456.7890', '+6281234567890'],
    ['81234567890', '+6281234567890'],
    ['0811 234 567', '+62811234567'],
    ['(021) 8093008', '+62218093008'],
    ['62218093008', '+62218093008'],
  ])('%p -> %p', (input, expected) => {
    expect(normalisePhone(input)).toBe(expected);
  });

  it.each([
    '0812',
    '+6591234567',
    '+1 202 555 0143',
    'telp 081234567890',
    '0812-3456-7890 ext 5',
    '',
    '+62812345678901234',
  ])('%p is refused', (input) => {
    expect(normalisePhone(input)).toBeNull();
  });
});

describe('parseBirthDate', () => {
  it.each([
    ['1985-01-05', '1985-01-05'],
    ['1985-1-5', '1985-01-05'],
    ['05-01-1985', '1985-01-05'],
    ['05/01/1985', '1985-01-05'],
    ['5/1/1985', '1985-01-05'],
    ['29/02/2000', '2000-02-29'],
    ['2026-03-09', '2026-03-09'],
  ])('%p -> %p', (input, expected) => {
    expect(parseBirthDate(input, TODAY)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['05.01.1985', 'must be a date written as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY'],
    ['05-01/1985', 'must be a date written as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY'],
    ['1985/01/05', 'must be a date written as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY'],
    ['05 Januari 1985', 'must be a date written as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY'],
    ['29/02/2001', 'is not a real calendar date'],
    ['31-04-1985', 'is not a real calendar date'],
    ['1985-13-01', 'is not a real calendar date'],
    ['00-01-1985', 'is not a real calendar date'],
    ['2026-03-10', 'must be in the past'],
    ['01-01-2027', 'must be in the past'],
    ['31-12-1899', 'must not be before 1900'],
  ])('%p is refused: %s', (input, reason) => {
    expect(parseBirthDate(input, TODAY)).toEqual({ ok: false, reason });
  });
});

describe('normaliseEmail', () => {
  it('lower-cases and checks', () => {
    expect(normaliseEmail(' Admin.LPSE@Kemenkeu.GO.ID ')).toBe('admin.lpse@kemenkeu.go.id');
    expect(normaliseEmail(`${'a'.repeat(65)}@go.id`)).toBeNull();
  });
});

describe('canonicalRow', () => {
  it('depends on every field', () => {
    const { row } = check({});
    if (!row) throw new Error('row expected');
    const base = canonicalRow(row);
    expect(canonicalRow({ ...row })).toBe(base);
    for (const key of Object.keys(row) as (keyof typeof row)[]) {
      expect(canonicalRow({ ...row, [key]: key === 'spseRole' ? 'POKJA' : 'x' })).not.toBe(base);
    }
  });
});

describe('Utf8Checker', () => {
  it('accepts multi-byte characters split across chunks', () => {
    const bytes = Buffer.from('nama\nSiti Nurhaliza – Dinas PU ✓ 😀\n', 'utf8');
    for (let size = 1; size <= 5; size++) {
      const c = new Utf8Checker();
      for (let i = 0; i < bytes.length; i += size) c.push(bytes.subarray(i, i + size));
      expect(() => {
        c.end();
      }).not.toThrow();
    }
  });

  it('reports the line of the first bad byte', () => {
    const bytes = Buffer.concat([
      Buffer.from('header\nline two\nline three\n', 'utf8'),
      Buffer.from([0x4a, 0x6f, 0x73, 0xe9, 0x0a]), // "José" in windows-1252
      Buffer.from('line five\n'),
    ]);
    for (const size of [1, 3, 1000]) {
      const c = new Utf8Checker();
      const err = appError(() => {
        for (let i = 0; i < bytes.length; i += size) c.push(bytes.subarray(i, i + size));
        c.end();
      });
      expect(err.code).toBe('CSV_NOT_UTF8');
      expect(err.params).toEqual({ line: 4 });
    }
  });

  it('refuses a character cut off at the end of the file', () => {
    const c = new Utf8Checker();
    c.push(Buffer.from('a\nb\n'));
    c.push(Buffer.from([0xe2, 0x80]));
    expect(
      appError(() => {
        c.end();
      }).params,
    ).toEqual({ line: 3 });
  });
});

describe('readCsvRecords', () => {
  it('gives the physical line of each record with LF, blank lines and quoted line breaks', async () => {
    const text = [
      'a,b,c', // 1
      '1,2,3', // 2
      '', // 3
      ',,', // 4 (empty cells: skipped)
      '"multi', // 5
      'line",5,6', // 6
      '7,"8 ""quoted""",9', // 7
      '   ', // 8
      '10,11,12', // 9
      '',
    ].join('\n');
    for (const size of [1, 4, 1000]) {
      const out = await records(text, ',', size);
      expect(out).toEqual([
        { line: 1, fields: ['a', 'b', 'c'] },
        { line: 2, fields: ['1', '2', '3'] },
        { line: 5, fields: ['multi\nline', '5', '6'] },
        { line: 7, fields: ['7', '8 "quoted"', '9'] },
        { line: 9, fields: ['10', '11', '12'] },
      ]);
    }
  });

  it('counts CRLF line endings once, also inside quotes', async () => {
    const out = await records('\uFEFFa;b\r\n1;"x\r\ny"\r\n\r\n2;3\r\n', ';');
    expect(out).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['1', 'x\r\ny'] },
      { line: 5, fields: ['2', '3'] },
    ]);
  });

  it('keeps a semicolon file with commas in values intact', async () => {
    const out = await records('agency;unit\nDinas PU, Kota Bandung;Bidang Jalan, Jembatan\n', ';');
    expect(out[1]?.fields).toEqual(['Dinas PU, Kota Bandung', 'Bidang Jalan, Jembatan']);
  });

  it('turns a quote that never closes into CSV_MALFORMED with its line', async () => {
    const err = await appErrorAsync(records('a,b\n1,2\n3,"open\n4,5\n'));
    expect(err.code).toBe('CSV_MALFORMED');
    expect(err.params.detail).toBe('CSV syntax: a quoted value starting on line 3 is never closed');
  });

  it('turns a runaway record into CSV_MALFORMED with its line', async () => {
    const err = await appErrorAsync(
      records(`a,b\r\n1,2\r\n3,${'x'.repeat(130_000)}\r\n4,5\r\n`, ',', 65_536),
    );
    expect(err.code).toBe('CSV_MALFORMED');
    expect(err.params.detail).toBe(
      'CSV syntax: the record starting on line 3 cannot be read (check its quotes)',
    );
  });
});

describe('scanCsv', () => {
  const goodFile = `${HEADER_LINE}\nbudi_s,Budi Santoso,3273010101900002,PPK,LPSE Kota Bandung\n\nsiti.r,Siti Rahayu,3171014501850001,Pokja,Dinas PU\n`;

  it('checks a good file and counts its data rows', async () => {
    const r = await scanCsv(streamOf(goodFile), ',');
    expect(r.dataRows).toBe(2);
    expect(r.bytes).toBe(Buffer.byteLength(goodFile));
    expect(r.sha256).toBe(createHash('sha256').update(goodFile).digest('hex'));
    expect(r.header.columns).toEqual(['user_id', 'full_name', 'nik', 'spse_role', 'agency']);
  });

  it('reads a semicolon file with a BOM and CRLF', async () => {
    const text = `\uFEFF${goodFile.replace(/,/g, ';').replace(/\n/g, '\r\n')}`;
    const delimiter = sniffDelimiter(text);
    expect(delimiter).toBe(';');
    expect((await scanCsv(streamOf(text), delimiter)).dataRows).toBe(2);
  });

  it('refuses windows-1252 bytes with the line', async () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER_LINE}\nbudi_s,Budi Santoso,3273010101900002,PPK,`),
      Buffer.from([0x53, 0xe3, 0x6f]),
      Buffer.from('\n'),
    ]);
    const err = await appErrorAsync(scanCsv(streamOf(bytes), ','));
    expect(err.code).toBe('CSV_NOT_UTF8');
    expect(err.params).toEqual({ line: 2 });
  });

  it('prefers the encoding problem over a header problem', async () => {
    const bytes = Buffer.concat([
      Buffer.from('nama,nik\nA,'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    expect((await appErrorAsync(scanCsv(streamOf(bytes), ','))).code).toBe('CSV_NOT_UTF8');
  });

  it('refuses a bad header', async () => {
    const err = await appErrorAsync(
      scanCsv(streamOf('user_id,nama,nik,spse_role,agency\nx,y,z,PPK,a\n'), ','),
    );
    expect(err.code).toBe('CSV_BAD_HEADER');
    expect(err.params.detail).toContain('missing required column(s): full_name');
    expect(err.params.detail).toContain('unknown column(s): nama');
  });

  it.each([
    ['an empty file', ''],
    ['a BOM only', '\uFEFF'],
    ['blank lines only', '\n\r\n  \n'],
    ['a header only', `${HEADER_LINE}\n`],
    ['a header and empty rows', `${HEADER_LINE}\n,,,,\n\n`],
  ])('refuses %s as CSV_EMPTY', async (_name, text) => {
    expect((await appErrorAsync(scanCsv(streamOf(text), ','))).code).toBe('CSV_EMPTY');
  });
});
