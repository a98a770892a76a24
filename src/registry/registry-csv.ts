import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { AppError } from '../shared/errors';
import type { ImportRowError } from './registry-import.entity';
import { parseSpseRole, spseRoleCodes, type SpseRole } from './spse-roles';

/**
 * Reading and checking registry CSV files. Nothing here touches the database, so every rule can
 * be unit-tested. Reasons in row errors never contain the rejected value: it may be an NIK.
 */

export const requiredColumns = ['user_id', 'full_name', 'nik', 'spse_role', 'agency'] as const;
export const optionalColumns = [
  'nip',
  'unit',
  'email',
  'phone',
  'birth_place',
  'birth_date',
  'sk_reference',
] as const;
export type RegistryColumn = (typeof requiredColumns)[number] | (typeof optionalColumns)[number];
const knownColumns = new Set<string>([...requiredColumns, ...optionalColumns]);

export type Delimiter = ',' | ';';
export type RowError = ImportRowError;

/** A row that passed every rule, in the form it is stored (except the NIK, which the service seals). */
export interface RegistryRow {
  userId: string;
  fullName: string;
  nik: string;
  nip: string | null;
  spseRole: SpseRole;
  agency: string;
  unit: string | null;
  email: string | null;
  phone: string | null;
  birthPlace: string | null;
  /** YYYY-MM-DD */
  birthDate: string | null;
  skReference: string | null;
}

/** Column of each field position; `null` for a column with a blank name (its values are ignored). */
export interface CsvHeader {
  columns: (RegistryColumn | null)[];
}

const BOM = '\uFEFF';
/** Large enough for any sane header line; a file whose first line is longer is not a registry CSV. */
export const HEADER_SNIFF_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------------

/**
 * Spreadsheets exported by Indonesian offices use `;` as often as `,` (Excel picks the list
 * separator from the locale), so the first non-blank line decides: whichever of the two occurs
 * more often outside quotes. A tie (including none at all) means `,`.
 */
export function sniffDelimiter(head: Buffer | string): Delimiter {
  let text = typeof head === 'string' ? head : head.toString('utf8');
  if (text.startsWith(BOM)) text = text.slice(1);
  const line = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== '') ?? '';
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === ',') commas++;
    else if (!quoted && ch === ';') semicolons++;
  }
  return semicolons > commas ? ';' : ',';
}

/** `User ID`, `user-id` and ` USER_ID ` all name the `user_id` column. */
export function normaliseHeaderName(raw: string): string {
  return raw
    .replace(BOM, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

/** Maps header fields to columns; a missing, unknown or repeated column is a CSV_BAD_HEADER. */
export function parseHeader(fields: readonly string[]): CsvHeader {
  const columns: (RegistryColumn | null)[] = [];
  const seen = new Set<string>();
  const unknown: string[] = [];
  const duplicate: string[] = [];
  for (const raw of fields) {
    const name = normaliseHeaderName(raw);
    if (name === '') {
      columns.push(null);
      continue;
    }
    if (!knownColumns.has(name)) {
      // The name is the user's own header text, which is safe to echo (and short, to keep the message readable).
      unknown.push(name.length > 40 ? `${name.slice(0, 40)}…` : name);
      columns.push(null);
      continue;
    }
    if (seen.has(name)) duplicate.push(name);
    seen.add(name);
    columns.push(name as RegistryColumn);
  }
  const missing = requiredColumns.filter((c) => !seen.has(c));
  if (missing.length > 0 || unknown.length > 0 || duplicate.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0) parts.push(`missing required column(s): ${missing.join(', ')}`);
    if (unknown.length > 0) parts.push(`unknown column(s): ${unknown.join(', ')}`);
    if (duplicate.length > 0)
      parts.push(`repeated column(s): ${[...new Set(duplicate)].join(', ')}`);
    parts.push(`expected: ${[...requiredColumns, ...optionalColumns].join(', ')}`);
    throw new AppError(
      'CSV_BAD_HEADER',
      { detail: `${parts.join('; ')}.` },
      {
        missing,
        unknown,
        duplicate: [...new Set(duplicate)],
        required: requiredColumns,
        optional: optionalColumns,
      },
    );
  }
  return { columns };
}

// ---------------------------------------------------------------------------------------------
// Field rules
// ---------------------------------------------------------------------------------------------

/** Trims, collapses inner whitespace (incl. line breaks in quoted cells) and normalises to NFC. */
export function cleanText(value: string | undefined): string {
  if (value === undefined) return '';
  let v = value.normalize('NFC').replace(/\s+/g, ' ').trim();
  // `"x"` padded with spaces outside the quotes is left quoted by the parser; undo that here.
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))
    v = v.slice(1, -1).replace(/""/g, '"').trim();
  return v;
}

