import {
  HOLIDAYS_ID_2025,
  HOLIDAYS_ID_2026,
  HOLIDAY_YEARS_ID,
  listIndonesianHolidays,
} from '../../src/workflow/holidays-id';
import { computeDueAt, type TimeStandard } from '../../src/workflow/time-standard';
import {
  addWorkingMinutes,
  defaultOfficeCalendar,
  endOfWorkingDay,
  isWorkingTime,
  validateOfficeCalendar,
  workingMinutesBetween,
  type OfficeCalendar,
  type OfficeHoliday,
} from '../../src/workflow/working-calendar';

// Dates are written with their offset so each case reads as the office sees it.
const WIB = '+07:00';
const WITA = '+08:00';
const WIT = '+09:00';
const at = (local: string, offset = WIB) => new Date(`${local}${offset}`);

const jakarta = defaultOfficeCalendar('Asia/Jakarta');
const makassar = defaultOfficeCalendar('Asia/Makassar');
const jayapura = defaultOfficeCalendar('Asia/Jayapura');

/** Tue 10 Feb 2026 is an ordinary working week (Mon 9 – Fri 13 Feb, no holidays). */
describe('addWorkingMinutes (default calendar, WIB)', () => {
  test.each([
    ['5 minutes inside hours', '2026-02-10T09:00', 5, '2026-02-10T09:05'],
    [
      'a step that ends exactly at closing is due at closing',
      '2026-02-10T15:55',
      5,
      '2026-02-10T16:00',
    ],
    ['across the Monday–Thursday lunch break', '2026-02-10T11:58', 5, '2026-02-10T13:03'],
    ['across the longer Friday prayer break', '2026-02-06T11:28', 5, '2026-02-06T13:03'],
    ['a start during the break begins at 13:00', '2026-02-10T12:15', 15, '2026-02-10T13:15'],
    ['across the end of the day into the next morning', '2026-02-10T15:55', 15, '2026-02-11T07:40'],
    ['Friday afternoon to Monday morning', '2026-02-06T16:25', 15, '2026-02-09T07:40'],
    [
      'a request arriving at 22:00 starts at the next opening',
      '2026-02-10T22:00',
      5,
      '2026-02-11T07:35',
    ],
    [
      'a request arriving before opening starts at 07:30',
      '2026-02-10T05:00',
      5,
      '2026-02-10T07:35',
    ],
    ['a request arriving on Sunday starts on Monday', '2026-02-08T10:00', 5, '2026-02-09T07:35'],
    [
      'one full working day (450 min) from opening ends at closing',
      '2026-02-10T07:30',
      450,
      '2026-02-10T16:00',
    ],
    ['one minute more runs into the next morning', '2026-02-10T07:30', 451, '2026-02-11T07:31'],
    ['Isra Mikraj (Fri 16 Jan 2026) is skipped', '2026-01-15T15:58', 5, '2026-01-19T07:33'],
    [
      'cuti bersama (Mon 16 Feb) and Imlek (Tue 17 Feb) are skipped',
      '2026-02-13T16:25',
      15,
      '2026-02-18T07:40',
    ],
    [
      'the Nyepi–Idulfitri closure (18–24 Mar 2026) is skipped',
      '2026-03-17T15:50',
      15,
      '2026-03-25T07:35',
    ],
    ['seconds in the start are kept', '2026-02-10T09:00:30', 5, '2026-02-10T09:05:30'],
    ['zero minutes inside hours is the start itself', '2026-02-10T09:00', 0, '2026-02-10T09:00'],
    ['zero minutes outside hours is the start too', '2026-02-10T16:00', 0, '2026-02-10T16:00'],
  ])('%s', (_name, start, minutes, due) => {
    expect(addWorkingMinutes(at(start), minutes, jakarta).toISOString()).toBe(
      at(due).toISOString(),
    );
  });
});

