import {
  agencyComparisonKey,
  compareWithRegistry,
  nameComparisonKey,
  validityFields,
  type FieldComparison,
  type FieldResult,
  type RegistryComparable,
  type RequesterClaim,
  type ValidityField,
} from '../../src/tickets/validity';

const NIK = '3273011203780005';
const NIK_MASKED = '3273********0005';

/** A PPK of the Bandung regency public works office, as the registry holds him. */
const entry: RegistryComparable = {
  userId: 'budi.santoso',
  fullName: 'Dr. Ir. Budi Santoso, M.T.',
  nik: NIK,
  nip: '197803122005011003',
  spseRole: 'PPK',
  agency: 'Dinas Pekerjaan Umum dan Penataan Ruang Kab. Bandung',
  email: 'budi.santoso@bandungkab.go.id',
  phone: '+6281320004567',
};

/** The same person filling in the request form in his own way. */
const honestClaim: RequesterClaim = {
  fullName: 'BUDI SANTOSO',
  userId: ' Budi.Santoso ',
  nik: '3273 0112 0378 0005',
  nip: '19780312 200501 1 003',
  spseRole: 'Pejabat Pembuat Komitmen',
  agency: 'dinas pekerjaan umum & penataan ruang kabupaten bandung',
  email: 'Budi.Santoso@BandungKab.go.id',
  phone: '0813-2000-4567',
};

const fieldOf = (
  claim: RequesterClaim,
  field: ValidityField,
  registry = entry,
): FieldComparison => {
  const found = compareWithRegistry(claim, registry).fields.find((f) => f.field === field);
  if (!found) throw new Error(`no ${field} in the result`);
  return found;
};

