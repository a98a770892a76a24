import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import type { Language } from '../shared/messages';
import { templatesDir } from '../shared/paths';
import {
  noticeTemplates,
  type DocumentKind,
  type NoticeTemplate,
} from '../workflow/workflow.types';
import {
  documentName,
  documentNames,
  formatDateTime,
  isLanguage,
  joinList,
  requestTypeName,
  TemplateDataError,
  type RequestTypeKey,
} from './format';

export {
  documentLabels,
  documentName,
  formatDateTime,
  joinList,
  requestTypeLabels,
  requestTypeName,
  TemplateDataError,
  zoneAbbreviation,
} from './format';

/**
 * The notices' templates: handlebars files per event, channel and language under `templates/`,
 * compiled once at start-up by `loadNotificationTemplates` and rendered with typed data.
 *
 *   templates/email/<event>.<lang>.subject.hbs   one line (CR/LF removed after rendering)
 *   templates/email/<event>.<lang>.html.hbs      HTML-escaped, inline styles only
 *   templates/email/<event>.<lang>.text.hbs      plain text
 *   templates/whatsapp/<event>.<lang>.hbs        plain text, WhatsApp *bold* allowed
 *   templates/partials/<name>.hbs                used as {{> name}} (e.g. signature.id.text)
 *
 * Every template runs in handlebars' strict mode: a field the template prints that the data lack
 * throws instead of printing nothing. Values passed to helpers (and tested by {{#if}}) are not
 * strict in handlebars, so every helper that needs its value (dates, document lists, request
 * types, multi-line text) checks it and throws itself. Errors never quote the data: a template
 * bug must not put a temporary password into a log line.
 */

export const notificationLanguages = ['id', 'en'] as const satisfies readonly Language[];

/** The office a notice speaks for; its time zone is the one every date in the notice is shown in. */
export interface OfficeInfo {
  name: string;
  /** IANA zone: Asia/Jakarta (WIB), Asia/Makassar (WITA), Asia/Jayapura (WIT). */
  timeZone: string;
  address?: string;
  phone?: string;
  /** Opening hours as the office writes them, e.g. "Senin–Jumat 07.30–16.00 WITA". */
  hours?: string;
}

/** What every notice to a requester carries. */
export interface RequesterNotice {
  /** The requester's name as the ticket holds it ("Yth. Bapak/Ibu {{name}}"). */
  name: string;
  ticketCode: string;
  office: OfficeInfo;
}

/**
 * The data of each notice. A call with a missing or misspelt field does not compile; the
 * templates print exactly these fields (the unit test removes each required field in turn and
 * expects the render to throw).
 */
export interface NoticeData {
  /** Acknowledgement with the ticket code (and the queue number for a walk-in). */
  'ticket-received': RequesterNotice & {
    requestType: RequestTypeKey;
    receivedAt: Date;
    /** The front office's queue number (walk-in only). */
    queueNumber?: string | null;
    /** Attachments the email intake could not accept (sanitised names), named so they are sent again. */
    rejectedFiles?: readonly string[] | null;
  };
  /** SOP step 6: ask to complete the file, naming what is missing. */
  'documents-missing': RequesterNotice & {
    requestType: RequestTypeKey;
    /** At least one; rendering an empty list throws. */
    missingDocuments: readonly DocumentKind[];
    /** The helpdesk's note (e.g. "SK sudah tidak berlaku"). */
    note?: string | null;
  };
  /** SOP step 11: rejected, with the reason. */
  'request-rejected': RequesterNotice & {
    requestType: RequestTypeKey;
    /** The reject reason's label in the notice's language (reject_reasons.label_id / label_en). */
    reasonLabel: string;
    note?: string | null;
  };
  /** SOP steps 12–14 for a password reset; only ever to the contact of record. */
  'password-reset': RequesterNotice & {
    userId: string;
    /** Read from the one-time secret at send time; never stored, logged or queued. */
    temporaryPassword: string;
    expiresAt: Date;
  };
  /** SOP steps 12–14 for a user-ID request; only ever to the contact of record. */
  'user-id-info': RequesterNotice & { userId: string };
  /** The result exists but no contact of record can receive it: collect it at the office. */
  'pickup-in-person': RequesterNotice & { requestType: RequestTypeKey };
  /** Alert to supervisors (email only): a step ran past its time standard. No requester data. */
  'deadline-breached': {
    ticketCode: string;
    office: OfficeInfo;
    requestType: RequestTypeKey;
    /** The step's label in the notice's language, e.g. "Pemeriksaan kebenaran berkas". */
    stepLabel: string;
    dueAt: Date;
    assigneeName?: string | null;
  };
  /** A message a staff member wrote to the requester. */
  'staff-reply': RequesterNotice & {
    message: string;
    staffName?: string | null;
  };
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time check: `NoticeData` has exactly the workflow's `noticeTemplates`. */
export const noticeDataCoversNoticeTemplates: Same<keyof NoticeData, NoticeTemplate> = true;

/** Staff alerts go by email only. */
export type WhatsAppNotice = Exclude<NoticeTemplate, 'deadline-breached'>;
export const whatsAppNotices: readonly WhatsAppNotice[] = noticeTemplates.filter(
  (name): name is WhatsAppNotice => name !== 'deadline-breached',
);

export const emailParts = ['subject', 'html', 'text'] as const;
export type EmailPart = (typeof emailParts)[number];

export interface RenderedEmail {
  /** One line: CR, LF and other control characters are replaced by spaces. */
  subject: string;
  html: string;
  text: string;
}

export interface NotificationTemplates {
  /** The directory the templates were loaded from. */
  readonly dir: string;
  renderEmail<K extends NoticeTemplate>(
    name: K,
    lang: Language,
    data: NoticeData[K],
  ): RenderedEmail;
  renderWhatsApp<K extends WhatsAppNotice>(name: K, lang: Language, data: NoticeData[K]): string;
}

/** The template set is incomplete or broken; start-up must stop. Lists every problem found. */
export class TemplateLoadError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: readonly string[],
  ) {
    super(
      `Notification templates in ${dir} cannot be loaded (${problems.length} problem${
        problems.length === 1 ? '' : 's'
      }):\n- ${problems.join('\n- ')}`,
    );
    this.name = 'TemplateLoadError';
  }
}

