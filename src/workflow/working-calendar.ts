import { listIndonesianHolidays } from './holidays-id';

/**
 * Working-time arithmetic for the SOPs' time standards ("mutu baku"): "5 menit" means five minutes
 * of office time, and "hari yang sama (hari dan jam kerja)" means before the office closes on the
 * day the request arrived. Pure: no clock, no I/O; callers pass the instant (see shared/clock.ts).
 *
 * Every wall-clock question is answered in the office's IANA time zone through Intl, so the code
 * never assumes an offset: Indonesia has had no DST since 1964, but offices are configured data,
 * and deriving the offset per instant keeps any zone correct.
 *
 * Working intervals are half-open, [start, end): an office that closes at 16:00 is closed at
 * 16:00:00, and a 5-minute step started at 15:55 is due at 16:00, not the next morning.
 */

export type Weekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** One stretch of office time on a weekday, local wall-clock 'HH:MM' (end may be '24:00'). */
export interface WorkingInterval {
  start: string;
  end: string;
}

export type HolidayKind = 'NATIONAL' | 'CUTI_BERSAMA' | 'OFFICE';

export interface OfficeHoliday {
  /** Local date in the office's time zone, 'YYYY-MM-DD'. */
  date: string;
  name: string;
  kind: HolidayKind;
}

export interface OfficeCalendar {
  /** IANA name: Asia/Jakarta (WIB), Asia/Makassar (WITA) or Asia/Jayapura (WIT). */
  timeZone: string;
  /** Per weekday (0 = Sunday), possibly several intervals (a lunch or Friday-prayer break); empty = closed. */
  workingHours: Record<Weekday, readonly WorkingInterval[]>;
  holidays: readonly OfficeHoliday[];
}

const MS_PER_MINUTE = 60_000;
/**
 * How many consecutive days without office time a search may cross before giving up. Ten years is
 * far beyond any real closure, and a bound turns a calendar that lists every day as a holiday into
 * an error instead of a hang.
 */
const MAX_CLOSED_DAYS = 3660;

const WEEKDAYS: readonly Weekday[] = [0, 1, 2, 3, 4, 5, 6];
const WEEKDAY_NAMES = [
  'Sunday',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
];

// ---------------------------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------------------------

/**
 * A typical Indonesian government office under Perpres 21/2023 on ASN working hours: Monday to
 * Friday, 37.5 hours a week excluding breaks, starting 07:30 local time, a 60-minute break
 * Monday to Thursday and 90 minutes on Friday (Friday prayer). So Mon–Thu 07:30–12:00 and
 * 13:00–16:00 (7.5 h), Fri 07:30–11:30 and 13:00–16:30 (7.5 h). The shorter Ramadan hours
 * (32.5 h, from 08:00) are not modelled: a weekly pattern cannot express a date range.
 */
export function defaultOfficeCalendar(timeZone: string): OfficeCalendar {
  getWallClockFormatter(timeZone);
  const monToThu = (): WorkingInterval[] => [
    { start: '07:30', end: '12:00' },
    { start: '13:00', end: '16:00' },
  ];
  return {
    timeZone,
    workingHours: {
      0: [],
      1: monToThu(),
      2: monToThu(),
      3: monToThu(),
      4: monToThu(),
      5: [
        { start: '07:30', end: '11:30' },
        { start: '13:00', end: '16:30' },
      ],
      6: [],
    },
    holidays: listIndonesianHolidays(),
  };
}

// ---------------------------------------------------------------------------------------------
// Public arithmetic
// ---------------------------------------------------------------------------------------------

/**
 * The instant `minutes` of office time after `start`: the earliest instant with that much office
 * time since `start`. So a start outside office hours begins at the next opening, a step that
 * ends exactly at closing is due at closing (not the next morning), and zero minutes is `start`
 * itself, which keeps `addWorkingMinutes(a, workingMinutesBetween(a, b))` from passing `b`.
 */
export function addWorkingMinutes(start: Date, minutes: number, calendar: OfficeCalendar): Date {
  const startMs = requireInstant(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(
      `minutes must be a finite number of at least 0, got ${describeValue(minutes)}`,
    );
  }
  const cal = compileCalendar(calendar);
  let remaining = Math.round(minutes * MS_PER_MINUTE);
  if (remaining === 0) return new Date(startMs);
  let day = readLocalDate(startMs, cal.formatter);
  for (let closedDays = 0; closedDays <= MAX_CLOSED_DAYS; day = addDays(day, 1)) {
    let usable = false;
    for (const [open, close] of listWorkingIntervals(cal, day)) {
      if (close <= startMs) continue;
      usable = true;
      const from = Math.max(open, startMs);
      if (remaining <= close - from) return new Date(from + remaining);
      remaining -= close - from;
    }
    closedDays = usable ? 0 : closedDays + 1;
  }
  throw noOfficeTimeError(cal);
}