describe('endOfWorkingDay: "hari yang sama (hari dan jam kerja)"', () => {
  test.each([
    ['arriving before opening: that day', '2026-02-10T06:45', '2026-02-10T16:00'],
    ['arriving during hours: that day', '2026-02-10T10:00', '2026-02-10T16:00'],
    ['arriving during the lunch break: that day', '2026-02-10T12:30', '2026-02-10T16:00'],
    ['arriving one second before closing: that day', '2026-02-10T15:59:59', '2026-02-10T16:00'],
    ['arriving at closing: the next working day', '2026-02-10T16:00', '2026-02-11T16:00'],
    ['arriving after closing: the next working day', '2026-02-10T18:30', '2026-02-11T16:00'],
    ['Friday closes at 16:30', '2026-02-06T09:00', '2026-02-06T16:30'],
    ['Friday evening: Monday', '2026-02-06T17:00', '2026-02-09T16:00'],
    ['Saturday: Monday', '2026-02-07T10:00', '2026-02-09T16:00'],
    ['on a national holiday (17 Aug 2026): the next day', '2026-08-17T09:00', '2026-08-18T16:00'],
    [
      'on the eve of Kenaikan + cuti bersama (Wed 13 May 2026, after hours): Monday',
      '2026-05-13T16:30',
      '2026-05-18T16:00',
    ],
    [
      'on the eve of cuti bersama Natal (Wed 23 Dec 2026, after hours): Monday 28th',
      '2026-12-23T17:00',
      '2026-12-28T16:00',
    ],
    ['before the Lebaran closure: the day after it', '2026-03-17T20:00', '2026-03-25T16:00'],
  ])('%s', (_name, start, due) => {
    expect(endOfWorkingDay(at(start), jakarta).toISOString()).toBe(at(due).toISOString());
  });
});

describe('workingMinutesBetween', () => {
  test.each([
    ['5 minutes inside hours', '2026-02-10T09:00', '2026-02-10T09:05', 5],
    ['the lunch break does not count', '2026-02-10T11:58', '2026-02-10T13:03', 5],
    ['a night does not count', '2026-02-10T09:00', '2026-02-11T09:00', 450],
    ['a weekend does not count', '2026-02-06T16:00', '2026-02-09T08:00', 60],
    [
      'an ordinary week is 37.5 hours (Perpres 21/2023)',
      '2026-02-09T00:00',
      '2026-02-16T00:00',
      2250,
    ],
    ['the Imlek week loses Monday and Tuesday', '2026-02-16T00:00', '2026-02-23T00:00', 1350],
    ['the Nyepi week keeps only Monday and Tuesday', '2026-03-16T00:00', '2026-03-23T00:00', 900],
    ['a weekend alone is zero', '2026-02-07T08:00', '2026-02-08T15:00', 0],
    ['the same instant is zero', '2026-02-10T09:00', '2026-02-10T09:00', 0],
    ['seconds count as fractions', '2026-02-10T09:00:00', '2026-02-10T09:00:30', 0.5],
    ['reversed instants give a negative duration', '2026-02-10T09:05', '2026-02-10T09:00', -5],
  ])('%s', (_name, from, to, minutes) => {
    expect(workingMinutesBetween(at(from), at(to), jakarta)).toBe(minutes);
  });
});