/**
 * A notice could not be rendered (unknown template, missing field, bad value). Permanent: retrying
 * the same data fails the same way. The message names the template and the field, never a value.
 */
export class TemplateRenderError extends Error {
  constructor(
    readonly template: string,
    detail: string,
  ) {
    super(`Notification template ${template}: ${detail}`);
    this.name = 'TemplateRenderError';
  }
}

/** Relative paths of every file the notices need. */
export function requiredTemplateFiles(): string[] {
  const files: string[] = [];
  for (const name of noticeTemplates) {
    for (const lang of notificationLanguages) {
      for (const part of emailParts) files.push(emailFile(name, lang, part));
      if (name !== 'deadline-breached') files.push(whatsAppFile(name, lang));
    }
  }
  return files;
}

const emailFile = (name: string, lang: string, part: EmailPart) =>
  `email/${name}.${lang}.${part}.hbs`;
const whatsAppFile = (name: string, lang: string) => `whatsapp/${name}.${lang}.hbs`;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

type Mode = 'html' | 'text';

interface HelperOptions {
  hash: Record<string, unknown>;
  data?: { lang?: unknown; root?: unknown };
}

/** Handlebars passes the options object last; every helper here takes a fixed number of values. */
function splitArgs(args: unknown[]): { values: unknown[]; options: HelperOptions } {
  const options = args.at(-1) as HelperOptions;
  return { values: args.slice(0, -1), options };
}

function languageOf(helper: string, options: HelperOptions): Language {
  const lang = options.hash.lang ?? options.data?.lang;
  if (!isLanguage(lang)) throw new TemplateDataError(`${helper}: unknown language`);
  return lang;
}

function timeZoneOf(options: HelperOptions): string {
  const tz = options.hash.tz;
  if (typeof tz === 'string') return tz;
  const root = options.data?.root as { office?: { timeZone?: unknown } } | undefined;
  const zone = root?.office?.timeZone;
  if (typeof zone !== 'string' || zone === '') {
    throw new TemplateDataError(
      'dateTime: no time zone (the data need office.timeZone, or pass tz=)',
    );
  }
  return zone;
}

const helperNames = [
  'tanggal',
  'dateTime',
  'documentName',
  'documentNames',
  'requestTypeName',
  'list',
  'eq',
  'multiline',
] as const;