describe('compareWithRegistry', () => {
  test('an entirely matching request written differently matches on every field', () => {
    const result = compareWithRegistry(honestClaim, entry);
    expect(result.fields.map((f) => f.field)).toEqual([...validityFields]);
    expect(result.fields.every((f) => f.result === 'MATCH')).toBe(true);
    expect(result.matches).toBe(8);
    expect(result.mismatches).toBe(0);
  });

  test('display values: claims as written (trimmed), the registry role by its label, NIK masked', () => {
    const result = compareWithRegistry(honestClaim, entry);
    const byField = Object.fromEntries(result.fields.map((f) => [f.field, f]));
    expect(byField.userId).toMatchObject({ claimed: 'Budi.Santoso', registered: 'budi.santoso' });
    expect(byField.nik).toMatchObject({ claimed: NIK_MASKED, registered: NIK_MASKED });
    expect(byField.nip).toMatchObject({
      claimed: '19780312 200501 1 003',
      registered: '197803122005011003',
    });
    expect(byField.spseRole).toMatchObject({
      claimed: 'Pejabat Pembuat Komitmen',
      registered: 'PPK',
    });
    expect(byField.phone).toMatchObject({
      claimed: '0813-2000-4567',
      registered: '+6281320004567',
    });
  });

  test('an impostor with the right name, agency and role but another NIK', () => {
    const impostor: RequesterClaim = {
      fullName: 'Ir. Budi Santoso',
      nik: '3273011203780006',
      spseRole: 'PPK',
      agency: 'Dinas PUPR Kab. Bandung',
      email: 'budisantoso.bdg@gmail.com',
      phone: '0857-2211-3344',
    };
    const result = compareWithRegistry(impostor, entry);
    const results = Object.fromEntries(result.fields.map((f) => [f.field, f.result]));
    expect(results).toEqual({
      userId: 'ABSENT_IN_REQUEST',
      nik: 'MISMATCH',
      nip: 'ABSENT_IN_REQUEST',
      fullName: 'MATCH',
      spseRole: 'MATCH',
      // An acronym is not expanded: the Admin PPE decides whether PUPR is the registered office.
      agency: 'MISMATCH',
      email: 'MISMATCH',
      phone: 'MISMATCH',
    });
    expect(result.matches).toBe(2);
    expect(result.mismatches).toBe(4);
    expect(JSON.stringify(result)).not.toContain('3273011203780006');
    expect(result.fields.find((f) => f.field === 'nik')?.claimed).toBe('3273********0006');
  });

  // [field, claimed, expected result]
  const cases: [ValidityField, string, FieldResult][] = [
    // user ID: case and surrounding spaces only
    ['userId', 'budi.santoso', 'MATCH'],
    ['userId', 'BUDI.SANTOSO', 'MATCH'],
    ['userId', '  Budi.Santoso\t', 'MATCH'],
    ['userId', 'budi_santoso', 'MISMATCH'],
    ['userId', 'budi.santoso2', 'MISMATCH'],
    // NIK: spaces, dots and hyphens carry no meaning
    ['nik', NIK, 'MATCH'],
    ['nik', '3273 0112 0378 0005', 'MATCH'],
    ['nik', '3273.0112.0378.0005', 'MATCH'],
    ['nik', '327301-120378-0005', 'MATCH'],
    ['nik', '3273011203780050', 'MISMATCH'],
    ['nik', '327301120378000', 'MISMATCH'],
    ['nik', '3273O11203780005', 'MISMATCH'],
    // NIP: grouped as printed on the SK
    ['nip', '197803122005011003', 'MATCH'],
    ['nip', '19780312 200501 1 003', 'MATCH'],
    ['nip', '19780312.200501.1.003', 'MATCH'],
    ['nip', '19780312 200501 1 004', 'MISMATCH'],
    // names: titles, degrees, case, punctuation, spacing
    ['fullName', 'Budi Santoso', 'MATCH'],
    ['fullName', 'BUDI SANTOSO', 'MATCH'],
    ['fullName', 'budi   santoso', 'MATCH'],
    ['fullName', 'Ir. Budi Santoso, S.T., M.T.', 'MATCH'],
    ['fullName', 'Dr.Ir.Budi Santoso,MT', 'MATCH'],
    ['fullName', 'Prof. Dr. H. Budi Santoso, M.Si.', 'MATCH'],
    ['fullName', 'Budi Santoso ST MT', 'MATCH'],
    ['fullName', 'Budi Santoso, Ph.D.', 'MATCH'],
    ['fullName', 'Budi Susanto', 'MISMATCH'],
    ['fullName', 'B. Santoso', 'MISMATCH'],
    ['fullName', 'Santoso', 'MISMATCH'],
    // SPSE role: code or any label
    ['spseRole', 'PPK', 'MATCH'],
    ['spseRole', 'ppk', 'MATCH'],
    ['spseRole', 'Pejabat Pembuat Komitmen', 'MATCH'],
    ['spseRole', 'Pokja Pemilihan', 'MISMATCH'],
    ['spseRole', 'Kepala Dinas', 'MISMATCH'],
    // agency: punctuation, case, `&`, standard abbreviations
    ['agency', 'Dinas Pekerjaan Umum dan Penataan Ruang Kabupaten Bandung', 'MATCH'],
    ['agency', 'DINAS PEKERJAAN UMUM DAN PENATAAN RUANG KAB BANDUNG', 'MATCH'],
    ['agency', 'Dinas Pekerjaan Umum & Penataan Ruang, Kab. Bandung', 'MATCH'],
    ['agency', 'Dinas Pekerjaan Umum dan Penataan Ruang Kab. Bandung Barat', 'MISMATCH'],
    ['agency', 'Dinas PUPR Kabupaten Bandung', 'MISMATCH'],
    // email: case and spaces only
    ['email', 'budi.santoso@bandungkab.go.id', 'MATCH'],
    ['email', ' BUDI.SANTOSO@BANDUNGKAB.GO.ID ', 'MATCH'],
    ['email', 'budisantoso@bandungkab.go.id', 'MISMATCH'],
    ['email', 'budi.santoso@gmail.com', 'MISMATCH'],
    ['email', 'budi.santoso at bandungkab', 'MISMATCH'],
    // phone: every way Indonesians write the same number
    ['phone', '081320004567', 'MATCH'],
    ['phone', '0813-2000-4567', 'MATCH'],
    ['phone', '+62 813 2000 4567', 'MATCH'],
    ['phone', '6281320004567', 'MATCH'],
    ['phone', '(0813) 2000 4567', 'MATCH'],
    ['phone', '+62-813-2000-4567', 'MATCH'],
    ['phone', '0813 2000 4568', 'MISMATCH'],
    ['phone', '+1 202 555 0100', 'MISMATCH'],
    ['phone', '12345', 'MISMATCH'],
  ];

  test.each(cases)('%s %j -> %s', (field, claimed, expected) => {
    expect(fieldOf({ [field]: claimed }, field).result).toBe(expected);
  });

  const absentValues = [undefined, null, '', '   ', '-', '.'];
  const absentCases = validityFields.flatMap((field) =>
    absentValues.map((value): [ValidityField, string | null | undefined] => [field, value]),
  );
  test.each(absentCases)('%s claimed as %j is ABSENT_IN_REQUEST', (field, value) => {
    const f = fieldOf({ [field]: value }, field);
    expect(f.result).toBe('ABSENT_IN_REQUEST');
    expect(f.claimed).toBeNull();
  });

  test.each([
    ['nip', '19780312 200501 1 003'],
    ['email', 'budi.santoso@bandungkab.go.id'],
    ['phone', '081320004567'],
  ] as const)('%s missing from the registry is ABSENT_IN_REGISTRY', (field, claimed) => {
    const registry = { ...entry, [field]: null };
    const f = fieldOf({ [field]: claimed }, field, registry);
    expect(f).toEqual({ field, result: 'ABSENT_IN_REGISTRY', claimed, registered: null });
    // Absent on both sides: the request said nothing, which is what counts.
    expect(fieldOf({}, field, registry).result).toBe('ABSENT_IN_REQUEST');
  });

  test('ABSENT results count neither as matches nor as mismatches', () => {
    const result = compareWithRegistry(
      { fullName: 'Budi Santoso', nip: '-' },
      { ...entry, nip: null },
    );
    expect(result.matches).toBe(1);
    expect(result.mismatches).toBe(0);
  });

  test.each([
    NIK,
    '3273 0112 0378 0005',
    '3273.0112.0378.0005',
    '3273011203780006',
    '3273O11203780005',
    '32730112037800051234',
  ])('the NIK never appears in clear in the result (claimed %j)', (claimed) => {
    const result = compareWithRegistry({ ...honestClaim, nik: claimed }, entry);
    const json = JSON.stringify(result);
    expect(json).not.toContain(NIK);
    expect(json).not.toContain(claimed.replace(/\D/g, ''));
    expect(json).not.toContain(claimed);
    const nik = result.fields.find((f) => f.field === 'nik');
    expect(nik?.registered).toBe(NIK_MASKED);
    expect(nik?.claimed).toMatch(/^.{4}\*+.{4}$/);
  });

  test('deterministic, and the inputs are not changed', () => {
    const claim = { ...honestClaim, nik: '3273011203780006' };
    const before = JSON.stringify([claim, entry]);
    expect(compareWithRegistry(claim, entry)).toEqual(compareWithRegistry(claim, entry));
    expect(JSON.stringify([claim, entry])).toBe(before);
  });
});

