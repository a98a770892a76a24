import type { JSX } from 'preact';
import { createStore, useStore } from './store';

export const BASE = '/console';

function current(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return (p === '' ? '/' : p) + location.search;
}

/** The route inside the console: `/tickets/abc?step=X` (without the /console prefix). */
export const route = createStore(current());

window.addEventListener('popstate', () => {
  route.set(current());
});

export function navigate(to: string, replace = false): void {
  const url = BASE + to;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  route.set(current());
  window.scrollTo(0, 0);
}

export function useRoute(): { path: string; query: URLSearchParams } {
  const r = useStore(route);
  const [path = '/', search = ''] = r.split('?');
  return { path, query: new URLSearchParams(search) };
}

/** Matches `/tickets/:id` against a path; returns the parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/');
  const b = path.replace(/\/$/, '').split('/');
  if (a.length !== b.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    const p = a[i] ?? '';
    const v = b[i] ?? '';
    if (p.startsWith(':')) params[p.slice(1)] = decodeURIComponent(v);
    else if (p !== v) return null;
  }
  return params;
}

/** An in-app link: a real href (open in a new tab works), history navigation on a plain click. */
export function Link(props: {
  href: string;
  class?: string;
  children: JSX.Element | string | (JSX.Element | string)[];
}) {
  return (
    <a
      href={BASE + props.href}
      class={props.class}
      onClick={(e) => {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}
