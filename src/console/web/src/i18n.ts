import en from '../i18n/en.json';
import id from '../i18n/id.json';
import { createStore, useStore } from './store';

export type Lang = 'id' | 'en';
export type MessageKey = keyof typeof id;

const catalogues: Record<Lang, Record<string, string>> = { id, en };
const saved = localStorage.getItem('loket.lang');
export const lang = createStore<Lang>(saved === 'en' ? 'en' : 'id');

export function setLang(next: Lang): void {
  localStorage.setItem('loket.lang', next);
  document.documentElement.lang = next;
  lang.set(next);
}

/** The message in the current language, `{name}` placeholders filled. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = catalogues[lang.get()][key] ?? id[key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    name in params ? String(params[name]) : m,
  );
}

/** `t` for a key built at run time (a step, a role, a document kind); falls back to the raw value. */
export function tOr(key: string, fallback: string): string {
  return catalogues[lang.get()][key] ?? fallback;
}

/** Re-renders the component when the language changes. */
export function useLang(): Lang {
  return useStore(lang);
}

export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(lang.get() === 'en' ? 'en-GB' : 'id-ID', {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
}