function registerHelpers(env: typeof Handlebars, mode: Mode): void {
  /**
   * {{tanggal receivedAt}} -> "Senin, 23 November 2026 pukul 14.05 WITA" (language of the notice,
   * zone of office.timeZone); format="date" for the date alone; lang= and tz= override.
   */
  const dateTime = (...args: unknown[]) => {
    const { values, options } = splitArgs(args);
    const value = values[0];
    if (!(value instanceof Date) && typeof value !== 'string' && typeof value !== 'number') {
      throw new TemplateDataError(
        `dateTime: expected a date, got ${value === null ? 'null' : typeof value}`,
      );
    }
    return formatDateTime(value, languageOf('dateTime', options), timeZoneOf(options), {
      dateOnly: options.hash.format === 'date',
    });
  };
  env.registerHelper('tanggal', dateTime);
  env.registerHelper('dateTime', dateTime);
  env.registerHelper('documentName', (...args: unknown[]) => {
    const { values, options } = splitArgs(args);
    return documentName(values[0], languageOf('documentName', options));
  });
  env.registerHelper('documentNames', (...args: unknown[]) => {
    const { values, options } = splitArgs(args);
    return documentNames(values[0], languageOf('documentNames', options));
  });
  env.registerHelper('requestTypeName', (...args: unknown[]) => {
    const { values, options } = splitArgs(args);
    return requestTypeName(values[0], languageOf('requestTypeName', options));
  });
  env.registerHelper('list', (...args: unknown[]) => {
    const { values, options } = splitArgs(args);
    return joinList(values[0], languageOf('list', options));
  });
  env.registerHelper('eq', (...args: unknown[]) => {
    const { values } = splitArgs(args);
    return values.length === 2 && values[0] === values[1];
  });
  /** Text with line breaks: escaped, each line break a <br> in HTML; unchanged in text. */
  env.registerHelper('multiline', (...args: unknown[]) => {
    const { values } = splitArgs(args);
    const value = values[0];
    if (typeof value !== 'string') {
      throw new TemplateDataError(
        `multiline: expected text, got ${value === null ? 'null' : typeof value}`,
      );
    }
    if (mode === 'text') return value;
    return new Handlebars.SafeString(
      Handlebars.escapeExpression(value).replace(/\r\n|\r|\n/g, '<br>\n'),
    );
  });
}