/** Lower-cased, single-spaced full name: what name-prefix search compares. */
export function nameKeyOf(fullName: string): string {
  return fullName.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

export function userIdKeyOf(userId: string): string {
  return userId.trim().toLowerCase();
}

const USER_ID = /^[A-Za-z0-9._@-]{3,100}$/;
export function isValidUserId(value: string): boolean {
  return USER_ID.test(value);
}

/** NIK and NIP are often typed in groups (`19850101 201001 1 001`); spaces carry no meaning. */
export function compactDigits(value: string): string {
  return value.replace(/\s+/g, '');
}

export function isNik(value: string): boolean {
  return /^\d{16}$/.test(value);
}

export function isNip(value: string): boolean {
  return /^\d{18}$/.test(value);
}

/** Excel turns long digit strings into `3.17123E+15` unless the column is formatted as text. */
const SCIENTIFIC = /^\d+([.,]\d+)?e\+?\d+$/i;

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** Lower-cased address, or null when it is not a plausible address. */
export function normaliseEmail(value: string): string | null {
  const v = value.trim().toLowerCase();
  return v.length <= 254 && EMAIL.test(v) ? v : null;
}

/**
 * Indonesian number in E.164 (`+62812...`), from `0812...`, `62812...`, `+62 812-...`, or
 * `812...` (Excel drops the leading zero of a number stored as a number). Null when invalid or
 * not Indonesian.
 */
export function normalisePhone(value: string): string | null {
  const v = value.trim();
  if (!/^\+?[0-9 ().-]{6,30}$/.test(v)) return null;
  const digits = v.replace(/\D/g, '');
  // Without the plus libphonenumber would read 62... as a national number starting with 62.
  const input =
    !v.startsWith('+') && digits.startsWith('62') && digits.length >= 10 ? `+${digits}` : v;
  const parsed = parsePhoneNumberFromString(input, 'ID');
  if (!parsed?.isValid() || parsed.countryCallingCode !== '62' || parsed.ext) return null;
  return parsed.number;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysIn = (y: number, m: number) =>
  [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] ?? 0;

export type DateResult = { ok: true; value: string } | { ok: false; reason: string };

/**
 * YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (day and month may have one digit), a real calendar date,
 * not before 1900 and before `today` (YYYY-MM-DD).
 */
export function parseBirthDate(value: string, today: string): DateResult {
  const v = value.trim();
  let y: number;
  let m: number;
  let d: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    match = /^(\d{1,2})([-/])(\d{1,2})\2(\d{4})$/.exec(v);
    if (!match)
      return {
        ok: false,
        reason: 'must be a date written as YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY',
      };
    [d, m, y] = [Number(match[1]), Number(match[3]), Number(match[4])];
  }
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m))
    return { ok: false, reason: 'is not a real calendar date' };
  const iso = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (y < 1900) return { ok: false, reason: 'must not be before 1900' };
  if (iso >= today) return { ok: false, reason: 'must be in the past' };
  return { ok: true, value: iso };
}

const spseRoleReason = `is not a known SPSE role (use a code such as ${spseRoleCodes.join(', ')} or its label)`;

/**
 * Checks one data row. `fields` are the raw values in header order; `today` is YYYY-MM-DD.
 * Returns the normalised row, or every error found in it.
 */
