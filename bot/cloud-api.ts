import type { Redis } from 'ioredis';
import { BSUID_PATTERN } from '../src/notifications/addressing';
import { startCloudInbound } from './cloud-inbound';
import { createHttpClient, HttpRequestError, type HttpAnswer } from './http';
import type { LoketClient } from './loket-client';
import { TransportError, type ChatMenu, type ChatTransport, type InboundMedia } from './transport';

/**
 * The WhatsApp Business Cloud API as an outbound transport: `POST
 * <base>/<version>/<phone-number-id>/messages` with the bearer token. The base URL is config, so
 * tests and staging point it at a local server that speaks the same JSON.
 */
export interface CloudApiConfig {
  baseUrl: string;
  apiVersion: string;
  phoneNumberId: string;
  token: string;
  timeoutMs?: number;
  /** What `start` needs: the whatsapp-inbound queue's Redis and the API to read payloads from. */
  inbound?: {
    connection: Redis;
    prefix: string;
    client: LoketClient;
    log?: (line: string) => void;
  };
}

/** Error codes that retrying the same message cannot fix (Meta's error code reference). */
const PERMANENT_CODES = new Set([
  // Not 100 (invalid parameter): Meta answers it for a wrong phone-number id or token scope too,
  // a setting the operator fixes; every notice must not die of it.
  131008, // required parameter missing
  131009, // parameter value invalid
  131026, // message undeliverable (not on WhatsApp, old app, ...)
  131047, // re-engagement: outside the 24-hour window
  131051, // unsupported message type
  132000, // template parameter count mismatch
  132001, // template does not exist
  132005, // template hydrated text too long
  132007, // template format character policy violated
  132012, // template parameter format mismatch
  132015, // template paused
  132016, // template disabled
]);

interface GraphError {
  error?: { message?: string; code?: number; error_subcode?: number };
}

/**
 * The Cloud API addresses a person by digits (`to`); a chat known only by its business-scoped
 * user id is addressed by `recipient` (Meta's BSUID send field; phone numbers stay preferred,
 * see cloud-inbound.ts). A `@lid` identity of whatsapp-web.js is neither.
 */
function cloudRecipient(to: string): Record<string, string> {
  if (BSUID_PATTERN.test(to)) return { recipient: to };
  const digits = to.replace(/^\+/, '').replace(/@(c\.us|s\.whatsapp\.net)$/, '');
  if (!/^[0-9]{8,15}$/.test(digits)) {
    throw new TransportError(true, 'NOT_A_PHONE', 'the recipient is not a phone number');
  }
  return { to: digits };
}

const cut = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** A menu as Meta's interactive list, within its limits (rows 24/72/200, 10 rows in all). */
function interactiveList(menu: ChatMenu): Record<string, unknown> {
  let left = 10;
  const sections = menu.sections
    .map((section) => {
      const rows = section.rows.slice(0, Math.max(0, left));
      left -= rows.length;
      return {
        title: cut(section.title, 24),
        rows: rows.map((r) => ({
          id: r.id.slice(0, 200),
          title: cut(r.title, 24),
          ...(r.description ? { description: cut(r.description, 72) } : {}),
        })),
      };
    })
    .filter((section) => section.rows.length > 0);
  return {
    type: 'list',
    body: { text: cut(menu.body, 1024) },
    action: { button: cut(menu.button, 20), sections },
  };
}

