import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { templatesDir } from '../../src/shared/paths';
import { spseRoleCodes, spseRoles } from '../../src/registry/spse-roles';
import type { ChatMenu } from '../transport';
import type { Lang, Reply } from './types';

/**
 * Every text the bot says, per language, in `templates/bot/<lang>.json`: handlebars strings in
 * strict mode (a missing field is an error, not an empty string), checked and compiled once at
 * start-up. The machine names a key and its data; nothing the requester reads is written in code.
 */
export const replyKeys = [
  'greeting',
  'menu.body',
  'menu.button',
  'menu.section',
  'menu.reset',
  'menu.reset.desc',
  'menu.userid',
  'menu.userid.desc',
  'menu.status',
  'menu.status.desc',
  'menu.staff',
  'menu.staff.desc',
  'menu.language',
  'menu.language.desc',
  'lupa.which',
  'ask.name',
  'ask.userId',
  'ask.nik',
  'ask.role.body',
  'ask.role.button',
  'ask.role.section',
  'ask.agency',
  'ask.email',
  'ask.documents',
  'fix.name',
  'fix.userId',
  'fix.nik.length',
  'fix.nik.format',
  'fix.role',
  'fix.agency',
  'fix.email',
  'fix.tooLong',
  'fix.empty',
  'fix.confirm',
  'notUnderstood',
  'unsupported.audio',
  'unsupported.video',
  'unsupported.sticker',
  'unsupported.location',
  'unsupported.other',
  'doc.label.REQUEST_FORM',
  'doc.label.SK_PENUNJUKAN',
  'doc.label.SURAT_PERINTAH_PEMERIKSAAN',
  'doc.label.KTP',
  'doc.label.OTHER',
  'doc.received',
  'doc.stillNeeded',
  'doc.reused',
  'doc.kept',
  'doc.tooMany',
  'doc.attached',
  'doc.attachFailed',
  'doc.rejected.type',
  'doc.rejected.executable',
  'doc.rejected.tooLarge',
  'doc.rejected.unavailable',
  'summary.body',
  'summary.button',
  'summary.section',
  'summary.yes',
  'summary.edit',
  'summary.cancel',
  'summary.none',
  'service.RESET_PASSWORD',
  'service.USER_ID_INFO',
  'created',
  'created.missing',
  'created.docFailed',
  'createFailed',
  'cancelled',
  'expired',
  'status.ask',
  'status.badCode',
  'status.result',
  'status.missing',
  'status.notFound',
  'status.failed',
  'staff.connected',
  'staff.forwarded',
  'staff.noTicket',
  'staff.failed',
  'language.set',
  'flood',
  'error',
] as const;
export type ReplyKey = (typeof replyKeys)[number];

export const languages: readonly Lang[] = ['id', 'en'];

export interface RenderedText {
  kind: 'text';
  text: string;
  important: boolean;
}
export interface RenderedMenu {
  kind: 'menu';
  menu: ChatMenu;
}
export type Rendered = RenderedText | RenderedMenu;

export interface BotCatalogue {
  text(lang: Lang, key: ReplyKey, params?: Record<string, unknown>): string;
  render(lang: Lang, reply: Reply): Rendered;
}

/** Loads and checks both catalogues; throws naming the file and key when anything is off. */
export function loadBotCatalogue(dir = join(templatesDir, 'bot')): BotCatalogue {
  const compiled = new Map<Lang, Map<string, Handlebars.TemplateDelegate>>();
  for (const lang of languages) {
    const file = join(dir, `${lang}.json`);
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const known = new Set<string>(replyKeys);
    const extra = Object.keys(raw).filter((k) => !known.has(k));
    const missing = replyKeys.filter((k) => typeof raw[k] !== 'string' || raw[k] === '');
    if (extra.length > 0 || missing.length > 0) {
      throw new Error(
        `${file}: ${missing.length > 0 ? `missing ${missing.join(', ')}` : ''}${extra.length > 0 ? ` unknown ${extra.join(', ')}` : ''}`,
      );
    }
    const map = new Map<string, Handlebars.TemplateDelegate>();
    for (const key of replyKeys) {
      try {
        const template = Handlebars.compile(raw[key], { strict: true, noEscape: true });
        map.set(key, template);
      } catch (err) {
        throw new Error(`${file}: ${key}: ${(err as Error).message}`);
      }
    }
    compiled.set(lang, map);
  }

  const text: BotCatalogue['text'] = (lang, key, params = {}) => {
    const template = compiled.get(lang)?.get(key);
    if (!template) throw new Error(`bot catalogue: no ${key} in ${lang}`);
    return template(withDocumentNames(lang, params)).trim();
  };

  /** `docs` (document kinds) become `docNames` (one line) and `docList` (a bulleted list). */
  function withDocumentNames(lang: Lang, params: Record<string, unknown>): Record<string, unknown> {
    const out = { ...params };
    if (Array.isArray(params.docs)) {
      const names = (params.docs as string[]).map((k) => text(lang, `doc.label.${k}` as ReplyKey));
      out.docNames = names.length > 0 ? names.join(', ') : text(lang, 'summary.none');
      out.docList = names.map((n) => `• ${n}`).join('\n');
    }
    if (typeof params.flow === 'string')
      out.service = text(lang, `service.${params.flow}` as ReplyKey);
    if (typeof params.doc === 'string')
      out.docName = text(lang, `doc.label.${params.doc}` as ReplyKey);
    return out;
  }

  function menuOf(lang: Lang, reply: Extract<Reply, { type: 'menu' }>): ChatMenu {
    const body = text(lang, reply.key, reply.params);
    switch (reply.menu) {
      case 'main':
        return {
          body,
          button: text(lang, 'menu.button'),
          sections: [
            {
              title: text(lang, 'menu.section'),
              rows: (['reset', 'userid', 'status', 'staff', 'language'] as const).map((id) => ({
                id: `menu:${id}`,
                title: text(lang, `menu.${id}`),
                description: text(lang, `menu.${id}.desc`),
              })),
            },
          ],
        };
      case 'role':
        return {
          body,
          button: text(lang, 'ask.role.button'),
          sections: [
            {
              title: text(lang, 'ask.role.section'),
              // Role names are SPSE's own labels, the same in both languages.
              rows: spseRoleCodes.map((code) => ({
                id: `role:${code}`,
                title: spseRoles[code][0],
              })),
            },
          ],
        };
      case 'confirm':
        return {
          body,
          button: text(lang, 'summary.button'),
          sections: [
            {
              title: text(lang, 'summary.section'),
              rows: (['yes', 'edit', 'cancel'] as const).map((id) => ({
                id: `confirm:${id}`,
                title: text(lang, `summary.${id}`),
              })),
            },
          ],
        };
    }
  }

  return {
    text,
    render(lang, reply) {
      if (reply.type === 'menu') return { kind: 'menu', menu: menuOf(lang, reply) };
      return {
        kind: 'text',
        text: text(lang, reply.key, reply.params),
        important: reply.important ?? false,
      };
    },
  };
}

/** A menu as numbered text, for a transport without interactive lists (and for logs). */
export function menuAsText(menu: ChatMenu): string {
  const rows = menu.sections.flatMap((s) => s.rows);
  return [menu.body, ...rows.map((r, i) => `${String(i + 1)}. ${r.title}`)].join('\n');
}
