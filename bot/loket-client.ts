import { createHttpClient } from './http';

/**
 * The bot's typed client for Loket's REST API, with its BOT service-account token. The bot holds
 * no database connection: everything it reads or records goes through here (JSON calls on
 * node:http keep-alive connections, bot/http.ts; a document upload through fetch).
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

/** What the bot sends to open a request (the API validates it again). */
export interface BotTicketInput {
  type: 'RESET_PASSWORD' | 'USER_ID_INFO';
  channel: 'WHATSAPP';
  language: 'id' | 'en';
  requester: {
    name: string;
    userId?: string | null;
    nik?: string | null;
    spseRole?: string | null;
    agency?: string | null;
    email?: string | null;
  };
  contact: { kind: 'WHATSAPP'; address: string };
}

export interface BotTicketStatus {
  code: string;
  step: string;
  stepLabel: string;
  closed: boolean;
  missingDocuments: string[];
  updatedAt: string;
}

/** An open ticket of one chat (the bot's own tickets whose contact is that chat). */
export interface ChatTicketView {
  id: string;
  code: string;
  step: string;
  missingDocuments: string[];
  needsPerson: boolean;
}

/** The messages of a stored Cloud API webhook: each change value that carries messages. */
export interface WebhookMessagesView {
  eventId: string;
  values: Record<string, unknown>[];
}

export interface LoketClient {
  claimNotice(notificationId: string): Promise<Claim>;
  reportNotice(notificationId: string, report: DeliveryReport): Promise<{ status: string }>;
  createTicket(input: BotTicketInput): Promise<{ id: string; code: string }>;
  uploadDocument(
    ticketId: string,
    document: { kind: string; fileName: string; mimeType: string; data: Buffer },
  ): Promise<{ documentId: string }>;
  /** Null when no ticket has that code for that contact (the API says "not found" for both). */
  ticketStatus(code: string, contactAddress: string): Promise<BotTicketStatus | null>;
  chatTickets(chatId: string): Promise<ChatTicketView[]>;
  markNeedsPerson(ticketId: string): Promise<void>;
  postRequesterMessage(ticketId: string, body: string, externalId: string): Promise<void>;
  webhookMessages(eventId: string): Promise<WebhookMessagesView>;
  /** The key that opens the webhook messages sealed in whatsapp-inbound jobs. */
  inboundKey(): Promise<Buffer>;
}

export function createLoketClient(options: {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}): LoketClient {
  const base = options.baseUrl.replace(/\/$/, '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const http = createHttpClient();
  /** A JSON call; `safe` ones (reads) are sent again on a kept-alive connection found closed. */
  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    safe = method === 'GET',
  ): Promise<T> {
    const res = await http.request(new URL(`${base}${path}`), {
      method,
      headers: {
        authorization: `Bearer ${options.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        'accept-language': 'en',
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs,
      retryStale: safe,
    });
    const parsed = (res.json ?? {}) as { code?: string };
    if (res.status < 200 || res.status >= 300)
      throw new LoketApiError(res.status, parsed.code ?? 'UNKNOWN');
    return parsed as T;
  }
  /** A multipart upload (rare: a document), through fetch's FormData. */
  async function upload<T>(path: string, form: FormData): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${options.token}`, 'accept-language': 'en' },
      body: form,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const parsed = (await res.json().catch(() => ({}))) as { code?: string };
    if (!res.ok) throw new LoketApiError(res.status, parsed.code ?? 'UNKNOWN');
    return parsed as T;
  }
  const post = <T>(path: string, body?: unknown, safe = false) => call<T>('POST', path, body, safe);
  const id = (value: string) => encodeURIComponent(value);
  return {
    claimNotice: (n) => post<Claim>(`/api/notifications/${id(n)}/whatsapp/claim`),
    reportNotice: (n, report) =>
      post<{ status: string }>(`/api/notifications/${id(n)}/whatsapp/result`, report),
    async createTicket(input) {
      const t = await post<{ id: string; code: string }>('/api/tickets', input);
      return { id: t.id, code: t.code };
    },
    async uploadDocument(ticketId, document) {
      const form = new FormData();
      form.append('kind', document.kind);
      form.append(
        'file',
        new Blob([new Uint8Array(document.data)], { type: document.mimeType }),
        document.fileName,
      );
      const r = await upload<{ documentId: string }>(
        `/api/tickets/${id(ticketId)}/documents`,
        form,
      );
      return { documentId: r.documentId };
    },
    async ticketStatus(code, contactAddress) {
      try {
        return await post<BotTicketStatus>('/api/tickets/status', { code, contactAddress }, true);
      } catch (err) {
        if (err instanceof LoketApiError && err.status === 404) return null;
        throw err;
      }
    },
    async chatTickets(chatId) {
      return (await post<{ items: ChatTicketView[] }>('/api/bot/chat-tickets', { chatId }, true))
        .items;
    },
    async markNeedsPerson(ticketId) {
      await post(`/api/bot/tickets/${id(ticketId)}/needs-person`, {});
    },
    async postRequesterMessage(ticketId, body, externalId) {
      await post(`/api/tickets/${id(ticketId)}/messages`, {
        body: body.slice(0, 20_000),
        externalId: externalId.slice(0, 255),
      });
    },
    webhookMessages: (eventId) =>
      call<WebhookMessagesView>('GET', `/api/bot/whatsapp-events/${id(eventId)}`),
    async inboundKey() {
      const r = await call<{ key: string }>('GET', '/api/bot/whatsapp-inbound-key');
      return Buffer.from(r.key, 'base64url');
    },
  };
}