export function createCloudApiTransport(config: CloudApiConfig): ChatTransport {
  const graph = `${config.baseUrl.replace(/\/$/, '')}/${config.apiVersion}`;
  const sendUrl = new URL(`${graph}/${config.phoneNumberId}/messages`);
  // Sends (one per reply) on keep-alive node:http; media downloads (rare, streamed) on fetch.
  const http = createHttpClient();
  let inbound: { close(): Promise<void> } | null = null;

  /** GET with the token; network failures as a TransportError. */
  async function get(target: string): Promise<Response> {
    try {
      return await fetch(target, {
        headers: { authorization: `Bearer ${config.token}` },
        signal: AbortSignal.timeout(config.timeoutMs ?? 20_000),
      });
    } catch {
      throw new TransportError(false, 'NETWORK', 'media could not be fetched');
    }
  }

  async function downloadMedia(media: InboundMedia, maxBytes: number) {
    if (media.size !== undefined && media.size > maxBytes) {
      throw new TransportError(true, 'MEDIA_TOO_LARGE', 'the media is larger than allowed');
    }
    // 1. The media's metadata (a short-lived URL, its size), 2. the bytes, with the same token.
    const meta = await get(`${graph}/${encodeURIComponent(media.ref)}`);
    const info = (await meta.json().catch(() => ({}))) as {
      url?: string;
      mime_type?: string;
      file_size?: number;
    };
    if (!meta.ok || !info.url) {
      throw new TransportError(meta.status < 500, `HTTP_${String(meta.status)}`, 'no media URL');
    }
    if (typeof info.file_size === 'number' && info.file_size > maxBytes) {
      throw new TransportError(true, 'MEDIA_TOO_LARGE', 'the media is larger than allowed');
    }
    const res = await get(info.url);
    if (!res.ok || !res.body) {
      throw new TransportError(res.status < 500, `HTTP_${String(res.status)}`, 'media not fetched');
    }
    const declared = Number(res.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBytes) {
      await res.body.cancel();
      throw new TransportError(true, 'MEDIA_TOO_LARGE', 'the media is larger than allowed');
    }
    // Counted while reading: a missing or false length cannot make it read more than the limit.
    const chunks: Buffer[] = [];
    let total = 0;
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel();
        throw new TransportError(true, 'MEDIA_TOO_LARGE', 'the media is larger than allowed');
      }
      chunks.push(Buffer.from(value));
    }
    return {
      data: Buffer.concat(chunks),
      mimeType: info.mime_type ?? media.mimeType,
    };
  }

  async function send(body: Record<string, unknown>): Promise<{ messageId: string }> {
    let res: HttpAnswer;
    try {
      res = await http.request(sendUrl, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${config.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          ...body,
        }),
        timeoutMs: config.timeoutMs ?? 20_000,
      });
    } catch (err) {
      const code = err instanceof HttpRequestError ? err.code : '';
      // Refused or unresolved: the request never left. Anything else (a timeout, a reset) may
      // have reached Meta: the record counts it as uncertain.
      const neverSent = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN'].includes(code);
      throw new TransportError(
        false,
        code === 'TIMEOUT' ? 'TIMEOUT' : `NETWORK${code ? `_${code}` : ''}`,
        'no answer',
        !neverSent,
      );
    }
    const json = res.json as GraphError & { messages?: { id?: string }[] };
    if (res.status >= 200 && res.status < 300) {
      const id = json.messages?.[0]?.id;
      if (!id)
        throw new TransportError(false, 'NO_MESSAGE_ID', 'the answer had no message id', true);
      return { messageId: id };
    }
    const code = json.error?.code;
    // Only Meta's known per-message codes are permanent. 401/403 (token), 404 (a wrong base URL),
    // 429 and 130429 (throughput), 131056 (pair rate), 5xx: retried, so a setting can be fixed.
    const permanent = code !== undefined && PERMANENT_CODES.has(code);
    const detail = (json.error?.message ?? `HTTP ${String(res.status)}`).slice(0, 200);
    throw new TransportError(
      permanent,
      code !== undefined ? `CLOUD_${String(code)}` : `HTTP_${String(res.status)}`,
      detail,
    );
  }

  return {
    name: 'cloud',
    sendText: (to, text) =>
      send({ ...cloudRecipient(to), type: 'text', text: { body: text.slice(0, 4096) } }),
    sendMenu: (to, menu) =>
      send({ ...cloudRecipient(to), type: 'interactive', interactive: interactiveList(menu) }),
    downloadMedia,
    async start(handler) {
      if (!config.inbound)
        throw new Error('the Cloud API transport was built without its inbound queue');
      inbound ??= startCloudInbound({ ...config.inbound, handler });
      await Promise.resolve();
    },
    async stop() {
      await inbound?.close();
      inbound = null;
    },
    sendTemplate: (to, template) =>
      send({
        ...cloudRecipient(to),
        type: 'template',
        template: {
          name: template.name,
          language: { code: template.language },
          components: [
            {
              type: 'body',
              parameters: template.parameters.map((text) => ({ type: 'text', text })),
            },
          ],
        },
      }),
  };
}
