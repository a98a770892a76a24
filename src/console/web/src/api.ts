import { lang } from './i18n';
import {
  clearTokens,
  getAccessToken,
  getRefreshToken,
  sessionExpired,
  setTokens,
  type User,
} from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

interface SessionBody {
  accessToken: string;
  refreshToken: string;
  user: User;
}

let refreshing: Promise<boolean> | null = null;

/** One refresh at a time: parallel requests that all got 401 wait for the same one. */
function refreshOnce(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = getRefreshToken();
    if (!refreshToken) return false;
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      if (!res.ok) return false;
      const body = (await res.json()) as SessionBody;
      setTokens(body.accessToken, body.refreshToken);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Restores a session after a reload from the refresh token in this tab. */
export async function resumeSession(): Promise<User | null> {
  if (!getRefreshToken()) return null;
  if (!(await refreshOnce())) {
    clearTokens();
    return null;
  }
  try {
    return await api<User>('GET', '/auth/me');
  } catch {
    return null;
  }
}

export async function login(username: string, password: string): Promise<User> {
  const body = await api<SessionBody>('POST', '/auth/login', {
    json: { username, password },
    anonymous: true,
  });
  setTokens(body.accessToken, body.refreshToken);
  return body.user;
}

interface Options {
  json?: unknown;
  form?: FormData;
  anonymous?: boolean;
}

async function send(method: string, path: string, options: Options): Promise<Response> {
  const headers: Record<string, string> = { 'accept-language': lang.get() };
  const token = getAccessToken();
  if (token && !options.anonymous) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  return fetch(`/api${path}`, { method, headers, body: body ?? null });
}

/**
 * Calls the REST API. A 401 tries one refresh and the request again; when that fails the session
 * has ended: the login page comes back, keeping the route and the forms' drafts.
 */
export async function apiResponse(
  method: string,
  path: string,
  options: Options = {},
): Promise<Response> {
  let res = await send(method, path, options);
  if (res.status === 401 && !options.anonymous) {
    if (await refreshOnce()) res = await send(method, path, options);
    if (res.status === 401) {
      sessionExpired();
      throw new ApiError(401, 'UNAUTHENTICATED', 'session ended');
    }
  }
  if (!res.ok) {
    let code = 'HTTP_ERROR';
    let message = `${String(res.status)} ${res.statusText}`;
    let details: unknown;
    try {
      const e = (await res.json()) as { code?: string; message?: string; details?: unknown };
      code = e.code ?? code;
      message = e.message ?? message;
      details = e.details;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, code, message, details);
  }
  return res;
}

export async function api<T>(method: string, path: string, options: Options = {}): Promise<T> {
  const res = await apiResponse(method, path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A file from the API (with the auth header) as a blob URL for an iframe or img; revoke it after. */
export async function blobUrl(path: string): Promise<string> {
  const res = await apiResponse('GET', path);
  return URL.createObjectURL(await res.blob());
}

/** Downloads a CSV (or any file) from the API under the given name. */
export async function download(path: string, fileName: string): Promise<void> {
  const url = await blobUrl(path);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/**
 * A multipart upload with progress (XMLHttpRequest: fetch reports no upload progress). `onProgress`
 * gets 0..1 while sending and 1 once the server is processing. A 401 refreshes once and retries.
 */
export async function uploadWithProgress(
  path: string,
  form: FormData,
  onProgress: (share: number) => void,
): Promise<unknown> {
  const once = () =>
    new Promise<{ status: number; body: unknown }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open('POST', `/api${path}`);
      const token = getAccessToken();
      if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
      xhr.setRequestHeader('accept-language', lang.get());
      xhr.upload.onprogress = (e) => {
        if (e.lengthComputable) onProgress(Math.min(1, e.loaded / e.total));
      };
      xhr.upload.onload = () => {
        onProgress(1);
      };
      xhr.onload = () => {
        let body: unknown = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          // not JSON
        }
        resolve({ status: xhr.status, body });
      };
      xhr.onerror = () => {
        reject(new ApiError(0, 'NETWORK', 'network error'));
      };
      xhr.send(form);
    });
  let r = await once();
  if (r.status === 401) {
    if (await refreshOnce()) r = await once();
    if (r.status === 401) {
      sessionExpired();
      throw new ApiError(401, 'UNAUTHENTICATED', 'session ended');
    }
  }
  if (r.status >= 400) {
    const e = (r.body ?? {}) as { code?: string; message?: string; details?: unknown };
    throw new ApiError(r.status, e.code ?? 'HTTP_ERROR', e.message ?? String(r.status), e.details);
  }
  return r.body;
}