describe('isWorkingTime', () => {
  test.each([
    ['Tuesday 07:29:59', '2026-02-10T07:29:59', false],
    ['Tuesday 07:30', '2026-02-10T07:30', true],
    ['Tuesday 11:45', '2026-02-10T11:45', true],
    ['Tuesday 12:00 (break)', '2026-02-10T12:00', false],
    ['Tuesday 12:59 (break)', '2026-02-10T12:59', false],
    ['Tuesday 13:00', '2026-02-10T13:00', true],
    ['Tuesday 15:59:59', '2026-02-10T15:59:59', true],
    ['Tuesday 16:00 (closed)', '2026-02-10T16:00', false],
    ['Tuesday 16:15 (closed)', '2026-02-10T16:15', false],
    ['Friday 11:45 (Friday prayer)', '2026-02-06T11:45', false],
    ['Friday 16:15 (Friday closes later)', '2026-02-06T16:15', true],
    ['Saturday 10:00', '2026-02-07T10:00', false],
    ['Sunday 10:00', '2026-02-08T10:00', false],
    ['Isra Mikraj 16 Jan 2026 10:00', '2026-01-16T10:00', false],
    ['cuti bersama 16 Feb 2026 10:00', '2026-02-16T10:00', false],
    ['the first day after Imlek, 18 Feb 2026 10:00', '2026-02-18T10:00', true],
  ])('%s → %s', (_name, instant, open) => {
    expect(isWorkingTime(at(instant), jakarta)).toBe(open);
  });

  test('the holiday is the office’s local date, not the UTC date', () => {
    // 23:45 UTC on Thursday 15 Jan is 08:45 on Friday 16 Jan (Isra Mikraj) in Jayapura.
    const instant = new Date('2026-01-15T23:45:00Z');
    expect(isWorkingTime(instant, jayapura)).toBe(false);
    expect(isWorkingTime(new Date('2026-01-14T23:45:00Z'), jayapura)).toBe(true);
  });
});

describe('the same instant in WIB, WITA and WIT', () => {
  // 07:55 UTC on Tuesday 10 Feb 2026: 14:55 WIB, 15:55 WITA, 16:55 WIT.
  const instant = new Date('2026-02-10T07:55:00Z');

  test.each([
    ['WIB (Jakarta): still open, due 15:05', jakarta, at('2026-02-10T15:05', WIB)],
    ['WITA (Makassar): 5 min today, 5 min tomorrow', makassar, at('2026-02-11T07:35', WITA)],
    ['WIT (Jayapura): already closed, due 07:40 tomorrow', jayapura, at('2026-02-11T07:40', WIT)],
  ])('+10 min in %s', (_name, calendar, due) => {
    expect(addWorkingMinutes(instant, 10, calendar).toISOString()).toBe(due.toISOString());
  });

  test.each([
    ['WIB', jakarta, at('2026-02-10T16:00', WIB), true],
    ['WITA', makassar, at('2026-02-10T16:00', WITA), true],
    ['WIT', jayapura, at('2026-02-11T16:00', WIT), false],
  ])('same working day and open-now in %s', (_name, calendar, due, open) => {
    expect(endOfWorkingDay(instant, calendar).toISOString()).toBe(due.toISOString());
    expect(isWorkingTime(instant, calendar)).toBe(open);
  });

  test('the three results are three different instants', () => {
    const dues = [jakarta, makassar, jayapura].map((c) =>
      addWorkingMinutes(instant, 10, c).getTime(),
    );
    expect(new Set(dues).size).toBe(3);
  });
});

describe('the offset comes from the time zone, not a constant', () => {
  // Amsterdam moves from +01:00 to +02:00 on Sunday 29 Mar 2026; a fixed offset would be an hour off.
  const amsterdam: OfficeCalendar = {
    timeZone: 'Europe/Amsterdam',
    workingHours: {
      0: [],
      1: [{ start: '09:00', end: '17:00' }],
      2: [{ start: '09:00', end: '17:00' }],
      3: [{ start: '09:00', end: '17:00' }],
      4: [{ start: '09:00', end: '17:00' }],
      5: [{ start: '09:00', end: '17:00' }],
      6: [],
    },
    holidays: [],
  };

  test('Friday before the change + 10 min is Monday 09:05 summer time', () => {
    const due = addWorkingMinutes(new Date('2026-03-27T16:55:00+01:00'), 10, amsterdam);
    expect(due.toISOString()).toBe('2026-03-30T07:05:00.000Z');
  });

  test('an opening in the hour the clocks change is placed by the offset in force then', () => {
    // 01:30 on 29 Mar is still +01:00 (00:30 UTC); 05:00 is already +02:00 (03:00 UTC).
    const sundayNight: OfficeCalendar = {
      ...amsterdam,
      workingHours: { ...amsterdam.workingHours, 0: [{ start: '01:30', end: '05:00' }] },
    };
    expect(isWorkingTime(new Date('2026-03-29T00:40:00Z'), sundayNight)).toBe(true);
    expect(isWorkingTime(new Date('2026-03-29T00:20:00Z'), sundayNight)).toBe(false);
    const saturday = new Date('2026-03-28T12:00:00Z');
    const monday = new Date('2026-03-30T06:00:00Z');
    expect(workingMinutesBetween(saturday, monday, sundayNight)).toBe(150);
  });

  test('working minutes across the change', () => {
    const from = new Date('2026-03-27T16:00:00+01:00');
    const to = new Date('2026-03-30T10:00:00+02:00');
    expect(workingMinutesBetween(from, to, amsterdam)).toBe(120);
  });
});