function compileOptions(mode: Mode): CompileOptions {
  return {
    strict: true,
    noEscape: mode === 'text',
    knownHelpersOnly: true,
    knownHelpers: Object.fromEntries(helperNames.map((name) => [name, true])),
  };
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

interface AstNode {
  type: string;
  name?: { type: string; original?: unknown };
  path?: { original?: unknown };
  params?: { type: string; original?: unknown; value?: unknown }[];
  escaped?: boolean;
  loc?: { start: { line: number; column: number } };
}

function walk(node: unknown, visit: (n: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (typeof n.type === 'string') visit(n as unknown as AstNode);
  for (const [key, value] of Object.entries(n)) if (key !== 'loc') walk(value, visit);
}

const at = (node: AstNode) => (node.loc ? ` (line ${node.loc.start.line})` : '');

/**
 * Syntax, compile and structure checks of one source: the partials it calls (static names only),
 * the inline partials it defines, and no triple-stash output (user data are always escaped).
 */
function inspect(
  file: string,
  source: string,
  mode: Mode,
  problems: string[],
): { uses: { partial: string; where: string }[]; defines: string[] } | undefined {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (err) {
    problems.push(`${file}: ${describeCompileError(err)}`);
    return undefined;
  }
  const uses: { partial: string; where: string }[] = [];
  const defines: string[] = [];
  walk(ast, (node) => {
    if (node.type === 'PartialStatement' || node.type === 'PartialBlockStatement') {
      const name = node.name?.original;
      if (node.name?.type === 'SubExpression' || typeof name !== 'string') {
        problems.push(`${file}${at(node)}: dynamic partial names are not allowed`);
      } else if (!name.startsWith('@')) {
        uses.push({ partial: name, where: `${file}${at(node)}` });
      }
    } else if (node.type === 'DecoratorBlock' && node.path?.original === 'inline') {
      const name = node.params?.[0]?.value;
      if (typeof name === 'string') defines.push(name);
    } else if (node.type === 'MustacheStatement' && node.escaped === false) {
      problems.push(`${file}${at(node)}: unescaped output ({{{...}}} or {{&...}}) is not allowed`);
    }
  });
  try {
    Handlebars.precompile(source, compileOptions(mode));
  } catch (err) {
    problems.push(`${file}: ${describeCompileError(err)}`);
  }
  return { uses, defines };
}

/** Handlebars' parse errors span lines (position, excerpt, expectation): keep the first and last. */
function describeCompileError(err: unknown): string {
  const lines = (err instanceof Error ? err.message : String(err))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const first = lines[0] ?? 'cannot be compiled';
  const last = lines.at(-1);
  return last && last !== first ? `${first} ${last}` : first;
}

function readDir(dir: string): string[] | undefined {
  try {
    if (!statSync(dir).isDirectory()) return undefined;
    return readdirSync(dir);
  } catch {
    return undefined;
  }
}

type Compiled = Handlebars.TemplateDelegate;

/**
 * Reads, checks and compiles every notice template and partial under `dir`, once. Any missing
 * file, unknown partial, unknown helper, syntax error or unescaped output stops here with a
 * `TemplateLoadError` listing all of them.
 */
export function loadNotificationTemplates(dir: string = templatesDir): NotificationTemplates {
  const problems: string[] = [];

  const partialFiles = readDir(join(dir, 'partials'));
  if (!partialFiles) problems.push('partials/: directory missing');
  const partials = new Map<string, string>();
  for (const file of (partialFiles ?? []).filter((f) => f.endsWith('.hbs')).sort()) {
    partials.set(file.slice(0, -'.hbs'.length), readFileSync(join(dir, 'partials', file), 'utf8'));
  }

  const sources = new Map<string, { source: string; mode: Mode }>();
  for (const file of requiredTemplateFiles()) {
    let source: string;
    try {
      source = readFileSync(join(dir, file), 'utf8');
    } catch {
      problems.push(`${file}: file missing`);
      continue;
    }
    const mode: Mode = file.endsWith('.html.hbs') ? 'html' : 'text';
    sources.set(file, { source, mode });
  }

  // Partials are compiled for both modes (a partial called from HTML escapes, from text not).
  const partialInfo = new Map<string, ReturnType<typeof inspect>>();
  for (const [name, source] of partials) {
    const file = `partials/${name}.hbs`;
    partialInfo.set(name, inspect(file, source, 'html', problems));
  }
  const checkUses = (info: ReturnType<typeof inspect>) => {
    for (const use of info?.uses ?? []) {
      if (!partials.has(use.partial) && !info?.defines.includes(use.partial)) {
        problems.push(
          `${use.where}: unknown partial "${use.partial}" (no file partials/${use.partial}.hbs)`,
        );
      }
    }
  };
  for (const info of partialInfo.values()) checkUses(info);
  for (const [file, { source, mode }] of sources) checkUses(inspect(file, source, mode, problems));

  if (problems.length > 0) throw new TemplateLoadError(dir, problems);

  const envs: Record<Mode, typeof Handlebars> = {
    html: Handlebars.create(),
    text: Handlebars.create(),
  };
  for (const mode of ['html', 'text'] as const) {
    registerHelpers(envs[mode], mode);
    for (const [name, source] of partials) {
      envs[mode].registerPartial(name, envs[mode].compile(source, compileOptions(mode)));
    }
  }
  const compiled = new Map<string, Compiled>();
  for (const [file, { source, mode }] of sources) {
    compiled.set(file, envs[mode].compile(source, compileOptions(mode)));
  }

  const render = (file: string, data: unknown, runtime: Record<string, unknown>): string => {
    const template = compiled.get(file);
    if (!template) throw new TemplateRenderError(file, 'no such template');
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new TemplateRenderError(file, 'the data must be an object');
    }
    try {
      return template(data, { data: runtime });
    } catch (err) {
      throw new TemplateRenderError(file, describeRenderError(err));
    }
  };
  const checkLanguage = (name: string, lang: unknown) => {
    if (!isLanguage(lang)) throw new TemplateRenderError(name, 'unknown language');
  };
  const checkName = (name: unknown, known: readonly string[]) => {
    if (typeof name !== 'string' || !known.includes(name)) {
      throw new TemplateRenderError(
        typeof name === 'string' ? name.slice(0, 60) : typeof name,
        'unknown template',
      );
    }
  };

  return {
    dir,
    renderEmail(name, lang, data) {
      checkName(name, noticeTemplates);
      checkLanguage(name, lang);
      const subject = singleLine(render(emailFile(name, lang, 'subject'), data, { lang }));
      return {
        subject,
        html: `${render(emailFile(name, lang, 'html'), data, { lang, subject }).trim()}\n`,
        text: `${tidyText(render(emailFile(name, lang, 'text'), data, { lang }))}\n`,
      };
    },
    renderWhatsApp(name, lang, data) {
      checkName(name, whatsAppNotices);
      checkLanguage(name, lang);
      return tidyText(render(whatsAppFile(name, lang), data, { lang }));
    },
  };
}

/**
 * What may be said about a failed render without quoting the data. Handlebars' strict-mode message
 * is `"field" not defined in <parent> - line:col`, and <parent> is the value itself when it is a
 * string (`{{temporaryPassword.x}}` would quote the password): keep the field and the position.
 * Our helpers' `TemplateDataError`s never quote values. Anything else (a TypeError from a lookup
 * into a string, say) may quote data: only its kind is kept.
 */
function describeRenderError(err: unknown): string {
  if (err instanceof TemplateDataError) return err.message;
  const message = err instanceof Error ? err.message : '';
  const strict = /^"([^"]{1,100})" not defined in [\s\S]*?(?: - (\d+:\d+))?$/.exec(message);
  if (strict) return `missing field "${strict[1] ?? ''}"${strict[2] ? ` at ${strict[2]}` : ''}`;
  const kind = err instanceof Error ? err.name : typeof err;
  return `render failed (${kind}; the message is withheld because it may quote the data)`;
}

/** A subject is one header line: no CR/LF (header injection), no other control characters. */
export function singleLine(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** Plain text: LF line ends, no trailing spaces, at most one blank line in a row, trimmed. */
function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
