import type { Language } from '../shared/messages';
import type { DocumentKind, TicketType } from '../workflow/workflow.types';

/**
 * Pure formatting for the notices: dates and times in the office's time zone, document and
 * request-type names, list joining, per language. No clock and no I/O; the template helpers in
 * templates.ts are thin wrappers around these, so other modules (the console, reports) can use
 * the same wording.
 *
 * Names of days and months come from our own tables, not from ICU, so the output does not change
 * with the Node or ICU version (ICU has written Friday as both "Jumat" and "Jum'at").
 */

/**
 * Bad data for a notice (an unknown document kind, no date where one is needed). Its message names
 * what is wrong, never the value, so it may be logged and shown as it is.
 */
export class TemplateDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateDataError';
  }
}

const WEEKDAYS: Record<Language, readonly string[]> = {
  id: ['Minggu', 'Senin', 'Selasa', 'Rabu', 'Kamis', 'Jumat', 'Sabtu'],
  en: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
};

const MONTHS: Record<Language, readonly string[]> = {
  id: [
    'Januari',
    'Februari',
    'Maret',
    'April',
    'Mei',
    'Juni',
    'Juli',
    'Agustus',
    'September',
    'Oktober',
    'November',
    'Desember',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

/**
 * Indonesia's three zones by their IANA names (Asia/Pontianak is West Kalimantan, on WIB;
 * Asia/Ujung_Pandang is the old name of Asia/Makassar). Any other zone is shown as its UTC offset.
 */
const INDONESIAN_ZONES: Readonly<Record<string, string>> = {
  'Asia/Jakarta': 'WIB',
  'Asia/Pontianak': 'WIB',
  'Asia/Makassar': 'WITA',
  'Asia/Ujung_Pandang': 'WITA',
  'Asia/Jayapura': 'WIT',
};

/** The names of the documents a request needs, as the SOP calls them. */
export const documentLabels: Record<DocumentKind, Record<Language, string>> = {
  REQUEST_FORM: { id: 'Formulir permohonan', en: 'Request form' },
  SK_PENUNJUKAN: {
    id: 'SK Penunjukan',
    en: 'Appointment decree (SK Penunjukan)',
  },
  SURAT_PERINTAH_PEMERIKSAAN: {
    id: 'Surat Perintah Pemeriksaan',
    en: 'Examination order (Surat Perintah Pemeriksaan)',
  },
  KTP: { id: 'KTP', en: 'Identity card (KTP)' },
  OTHER: { id: 'Lainnya', en: 'Other' },
};

/** A request type, or `UNCLASSIFIED` while the helpdesk has not named it yet (email intake). */
export type RequestTypeKey = TicketType | 'UNCLASSIFIED';

/** The request types as a requester reads them in a sentence ("your ... request"). */
export const requestTypeLabels: Record<RequestTypeKey, Record<Language, string>> = {
  RESET_PASSWORD: { id: 'reset kata sandi (password)', en: 'password reset' },
  USER_ID_INFO: { id: 'informasi User ID', en: 'user ID information' },
  UNCLASSIFIED: { id: 'layanan akun', en: 'account service' },
};

export function isLanguage(value: unknown): value is Language {
  return value === 'id' || value === 'en';
}

function requireLanguage(lang: unknown, what: string): Language {
  if (!isLanguage(lang))
    throw new TemplateDataError(`${what}: unknown language (expected "id" or "en")`);
  return lang;
}

/** A Date, or what JSON made of one (an ISO string or epoch milliseconds). Never echoes the value. */
function toInstant(value: unknown, what: string): Date {
  const date =
    value instanceof Date
      ? value
      : typeof value === 'string' || typeof value === 'number'
        ? new Date(value)
        : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new TemplateDataError(
      `${what}: expected a date, got ${value === undefined ? 'nothing' : typeof value}`,
    );
  }
  return date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallClockFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        hourCycle: 'h23',
        timeZoneName: 'longOffset',
      });
    } catch {
      throw new TemplateDataError(`unknown time zone "${timeZone.slice(0, 64)}"`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
  /** 'GMT+08:00', or 'GMT' for a zero offset. */
  offset: string;
}

function readWallClock(instant: Date, timeZone: string): WallClock {
  const parts = wallClockFormatter(timeZone).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value;
  const num = (type: Intl.DateTimeFormatPartTypes) => Number(part(type));
  const year = num('year');
  const month = num('month');
  const day = num('day');
  return {
    year,
    month,
    day,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
    hour: num('hour'),
    minute: num('minute'),
    offset: part('timeZoneName') ?? 'GMT',
  };
}

/** 'GMT+05:30' -> 'UTC+5:30', 'GMT+07:00' -> 'UTC+7', 'GMT' -> 'UTC'. */
function offsetLabel(gmt: string): string {
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(gmt);
  if (!match) return 'UTC';
  const [, sign = '+', hours = '00', minutes = '00'] = match;
  if (hours === '00' && minutes === '00') return 'UTC';
  return `UTC${sign}${Number(hours)}${minutes === '00' ? '' : `:${minutes}`}`;
}

/**
 * The zone as Indonesians write it after a time: WIB, WITA or WIT for the Indonesian zones, the
 * UTC offset at that instant for any other zone (e.g. "UTC+9", "UTC+5:30").
 */
export function zoneAbbreviation(timeZone: string, at: Date = new Date(0)): string {
  const known = INDONESIAN_ZONES[timeZone];
  if (known) {
    wallClockFormatter(timeZone);
    return known;
  }
  return offsetLabel(readWallClock(at, timeZone).offset);
}

export interface DateFormatOptions {
  /** Only the date ("Senin, 23 November 2026"), no time or zone. */
  dateOnly?: boolean;
}

/**
 * A date and time as the office reads it:
 * id "Senin, 23 November 2026 pukul 14.05 WITA", en "Monday, 23 November 2026 at 14:05 WITA".
 */
export function formatDateTime(
  value: Date | string | number,
  lang: Language,
  timeZone: string,
  options: DateFormatOptions = {},
): string {
  const language = requireLanguage(lang, 'formatDateTime');
  const instant = toInstant(value, 'formatDateTime');
  const clock = readWallClock(instant, timeZone);
  const date = `${WEEKDAYS[language][clock.weekday] ?? ''}, ${clock.day} ${
    MONTHS[language][clock.month - 1] ?? ''
  } ${clock.year}`;
  if (options.dateOnly) return date;
  const hh = String(clock.hour).padStart(2, '0');
  const mm = String(clock.minute).padStart(2, '0');
  const zone = INDONESIAN_ZONES[timeZone] ?? offsetLabel(clock.offset);
  return language === 'id' ? `${date} pukul ${hh}.${mm} ${zone}` : `${date} at ${hh}:${mm} ${zone}`;
}

export function documentName(kind: unknown, lang: Language): string {
  const language = requireLanguage(lang, 'documentName');
  if (typeof kind !== 'string' || !Object.hasOwn(documentLabels, kind)) {
    throw new TemplateDataError(
      `documentName: unknown document kind ${typeof kind === 'string' ? `"${kind.slice(0, 40)}"` : typeof kind}`,
    );
  }
  return documentLabels[kind as DocumentKind][language];
}

/** The names of a non-empty list of document kinds (a "documents missing" notice without any is a bug). */
export function documentNames(kinds: unknown, lang: Language): string[] {
  if (!Array.isArray(kinds) || kinds.length === 0) {
    throw new TemplateDataError('documentNames: expected a non-empty list of document kinds');
  }
  return kinds.map((kind: unknown) => documentName(kind, lang));
}

export function requestTypeName(type: unknown, lang: Language): string {
  const language = requireLanguage(lang, 'requestTypeName');
  if (typeof type !== 'string' || !Object.hasOwn(requestTypeLabels, type)) {
    throw new TemplateDataError(
      `requestTypeName: unknown request type ${typeof type === 'string' ? `"${type.slice(0, 40)}"` : typeof type}`,
    );
  }
  return requestTypeLabels[type as RequestTypeKey][language];
}

/** "A dan B", "A, B, dan C" (PUEBI: a comma before "dan") / "A and B", "A, B and C". */
export function joinList(items: unknown, lang: Language): string {
  const language = requireLanguage(lang, 'list');
  if (!Array.isArray(items)) throw new TemplateDataError('list: expected a list');
  const words = items.map((item: unknown) => {
    if (typeof item !== 'string' && typeof item !== 'number') {
      throw new TemplateDataError(
        `list: expected text items, got ${item === null ? 'null' : typeof item}`,
      );
    }
    return String(item);
  });
  const and = language === 'id' ? 'dan' : 'and';
  if (words.length <= 2) return words.join(` ${and} `);
  const last = words.at(-1) ?? '';
  return `${words.slice(0, -1).join(', ')}${language === 'id' ? ',' : ''} ${and} ${last}`;
}
