import {
  cleanText,
  compactDigits,
  normaliseEmail,
  normalisePhone,
  userIdKeyOf,
} from '../registry/registry-csv';
import { parseSpseRole, spseRoles, type SpseRole } from '../registry/spse-roles';
import { maskNik } from '../shared/pii';

/**
 * Step 9 of SOP 004 ("memeriksa kebenaran berkas permohonan"): the data in a request are held
 * against the registry entry, field by field. This module only compares; the decision (valid,
 * invalid, confirm by phone) stays with the Admin PPE, so nothing here weighs the fields.
 *
 * Rules, applied to every field in the fixed order of `validityFields`:
 * 1. A value that is null, empty, or has no letter or digit at all (`-`, `...`: what people write
 *    on a form for "not applicable") is absent. Absent in the request wins over absent in the
 *    registry: a field that the requester did not claim says nothing about them.
 * 2. Otherwise both values are turned into a comparison key (per field, below) and the result is
 *    MATCH when the keys are equal, else MISMATCH. A claimed value that cannot be read at all
 *    (an unknown SPSE role, a malformed email or phone number, an NIK with letters) is MISMATCH.
 * 3. `claimed` and `registered` are display values: the text as written (trimmed, single-spaced),
 *    except that an NIK is always masked (`maskNik`) and an SPSE role from the registry is shown
 *    by its label. The full NIK is used for the comparison only and never returned.
 *
 * Comparison keys:
 * - userId: trimmed and lower-cased (`userIdKeyOf`), as the registry looks it up.
 * - nik, nip: digits only; spaces, dots and hyphens (`3171.0145 0185-0001`) are dropped.
 * - fullName: titles before the name (Dr., Ir., H., Hj., Drs., Dra., Prof., KH., drg., ...) and
 *   degrees after it (S.T., S.Kom., M.T., M.Si., Ph.D., A.Md., ... after a comma, or a known
 *   degree written in capitals or with dots at the end of a name without commas) are removed;
 *   then case, diacritics, punctuation and spaces are ignored (`Dr. Ir. Budi Santoso, M.T.` ~
 *   `BUDI SANTOSO` ~ `Budi  Santoso`). Abbreviated given names are not expanded
 *   (`M. Ridwan` is not `Muhammad Ridwan`), and word order matters.
 * - spseRole: the role code (`parseSpseRole`), so `Pejabat Pembuat Komitmen` ~ `PPK`.
 * - agency: case, diacritics, punctuation and spaces are ignored (`Dinas PU` ~ `dinas p.u.`), `&`
 *   reads as `dan`, and a few standard abbreviations are expanded (`Kab.` = `Kabupaten`, `Prov.` =
 *   `Provinsi`, `Pemkab`, `Pemkot`, `Pemprov`, `Kemen`, `Setda`). Other acronyms are not
 *   (`Dinas PUPR` is not `Dinas Pekerjaan Umum dan Penataan Ruang`).
 * - email: trimmed and lower-cased (`normaliseEmail`); no provider-specific folding.
 * - phone: Indonesian E.164 (`normalisePhone`), so `0812-3456-7890` ~ `+62 812 3456 7890` ~
 *   `6281234567890`.
 */

export const validityFields = [
  'userId',
  'nik',
  'nip',
  'fullName',
  'spseRole',
  'agency',
  'email',
  'phone',
] as const;
export type ValidityField = (typeof validityFields)[number];

export type FieldResult = 'MATCH' | 'MISMATCH' | 'ABSENT_IN_REQUEST' | 'ABSENT_IN_REGISTRY';

/** What the requester claimed on the form, in the email or in the chat. */
export interface RequesterClaim {
  fullName?: string | null;
  userId?: string | null;
  nik?: string | null;
  nip?: string | null;
  /** A code (`PPK`) or a label (`Pejabat Pembuat Komitmen`). */
  spseRole?: string | null;
  agency?: string | null;
  email?: string | null;
  phone?: string | null;
}

/** The registry entry's values, with the NIK decrypted (it never leaves this module in clear). */
export interface RegistryComparable {
  userId: string;
  fullName: string;
  nik: string;
  nip: string | null;
  spseRole: SpseRole;
  agency: string;
  email: string | null;
  phone: string | null;
}

export interface FieldComparison {
  field: ValidityField;
  result: FieldResult;
  /** Display value of the claim; a masked NIK for `nik`; null when absent. */
  claimed: string | null;
  /** Display value of the registry; a masked NIK for `nik`, the role label for `spseRole`. */
  registered: string | null;
}

