import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { errorCodes, type ErrorCode, type ErrorParams } from './errors';
import { templatesDir } from './paths';

export const languages = ['id', 'en'] as const;
export type Language = (typeof languages)[number];

type Catalogue = Record<ErrorCode, Handlebars.TemplateDelegate>;

function loadCatalogue(lang: Language): Catalogue {
  const raw = JSON.parse(
    readFileSync(join(templatesDir, 'errors', `${lang}.json`), 'utf8'),
  ) as Record<string, string>;
  const out: Partial<Catalogue> = {};
  for (const code of Object.keys(errorCodes) as ErrorCode[]) {
    const text = raw[code];
    if (text === undefined)
      throw new Error(`templates/errors/${lang}.json has no message for ${code}`);
    out[code] = Handlebars.compile(text, { noEscape: true, strict: false });
  }
  return out as Catalogue;
}

/** Compiled once at start-up; a missing message stops start-up. */
const catalogues: Record<Language, Catalogue> = {
  id: loadCatalogue('id'),
  en: loadCatalogue('en'),
};

export function errorMessage(code: ErrorCode, lang: Language, params: ErrorParams = {}): string {
  return catalogues[lang][code](params).trim();
}

/** Bahasa Indonesia unless the client asks for English first (Accept-Language: en...). */
export function pickLanguage(acceptLanguage: string | undefined): Language {
  if (!acceptLanguage) return 'id';
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  return first.startsWith('en') ? 'en' : 'id';
}