describe('a calendar configured by an office', () => {
  // An LPSE open 08:00–16:00 straight through, with its province's anniversary as an office holiday.
  const lpseKaltim: OfficeCalendar = {
    timeZone: 'Asia/Makassar',
    workingHours: {
      0: [],
      1: [{ start: '08:00', end: '16:00' }],
      2: [{ start: '08:00', end: '16:00' }],
      3: [{ start: '08:00', end: '16:00' }],
      4: [{ start: '08:00', end: '16:00' }],
      5: [{ start: '08:00', end: '16:00' }],
      6: [],
    },
    holidays: [
      ...listIndonesianHolidays(),
      { date: '2026-01-09', name: 'HUT Provinsi Kalimantan Timur', kind: 'OFFICE' },
    ],
  };

  test('its own holiday is skipped', () => {
    const due = addWorkingMinutes(at('2026-01-08T15:58', WITA), 5, lpseKaltim);
    expect(due.toISOString()).toBe(at('2026-01-12T08:03', WITA).toISOString());
  });

  test('it works through lunch', () => {
    expect(isWorkingTime(at('2026-02-10T12:30', WITA), lpseKaltim)).toBe(true);
  });

  test('intervals given out of order behave like sorted ones', () => {
    const shuffled: OfficeCalendar = {
      ...jakarta,
      workingHours: {
        ...jakarta.workingHours,
        2: [
          { start: '13:00', end: '16:00' },
          { start: '07:30', end: '12:00' },
        ],
      },
    };
    expect(addWorkingMinutes(at('2026-02-10T11:58'), 5, shuffled).toISOString()).toBe(
      at('2026-02-10T13:03').toISOString(),
    );
  });

  test('a correction made in place takes effect on the next call', () => {
    const calendar = defaultOfficeCalendar('Asia/Jakarta');
    const start = at('2026-02-10T15:55');
    expect(endOfWorkingDay(start, calendar).toISOString()).toBe(
      at('2026-02-10T16:00').toISOString(),
    );
    calendar.workingHours[2] = [{ start: '07:30', end: '15:00' }];
    expect(endOfWorkingDay(start, calendar).toISOString()).toBe(
      at('2026-02-11T16:00').toISOString(),
    );
  });

  test('each default calendar is a fresh copy', () => {
    const a = defaultOfficeCalendar('Asia/Jakarta');
    (a.holidays as OfficeHoliday[]).splice(0);
    a.workingHours[1] = [];
    const b = defaultOfficeCalendar('Asia/Jakarta');
    expect(b.holidays.length).toBeGreaterThan(0);
    expect(b.workingHours[1]).toHaveLength(2);
    expect(isWorkingTime(at('2026-01-16T10:00'), b)).toBe(false);
  });
});