export interface ValidityComparison {
  /** One entry per field, in the order of `validityFields`. */
  fields: FieldComparison[];
  matches: number;
  mismatches: number;
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

const HAS_ALNUM = /[\p{L}\p{N}]/u;

/** Lower case, no diacritics (`é` -> `e`), only letters and digits. */
function squash(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** Titles written before a name, by their letters only (`Hj.` -> `hj`). */
const PREFIX_TITLES = new Set([
  'prof',
  'dr',
  'drs',
  'dra',
  'drg',
  'drh',
  'ir',
  'h',
  'hj',
  'kh',
  'apt',
  'ns',
]);

/**
 * Academic and professional degrees written after a name, by their letters only
 * (`S.Kom.` -> `skom`). Degrees of the `X.Yy` shape not listed here are still recognised after a
 * comma by `DOTTED_DEGREE`.
 */
const DEGREES = new Set([
  // diploma
  'amd',
  'amdkom',
  'amdkeb',
  'amdkep',
  'amdak',
  'amdt',
  // bachelor (sarjana, sarjana terapan)
  'st',
  'skom',
  'se',
  'sh',
  'ssos',
  'spd',
  'spdi',
  'ssi',
  'sip',
  'sp',
  'sked',
  'skm',
  'skep',
  'sfarm',
  'sag',
  'shi',
  'sthi',
  'sst',
  'sstp',
  'stp',
  'spt',
  'sak',
  'sars',
  'sds',
  'ssn',
  'spsi',
  'sikom',
  'sgz',
  'str',
  'strkom',
  'hum',
  'shum',
  // master
  'mt',
  'msi',
  'mm',
  'mkom',
  'mpd',
  'mpdi',
  'mh',
  'mkn',
  'mag',
  'mba',
  'ma',
  'msc',
  'meng',
  'mkes',
  'mpa',
  'map',
  'mak',
  'mkm',
  'mhum',
  'mars',
  'msos',
  'mec',
  'mtr',
  'mst',
  // doctorate, professions
  'phd',
  'ak',
  'ca',
  'cpa',
]);

/** `S.Kom`, `Ph.D.`, `Sp.PD`, `A.Md.Kom`: letter groups joined by dots (unambiguous, no ReDoS). */
const DOTTED_DEGREE = /^[a-z]{1,5}(?:\.[a-z]{1,5})+\.?$/i;
/** One leading title: letters, then a dot or a space (`Hadi` is not `H` + `adi`). */
const LEADING_TITLE = /^\(?([a-z]{1,4})\)?(?:\.\s*|\s+)/i;
/** `Dr. (H.C.)`: the honoris causa mark. */
const HONORIS_CAUSA = /\(\s*h\.?\s*c\.?\s*\)/gi;

const lettersOf = (token: string) => token.toLowerCase().replace(/[^a-z]/g, '');

function isDegreeToken(token: string): boolean {
  return DEGREES.has(lettersOf(token)) || DOTTED_DEGREE.test(token);
}

/** A segment after a comma is a degree when its letters are one, or each of its words is one. */
function isDegreeSegment(segment: string): boolean {
  const tokens = segment.split(' ').filter((t) => t !== '');
  if (tokens.length === 0) return true;
  return DEGREES.has(lettersOf(segment)) || tokens.every(isDegreeToken);
}

/**
 * The name without titles and degrees, as its words (still with case and punctuation). Never
 * empty for a name that has a letter: a title is only removed while a word remains.
 */
export function stripTitlesAndDegrees(fullName: string): string[] {
  const [first = '', ...rest] = cleanText(fullName).replace(HONORIS_CAUSA, ' ').split(',');

  // Leading titles, possibly without spaces between them (`Dr.Ir.Budi`).
  let head = first.trim();
  for (;;) {
    const m = LEADING_TITLE.exec(head);
    const title = m?.[1]?.toLowerCase();
    if (!m || title === undefined || !PREFIX_TITLES.has(title)) break;
    const remaining = head.slice(m[0].length).trim();
    if (!HAS_ALNUM.test(remaining)) break;
    head = remaining;
  }

  // Trailing degrees without a comma (`Budi Santoso ST MT`): only a known degree written in
  // capitals or with dots, so that a name ending in `Ma` keeps it.
  const words = head.split(' ').filter((w) => w !== '');
  for (let last = words.at(-1); last !== undefined && words.length > 1; last = words.at(-1)) {
    const writtenAsDegree = last.includes('.') || last === last.toUpperCase();
    if (!writtenAsDegree || !DEGREES.has(lettersOf(last))) break;
    words.pop();
  }

  // Segments after a comma are degrees (`, S.T., M.T.`) unless they do not look like one.
  for (const segment of rest) {
    if (!isDegreeSegment(segment.trim())) words.push(...segment.split(' ').filter((w) => w !== ''));
  }
  return words;
}

/** Comparison key of a full name: see the module comment. */
export function nameComparisonKey(fullName: string): string {
  return squash(stripTitlesAndDegrees(fullName).join(' '));
}

const AGENCY_ABBREVIATIONS: Readonly<Record<string, string>> = {
  kab: 'kabupaten',
  prov: 'provinsi',
  pemprov: 'pemerintah provinsi',
  pemkab: 'pemerintah kabupaten',
  pemkot: 'pemerintah kota',
  kemen: 'kementerian',
  setda: 'sekretariat daerah',
};

/** Comparison key of an agency name: see the module comment. */
export function agencyComparisonKey(agency: string): string {
  const words = agency
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' dan ')
    // `P.U.` is one word, `Kab.` is `kab`; other punctuation separates words.
    .replace(/[.'’`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
  return squash(words.map((w) => AGENCY_ABBREVIATIONS[w] ?? w).join(' '));
}

/** Digits of an NIK or NIP as typed (`3171 0145.0185-0001`); null when anything else is in it. */
export function identityDigits(value: string): string | null {
  const digits = compactDigits(value).replace(/[.-]/g, '');
  return /^\d+$/.test(digits) ? digits : null;
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

interface FieldRule {
  /** Comparison key; null when the value cannot be read (then it matches nothing). */
  key: (value: string) => string | null;
  display: (value: string) => string;
}

const asText = (value: string) => cleanText(value);

const rules: Record<Exclude<ValidityField, 'spseRole'>, FieldRule> = {
  userId: { key: userIdKeyOf, display: asText },
  nik: {
    key: identityDigits,
    // Masked whether or not it is a valid NIK: a near miss is as personal as the real one.
    display: (v) => maskNik(identityDigits(v) ?? compactDigits(cleanText(v))),
  },
  nip: { key: identityDigits, display: asText },
  fullName: { key: nameComparisonKey, display: asText },
  agency: { key: agencyComparisonKey, display: asText },
  email: { key: normaliseEmail, display: asText },
  phone: { key: normalisePhone, display: asText },
};

const isAbsent = (value: string | null | undefined): value is null | undefined =>
  value === null || value === undefined || !HAS_ALNUM.test(value);

const sameKey = (a: string | null, b: string | null) => a !== null && a === b;

function compareField(
  field: ValidityField,
  claimedRaw: string | null | undefined,
  registeredRaw: string | null | undefined,
  rule: FieldRule,
  registeredDisplay: (value: string) => string = rule.display,
): FieldComparison {
  const claimed = isAbsent(claimedRaw) ? null : claimedRaw;
  const registered = isAbsent(registeredRaw) ? null : registeredRaw;
  const result: FieldResult =
    claimed === null
      ? 'ABSENT_IN_REQUEST'
      : registered === null
        ? 'ABSENT_IN_REGISTRY'
        : sameKey(rule.key(claimed), rule.key(registered))
          ? 'MATCH'
          : 'MISMATCH';
  return {
    field,
    result,
    claimed: claimed === null ? null : rule.display(claimed),
    registered: registered === null ? null : registeredDisplay(registered),
  };
}

const spseRoleRule: FieldRule = {
  key: (v) => parseSpseRole(v) ?? null,
  display: asText,
};
const spseRoleLabel = (code: string) => {
  const role = parseSpseRole(code);
  return role ? spseRoles[role][0] : cleanText(code);
};

/** Holds a request against a registry entry; pure and deterministic (see the module comment). */
export function compareWithRegistry(
  claim: RequesterClaim,
  entry: RegistryComparable,
): ValidityComparison {
  const fields = validityFields.map((field): FieldComparison => {
    switch (field) {
      case 'spseRole':
        return compareField(field, claim.spseRole, entry.spseRole, spseRoleRule, spseRoleLabel);
      case 'userId':
      case 'nik':
      case 'nip':
      case 'fullName':
      case 'agency':
      case 'email':
      case 'phone':
        return compareField(field, claim[field], entry[field], rules[field]);
    }
  });
  return {
    fields,
    matches: fields.filter((f) => f.result === 'MATCH').length,
    mismatches: fields.filter((f) => f.result === 'MISMATCH').length,
  };
}