export function validateRow(
  fields: readonly string[],
  header: CsvHeader,
  line: number,
  today: string,
): { row: RegistryRow | null; errors: RowError[] } {
  const errors: RowError[] = [];
  const fail = (field: string, reason: string) => errors.push({ line, field, reason });

  const values = new Map<RegistryColumn, string>();
  let unnamedValue = false;
  for (const [i, raw] of fields.entries()) {
    if (i >= header.columns.length) break;
    const column = header.columns[i];
    const value = cleanText(raw);
    if (column) values.set(column, value);
    else if (value !== '') unnamedValue = true;
  }
  if (
    fields.length > header.columns.length &&
    fields.slice(header.columns.length).some((f) => cleanText(f) !== '')
  ) {
    fail('(row)', `has ${fields.length} fields but the header has ${header.columns.length}`);
  }
  if (unnamedValue) fail('(row)', 'has a value in a column without a known name');

  const get = (c: RegistryColumn) => values.get(c) ?? '';
  const opt = (c: RegistryColumn, max: number): string | null => {
    const v = get(c);
    if (v === '') return null;
    if (v.length > max) fail(c, `must be at most ${max} characters`);
    return v;
  };
  const req = (c: RegistryColumn, max: number): string => {
    const v = get(c);
    if (v === '') fail(c, 'is required');
    else if (v.length > max) fail(c, `must be at most ${max} characters`);
    return v;
  };

  const userId = get('user_id');
  if (userId === '') fail('user_id', 'is required');
  else if (!isValidUserId(userId)) {
    fail('user_id', 'must be 3 to 100 characters: letters, digits, dot, underscore, @ or hyphen');
  }

  const fullName = req('full_name', 200);

  const nikRaw = compactDigits(get('nik'));
  if (nikRaw === '') fail('nik', 'is required');
  else if (SCIENTIFIC.test(nikRaw))
    fail('nik', 'was converted to a number by the spreadsheet; format the column as text');
  else if (!isNik(nikRaw)) fail('nik', 'must be exactly 16 digits');

  const nipRaw = compactDigits(get('nip'));
  let nip: string | null = null;
  if (nipRaw !== '') {
    if (SCIENTIFIC.test(nipRaw))
      fail('nip', 'was converted to a number by the spreadsheet; format the column as text');
    else if (!isNip(nipRaw)) fail('nip', 'must be exactly 18 digits');
    else nip = nipRaw;
  }

  const roleRaw = get('spse_role');
  let spseRole: SpseRole | undefined;
  if (roleRaw === '') fail('spse_role', 'is required');
  else {
    spseRole = parseSpseRole(roleRaw);
    if (!spseRole) fail('spse_role', spseRoleReason);
  }

  const agency = req('agency', 200);
  const unit = opt('unit', 200);

  const emailRaw = get('email');
  let email: string | null = null;
  if (emailRaw !== '') {
    email = normaliseEmail(emailRaw);
    if (email === null) fail('email', 'is not a valid email address');
  }

  const phoneRaw = get('phone');
  let phone: string | null = null;
  if (phoneRaw !== '') {
    phone = normalisePhone(phoneRaw);
    if (phone === null) fail('phone', 'is not a valid Indonesian phone number');
  }

  const birthPlace = opt('birth_place', 100);

  const dateRaw = get('birth_date');
  let birthDate: string | null = null;
  if (dateRaw !== '') {
    const r = parseBirthDate(dateRaw, today);
    if (r.ok) birthDate = r.value;
    else fail('birth_date', r.reason);
  }

  const skReference = opt('sk_reference', 200);

  if (errors.length > 0 || !spseRole) return { row: null, errors };
  return {
    row: {
      userId,
      fullName,
      nik: nikRaw,
      nip,
      spseRole,
      agency,
      unit,
      email,
      phone,
      birthPlace,
      birthDate,
      skReference,
    },
    errors,
  };
}