describe('computeDueAt', () => {
  test.each<[string, TimeStandard, string, string | null]>([
    ['NONE has no deadline', { kind: 'NONE' }, '2026-02-10T09:00', null],
    [
      'MINUTES counts working time',
      { kind: 'MINUTES', minutes: 15 },
      '2026-02-10T15:55',
      '2026-02-11T07:40',
    ],
    [
      'SAME_WORKING_DAY during hours',
      { kind: 'SAME_WORKING_DAY' },
      '2026-02-10T09:00',
      '2026-02-10T16:00',
    ],
    [
      'SAME_WORKING_DAY for an email on the Friday evening before Imlek',
      { kind: 'SAME_WORKING_DAY' },
      '2026-02-13T17:10',
      '2026-02-18T16:00',
    ],
  ])('%s', (_name, standard, start, due) => {
    const result = computeDueAt(at(start), standard, jakarta);
    expect(result?.toISOString() ?? null).toBe(due === null ? null : at(due).toISOString());
  });

  test('a negative time standard is refused', () => {
    expect(() =>
      computeDueAt(at('2026-02-10T09:00'), { kind: 'MINUTES', minutes: -5 }, jakarta),
    ).toThrow(/minutes must be a finite number of at least 0, got -5/);
  });

  test('an unknown kind from stored data is refused', () => {
    const stored = JSON.parse('{"kind":"HOURS","hours":2}') as TimeStandard;
    expect(() => computeDueAt(at('2026-02-10T09:00'), stored, jakarta)).toThrow(
      /unknown time standard kind "HOURS"/,
    );
  });
});

