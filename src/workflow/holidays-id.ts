import type { OfficeHoliday } from './working-calendar';

/**
 * Indonesian national holidays (hari libur nasional) and collective leave (cuti bersama) as data.
 *
 * Why data and not a library: holiday libraries know the national holidays but not cuti bersama,
 * which a joint decree of three ministers (SKB 3 Menteri: Agama, Ketenagakerjaan, PANRB) fixes
 * each year and sometimes amends mid-year (18 August 2025 was added in August 2025). `date-holidays`
 * also names Isra Mikraj 2026 (16 January) "Maulid Nabi Muhammad". A supervisor can correct and
 * extend these lists; an office's own days off are added to its calendar with kind `OFFICE`.
 *
 * Days that fall on a weekend (Paskah, Idulfitri 2026) are kept so the list matches the decree a
 * supervisor compares it with; they change no deadline.
 *
 * Islamic holidays are fixed in the decree ahead of time from the government's calendar; the
 * Ministry of Religious Affairs' sidang isbat may confirm a different day. When that happens the
 * government amends the decree, and these lists must follow the amendment, not the isbat alone.
 */
export interface HolidayYear {
  year: number;
  /** The decree the list was taken from, so a reviewer can check it against the source. */
  source: string;
  holidays: readonly OfficeHoliday[];
}

const NATIONAL = 'NATIONAL' as const;
const CUTI_BERSAMA = 'CUTI_BERSAMA' as const;

export const HOLIDAYS_ID_2025: HolidayYear = {
  year: 2025,
  source:
    'SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB Nomor 1017, 2 dan 2 Tahun 2024, ' +
    'diubah dengan Nomor 933, 1 dan 3 Tahun 2025 (tambahan cuti bersama 18 Agustus 2025)',
  holidays: [
    { date: '2025-01-01', name: 'Tahun Baru 2025 Masehi', kind: NATIONAL },
    { date: '2025-01-27', name: 'Isra Mikraj Nabi Muhammad S.A.W.', kind: NATIONAL },
    { date: '2025-01-28', name: 'Cuti Bersama Tahun Baru Imlek 2576 Kongzili', kind: CUTI_BERSAMA },
    { date: '2025-01-29', name: 'Tahun Baru Imlek 2576 Kongzili', kind: NATIONAL },
    { date: '2025-03-28', name: 'Cuti Bersama Hari Suci Nyepi', kind: CUTI_BERSAMA },
    { date: '2025-03-29', name: 'Hari Suci Nyepi (Tahun Baru Saka 1947)', kind: NATIONAL },
    { date: '2025-03-31', name: 'Idulfitri 1446 Hijriah', kind: NATIONAL },
    { date: '2025-04-01', name: 'Idulfitri 1446 Hijriah', kind: NATIONAL },
    { date: '2025-04-02', name: 'Cuti Bersama Idulfitri 1446 Hijriah', kind: CUTI_BERSAMA },
    { date: '2025-04-03', name: 'Cuti Bersama Idulfitri 1446 Hijriah', kind: CUTI_BERSAMA },
    { date: '2025-04-04', name: 'Cuti Bersama Idulfitri 1446 Hijriah', kind: CUTI_BERSAMA },
    { date: '2025-04-07', name: 'Cuti Bersama Idulfitri 1446 Hijriah', kind: CUTI_BERSAMA },
    { date: '2025-04-18', name: 'Wafat Yesus Kristus', kind: NATIONAL },
    { date: '2025-04-20', name: 'Kebangkitan Yesus Kristus (Paskah)', kind: NATIONAL },
    { date: '2025-05-01', name: 'Hari Buruh Internasional', kind: NATIONAL },
    { date: '2025-05-12', name: 'Hari Raya Waisak 2569 BE', kind: NATIONAL },
    { date: '2025-05-13', name: 'Cuti Bersama Hari Raya Waisak 2569 BE', kind: CUTI_BERSAMA },
    { date: '2025-05-29', name: 'Kenaikan Yesus Kristus', kind: NATIONAL },
    { date: '2025-05-30', name: 'Cuti Bersama Kenaikan Yesus Kristus', kind: CUTI_BERSAMA },
    { date: '2025-06-01', name: 'Hari Lahir Pancasila', kind: NATIONAL },
    { date: '2025-06-06', name: 'Iduladha 1446 Hijriah', kind: NATIONAL },
    { date: '2025-06-09', name: 'Cuti Bersama Iduladha 1446 Hijriah', kind: CUTI_BERSAMA },
    { date: '2025-06-27', name: '1 Muharam Tahun Baru Islam 1447 Hijriah', kind: NATIONAL },
    { date: '2025-08-17', name: 'Proklamasi Kemerdekaan', kind: NATIONAL },
    { date: '2025-08-18', name: 'Cuti Bersama Proklamasi Kemerdekaan', kind: CUTI_BERSAMA },
    { date: '2025-09-05', name: 'Maulid Nabi Muhammad S.A.W.', kind: NATIONAL },
    { date: '2025-12-25', name: 'Kelahiran Yesus Kristus', kind: NATIONAL },
    { date: '2025-12-26', name: 'Cuti Bersama Kelahiran Yesus Kristus', kind: CUTI_BERSAMA },
  ],
};