describe('name comparison key', () => {
  test.each([
    ['Dr. Ir. Budi Santoso, M.T.', 'budisantoso'],
    ['Hj. Siti Rahayu, S.E., Ak., CA', 'sitirahayu'],
    ['Drs. H. Ahmad Fauzi, M.M.', 'ahmadfauzi'],
    ['Dra. Endang Lestari, M.Pd.', 'endanglestari'],
    ['Prof. Dr. (H.C.) Ir. Bambang Wijaya, M.Sc., Ph.D.', 'bambangwijaya'],
    ['Ni Made Ayu Sukmawati, S.Kom., M.Kom.', 'nimadeayusukmawati'],
    ['I Gusti Ngurah Putra, S.Sos.', 'igustingurahputra'],
    ['Andi Pratama, S.H., M.H.', 'andipratama'],
    ['Rina Wulandari, S.Pd., M.Si.', 'rinawulandari'],
    ['Yohanes Situmorang, A.Md.Kom.', 'yohanessitumorang'],
    ['drg. Ayu Lestari, Sp.KG', 'ayulestari'],
    ["Ma'ruf Hidayat", 'marufhidayat'],
    ['Désy Ratnasari', 'desyratnasari'],
    // a name is never stripped to nothing, and words that merely look like titles stay
    ['Hadi Pranoto', 'hadipranoto'],
    ['H. Hadi', 'hadi'],
    ['Irwan Hidayat', 'irwanhidayat'],
    ['Jack Ma', 'jackma'],
    ['Dr.', 'dr'],
    ['Hutagalung, Maria', 'hutagalungmaria'],
  ])('%j -> %j', (name, key) => {
    expect(nameComparisonKey(name)).toBe(key);
  });
});

describe('agency comparison key', () => {
  test.each([
    ['Dinas PU', 'dinas p.u.'],
    ['Dinas P. U.', 'DINAS PU'],
    [
      'Bagian Pengadaan Barang/Jasa Setda Kab. Sleman',
      'Bagian Pengadaan Barang Jasa Sekretariat Daerah Kabupaten Sleman',
    ],
    ['Pemprov Jawa Timur', 'Pemerintah Provinsi Jawa Timur'],
    ['Pemkot Surabaya', 'Pemerintah Kota Surabaya'],
    ['Kemen PUPR', 'Kementerian PUPR'],
    ['BPKAD & Aset', 'BPKAD dan Aset'],
  ])('%j ~ %j', (a, b) => {
    expect(agencyComparisonKey(a)).toBe(agencyComparisonKey(b));
  });

  test('different offices stay different', () => {
    expect(agencyComparisonKey('Dinas Kesehatan Kota Bogor')).not.toBe(
      agencyComparisonKey('Dinas Kesehatan Kabupaten Bogor'),
    );
  });
});