/**
 * "Same working day": the close of the working day on which `start` falls, or of the next
 * working day when `start` is after closing or on a day off. Before opening or during a break the
 * same day's close applies: the request arrived that day.
 */
export function endOfWorkingDay(start: Date, calendar: OfficeCalendar): Date {
  const startMs = requireInstant(start, 'start');
  const cal = compileCalendar(calendar);
  let day = readLocalDate(startMs, cal.formatter);
  for (let closedDays = 0; closedDays <= MAX_CLOSED_DAYS; closedDays++, day = addDays(day, 1)) {
    const last = listWorkingIntervals(cal, day).at(-1);
    if (last && startMs < last[1]) return new Date(last[1]);
  }
  throw noOfficeTimeError(cal);
}

/**
 * Office minutes between two instants, for reports ("how long did step 9 take in office time").
 * Signed: negative when `to` is before `from`, so clock skew between hosts yields a small negative
 * number a report can show instead of an exception that loses the whole report.
 */
export function workingMinutesBetween(from: Date, to: Date, calendar: OfficeCalendar): number {
  const fromMs = requireInstant(from, 'from');
  const toMs = requireInstant(to, 'to');
  const cal = compileCalendar(calendar);
  if (toMs < fromMs) return -sumWorkingMs(cal, toMs, fromMs) / MS_PER_MINUTE;
  return sumWorkingMs(cal, fromMs, toMs) / MS_PER_MINUTE;
}

/** Whether the office is open at `instant` (a working weekday, not a holiday, inside an interval). */
export function isWorkingTime(instant: Date, calendar: OfficeCalendar): boolean {
  const ms = requireInstant(instant, 'instant');
  const cal = compileCalendar(calendar);
  return listWorkingIntervals(cal, readLocalDate(ms, cal.formatter)).some(
    ([open, close]) => open <= ms && ms < close,
  );
}

/**
 * Throws a RangeError naming the first problem in a calendar, so a supervisor's edit can be
 * checked before it is saved rather than when the first deadline is computed.
 */
export function validateOfficeCalendar(calendar: OfficeCalendar): void {
  compileCalendar(calendar);
}

// ---------------------------------------------------------------------------------------------
// Calendar compilation and validation
// ---------------------------------------------------------------------------------------------

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface CompiledCalendar {
  formatter: Intl.DateTimeFormat;
  /** Per weekday, [startMinute, endMinute) pairs sorted by start. */
  minutes: readonly (readonly (readonly [number, number])[])[];
  holidays: ReadonlySet<string>;
}

/**
 * Parsed on every call rather than cached per object: calendars are small, and a cache keyed by
 * object would keep serving stale hours after a supervisor's correction mutates one in place.
 */
function compileCalendar(calendar: OfficeCalendar): CompiledCalendar {
  const formatter = getWallClockFormatter(calendar.timeZone);
  const minutes = WEEKDAYS.map((weekday) => parseWeekday(calendar.workingHours, weekday));
  if (minutes.every((intervals) => intervals.length === 0)) {
    throw new RangeError('workingHours has no office time on any weekday');
  }
  const holidays = new Set<string>();
  calendar.holidays.forEach((holiday, i) => {
    if (!isCalendarDate(holiday.date)) {
      throw new RangeError(
        `holidays[${i}].date must be a real date as YYYY-MM-DD, got ${describeValue(holiday.date)}`,
      );
    }
    holidays.add(holiday.date);
  });
  return { formatter, minutes, holidays };
}

