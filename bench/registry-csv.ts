/** Generates a valid registry CSV of `n` rows with unique user IDs and NIKs, for benchmarks. */
export function generateRegistryCsv(n: number): {
  csv: string;
  niks: string[];
  rows: {
    userId: string;
    fullName: string;
    nik: string;
    agency: string;
    email: string;
    phone: string;
  }[];
} {
  const first = [
    'Siti',
    'Budi',
    'Dewi',
    'Agus',
    'Rina',
    'Andi',
    'Wahyu',
    'Nur',
    'Rahmat',
    'Yuliana',
  ];
  const last = [
    'Rahmawati',
    'Santoso',
    'Lestari',
    'Wijaya',
    'Kusuma',
    'Pratama',
    'Hidayat',
    'Saputra',
  ];
  const roles = ['Admin Agency', 'PPK', 'Pokja/Panitia', 'Auditor', 'Helpdesk', 'Verifikator'];
  const lines = [
    'user_id,full_name,nik,nip,spse_role,agency,unit,email,phone,birth_place,birth_date,sk_reference',
  ];
  const niks: string[] = [];
  const rows = [];
  for (let i = 0; i < n; i++) {
    const fullName = `${first[i % first.length] ?? ''} ${last[Math.floor(i / first.length) % last.length] ?? ''}`;
    const nik = `6471${String(100000000000 + i).slice(-12)}`;
    const nip = `19800101200501${String(1000 + (i % 9000))}`.slice(0, 18);
    const userId = `user${String(i).padStart(6, '0')}`;
    const agency = `Pemerintah Kota ${['Samarinda', 'Balikpapan', 'Bontang'][i % 3] ?? ''}`;
    const email = `${userId}@example.go.id`;
    const phone = `+62812${String(10000000 + i).slice(-8)}`;
    niks.push(nik);
    rows.push({ userId, fullName, nik, agency, email, phone });
    lines.push(
      [
        userId,
        fullName,
        nik,
        nip,
        roles[i % roles.length],
        agency,
        'Bagian Pengadaan',
        email,
        phone,
        'Samarinda',
        '1980-01-01',
        `SK/${i}/2026`,
      ].join(','),
    );
  }
  return { csv: `${lines.join('\n')}\n`, niks, rows };
}