/** mulberry32: a tiny seeded generator, so a failure reproduces exactly. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('addWorkingMinutes and workingMinutesBetween agree (seeded property check)', () => {
  const calendars = [jakarta, makassar, jayapura];
  // Both years with holiday data, so holidays and cuti bersama are crossed often.
  const from = Date.parse('2025-01-01T00:00:00Z');
  const span = Date.parse('2026-12-20T00:00:00Z') - from;

  test('between(s, add(s, m)) = m, and add is the earliest such instant', () => {
    const random = createRandom(20260210);
    for (let i = 0; i < 400; i++) {
      const calendar = calendars[i % calendars.length] ?? jakarta;
      const start = new Date(from + Math.floor(random() * span));
      const minutes = 1 + Math.floor(random() * 2400);
      const due = addWorkingMinutes(start, minutes, calendar);
      const context = `${calendar.timeZone} ${start.toISOString()} + ${minutes}`;
      expect([context, workingMinutesBetween(start, due, calendar)]).toEqual([context, minutes]);
      // The millisecond before the deadline is office time, so no earlier instant would do.
      expect([context, isWorkingTime(new Date(due.getTime() - 1), calendar)]).toEqual([
        context,
        true,
      ]);
    }
  });

  test('add(a, between(a, b)) reaches b without passing it, and between is antisymmetric', () => {
    const random = createRandom(17081945);
    for (let i = 0; i < 300; i++) {
      const calendar = calendars[i % calendars.length] ?? jakarta;
      const a = new Date(from + Math.floor(random() * span));
      const b = new Date(a.getTime() + Math.floor(random() * 10 * 86_400_000));
      const minutes = workingMinutesBetween(a, b, calendar);
      const reached = addWorkingMinutes(a, minutes, calendar);
      const context = `${calendar.timeZone} ${a.toISOString()} → ${b.toISOString()}`;
      expect([context, reached.getTime() <= b.getTime()]).toEqual([context, true]);
      expect([context, workingMinutesBetween(reached, b, calendar)]).toEqual([context, 0]);
      expect([context, workingMinutesBetween(b, a, calendar)]).toEqual([context, -minutes]);
    }
  });

  test('between matches a minute-by-minute count with isWorkingTime', () => {
    const random = createRandom(1945);
    for (let i = 0; i < 12; i++) {
      const calendar = calendars[i % calendars.length] ?? jakarta;
      const a = from + Math.floor((random() * span) / 60_000) * 60_000;
      const b = a + Math.floor(random() * 2 * 1440) * 60_000;
      let counted = 0;
      for (let t = a; t < b; t += 60_000) if (isWorkingTime(new Date(t), calendar)) counted++;
      expect(workingMinutesBetween(new Date(a), new Date(b), calendar)).toBe(counted);
    }
  });
});

describe('invalid input is refused with a clear error', () => {
  const start = at('2026-02-10T09:00');
  const withMonday = (intervals: { start: string; end: string }[]): OfficeCalendar => ({
    ...jakarta,
    workingHours: { ...jakarta.workingHours, 1: intervals },
  });

  test.each([
    ['negative', -5, /got -5/],
    ['NaN', Number.NaN, /got NaN/],
    ['infinite', Number.POSITIVE_INFINITY, /got Infinity/],
  ])('%s minutes', (_name, minutes, message) => {
    expect(() => addWorkingMinutes(start, minutes, jakarta)).toThrow(RangeError);
    expect(() => addWorkingMinutes(start, minutes, jakarta)).toThrow(message);
  });

  test('an invalid Date', () => {
    expect(() => addWorkingMinutes(new Date('not a date'), 5, jakarta)).toThrow(
      /start must be a valid Date/,
    );
    expect(() => workingMinutesBetween(start, new Date(Number.NaN), jakarta)).toThrow(
      /to must be a valid Date/,
    );
    expect(() => endOfWorkingDay(new Date(Number.NaN), jakarta)).toThrow(
      /start must be a valid Date/,
    );
    expect(() => isWorkingTime(new Date(Number.NaN), jakarta)).toThrow(
      /instant must be a valid Date/,
    );
  });

  test.each(['7:30', '24:01', '12:60', '', '08.00', '08:00 '])('bad HH:MM %j', (bad) => {
    expect(() => addWorkingMinutes(start, 5, withMonday([{ start: bad, end: '16:00' }]))).toThrow(
      /workingHours\[1\] \(Monday\)\[0\]\.start must be a time as HH:MM/,
    );
  });

  test.each([
    ['ends before it starts', '16:00', '07:30'],
    ['is empty', '12:00', '12:00'],
  ])('an interval that %s', (_name, from, to) => {
    expect(() => {
      validateOfficeCalendar(withMonday([{ start: from, end: to }]));
    }).toThrow(/workingHours\[1\] \(Monday\)\[0\] must end after it starts/);
  });

  test('overlapping intervals', () => {
    const overlapping = withMonday([
      { start: '07:30', end: '12:30' },
      { start: '12:00', end: '16:00' },
    ]);
    expect(() => {
      validateOfficeCalendar(overlapping);
    }).toThrow(/\(Monday\) has overlapping intervals/);
  });

  test('an office may close at midnight', () => {
    const late = withMonday([{ start: '20:00', end: '24:00' }]);
    expect(isWorkingTime(at('2026-02-09T23:59'), late)).toBe(true);
    expect(addWorkingMinutes(at('2026-02-09T23:55'), 5, late).toISOString()).toBe(
      at('2026-02-10T00:00').toISOString(),
    );
  });

  test('a missing weekday', () => {
    const hours: Partial<OfficeCalendar['workingHours']> = { ...jakarta.workingHours };
    delete hours[3];
    const broken = { ...jakarta, workingHours: hours } as OfficeCalendar;
    expect(() => {
      validateOfficeCalendar(broken);
    }).toThrow(/workingHours\[3\] \(Wednesday\) must be a list/);
  });

  test.each(['Mars/Olympus', 'WIB', 'WITA', ''])('unknown time zone %j', (zone) => {
    const expected = /unknown time zone ".*": use an IANA name such as Asia\/Jakarta \(WIB\)/;
    expect(() => defaultOfficeCalendar(zone)).toThrow(expected);
    expect(() => addWorkingMinutes(start, 5, { ...jakarta, timeZone: zone })).toThrow(expected);
  });

  test('a missing time zone is refused rather than replaced by the host’s', () => {
    const broken = { ...jakarta, timeZone: undefined } as unknown as OfficeCalendar;
    expect(() => isWorkingTime(start, broken)).toThrow(/unknown time zone undefined/);
  });

  test.each(['2026-02-30', '2026-2-3', '16/01/2026'])('a bad holiday date %j', (date) => {
    const broken: OfficeCalendar = {
      ...jakarta,
      holidays: [...jakarta.holidays, { date, name: 'Salah ketik', kind: 'OFFICE' }],
    };
    expect(() => endOfWorkingDay(start, broken)).toThrow(
      new RegExp(`holidays\\[${jakarta.holidays.length}\\]\\.date must be a real date`),
    );
  });

  test('a calendar with no office time at all', () => {
    const closed: OfficeCalendar = {
      ...jakarta,
      workingHours: { 0: [], 1: [], 2: [], 3: [], 4: [], 5: [], 6: [] },
    };
    expect(() => addWorkingMinutes(start, 5, closed)).toThrow(/no office time on any weekday/);
  });

  test('a calendar whose every open day is a holiday fails instead of hanging', () => {
    const sundays: { date: string; name: string; kind: 'OFFICE' }[] = [];
    for (let d = Date.UTC(2026, 1, 8); d < Date.UTC(2037, 0, 1); d += 7 * 86_400_000) {
      sundays.push({ date: new Date(d).toISOString().slice(0, 10), name: 'Tutup', kind: 'OFFICE' });
    }
    const sundayOnly: OfficeCalendar = {
      timeZone: 'Asia/Jakarta',
      workingHours: {
        0: [{ start: '08:00', end: '12:00' }],
        1: [],
        2: [],
        3: [],
        4: [],
        5: [],
        6: [],
      },
      holidays: sundays,
    };
    expect(() => addWorkingMinutes(start, 5, sundayOnly)).toThrow(
      /no office time within 3660 days/,
    );
    expect(() => endOfWorkingDay(start, sundayOnly)).toThrow(/no office time within 3660 days/);
  });
});

describe('holiday data (SKB 3 Menteri)', () => {
  const weekdayOf = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();
  const count = (list: readonly { kind: string }[], kind: string) =>
    list.filter((h) => h.kind === kind).length;

  test.each(HOLIDAY_YEARS_ID.map((y) => [y.year, y] as const))(
    '%i: real dates of that year, ascending, no duplicates, named',
    (year, { holidays }) => {
      const dates = holidays.map((h) => h.date);
      for (const h of holidays) {
        expect(h.date).toMatch(new RegExp(`^${year}-\\d{2}-\\d{2}$`));
        expect(new Date(`${h.date}T00:00:00Z`).toISOString().slice(0, 10)).toBe(h.date);
        expect(h.name.trim().length).toBeGreaterThan(3);
      }
      expect([...dates].sort()).toEqual(dates);
      expect(new Set(dates).size).toBe(dates.length);
    },
  );

  test('cuti bersama always falls on a weekday (a weekend one would be a typo)', () => {
    const weekendCuti = HOLIDAY_YEARS_ID.flatMap((y) => y.holidays)
      .filter((h) => h.kind === 'CUTI_BERSAMA')
      .filter((h) => [0, 6].includes(weekdayOf(h.date)));
    expect(weekendCuti).toEqual([]);
  });

  test('2026 has the decree’s 17 national holidays and 8 days of cuti bersama', () => {
    expect(count(HOLIDAYS_ID_2026.holidays, 'NATIONAL')).toBe(17);
    expect(count(HOLIDAYS_ID_2026.holidays, 'CUTI_BERSAMA')).toBe(8);
  });

  test('2025 has 17 national holidays and 11 days of cuti bersama (10 + 18 August amendment)', () => {
    expect(count(HOLIDAYS_ID_2025.holidays, 'NATIONAL')).toBe(17);
    expect(count(HOLIDAYS_ID_2025.holidays, 'CUTI_BERSAMA')).toBe(11);
  });

  test.each([
    ['2026-01-16', 'Isra Mikraj Nabi Muhammad S.A.W.'],
    ['2026-03-21', 'Idulfitri 1447 Hijriah'],
    ['2026-03-22', 'Idulfitri 1447 Hijriah'],
    ['2026-05-27', 'Iduladha 1447 Hijriah'],
    ['2026-08-25', 'Maulid Nabi Muhammad S.A.W.'],
  ])('%s is %s', (date, name) => {
    expect(HOLIDAYS_ID_2026.holidays.find((h) => h.date === date)?.name).toBe(name);
  });

  test('the default calendar carries every listed holiday', () => {
    expect(jakarta.holidays).toEqual(HOLIDAY_YEARS_ID.flatMap((y) => y.holidays));
  });
});