export const HOLIDAYS_ID_2026: HolidayYear = {
  year: 2026,
  source:
    'SKB Menteri Agama, Menteri Ketenagakerjaan dan Menteri PANRB Nomor 1497, 2 dan 5 Tahun 2025 ' +
    '(19 September 2025): 17 hari libur nasional, 8 hari cuti bersama',
  holidays: [
    { date: '2026-01-01', name: 'Tahun Baru 2026 Masehi', kind: NATIONAL },
    { date: '2026-01-16', name: 'Isra Mikraj Nabi Muhammad S.A.W.', kind: NATIONAL },
    { date: '2026-02-16', name: 'Cuti Bersama Tahun Baru Imlek 2577 Kongzili', kind: CUTI_BERSAMA },
    { date: '2026-02-17', name: 'Tahun Baru Imlek 2577 Kongzili', kind: NATIONAL },
    { date: '2026-03-18', name: 'Cuti Bersama Hari Suci Nyepi', kind: CUTI_BERSAMA },
    { date: '2026-03-19', name: 'Hari Suci Nyepi (Tahun Baru Saka 1948)', kind: NATIONAL },
    { date: '2026-03-20', name: 'Cuti Bersama Idulfitri 1447 Hijriah', kind: CUTI_BERSAMA },
    // The decree puts Idulfitri on Saturday and Sunday 21–22 March (some summaries say 20–21;
    // 20 March is cuti bersama in the decree itself). Verify against any amendment after the isbat.
    { date: '2026-03-21', name: 'Idulfitri 1447 Hijriah', kind: NATIONAL },
    { date: '2026-03-22', name: 'Idulfitri 1447 Hijriah', kind: NATIONAL },
    { date: '2026-03-23', name: 'Cuti Bersama Idulfitri 1447 Hijriah', kind: CUTI_BERSAMA },
    { date: '2026-03-24', name: 'Cuti Bersama Idulfitri 1447 Hijriah', kind: CUTI_BERSAMA },
    { date: '2026-04-03', name: 'Wafat Yesus Kristus', kind: NATIONAL },
    { date: '2026-04-05', name: 'Kebangkitan Yesus Kristus (Paskah)', kind: NATIONAL },
    { date: '2026-05-01', name: 'Hari Buruh Internasional', kind: NATIONAL },
    { date: '2026-05-14', name: 'Kenaikan Yesus Kristus', kind: NATIONAL },
    { date: '2026-05-15', name: 'Cuti Bersama Kenaikan Yesus Kristus', kind: CUTI_BERSAMA },
    { date: '2026-05-27', name: 'Iduladha 1447 Hijriah', kind: NATIONAL },
    { date: '2026-05-28', name: 'Cuti Bersama Iduladha 1447 Hijriah', kind: CUTI_BERSAMA },
    { date: '2026-05-31', name: 'Hari Raya Waisak 2570 BE', kind: NATIONAL },
    { date: '2026-06-01', name: 'Hari Lahir Pancasila', kind: NATIONAL },
    { date: '2026-06-16', name: '1 Muharam Tahun Baru Islam 1448 Hijriah', kind: NATIONAL },
    { date: '2026-08-17', name: 'Proklamasi Kemerdekaan', kind: NATIONAL },
    { date: '2026-08-25', name: 'Maulid Nabi Muhammad S.A.W.', kind: NATIONAL },
    { date: '2026-12-24', name: 'Cuti Bersama Kelahiran Yesus Kristus', kind: CUTI_BERSAMA },
    { date: '2026-12-25', name: 'Kelahiran Yesus Kristus', kind: NATIONAL },
  ],
};

/**
 * Every year Loket has a list for. 2027 is absent on purpose: its decree is normally signed in
 * September or October of the year before, and a guessed list would silently move deadlines.
 */
export const HOLIDAY_YEARS_ID: readonly HolidayYear[] = [HOLIDAYS_ID_2025, HOLIDAYS_ID_2026];

/** All national holidays and cuti bersama Loket knows, as fresh objects a caller may change. */
export function listIndonesianHolidays(): OfficeHoliday[] {
  return HOLIDAY_YEARS_ID.flatMap((y) => y.holidays.map((h) => ({ ...h })));
}
