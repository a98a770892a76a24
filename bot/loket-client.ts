/**
 * The bot's typed client for Loket's REST API, with its BOT service-account token. The bot holds
 * no database connection: everything it reads or records goes through here.
 */

export interface ClaimedNotice {
  claimed: true;
  notificationId: string;
  ticketCode: string;
  /** A chat id (…@c.us / …@lid) or an E.164 number. */
  to: string;
  language: string;
  text: string;
  template: { name: string; language: string; parameters: string[] } | null;
  uncertain: boolean;
  attempt: number;
}
export type Claim = ClaimedNotice | { claimed: false; status: string };

export type DeliveryReport =
  | { ok: true; providerMessageId: string }
  | {
      ok: false;
      permanent: boolean;
      finalAttempt: boolean;
      code: string;
      detail: string;
      attempt: number;
      uncertain?: boolean;
    };

export class LoketApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(`Loket API answered ${String(status)} ${code}`);
    this.name = 'LoketApiError';
  }
}

export interface LoketClient {
  claimNotice(notificationId: string): Promise<Claim>;
  reportNotice(notificationId: string, report: DeliveryReport): Promise<{ status: string }>;
}

export function createLoketClient(options: {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}): LoketClient {
  const base = options.baseUrl.replace(/\/$/, '');
  async function post<T>(path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'accept-language': 'en',
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const parsed = (await res.json().catch(() => ({}))) as { code?: string };
    if (!res.ok) throw new LoketApiError(res.status, parsed.code ?? 'UNKNOWN');
    return parsed as T;
  }
  return {
    claimNotice: (id) => post<Claim>(`/api/notifications/${id}/whatsapp/claim`),
    reportNotice: (id, report) =>
      post<{ status: string }>(`/api/notifications/${id}/whatsapp/result`, report),
  };
}
