import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { templatesDir } from '../shared/paths';
import { documentNames, formatDateTime, joinList, requestTypeName } from './format';
import type { AnyNotice } from './notice-data';
import { whatsAppNotices } from './templates';

/**
 * The WhatsApp Cloud API sends free text only inside the 24-hour customer-service window; outside
 * it, only a template approved in WhatsApp Manager. `templates/whatsapp/cloud-templates.json`
 * maps each of our notices to its approved name and the body parameters in order.
 */

const MapSchema = Type.Object({
  $comment: Type.Optional(Type.String()),
  languages: Type.Object({ id: Type.String(), en: Type.String() }),
  templates: Type.Record(
    Type.String(),
    Type.Object({
      name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }),
      category: Type.Union([Type.Literal('UTILITY'), Type.Literal('AUTHENTICATION')]),
      parameters: Type.Array(Type.String({ minLength: 1 })),
    }),
  ),
});
export type CloudTemplateMap = Static<typeof MapSchema>;

export interface CloudTemplateMessage {
  name: string;
  /** The Cloud API's language code, e.g. `id` or `en_US`. */
  language: string;
  /** Body parameters {{1}}, {{2}}, ... as text. */
  parameters: string[];
}

/** Loads and checks the map: its shape, and an approved template for every WhatsApp notice. */
export function loadCloudTemplateMap(dir: string = templatesDir): CloudTemplateMap {
  const file = join(dir, 'whatsapp', 'cloud-templates.json');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Value.Check(MapSchema, parsed)) {
    const first = [...Value.Errors(MapSchema, parsed)][0];
    throw new Error(`${file}: ${first?.path ?? ''} ${first?.message ?? 'invalid'}`);
  }
  const missing = whatsAppNotices.filter((n) => !Object.hasOwn(parsed.templates, n));
  if (missing.length > 0)
    throw new Error(`${file}: no approved template for ${missing.join(', ')}`);
  return parsed;
}

/** A field of the notice as the requester reads it (dates in the office's zone, lists joined). */
function parameterText(notice: AnyNotice, field: string, lang: 'id' | 'en'): string {
  const data = notice.data as unknown as Record<string, unknown>;
  const value = data[field];
  const zone = notice.data.office.timeZone;
  if (value instanceof Date) return formatDateTime(value, lang, zone);
  if (field === 'missingDocuments') return joinList(documentNames(value, lang), lang);
  if (field === 'requestType') return requestTypeName(value, lang);
  if (typeof value === 'string' && value.trim()) return value.replace(/\s+/g, ' ').trim();
  throw new Error(`cloud template for ${notice.name}: field ${field} is missing`);
}

export function cloudTemplateFor(
  map: CloudTemplateMap,
  notice: AnyNotice,
  lang: 'id' | 'en',
): CloudTemplateMessage | null {
  const entry = map.templates[notice.name];
  if (!entry) return null;
  return {
    name: entry.name,
    language: map.languages[lang],
    parameters: entry.parameters.map((field) => parameterText(notice, field, lang)),
  };
}
