import { createStore } from './store';

export type StaffRole = 'FRONT_OFFICE' | 'HELPDESK' | 'ADMIN_PPE' | 'SUPERVISOR' | 'AUDITOR';

export interface User {
  id: string;
  username: string;
  fullName: string;
  role: StaffRole;
  mustChangePassword: boolean;
}

/**
 * Tokens: the access token lives only in memory (never in web storage, so a script injected into
 * another page or a later visitor of the machine cannot read it). The refresh token is kept in
 * sessionStorage: one tab's lifetime, gone when the tab closes, so a reload does not log the clerk
 * out. The API rotates it on every use and revokes the family when an old one is replayed.
 */
let accessToken: string | null = null;
const REFRESH_KEY = 'loket.refresh';
const RETURN_KEY = 'loket.returnTo';
const DRAFTS_KEY = 'loket.drafts';

export const currentUser = createStore<User | null>(null);
/** Why the login page is shown: null (first visit), 'expired' or 'loggedOut'. */
export const loginReason = createStore<'expired' | 'loggedOut' | null>(null);

export function getAccessToken(): string | null {
  return accessToken;
}
export function getRefreshToken(): string | null {
  return sessionStorage.getItem(REFRESH_KEY);
}
export function setTokens(access: string, refresh: string): void {
  accessToken = access;
  sessionStorage.setItem(REFRESH_KEY, refresh);
}
export function clearTokens(): void {
  accessToken = null;
  sessionStorage.removeItem(REFRESH_KEY);
  forgetChatSimulator();
}

/** The chat simulator page (a frame of this tab) keeps its session under `loket.sim.*`. */
function forgetChatSimulator(): void {
  for (const storage of [sessionStorage, localStorage]) {
    const keys: string[] = [];
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key?.startsWith('loket.sim.')) keys.push(key);
    }
    for (const key of keys) storage.removeItem(key);
  }
}

// ---------------------------------------------------------------------------------------------
// Unsaved form data across an expired session
// ---------------------------------------------------------------------------------------------

/** Forms that would lose typing when the session ends register a reader of their current values. */
const draftReaders = new Map<string, () => Record<string, string>>();

export function registerDraft(key: string, read: () => Record<string, string>): () => void {
  draftReaders.set(key, read);
  return () => {
    if (draftReaders.get(key) === read) draftReaders.delete(key);
  };
}

/** Saved drafts carry their author: only that user gets them back. */
interface SavedDrafts {
  userId: string;
  forms: Record<string, Record<string, string>>;
}

/**
 * A draft saved when the session expired, taken once (the form that restores it removes it), and
 * only by the user who typed it: another user signing in at this tab drops them all.
 */
export function takeDraft(key: string): Record<string, string> | null {
  const saved = readDrafts();
  if (!saved) return null;
  const userId = currentUser.get()?.id;
  if (!userId || saved.userId !== userId) {
    sessionStorage.removeItem(DRAFTS_KEY);
    return null;
  }
  const draft = saved.forms[key];
  if (!draft) return null;
  const rest = Object.fromEntries(Object.entries(saved.forms).filter(([k]) => k !== key));
  sessionStorage.setItem(DRAFTS_KEY, JSON.stringify({ userId, forms: rest }));
  return draft;
}

/** At sign-in: drafts another user left at this tab are dropped, never shown. */
export function keepDraftsOf(userId: string): void {
  const saved = readDrafts();
  if (saved && saved.userId !== userId) sessionStorage.removeItem(DRAFTS_KEY);
}

function readDrafts(): SavedDrafts | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(DRAFTS_KEY) ?? 'null') as unknown;
    if (typeof parsed !== 'object' || parsed === null) return null;
    const { userId, forms } = parsed as { userId?: unknown; forms?: unknown };
    return typeof userId === 'string' && typeof forms === 'object' && forms !== null
      ? { userId, forms: forms as SavedDrafts['forms'] }
      : null;
  } catch {
    return null;
  }
}

/**
 * The session is gone (refresh refused): keep where the clerk was and what they were typing
 * (never an NIK: forms leave it out of their drafts), then show the login page.
 */
export function sessionExpired(): void {
  const userId = currentUser.get()?.id;
  if (userId) {
    const saved = readDrafts();
    const forms = saved?.userId === userId ? saved.forms : {};
    for (const [key, read] of draftReaders) forms[key] = read();
    sessionStorage.setItem(DRAFTS_KEY, JSON.stringify({ userId, forms }));
  }
  // The route inside the console (without its /console base), as navigate() takes it.
  const path = location.pathname.replace(/^\/console(?=\/|$)/, '') || '/';
  sessionStorage.setItem(RETURN_KEY, path + location.search);
  clearTokens();
  loginReason.set('expired');
  currentUser.set(null);
}

export function takeReturnTo(): string | null {
  const r = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return r;
}

/** Logging out on purpose forgets drafts too: the next person at this desk sees nothing. */
export function loggedOut(): void {
  clearTokens();
  sessionStorage.removeItem(DRAFTS_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  loginReason.set('loggedOut');
  currentUser.set(null);
}
