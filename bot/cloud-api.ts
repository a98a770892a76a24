import { TransportError, type OutboundTransport } from './transport';

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
}

/** Error codes that retrying the same message cannot fix (Meta's error code reference). */
const PERMANENT_CODES = new Set([
  100, // invalid parameter
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

/** The Cloud API addresses a person by digits only; a `@lid` identity is not a number. */
function cloudRecipient(to: string): string {
  const digits = to.replace(/^\+/, '').replace(/@(c\.us|s\.whatsapp\.net)$/, '');
  if (!/^[0-9]{8,15}$/.test(digits)) {
    throw new TransportError(true, 'NOT_A_PHONE', 'the recipient is not a phone number');
  }
  return digits;
}

export function createCloudApiTransport(config: CloudApiConfig): OutboundTransport {
  const url = `${config.baseUrl.replace(/\/$/, '')}/${config.apiVersion}/${config.phoneNumberId}/messages`;

  async function send(body: Record<string, unknown>): Promise<{ messageId: string }> {
    let res: Response;
    try {
      res = await fetch(url, {
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
        signal: AbortSignal.timeout(config.timeoutMs ?? 20_000),
      });
    } catch (err) {
      const timeout = err instanceof Error && err.name === 'TimeoutError';
      // A timeout may come after Meta took the message: the record counts it as uncertain.
      throw new TransportError(false, timeout ? 'TIMEOUT' : 'NETWORK', 'no answer', timeout);
    }
    const json = (await res.json().catch(() => ({}))) as GraphError & {
      messages?: { id?: string }[];
    };
    if (res.ok) {
      const id = json.messages?.[0]?.id;
      if (!id)
        throw new TransportError(false, 'NO_MESSAGE_ID', 'the answer had no message id', true);
      return { messageId: id };
    }
    const code = json.error?.code;
    const permanent =
      (code !== undefined && PERMANENT_CODES.has(code)) ||
      (res.status >= 400 && res.status < 500 && res.status !== 429 && code === undefined);
    // 401/403 (token), 429 and 130429 (throughput), 131056 (pair rate), 5xx: retry later.
    const detail = (json.error?.message ?? `HTTP ${String(res.status)}`).slice(0, 200);
    throw new TransportError(
      permanent,
      code !== undefined ? `CLOUD_${String(code)}` : `HTTP_${String(res.status)}`,
      detail,
    );
  }

  return {
    name: 'cloud-api',
    sendText: (to, text) =>
      send({ to: cloudRecipient(to), type: 'text', text: { body: text.slice(0, 4096) } }),
    sendTemplate: (to, template) =>
      send({
        to: cloudRecipient(to),
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