function parseWeekday(
  workingHours: OfficeCalendar['workingHours'],
  weekday: Weekday,
): [number, number][] {
  // Read loosely: a calendar from the database may lack a weekday or hold junk the type forbids.
  const raw: unknown = (workingHours as Partial<OfficeCalendar['workingHours']>)[weekday];
  const where = `workingHours[${weekday}] (${WEEKDAY_NAMES[weekday] ?? ''})`;
  if (!Array.isArray(raw)) {
    throw new RangeError(`${where} must be a list of intervals (empty when closed)`);
  }
  const intervals = (raw as unknown[]).map((item, i): [number, number] => {
    const interval = (typeof item === 'object' && item !== null ? item : {}) as {
      start?: unknown;
      end?: unknown;
    };
    const start = parseClockTime(interval.start, `${where}[${i}].start`);
    const end = parseClockTime(interval.end, `${where}[${i}].end`);
    if (end <= start) {
      throw new RangeError(
        `${where}[${i}] must end after it starts, got ${describeValue(interval.start)}–${describeValue(interval.end)}`,
      );
    }
    return [start, end];
  });
  intervals.sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < intervals.length; i++) {
    const previous = intervals[i - 1];
    const current = intervals[i];
    if (previous && current && current[0] < previous[1]) {
      throw new RangeError(`${where} has overlapping intervals`);
    }
  }
  return intervals;
}

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Minutes after local midnight; '24:00' is accepted as an end so an office can close at midnight. */
function parseClockTime(value: unknown, where: string): number {
  if (value === '24:00') return 24 * 60;
  const match = typeof value === 'string' ? CLOCK_TIME.exec(value) : null;
  if (!match) {
    throw new RangeError(
      `${where} must be a time as HH:MM (00:00–24:00), got ${describeValue(value)}`,
    );
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = value.split('-').map(Number) as [number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day));
  return probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

/** Typed loosely: instants are often read from stored data, where a type is only a promise. */
function requireInstant(value: unknown, name: string): number {
  const ms = value instanceof Date ? value.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${name} must be a valid Date`);
  return ms;
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

function noOfficeTimeError(cal: CompiledCalendar): RangeError {
  return new RangeError(
    `no office time within ${MAX_CLOSED_DAYS} days in ${cal.formatter.resolvedOptions().timeZone}: ` +
      'check the calendar’s holidays',
  );
}

// ---------------------------------------------------------------------------------------------
// Time zone arithmetic
// ---------------------------------------------------------------------------------------------

/** Creating an Intl.DateTimeFormat is costly next to using one; a zone's formatter never changes. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function getWallClockFormatter(timeZone: unknown): Intl.DateTimeFormat {
  // Intl silently uses the host's zone when timeZone is undefined: refuse it rather than guess.
  if (typeof timeZone !== 'string' || timeZone.trim() === '') throw unknownTimeZoneError(timeZone);
  const cached = formatters.get(timeZone);
  if (cached) return cached;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    throw unknownTimeZoneError(timeZone);
  }
  formatters.set(timeZone, formatter);
  return formatter;
}

function unknownTimeZoneError(timeZone: unknown): RangeError {
  return new RangeError(
    `unknown time zone ${describeValue(timeZone)}: use an IANA name such as Asia/Jakarta (WIB), ` +
      'Asia/Makassar (WITA) or Asia/Jayapura (WIT)',
  );
}

interface WallClock extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

function readWallClock(ms: number, formatter: Intl.DateTimeFormat): WallClock {
  const clock: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatter.formatToParts(ms)) {
    if (part.type in clock) clock[part.type as keyof WallClock] = Number(part.value);
  }
  return clock;
}

function readLocalDate(ms: number, formatter: Intl.DateTimeFormat): LocalDate {
  const { year, month, day } = readWallClock(ms, formatter);
  return { year, month, day };
}

/** The zone's offset from UTC at an instant, in ms (Asia/Makassar: +8 h). */
function readOffsetMs(ms: number, formatter: Intl.DateTimeFormat): number {
  const c = readWallClock(ms, formatter);
  const wholeSecond = ms - (((ms % 1000) + 1000) % 1000);
  return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - wholeSecond;
}

/**
 * The instant a local wall-clock time occurs. Two passes: the offset guessed at the wall time read
 * as UTC, then corrected at the candidate, which settles any zone whose offset changes near it.
 */
function toInstant(date: LocalDate, minuteOfDay: number, formatter: Intl.DateTimeFormat): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minuteOfDay);
  const first = wall - readOffsetMs(wall, formatter);
  const second = wall - readOffsetMs(first, formatter);
  return second;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}

function formatDateKey(date: LocalDate): string {
  const pad = (n: number, width: number) => String(n).padStart(width, '0');
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Office intervals of one local date as instants; none on a holiday or a closed weekday. */
function listWorkingIntervals(cal: CompiledCalendar, date: LocalDate): [number, number][] {
  if (cal.holidays.has(formatDateKey(date))) return [];
  const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
  return (cal.minutes[weekday] ?? []).map(([start, end]): [number, number] => [
    toInstant(date, start, cal.formatter),
    toInstant(date, end, cal.formatter),
  ]);
}

function sumWorkingMs(cal: CompiledCalendar, fromMs: number, toMs: number): number {
  let total = 0;
  const last = formatDateKey(readLocalDate(toMs, cal.formatter));
  for (let day = readLocalDate(fromMs, cal.formatter); ; day = addDays(day, 1)) {
    for (const [open, close] of listWorkingIntervals(cal, day)) {
      total += Math.max(0, Math.min(close, toMs) - Math.max(open, fromMs));
    }
    if (formatDateKey(day) >= last) return total;
  }
}