/** Canonical text of a row's content; the service stores a keyed hash of it to skip unchanged rows. */
export function canonicalRow(row: RegistryRow): string {
  return JSON.stringify([
    'registry-entry/v1',
    row.userId,
    row.fullName,
    row.nik,
    row.nip,
    row.spseRole,
    row.agency,
    row.unit,
    row.email,
    row.phone,
    row.birthPlace,
    row.birthDate,
    row.skReference,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------------

const LF = 0x0a;

function countLf(buf: Uint8Array): number {
  let n = 0;
  for (let i = buf.indexOf(LF); i !== -1; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}

/** Length of the prefix of `buf` that does not end inside a multi-byte UTF-8 sequence. */
function completeLength(buf: Buffer): number {
  let i = buf.length - 1;
  let continuation = 0;
  while (i >= 0 && continuation < 3 && ((buf[i] ?? 0) & 0xc0) === 0x80) {
    i--;
    continuation++;
  }
  if (i < 0) return buf.length;
  const lead = buf[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return buf.length - i < need ? i : buf.length;
}

/**
 * Checks that a byte stream is UTF-8 as it passes, chunk by chunk, with a fatal TextDecoder.
 * A chunk is cut at the last complete character; the few bytes of a character split across
 * chunks wait for the next one. On failure the line of the first bad byte is found by decoding
 * that chunk line by line (a line feed byte is never part of a multi-byte character).
 */
export class Utf8Checker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private carry: Buffer = Buffer.alloc(0);
  private lines = 0;

  push(chunk: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    const cut = completeLength(buf);
    this.check(buf.subarray(0, cut));
    this.carry = Buffer.from(buf.subarray(cut));
  }

  end(): void {
    if (this.carry.length > 0) throw new AppError('CSV_NOT_UTF8', { line: this.lines + 1 });
  }

  private check(part: Buffer): void {
    try {
      this.decoder.decode(part);
    } catch {
      let line = this.lines + 1;
      let start = 0;
      for (;;) {
        const end = part.indexOf(LF, start);
        const piece = part.subarray(start, end === -1 ? part.length : end);
        try {
          this.decoder.decode(piece);
        } catch {
          break;
        }
        if (end === -1) break;
        line++;
        start = end + 1;
      }
      throw new AppError('CSV_NOT_UTF8', { line });
    }
    this.lines += countLf(part);
  }
}

export interface CsvRecord {
  /** Physical line where the record starts (header = 1 when the file starts with it). */
  line: number;
  fields: string[];
}

const LINE_BREAK = /\r\n|\r|\n/g;
export const MAX_RECORD_CHARS = 65_536;

interface ParsedItem {
  record: string[];
  raw: string;
  /** Set on the marker that stands in for a record the parser could not read. */
  error?: CsvError;
}

function createParser(delimiter: Delimiter): Parser {
  // Relaxed quotes and column counts: hand-made files have stray quotes and ragged rows, and
  // the row rules report those better than a parse error would. What is left to fail is a quote
  // that never closes or a runaway record, which are file-level problems.
  // Such a record is skipped and a marker pushed in its place rather than failing the stream:
  // a stream error would discard the records still buffered ahead of it, and with them the line
  // count that says where the bad record starts.
  const parser: Parser = parse({
    delimiter,
    bom: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    raw: true,
    // A registry row is a few hundred characters; anything near this is a quote gone astray.
    max_record_size: MAX_RECORD_CHARS,
    skip_records_with_error: true,
    on_skip: (err, raw) => {
      const marker: ParsedItem = { record: [], raw: raw ?? '', ...(err ? { error: err } : {}) };
      parser.push(marker);
      return undefined;
    },
  });
  return parser;
}

function syntaxError(err: unknown, line: number): AppError | undefined {
  if (!(err instanceof CsvError)) return undefined;
  const detail =
    err.code === 'CSV_QUOTE_NOT_CLOSED'
      ? `CSV syntax: a quoted value starting on line ${line} is never closed`
      : `CSV syntax: the record starting on line ${line} cannot be read (check its quotes)`;
  return new AppError('CSV_MALFORMED', { detail });
}

/**
 * Parses a CSV byte stream, yielding every record that has a non-blank field, with the physical
 * line it starts on. Blank lines (and rows of empty cells) are skipped. A CSV syntax error
 * becomes a CSV_MALFORMED naming the line; errors of `input` pass through.
 */
export async function* readCsvRecords(
  input: Readable,
  delimiter: Delimiter,
): AsyncGenerator<CsvRecord> {
  const parser = createParser(delimiter);
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  let line = 1;
  try {
    for await (const item of parser as AsyncIterable<ParsedItem>) {
      const start = line;
      if (item.error) throw syntaxError(item.error, start) ?? item.error;
      // The parser's own line counter miscounts CRLF; the raw text of each record does not.
      line += item.raw.match(LINE_BREAK)?.length ?? 0;
      // With skip_empty_lines off every blank line is a record of its own, so `start` stays exact.
      if (item.record.every((f) => f.trim() === '')) continue;
      yield { line: start, fields: item.record };
    }
  } catch (err) {
    throw syntaxError(err, line) ?? err;
  } finally {
    input.unpipe(parser);
    input.destroy();
    parser.destroy();
  }
}

/** Passes `input` through unchanged, reporting the running byte count. */
export function countBytes(input: Readable, onBytes: (bytes: number) => void): Readable {
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      onBytes(bytes);
      callback(null, chunk);
    },
  });
  input.on('error', (err) => tap.destroy(err));
  return input.pipe(tap);
}

export interface ScanResult {
  delimiter: Delimiter;
  header: CsvHeader;
  /** Records after the header that have at least one non-blank field. */
  dataRows: number;
  bytes: number;
  sha256: string;
}

/**
 * First pass over a file: UTF-8 throughout, a valid header and at least one data row, checked
 * before anything is written. An encoding problem wins over a header problem (the header may be
 * fine once the file is saved as UTF-8), so a bad header does not stop the read.
 */
export async function scanCsv(
  input: Readable,
  delimiter: Delimiter,
  onBytes?: (bytes: number) => void,
): Promise<ScanResult> {
  const utf8 = new Utf8Checker();
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      try {
        utf8.push(chunk);
      } catch (err) {
        callback(err as Error);
        return;
      }
      hash.update(chunk);
      bytes += chunk.length;
      onBytes?.(bytes);
      callback(null, chunk);
    },
    flush(callback) {
      try {
        utf8.end();
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
  input.on('error', (err) => tap.destroy(err));
  input.pipe(tap);

  let header: CsvHeader | undefined;
  let headerError: AppError | undefined;
  let dataRows = 0;
  try {
    for await (const record of readCsvRecords(tap, delimiter)) {
      if (headerError !== undefined) continue;
      if (!header) {
        try {
          header = parseHeader(record.fields);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          headerError = err;
        }
        continue;
      }
      dataRows++;
    }
  } catch (err) {
    const notUtf8 = err instanceof AppError && err.code === 'CSV_NOT_UTF8';
    throw headerError !== undefined && !notUtf8 ? headerError : err;
  }
  if (headerError !== undefined) throw headerError;
  if (!header || dataRows === 0) throw new AppError('CSV_EMPTY');
  return { delimiter, header, dataRows, bytes, sha256: hash.digest('hex') };
}
